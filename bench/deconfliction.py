"""Deconfliction benchmark: register-and-check latency, full rescan, memory, HTTP throughput.

Measured and printed, never asserted (`make bench`). For each database (SQLite; PostgreSQL too
when JPA_TEST_POSTGRES_URL is set: a database of its own, dropped afterwards) and each size
(default 1,000, 10,000 and 100,000 operations) it builds one period THROUGH THE SERVICE LAYER
(`operations.services.register_operation`, batches of operations per transaction), then prints:

- p50 and p99 of register-and-check for 200 further operations, each in its own transaction;
- the time of a full rescan (`deconfliction.services.full_rescan`) and whether the pairs it
  finds equal the conflict records the incremental checks stored;
- the peak memory of the whole case (each case runs in its own process: ru_maxrss).

Then requests per second of operation registration over HTTP (gunicorn, 2 workers, a fixed
number of requests from a few client threads) beside a bare Flask JSON endpoint served the same
way (bench/bare_app.py), and a fixed pure-Python loop as the machine's baseline, so that figures
from different machines compare as ratios.

The workload: 5 targets (phone, passport, person with date of birth, vehicle, e-mail) and
2 sites per operation; windows of 1-7 days inside a 60-day period; most sites around the towns
of South-East Asia and Oceania, ~20 % at a handful of busy airports (BKK, KUL, SYD, CGK, MNL:
gates, terminals and cargo sheds within 3 km of the airport); a few phone numbers (one per
2,000 operations, at least 3) shared by 25 operations each. Hot spots are what make the location
index work: an airport cell holds thousands of operations at 100,000. On a PostgreSQL server
running with autovacuum off, the build runs ANALYZE as auto-analyze would (see `build`).

    .venv/bin/python bench/deconfliction.py                      # everything (slow at 100,000)
    .venv/bin/python bench/deconfliction.py --sizes 1000,10000   # smaller (or JPA_BENCH_SIZES)
    .venv/bin/python bench/deconfliction.py --no-http            # without the HTTP figures
    .venv/bin/python bench/deconfliction.py --profile 1000       # cProfile of building 1,000
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import http.client
import json
import math
import os
import platform
import pstats
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = PROJECT_DIR / "bench"
# Run as `python bench/deconfliction.py`, this file's folder comes first on sys.path, where its
# name would shadow the `deconfliction` package: the project root goes first instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(PROJECT_DIR))

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
BLINDING = "bench-blinding-key-that-is-long-enough-012345678"
PASSWORD = "benchmark passphrase for every officer"
PERIOD_START = datetime(2031, 3, 1, tzinfo=UTC)
PERIOD_DAYS = 60
DEFAULT_SIZES = (1_000, 10_000, 100_000)
TIMED = 200
BATCH = 250
STATES = ("AUS", "IDN", "KHM", "LKA", "MDV", "MYS", "NZL", "PHL", "THA", "VNM")
# (name, lat, lon): where most operations happen, with a spread of ~0.4 degrees around each.
TOWNS = (
    ("Bangkok", 13.75, 100.50), ("Chiang Mai", 18.79, 98.98), ("Phuket", 7.88, 98.39),
    ("Kuala Lumpur", 3.14, 101.69), ("Penang", 5.41, 100.33), ("Johor Bahru", 1.49, 103.74),
    ("Kota Kinabalu", 5.98, 116.07), ("Jakarta", -6.21, 106.85), ("Surabaya", -7.25, 112.75),
    ("Medan", 3.59, 98.67), ("Makassar", -5.15, 119.43), ("Denpasar", -8.65, 115.22),
    ("Batam", 1.08, 104.03), ("Manila", 14.60, 120.98), ("Cebu", 10.32, 123.89),
    ("Davao", 7.19, 125.46), ("Zamboanga", 6.92, 122.08), ("Ho Chi Minh City", 10.82, 106.63),
    ("Hanoi", 21.03, 105.85), ("Phnom Penh", 11.56, 104.92), ("Poipet", 13.66, 102.56),
    ("Colombo", 6.93, 79.86), ("Male", 4.18, 73.51), ("Sydney", -33.87, 151.21),
    ("Melbourne", -37.81, 144.96), ("Brisbane", -27.47, 153.03), ("Perth", -31.95, 115.86),
    ("Darwin", -12.46, 130.84), ("Christmas Island", -10.42, 105.68), ("Auckland", -36.85, 174.76),
    ("Port Moresby", -9.44, 147.18), ("Dili", -8.56, 125.56),
)
BUSY_AIRPORTS = ("BKK", "KUL", "SYD", "CGK", "MNL")
AIRPORT_SHARE = 0.20
AIRPORT_SPREAD_M = 3_000
HOT_PHONE_USERS = 25
HTTP_MIX = 10_000  # HTTP requests are drawn from the mix of a 10,000-operation period
NAMES = ("Ahmad", "Siti", "Nguyen", "Somchai", "Maria", "Jose", "Budi", "Dewi", "Ali", "Chen",
         "Kumar", "Perera", "Santos", "Reyes", "Tan", "Lim", "Wong", "Rahman", "Ibrahim", "Lee",
         "Sok", "Chan", "Pham", "Tran", "Smith", "Brown", "Wilson", "Taylor", "Fernando", "Silva")
OP_TYPES = ("airport_checks", "transit_hub_checks", "workplace_inspections", "network_targeting",
            "other")


# ---------------------------------------------------------------- the workload


class Workload:
    """Deterministic synthetic registrations of one period of `size` operations."""

    def __init__(self, size: int, seed: int = 2015) -> None:
        from operations.services import resolve_airport

        self.rng = random.Random(seed)
        self.size = size
        self.airports = [(*resolve_airport(code, field="site")[1:], code)
                         for code in BUSY_AIRPORTS]
        hot = max(3, size // 2000)
        self.hot_phones = [self._phone() for _ in range(hot)]
        users = self.rng.sample(range(size), min(size, hot * HOT_PHONE_USERS))
        self.hot_of = {index: self.hot_phones[n % hot] for n, index in enumerate(users)}
        self.hot_share = len(users) / size
        self._serial = 0

    def _phone(self) -> str:
        import phonenumbers

        while True:
            candidate = self.rng.choice((
                lambda: f"+66 8{self.rng.randint(1, 9)} {self.rng.randint(0, 9999999):07d}",
                lambda: f"+60 1{self.rng.choice('2346789')} {self.rng.randint(0, 9999999):07d}",
                lambda: f"+61 4{self.rng.randint(0, 99999999):08d}",
                lambda: f"+62 81{self.rng.randint(1, 3)} {self.rng.randint(0, 99999999):08d}",
            ))()
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate, None)):
                return candidate

    def _site(self, number: int) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < AIRPORT_SHARE:
            lat, lon, code = rng.choice(self.airports)
            distance = AIRPORT_SPREAD_M * math.sqrt(rng.random())
            bearing = rng.uniform(0, 2 * math.pi)
            dlat = distance * math.cos(bearing) / 111_195
            dlon = distance * math.sin(bearing) / (111_195 * math.cos(math.radians(lat)))
            return {"name": f"{code} {rng.choice(('gate', 'terminal', 'cargo'))} {number}",
                    "lat": lat + dlat, "lon": lon + dlon, "radius_m": rng.uniform(50, 200)}
        name, lat, lon = rng.choice(TOWNS)
        return {"name": f"{name} site {number}",
                "lat": max(-89.0, min(89.0, rng.gauss(lat, 0.4))),
                "lon": (rng.gauss(lon, 0.4) + 180) % 360 - 180,
                "radius_m": rng.uniform(100, 1000)}

    def body(self, index: int | None = None) -> dict[str, Any]:
        """One registration as the API takes it (index: the operation's place in the build;
        None for the extra, timed ones, which carry a hot number with the same frequency)."""
        rng = self.rng
        self._serial += 1
        serial = self._serial
        days = rng.uniform(1, 7)
        start = PERIOD_START + timedelta(hours=rng.uniform(0, (PERIOD_DAYS - days) * 24))
        if index is None:
            hot = rng.choice(self.hot_phones) if rng.random() < self.hot_share else None
        else:
            hot = self.hot_of.get(index)
        phone = hot or self._phone()
        given, family = rng.choice(NAMES), rng.choice(NAMES)
        dob = f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return {
            "state": rng.choice(STATES),
            "title": f"Operation {serial}",
            "type": rng.choice(OP_TYPES),
            "lead_agency": "Police",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=days)).isoformat(),
            "locations": [self._site(2 * serial), self._site(2 * serial + 1)],
            "targets": [
                {"kind": "phone", "value": phone, "label": "Handset"},
                {"kind": "passport", "value": f"B{serial:08d}{rng.randint(0, 9)}",
                 "label": "Passport"},
                {"kind": "person", "value": f"{given} {family} {serial}", "label": "Subject",
                 "dob": dob},
                {"kind": "vehicle", "value": f"{rng.choice('ABCDEFGH')}{serial:07d}",
                 "label": "Vehicle"},
                {"kind": "email", "value": f"agent{serial}@mail.example", "label": "Mailbox"},
            ],
        }


def registration_of(body: dict[str, Any]) -> Any:
    """The service layer's Registration for one body."""
    from operations.services import LocationData, Registration, TargetData

    return Registration(
        title=body["title"], type=body["type"], lead_agency=body["lead_agency"],
        starts_at=datetime.fromisoformat(body["starts_at"]),
        ends_at=datetime.fromisoformat(body["ends_at"]),
        locations=[LocationData(**location) for location in body["locations"]],
        targets=[TargetData(**target) for target in body["targets"]])


