"""Guarantee: no missed conflict under concurrency.

Two registrations that conflict, sent at the same instant by two states, are both stored,
produce exactly one conflict record, and both parties are told (the second in its response,
the first in its inbox).

A real gunicorn server with several worker processes serves a migrated database (a SQLite file
in WAL mode, and PostgreSQL when JPA_TEST_POSTGRES_URL is set). Each round, two threads (Thailand's
and Malaysia's liaison officers) hold open connections, wait on a barrier and POST at the same
instant two registrations sharing a phone number (written in Thai national format by one side
and in international format by the other) and a site. Every round must end with both operations
stored, exactly one conflict record linking them, each NLO seeing it and notified of it.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import create_app
from core.cli import upgrade_database
from core.identity import services as identity
from core.identity.services import Principal
from core.notify import Notification
from core.settings import load_settings
from deconfliction.models import ConflictEvent, ConflictRecord
from operations import services as operations
from operations.models import Operation
from tests.postgres import throwaway_database

PROJECT_DIR = Path(__file__).resolve().parents[2]
ROUNDS = 20
WORKERS = 3
SECRET = "concurrency-test-secret-key-long-enough-0123456789"
BLINDING = "concurrency-test-blinding-key-long-enough-012345678"
PASSWORD = "simultaneous registrations 2015"
PERIOD_START = datetime(2031, 1, 1, tzinfo=UTC)
PERIOD_END = PERIOD_START + timedelta(days=60)
STARTUP_SECONDS = 30
REQUEST_TIMEOUT = 30
READY_MARK = "jpa-worker-ready"


# ---------------------------------------------------------------- databases


@contextmanager
def _sqlite_database(directory: Path) -> Iterator[str]:
    yield f"sqlite:///{directory / 'jpa.sqlite3'}"


# ---------------------------------------------------------------- seeding


@dataclass(frozen=True)
class Seeded:
    """What the server's database holds before the rounds start."""

    period_id: int
    user_ids: dict[str, int]


def _seed(database_url: str, instance: Path) -> Seeded:
    """An admin, a co-chair, one NLO per state and a period (THA, MYS), through the services.

    Passwords are hashed with cheap argon2 parameters here; the server verifies a hash with the
    parameters stored in it, so logins against the real server stay quick.
    """
    settings = load_settings(
        {"JPA_DATABASE_URL": database_url}, instance_path=instance, secret_key=SECRET,
        blinding_key=BLINDING, argon2_time_cost=1, argon2_memory_kib=1024,
        argon2_parallelism=1, testing=True, two_factor="optional")
    app = create_app(settings)
    database = app.extensions["jpa.db"]
    policy = app.extensions["jpa.identity"]
    people = {
        "admin": ("conc.admin", "admin", None),
        "chair": ("conc.chair", "co_chair", "THA"),
        "tha": ("conc.nlo.tha", "liaison_officer", "THA"),
        "mys": ("conc.nlo.mys", "liaison_officer", "MYS"),
    }
    try:
        users = {}
        with database.transaction() as session:
            for key, (username, role, state) in people.items():
                users[key] = identity.create_user(
                    session, actor=None, policy=policy, username=username, password=PASSWORD,
                    role=role, state=state, full_name=f"Officer {key.upper()}",
                    email=f"{username}@example.org", phone="+66 2 123 4567")
        with database.transaction() as session:
            period = operations.create_period(
                session, actor=Principal.of(users["admin"], "seed"), name="Concurrency JPA",
                starts_at=PERIOD_START, ends_at=PERIOD_END, states=["THA", "MYS"],
                co_chairs=["THA"])
        return Seeded(period.id, {key: user.id for key, user in users.items()})
    finally:
        database.dispose()


# ---------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, method: str, path: str, *, token: str | None = None,
             body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """One HTTP request on its own connection; the JSON body decoded (None when empty)."""
    headers = {"Accept": "application/json"}
    payload = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)
    finally:
        connection.close()


@dataclass
class Server:
    """A running gunicorn serving the app over a seeded database."""

    backend: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    engine: Engine
    seeded: Seeded

    def log(self) -> str:
        """What gunicorn and the workers wrote so far."""
        return self.log_path.read_text(errors="replace")

    def login(self, key: str) -> str:
        """An API token for one of the seeded users (obtained once, reused)."""
        username = {"chair": "conc.chair", "tha": "conc.nlo.tha", "mys": "conc.nlo.mys"}[key]
        status, payload = _request(self.port, "POST", "/api/v1/auth/token",
                                   body={"username": username, "password": PASSWORD})
        assert status == 200, (status, payload, self.log())
        return payload["access_token"]


