"""Outcomes benchmark: totals and completeness with 100 states x 60 days x 15 indicators.

Measured and printed, never asserted (`make bench`). For SQLite (and PostgreSQL when
JPA_TEST_POSTGRES_URL is set: a database of its own, dropped afterwards) it builds one period
of 100 states and 60 days, a report per state and day with the 15 default indicators (6,000
reports, 102,000 figures with the categories), amends 10 % of them, all through the service
layer, then prints p50 and p99 of `totals` and `completeness` (each in its own transaction),
and requests per second of `GET /api/v1/periods/{pid}/totals` over HTTP (gunicorn, 2 workers)
beside a bare Flask endpoint served the same way and answering the same document (see
bench/bare_totals_app.py), with the machine's baseline loop.
Targets printed beside the figures: p50 <= 50 ms; HTTP >= 50 % of the bare endpoint.

    .venv/bin/python bench/outcomes.py [--states 100] [--days 60] [--runs 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = PROJECT_DIR / "bench"
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(PROJECT_DIR))

from bench import deconfliction as common  # noqa: E402

SECRET, BLINDING, PASSWORD = common.SECRET, common.BLINDING, common.PASSWORD


def states_for(count: int) -> list[str]:
    """The first `count` ISO 3166-1 alpha-3 codes."""
    from core.states import all_states

    return sorted(all_states())[:count]


def build(url: str, instance: Path, n_states: int, days: int) -> tuple[Any, int, Any]:
    """The application, a period ending yesterday, one NLO per state and every report."""
    from app import create_app
    from core.identity import services as identity
    from core.identity.services import Principal
    from core.settings import load_settings
    from operations import services as operations
    from outcomes import services as outcome_services
    from outcomes.indicators import DEFAULT_INDICATORS

    settings = load_settings({"JPA_DATABASE_URL": url}, instance_path=instance,
                             secret_key=SECRET, blinding_key=BLINDING, argon2_time_cost=1,
                             argon2_memory_kib=1024, argon2_parallelism=1, testing=True,
                             two_factor="optional")
    app = create_app(settings)
    database, policy = app.extensions["jpa.db"], app.extensions["jpa.identity"]
    states = states_for(n_states)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - \
        timedelta(days=2)
    with database.transaction() as session:
        admin = identity.create_user(session, actor=None, policy=policy, username="bench.admin",
                                     password=PASSWORD, role="admin")
        chair = identity.create_user(session, actor=None, policy=policy, username="bench.chair",
                                     password=PASSWORD, role="co_chair", state=states[0])
        officers = [identity.create_user(session, actor=None, policy=policy,
                                         username=f"nlo.{s.lower()}", password=PASSWORD,
                                         role="liaison_officer", state=s) for s in states]
        period = operations.create_period(
            session, actor=Principal.of(admin, "bench"), name="Outcomes benchmark",
            starts_at=end - timedelta(days=days), ends_at=end, states=states,
            co_chairs=[states[0]])
        pid = period.id
    started = time.perf_counter()
    for number, officer in enumerate(officers):
        actor = Principal.of(officer, "bench")
        with database.transaction() as session:
            found = operations.get_period(session, actor=actor, period_id=pid)
            dates = outcome_services.local_dates(found, actor.state or "")
            for index, day in enumerate(dates[:days]):
                values: dict[str, Any] = {}
                for k, indicator in enumerate(DEFAULT_INDICATORS):
                    base = (number + index + k) % 5
                    values[indicator.key] = ({c: base for c in indicator.categories}
                                             if indicator.categories else base)
                report, _ = outcome_services.submit_report(session, actor=actor,
                                                           period_id=pid, on=day, values=values)
                if index % 10 == 0:
                    outcome_services.amend_report(session, actor=actor, report_id=report.id,
                                                  values={**values, "arrests": 9})
    print(f"  built {n_states} states x {days} days in {time.perf_counter() - started:.1f} s",
          flush=True)
    return app, pid, Principal.of(chair, "bench")


def timed(app: Any, runs: int, call: Any) -> list[float]:
    """Milliseconds of `runs` calls, each in its own read transaction."""
    database = app.extensions["jpa.db"]
    samples = []
    for _ in range(runs):
        begun = time.perf_counter()
        with database.transaction(write=False) as session:
            call(session)
        samples.append(1000 * (time.perf_counter() - begun))
    return samples


def get_rate(port: int, path: str, token: str | None, requests: int, threads: int) -> float:
    """Requests per second of GET `path` from `threads` clients."""
    remaining = [requests]
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            status, _ = common._http(port, "GET", path, None, token)
            assert status == 200, status

    workers = [threading.Thread(target=client) for _ in range(threads)]
    begun = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return requests / (time.perf_counter() - begun)


def run(backend: str, args: argparse.Namespace) -> None:
    """One backend: build, time the services, then HTTP against the bare endpoint."""
    from outcomes import figures

    print(f"\n[{backend}]", flush=True)
    with tempfile.TemporaryDirectory(prefix="jpa-bench-out-") as tmp, ExitStack() as stack:
        directory = Path(tmp)
        url = stack.enter_context(common.database_url(backend, directory))
        app, pid, chair = build(url, directory / "instance", args.states, args.days)
        for name, call in (
            ("totals", lambda s: figures.totals(s, actor=chair, period_id=pid)),
            ("completeness", lambda s: figures.completeness(s, actor=chair, period_id=pid)),
        ):
            call_samples = timed(app, args.runs, call)
            ordered = sorted(call_samples)
            p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
            p50 = statistics.median(call_samples)
            verdict = "meets" if p50 <= 50 else "MISSES"
            print(f"  {name:<13} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms   "
                  f"(target p50 <= 50 ms: {verdict})", flush=True)
        with app.extensions["jpa.db"].transaction(write=False) as session:
            document = app.json.dumps(figures.totals(session, actor=chair, period_id=pid))
        app.extensions["jpa.db"].dispose()
        document_path = directory / "totals.json"
        document_path.write_text(document)
        env = {"JPA_DATABASE_URL": url, "JPA_INSTANCE_PATH": str(directory / "instance"),
               "JPA_SECRET_KEY": SECRET, "JPA_BLINDING_KEY": BLINDING,
               "JPA_TWO_FACTOR": "optional"}  # the NLOs sign in with a password only
        path = f"/api/v1/periods/{pid}/totals"
        with common.gunicorn("app:app", cwd=PROJECT_DIR, env=env, directory=directory) as port:
            status, payload = common._http(port, "POST", "/api/v1/auth/token",
                                           {"username": "bench.chair", "password": PASSWORD})
            assert status == 200, payload
            token = payload["access_token"]
            get_rate(port, path, token, 20, 4)
            app_rps = get_rate(port, path, token, args.requests, 4)
        with common.gunicorn("bare_totals_app:app", cwd=BENCH_DIR,
                             env={"JPA_BENCH_TOTALS_DOCUMENT": str(document_path)},
                             directory=directory) as port:
            get_rate(port, path, None, 20, 4)
            bare_rps = get_rate(port, path, None, args.requests, 4)
        # The old yardstick too, for comparison: the same route answering a tiny document.
        with common.gunicorn("bare_totals_app:app", cwd=BENCH_DIR, env={},
                             directory=directory) as port:
            get_rate(port, path, None, 20, 4)
            tiny_rps = get_rate(port, path, None, args.requests, 4)
        share = app_rps / bare_rps
        print(f"  HTTP totals   {app_rps:7.1f} req/s; bare endpoint answering the same "
              f"{len(document) / 1024:.0f} KiB document {bare_rps:7.1f} req/s: "
              f"{100 * share:.0f} % (target >= 50 %: {'meets' if share >= 0.5 else 'MISSES'});"
              f"\n                bare endpoint answering its fixed document of 15 zeros "
              f"{tiny_rps:7.1f} req/s: {100 * app_rps / tiny_rps:.0f} %", flush=True)


def main() -> None:
    """Parse the options and run every backend."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--states", type=int, default=100)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    print(f"Outcomes benchmark: {args.states} states x {args.days} days x 15 indicators "
          f"(10 % amended); baseline loop {common.baseline_ms():.1f} ms on this machine "
          f"({os.cpu_count()} cores)")
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("JPA_TEST_POSTGRES_URL") else [])
    for backend in backends:
        run(backend, args)


if __name__ == "__main__":
    main()