# ---------------------------------------------------------------- databases


@contextmanager
def database_url(backend: str, directory: Path) -> Iterator[str]:
    """An empty, migrated database: a SQLite file, or a PostgreSQL database of our own."""
    from alembic import command
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from core.cli import alembic_config

    def upgrade(url: str) -> None:
        config = alembic_config(url)
        config.attributes["skip_logging"] = True
        command.upgrade(config, "head")

    if backend == "sqlite":
        url = f"sqlite:///{directory / 'bench.sqlite3'}"
        upgrade(url)
        yield url
        return
    server = os.environ["JPA_TEST_POSTGRES_URL"]
    name = f"jpa_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
            upgrade(url)
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class Setup:
    """An application over a seeded database: one NLO per state and a 60-day period."""

    app: Any
    period_id: int
    officers: dict[str, Any]  # state -> Principal

    @property
    def database(self) -> Any:
        """The application's Database."""
        return self.app.extensions["jpa.db"]


def seed(url: str, instance: Path) -> Setup:
    """The application with cheap argon2 (as tests/conftest.make_settings), users and a period."""
    from app import create_app
    from core.identity import services as identity
    from core.identity.services import Principal
    from core.settings import load_settings
    from operations import services as operations

    settings = load_settings({"JPA_DATABASE_URL": url}, instance_path=instance,
                             secret_key=SECRET, blinding_key=BLINDING, argon2_time_cost=1,
                             argon2_memory_kib=1024, argon2_parallelism=1, testing=True,
                             base_url="http://bench.example", two_factor="optional")
    app = create_app(settings)
    database = app.extensions["jpa.db"]
    policy = app.extensions["jpa.identity"]
    with database.transaction() as session:
        admin = identity.create_user(session, actor=None, policy=policy, username="bench.admin",
                                     password=PASSWORD, role="admin")
        officers = {state: identity.create_user(
            session, actor=None, policy=policy, username=f"nlo.{state.lower()}",
            password=PASSWORD, role="liaison_officer", state=state,
            full_name=f"Liaison officer {state}", email=f"nlo.{state.lower()}@example.org",
            phone="+66 2 123 4567") for state in STATES}
    with database.transaction() as session:
        period = operations.create_period(
            session, actor=Principal.of(admin, "bench"), name="Benchmark JPA",
            starts_at=PERIOD_START, ends_at=PERIOD_START + timedelta(days=PERIOD_DAYS),
            states=list(STATES), co_chairs=["NZL", "LKA"])
    return Setup(app, period.id, {state: Principal.of(user, "bench")
                                  for state, user in officers.items()})