def _wait_until_ready(port: int, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Every worker has loaded the app (the post_worker_init hook logged it) and /healthz is
    200, so the rounds really reach several processes at once."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n"
                        f"{log_path.read_text(errors='replace')}")
        if log_path.read_text(errors="replace").count(READY_MARK) >= WORKERS:
            try:
                status, _ = _request(port, "GET", "/healthz")
            except OSError:
                status = 0
            if status == 200:
                return
        time.sleep(0.1)
    pytest.fail(f"gunicorn not ready after {STARTUP_SECONDS} s:\n"
                f"{log_path.read_text(errors='replace')}")


@contextmanager
def _gunicorn(database_url: str, directory: Path) -> Iterator[tuple[int, subprocess.Popen[bytes],
                                                                     Path]]:
    """gunicorn with several workers (booting in the background), always stopped and reaped."""
    port = _free_port()
    instance = directory / "instance"
    log_path = directory / "gunicorn.log"
    config = directory / "gunicorn_conf.py"
    config.write_text(
        # gunicorn 27 opens a control socket in ~/.gunicorn by default (shared by every copy);
        # releases without the setting ignore it.
        "control_socket_disable = True\n\n\n"
        "def post_worker_init(worker):\n"
        f"    worker.log.info('{READY_MARK} %s', worker.pid)\n")
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("JPA_")},
        "JPA_DATABASE_URL": database_url,
        "JPA_INSTANCE_PATH": str(instance),
        "JPA_SECRET_KEY": SECRET,
        "JPA_BLINDING_KEY": BLINDING,
        "JPA_BASE_URL": f"http://127.0.0.1:{port}",
        "JPA_TWO_FACTOR": "optional",  # the NLOs sign in with a password only
    }
    arguments = [sys.executable, "-m", "gunicorn", "--config", str(config),
                 "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
                 "--timeout", "60", "app:app"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(arguments, cwd=PROJECT_DIR, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        yield port, process, log_path
    finally:
        # SIGQUIT is gunicorn's quick shutdown; what is committed is committed already.
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A migrated, seeded database served by gunicorn; stopped and dropped afterwards.

    The workers boot (a few seconds each) while this process seeds the database.
    """
    directory = tmp_path_factory.mktemp(f"concurrency_{request.param}")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = stack.enter_context(_sqlite_database(directory))
        else:
            url = stack.enter_context(throwaway_database("jpa_concurrency"))
        upgrade_database(url)
        engine = create_engine(url)
        stack.callback(engine.dispose)
        port, process, log_path = stack.enter_context(_gunicorn(url, directory))
        seeded = _seed(url, directory / "instance")
        _wait_until_ready(port, process, log_path)
        yield Server(request.param, port, process, log_path, engine, seeded)


# ---------------------------------------------------------------- one round


def _registration(round_no: int, phone: str, state: str) -> dict[str, Any]:
    """A registration of round `round_no`: its own day and site, so rounds never conflict."""
    starts = PERIOD_START + timedelta(days=1 + 2 * round_no, hours=8)
    return {
        "title": f"Round {round_no} {state}",
        "type": "network_targeting",
        "lead_agency": f"{state} police",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=6)).isoformat(),
        "locations": [{"name": f"Warehouse {round_no}", "lat": 6.0 + 0.5 * round_no,
                       "lon": 100.5, "radius_m": 300}],
        "targets": [{"kind": "phone", "value": phone, "label": f"Handset {state}-{round_no}"}],
    }


def _post_at_barrier(port: int, path: str, token: str, body: dict[str, Any],
                     barrier: threading.Barrier, results: dict[str, Any], key: str) -> None:
    """Connect, wait for the other thread, then send; the outcome (or error) into results."""
    payload = json.dumps(body).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.connect()
        barrier.wait(timeout=REQUEST_TIMEOUT)
        connection.request("POST", path, body=payload, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Accept": "application/json"})
        response = connection.getresponse()
        data = response.read()
        try:
            decoded = json.loads(data)
        except ValueError:
            decoded = data.decode(errors="replace")
        results[key] = (response.status, decoded)
    except (OSError, threading.BrokenBarrierError, http.client.HTTPException) as error:
        results[key] = (None, repr(error))
        barrier.abort()
    finally:
        connection.close()


def _simultaneous(server: Server, tokens: dict[str, str],
                  bodies: dict[str, dict[str, Any]]) -> dict[str, tuple[int | None, Any]]:
    path = f"/api/v1/periods/{server.seeded.period_id}/operations"
    barrier = threading.Barrier(len(bodies))
    results: dict[str, Any] = {}
    threads = [threading.Thread(target=_post_at_barrier,
                                args=(server.port, path, tokens[key], body, barrier, results,
                                      key))
               for key, body in bodies.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * REQUEST_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a registration never returned"
    return results


def _db_conflicts(server: Server, op_ids: tuple[int, int]) -> list[ConflictRecord]:
    with Session(server.engine) as session:
        return list(session.scalars(select(ConflictRecord).where(or_(
            ConflictRecord.op_a.in_(op_ids), ConflictRecord.op_b.in_(op_ids)))))


def _scalar(server: Server, query: Any) -> Any:
    with server.engine.connect() as connection:
        return connection.execute(query).scalar_one()


def test_simultaneous_conflicting_registrations_make_exactly_one_conflict(
        server: Server) -> None:
    pid = server.seeded.period_id
    tokens = {key: server.login(key) for key in ("chair", "tha", "mys")}
    nlo_user = {"tha": server.seeded.user_ids["tha"], "mys": server.seeded.user_ids["mys"]}
    states = {"tha": "THA", "mys": "MYS"}
    for round_no in range(ROUNDS):
        last4 = f"56{round_no:02d}"
        bodies = {
            # Thailand's NLO writes the number in Thai national format, Malaysia's in E.164.
            "tha": _registration(round_no, f"081 234 {last4}", "THA"),
            "mys": _registration(round_no, f"+66 81 234 {last4}", "MYS"),
        }
        results = _simultaneous(server, tokens, bodies)
        context = f"[{server.backend} round {round_no}] {results}"
        for key in bodies:
            status, payload = results[key]
            assert status == 201, f"{context}\n{server.log()}"
            assert payload["state"] == states[key], context
        op = {key: results[key][1]["id"] for key in bodies}
        pair = (min(op.values()), max(op.values()))

        # Both stored.
        stored = _scalar(server, select(func.count()).select_from(Operation).where(
            Operation.id.in_(pair)))
        assert stored == 2, context

        # Exactly one conflict record, linking exactly these two operations.
        records = _db_conflicts(server, pair)
        assert len(records) == 1, f"{context}: {len(records)} conflict records\n{records}"
        record = records[0]
        assert (record.op_a, record.op_b) == pair, context
        assert {record.state_a, record.state_b} == {"THA", "MYS"}, context
        assert record.status == "open" and record.severity == "high", context
        assert {r["kind"] for r in record.reasons} == {"target", "location"}, context
        cid = record.id
        detected = _scalar(server, select(func.count()).select_from(ConflictEvent).where(
            ConflictEvent.conflict_id == cid, ConflictEvent.action == "detected"))
        assert detected == 1, context
        # No other pair of the period conflicts: one record per round so far.
        total = _scalar(server, select(func.count()).select_from(ConflictRecord).where(
            ConflictRecord.period_id == pid))
        assert total == round_no + 1, context

        # The registration that committed second was told in its own response.
        told_in_body = [key for key in bodies
                        if [c["id"] for c in results[key][1]["conflicts"]] == [cid]]
        assert len(told_in_body) == 1, context
        assert all(results[key][1]["conflicts"] == [] for key in bodies
                   if key not in told_in_body), context

        # The co-chair sees one conflict for the pair (pointer-level).
        status, listing = _request(server.port, "GET", f"/api/v1/periods/{pid}/conflicts",
                                   token=tokens["chair"])
        assert status == 200, context
        matching = [c for c in listing["conflicts"] if c["operation_ids"] == list(pair)]
        assert [c["id"] for c in matching] == [cid], context
        assert sorted(matching[0]["states"]) == ["MYS", "THA"], context
        assert len(listing["conflicts"]) == round_no + 1, context

        for key, other in (("tha", "mys"), ("mys", "tha")):
            # Each party sees it in its own list: its operation, the other state as counterpart.
            status, listing = _request(server.port, "GET", f"/api/v1/periods/{pid}/conflicts",
                                       token=tokens[key])
            assert status == 200, context
            mine = [c for c in listing["conflicts"] if c["id"] == cid]
            assert len(mine) == 1, f"{context}: {key} does not see conflict {cid}"
            assert mine[0]["operation_ids"] == [op[key]], context
            assert mine[0]["counterpart"]["state"] == states[other], context
            assert {r["kind"] for r in mine[0]["reasons"]} == {"target", "location"}, context

            # ... and was told once: the registration that found it in its response, the
            # other party in its in-app inbox (never the one who acted).
            expected = 0 if key in told_in_body else 1
            status, inbox = _request(server.port, "GET", "/api/v1/notifications",
                                     token=tokens[key])
            assert status == 200, context
            links = [n["link"] for n in inbox["notifications"]]
            assert links.count(f"/conflicts/{cid}") == expected, f"{context}: {key} inbox {links}"
            stored_notes = _scalar(server, select(func.count()).select_from(Notification).where(
                Notification.user_id == nlo_user[key],
                Notification.link == f"/conflicts/{cid}"))
            assert stored_notes == expected, context

    log = server.log()
    for symptom in ("Traceback", "database is locked", "deadlock detected"):
        assert symptom not in log, f"{symptom!r} in the server log:\n{log}"