def register(setup: Setup, session: Any, body: dict[str, Any]) -> Any:
    """One registration through the service layer (what the API handler does)."""
    from operations import services as operations

    operation, outcome = operations.register_operation(
        session, actor=setup.officers[body["state"]], period_id=setup.period_id,
        registration=registration_of(body), blinding_key=BLINDING.encode(),
        base_url="http://bench.example")
    return operation, outcome


def autovacuum_is_off(setup: Setup) -> bool:
    """Whether this is PostgreSQL with autovacuum off (so no table ever gets statistics)."""
    from sqlalchemy import text

    if not setup.database.is_postgresql:
        return False
    with setup.database.engine.connect() as connection:
        return connection.execute(text("SHOW autovacuum")).scalar() == "off"


def analyze(setup: Setup) -> None:
    """ANALYZE, as autovacuum's auto-analyze would have done."""
    from sqlalchemy import text

    with setup.database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def build(setup: Setup, workload: Workload, *, progress: bool) -> float:
    """Register `workload.size` operations in batches; returns the seconds it took.

    On a PostgreSQL server with autovacuum off, the planner never gets statistics and picks
    plans that read every row of the period (the target lookup scans every target), which is
    not what production sees; so ANALYZE runs whenever the register grew by 10 % (autovacuum's
    default auto-analyze scale factor) and once at the end.
    """
    emulate_autoanalyze = autovacuum_is_off(setup)
    analyzed_at = 0
    started = time.perf_counter()
    done = 0
    step = max(BATCH, workload.size // 10)
    while done < workload.size:
        count = min(BATCH, workload.size - done)
        with setup.database.transaction() as session:
            for index in range(done, done + count):
                register(setup, session, workload.body(index))
        done += count
        if emulate_autoanalyze and (done >= 1.1 * analyzed_at + 50 or done == workload.size):
            analyze(setup)
            analyzed_at = done
        if progress and done % step < BATCH:
            elapsed = time.perf_counter() - started
            print(f"    built {done:>7,} in {elapsed:7.1f} s ({done / elapsed:6.0f} ops/s)",
                  file=sys.stderr, flush=True)
    return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def run_case(backend: str, size: int, *, progress: bool = True) -> dict[str, Any]:
    """Build, time 200 registrations, rescan; the figures of one (backend, size)."""
    from sqlalchemy import func, select

    from deconfliction.models import ConflictRecord
    from deconfliction.services import full_rescan

    with tempfile.TemporaryDirectory(prefix="jpa-bench-") as tmp, \
            database_url(backend, Path(tmp)) as url:
        setup = seed(url, Path(tmp) / "instance")
        try:
            workload = Workload(size)
            emulated = autovacuum_is_off(setup)
            build_s = build(setup, workload, progress=progress)
            # As the served application does once it is built (app.py): what the process
            # holds stays out of the collector's generations while the timed requests run.
            gc.collect()
            gc.freeze()
            # The machine's speed drifts over minutes (a shared host): the baseline loop right
            # before and after the timed registrations lets cases run minutes apart compare.
            base_before = baseline_ms()
            latencies = []
            conflicts_found = 0
            for _ in range(TIMED):
                body = workload.body()
                started = time.perf_counter()
                with setup.database.transaction() as session:
                    _, outcome = register(setup, session, body)
                latencies.append(time.perf_counter() - started)
                conflicts_found += len(outcome.current)
            base_after = baseline_ms()
            with setup.database.transaction(write=False) as session:
                started = time.perf_counter()
                pairs = full_rescan(session, period_id=setup.period_id)
                rescan_s = time.perf_counter() - started
            with setup.database.transaction(write=False) as session:
                stored = set(tuple(row) for row in session.execute(
                    select(ConflictRecord.op_a, ConflictRecord.op_b).where(
                        ConflictRecord.period_id == setup.period_id,
                        ConflictRecord.status != "cleared")).all())
                records = session.scalar(select(func.count()).select_from(ConflictRecord))
        finally:
            setup.database.dispose()
    return {
        "backend": backend, "size": size, "build_s": build_s,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "mean_conflicts": conflicts_found / TIMED,
        "base_ms": (base_before + base_after) / 2,
        "rescan_s": rescan_s, "pairs": len(pairs), "records": records,
        "rescan_agrees": pairs == stored,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "autoanalyze_emulated": emulated,
    }


# ---------------------------------------------------------------- HTTP


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _http(port: int, method: str, path: str, body: dict[str, Any] | None = None,
          token: str | None = None) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None
    finally:
        connection.close()


READY_MARK = "bench-worker-ready"


@contextmanager
def gunicorn(target: str, *, cwd: Path, env: dict[str, str], directory: Path,
             workers: int = 2) -> Iterator[int]:
    """gunicorn serving `target` with `workers` sync workers; yields the port once every worker
    has loaded the app; always stopped."""
    port = _free_port()
    config = directory / f"gunicorn_{port}.py"
    # gunicorn 27 opens a control socket in ~/.gunicorn by default: not wanted here.
    config.write_text("control_socket_disable = True\n\n\n"
                      "def post_worker_init(worker):\n"
                      f"    worker.log.info('{READY_MARK}')\n")
    log_path = directory / f"gunicorn_{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(config), "--bind",
             f"127.0.0.1:{port}", "--workers", str(workers), "--backlog", "256", target],
            cwd=cwd, env={**{k: v for k, v in os.environ.items() if not k.startswith("JPA_")},
                          **env}, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while log_path.read_text(errors="replace").count(READY_MARK) < workers:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield port
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def hammer(port: int, path: str, bodies: list[dict[str, Any]], tokens: dict[str, str],
           threads: int) -> tuple[float, list[float], dict[int, int]]:
    """Send every body from `threads` clients (a connection per request, as sync gunicorn
    closes them); returns the elapsed seconds, latencies and status counts."""
    lock = threading.Lock()
    queue = list(reversed(bodies))
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            payload = {k: v for k, v in body.items() if k != "state"}
            started = time.perf_counter()
            try:
                status, _ = _http(port, "POST", path, payload, tokens.get(body["state"]))
            except (OSError, http.client.HTTPException):
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    workers = [threading.Thread(target=client) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started, latencies, statuses


def run_http(backend: str, requests: int, threads: int) -> dict[str, Any]:
    """Registration over HTTP against the bare endpoint, both under gunicorn with 2 workers."""
    results: dict[str, Any] = {"backend": backend, "requests": requests, "threads": threads}
    with tempfile.TemporaryDirectory(prefix="jpa-bench-http-") as tmp, ExitStack() as stack:
        directory = Path(tmp)
        url = stack.enter_context(database_url(backend, directory))
        setup = seed(url, directory / "instance")
        pid = setup.period_id
        setup.database.dispose()
        workload = Workload(HTTP_MIX)
        warmup = [workload.body() for _ in range(2 * threads)]
        bodies = [workload.body(index) for index in range(requests)]
        path = f"/api/v1/periods/{pid}/operations"
        env = {"JPA_DATABASE_URL": url, "JPA_INSTANCE_PATH": str(directory / "instance"),
               "JPA_SECRET_KEY": SECRET, "JPA_BLINDING_KEY": BLINDING,
               "JPA_TWO_FACTOR": "optional"}  # the NLOs sign in with a password only
        with gunicorn("app:app", cwd=PROJECT_DIR, env=env, directory=directory) as port:
            tokens = {}
            for state in STATES:
                status, payload = _http(port, "POST", "/api/v1/auth/token",
                                        {"username": f"nlo.{state.lower()}",
                                         "password": PASSWORD})
                assert status == 200, payload
                tokens[state] = payload["access_token"]
            hammer(port, path, warmup, tokens, threads)
            elapsed, latencies, statuses = hammer(port, path, bodies, tokens, threads)
        results["app"] = {"rps": requests / elapsed, "p50_ms": 1000 * statistics.median(latencies),
                          "statuses": statuses}
        with gunicorn("bare_app:app", cwd=BENCH_DIR, env={}, directory=directory) as port:
            hammer(port, path, warmup, {}, threads)
            elapsed, latencies, statuses = hammer(port, path, bodies, {}, threads)
        results["bare"] = {"rps": requests / elapsed,
                           "p50_ms": 1000 * statistics.median(latencies), "statuses": statuses}
    return results


# ---------------------------------------------------------------- baseline and report


def baseline_ms() -> float:
    """A fixed pure-Python loop (best of 5): the unit the other figures compare to."""
    best = math.inf
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i % 7
        best = min(best, time.perf_counter() - started)
    return 1000 * best


def _child(case: str) -> dict[str, Any]:
    """Run one case in a fresh process, so that its peak memory is its own; stopping this
    process stops the case cleanly (it drops its PostgreSQL database)."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--case", case],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True)
    try:
        output, _ = process.communicate()
    except BaseException:
        process.terminate()
        process.wait()
        raise
    for line in output.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"case {case} failed with exit code {process.returncode}")


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(cases: list[dict[str, Any]], http_results: list[dict[str, Any]],
           base: float) -> None:
    """The figures, and each target beside its figure."""
    print()
    print(f"{'db':<9}{'size':>9}{'build s':>10}{'ops/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'confl/op':>9}{'rescan s':>10}{'pairs':>10}{'agree':>7}{'peak MiB':>10}")
    for c in cases:
        print(f"{c['backend']:<9}{c['size']:>9,}{c['build_s']:>10.1f}"
              f"{c['size'] / c['build_s']:>8.0f}{c['p50_ms']:>9.2f}{c['p99_ms']:>9.2f}"
              f"{c['mean_conflicts']:>9.2f}{c['rescan_s']:>10.2f}{c['pairs']:>10,}"
              f"{'yes' if c['rescan_agrees'] else 'NO':>7}{c['peak_mib']:>10.0f}"
              f"{'  *' if c.get('autoanalyze_emulated') else ''}")
    if any(c.get("autoanalyze_emulated") for c in cases):
        print("* this PostgreSQL server runs with autovacuum off: the build ran ANALYZE each time "
              "the register grew by 10 %, as auto-analyze would")
    print(f"\nratios to the baseline loop ({base:.1f} ms at the start; p50 also against the "
          "loop run beside its own timed registrations): "
          + "; ".join(f"{c['backend']} {c['size']:,}: p50 {c['p50_ms'] / base:.3f}x "
                      f"({c['p50_ms'] / c['base_ms']:.3f}x of {c['base_ms']:.1f} ms), "
                      f"rescan {1000 * c['rescan_s'] / base:.0f}x" for c in cases))
    print("\ntargets (printed, never asserted):")
    for backend in sorted({c["backend"] for c in cases}):
        mine = {c["size"]: c for c in cases if c["backend"] == backend}
        largest = mine[max(mine)]
        size = f"{largest['size']:,}"
        print(f"  [{backend}] at {size} (target size 100,000):")
        print(f"    p50 <= 10 ms: {largest['p50_ms']:.2f} ms "
              f"{_verdict(largest['p50_ms'] <= 10)}")
        print(f"    p99 <= 50 ms: {largest['p99_ms']:.2f} ms "
              f"{_verdict(largest['p99_ms'] <= 50)}")
        if min(mine) != max(mine):
            smallest = mine[min(mine)]
            ratio = largest["p50_ms"] / smallest["p50_ms"]
            print(f"    p50 at {size} <= 1.5x p50 at {min(mine):,}: {ratio:.2f}x "
                  f"{_verdict(ratio <= 1.5)}")
            steady = ((largest["p50_ms"] / largest["base_ms"])
                      / (smallest["p50_ms"] / smallest["base_ms"]))
            print(f"      the same in units of each case's own baseline loop "
                  f"({smallest['base_ms']:.1f} and {largest['base_ms']:.1f} ms): {steady:.2f}x")
        print(f"    rescan <= 20 s: {largest['rescan_s']:.2f} s "
              f"{_verdict(largest['rescan_s'] <= 20)}")
        peak = max(c["peak_mib"] for c in mine.values())
        print(f"    peak memory <= 1024 MiB: {peak:.0f} MiB {_verdict(peak <= 1024)}")
    for h in http_results:
        app, bare = h["app"], h["bare"]
        share = app["rps"] / bare["rps"]
        print(f"  [{h['backend']}] HTTP registration (gunicorn, 2 workers, {h['requests']} "
              f"requests of the {HTTP_MIX:,} mix from {h['threads']} threads, into an empty "
              f"period): {app['rps']:.0f} req/s "
              f"(p50 {app['p50_ms']:.1f} ms, statuses {app['statuses']}) vs bare Flask "
              f"{bare['rps']:.0f} req/s (p50 {bare['p50_ms']:.1f} ms): {100 * share:.0f} % "
              f"of bare; >= 30 %: {_verdict(share >= 0.30)}")


def profile_build(size: int, backend: str = "sqlite") -> None:
    """cProfile of building `size` operations through the service layer."""
    with tempfile.TemporaryDirectory(prefix="jpa-bench-prof-") as tmp, \
            database_url(backend, Path(tmp)) as url:
        setup = seed(url, Path(tmp) / "instance")
        workload = Workload(size)
        profiler = cProfile.Profile()
        profiler.enable()
        seconds = build(setup, workload, progress=False)
        profiler.disable()
        setup.database.dispose()
    print(f"built {size:,} on {backend} in {seconds:.1f} s under cProfile")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("JPA_BENCH_SIZES") or ",".join(
                        str(s) for s in DEFAULT_SIZES),
                        help="comma-separated period sizes (default: JPA_BENCH_SIZES, else "
                             "1000,10000,100000)")
    parser.add_argument("--backends", default=None,
                        help="sqlite,postgres (default: sqlite, and postgres when "
                             "JPA_TEST_POSTGRES_URL is set)")
    parser.add_argument("--http-requests", type=int, default=400)
    parser.add_argument("--http-threads", type=int, default=4)
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP figures")
    parser.add_argument("--profile", type=int, metavar="SIZE",
                        help="only profile building SIZE operations (SQLite)")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # Stopped with SIGTERM, unwind (and so drop the PostgreSQL database) as for Ctrl-C, once.
    def stop(*_: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sys.exit(143)

    signal.signal(signal.SIGTERM, stop)

    if args.case:
        backend, size = args.case.split(":")
        print("RESULT " + json.dumps(run_case(backend, int(size))), flush=True)
        return
    if args.profile:
        profile_build(args.profile)
        return
    backends = (args.backends.split(",") if args.backends else
                ["sqlite"] + (["postgres"] if os.environ.get("JPA_TEST_POSTGRES_URL") else []))
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    load = os.getloadavg()
    print(f"deconfliction benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.1f} at start; backends {', '.join(backends)}; "
          f"sizes {', '.join(f'{s:,}' for s in sizes)}")
    base = baseline_ms()
    print(f"baseline: a fixed 1,000,000-step pure-Python loop takes {base:.1f} ms")
    cases = []
    for backend in backends:
        for size in sizes:
            print(f"  {backend} {size:,} ...", file=sys.stderr, flush=True)
            cases.append(_child(f"{backend}:{size}"))
    http_results = [] if args.no_http else [
        run_http(backend, args.http_requests, args.http_threads) for backend in backends]
    report(cases, http_results, base)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (other work on the machine "
          "slows every figure; compare ratios)")


if __name__ == "__main__":
    main()
