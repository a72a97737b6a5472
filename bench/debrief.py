"""Debrief benchmark: the pack of a big period, built by the scheduler's worker.

Measured and printed, never asserted (`make bench`). For SQLite (and PostgreSQL when
JPA_TEST_POSTGRES_URL is set: a database of its own, dropped afterwards) it seeds one period
of 30 states x 60 days x 15 indicators (1,800 reports), 10,000 operations (each with a site
and a target label), 2,000 conflicts (a third acknowledged, a fifth resolved), 10 objectives,
30 submitted questionnaire responses with their ratings and 100 improvement items, with bulk
inserts straight into the tables. Then it prints, each beside its target:

- the HTML report alone (facts read, charts drawn, report.html rendered; p50 of `--runs`,
  each in its own read transaction): target <= 2 s;
- the whole pack with its PDF, built by a real `jpa scheduler` process (the background
  worker), from the request's row to the stored ZIP, and the builder's own time (claim to
  ready): target <= 20 s;
- the scheduler process's peak memory (VmHWM of the process, read just before it stops):
  target <= 500 MiB;
- GET /healthz from a live gunicorn (2 workers, 127.0.0.1), polled every 50 ms while the
  pack builds: p50, p99, max and failures (target: answered throughout);
- an NLO's annex built in-process (what a synchronous annex route would cost a web worker),
  and the same annex built by the worker right after the pack.

    .venv/bin/python bench/debrief.py [--runs 3] [--operations 10000] [--conflicts 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = PROJECT_DIR / "bench"
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(PROJECT_DIR))

from bench import debrief_data as data  # noqa: E402
from bench import deconfliction as common  # noqa: E402

SECRET, BLINDING, AUDIT_KEY = data.SECRET, data.BLINDING, data.AUDIT_KEY
HTML_TARGET_S, PACK_TARGET_S, MEMORY_TARGET_MIB = 2.0, 20.0, 500.0


def time_html(app: Any, pid: int, runs: int) -> tuple[list[float], int]:
    """Seconds of the HTML report alone: facts, charts and report.html (no PDF)."""
    from debrief.pack_charts import chart_files
    from debrief.pack_content import PackRequest, read_facts
    from debrief.pack_report import render_report

    database = app.extensions["jpa.db"]
    samples, size = [], 0
    for _ in range(runs):
        begun = time.perf_counter()
        with database.transaction(write=False) as session:
            request = PackRequest(period_id=pid, version=1, handling="H2",
                                  generated_at=datetime.now(UTC))
            facts = read_facts(session, request, lambda _p, _s: None)
        size = len(render_report(facts, chart_files(facts)).encode("utf-8"))
        samples.append(time.perf_counter() - begun)
    return samples, size


def time_annex_inline(app: Any, pid: int, state: str) -> tuple[float, int]:
    """Seconds and bytes of an NLO's annex built in-process (what a synchronous annex route
    would cost a web worker): the content with its PDF, and the ZIP."""
    from debrief.pack_content import PackRequest, build_pack_files
    from debrief.pack_zip import build_archive

    database = app.extensions["jpa.db"]
    begun = time.perf_counter()
    with database.transaction(write=False) as session:
        moment = datetime.now(UTC)
        files = build_pack_files(session, PackRequest(period_id=pid, version=0, handling="H2",
                                                      generated_at=moment, annex_state=state),
                                 lambda _p, _s: None)
    archive = build_archive(files, period={"id": pid, "name": "Debrief benchmark"},
                            version=0, generated_at=moment, handling="H2", annex_state=state)
    return time.perf_counter() - begun, len(archive.content)


def _peak_mib(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM), in MiB, while it still runs (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def poll_healthz(port: int, stop: threading.Event, latencies: list[float],
                 failures: list[str]) -> None:
    """GET /healthz every 50 ms until `stop`; latencies in ms, failures by reason."""
    import http.client

    while not stop.is_set():
        begun = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
            connection.close()
            if status != 200:
                failures.append(f"status {status}")
        except OSError as error:
            failures.append(type(error).__name__)
        latencies.append(1000 * (time.perf_counter() - begun))
        stop.wait(0.05)


def build_in_worker(app: Any, url: str, directory: Path, pid: int,
                    nlo: str) -> dict[str, Any]:
    """Request a pack and an NLO's annex; let a real `jpa scheduler` build them (one after
    the other) while /healthz is polled."""
    from sqlalchemy import select

    from core.identity.models import User
    from core.identity.services import Principal
    from debrief import packs
    from debrief.annex_models import Annex
    from debrief.models import Pack

    database = app.extensions["jpa.db"]
    env = {"JPA_DATABASE_URL": url, "JPA_INSTANCE_PATH": str(directory / "instance"),
           "JPA_SECRET_KEY": SECRET, "JPA_BLINDING_KEY": BLINDING, "JPA_AUDIT_KEY": AUDIT_KEY,
           "JPA_TWO_FACTOR": "optional"}
    result: dict[str, Any] = {}
    with common.gunicorn("app:app", cwd=PROJECT_DIR, env=env, directory=directory) as port:
        latencies: list[float] = []
        failures: list[str] = []
        stop = threading.Event()
        poller = threading.Thread(target=poll_healthz, args=(port, stop, latencies, failures))
        poller.start()
        time.sleep(1.0)  # a second of /healthz before the build, for comparison
        quiet = len(latencies)
        jpa = str(Path(sys.executable).parent / "jpa")
        process_env = {**{k: v for k, v in os.environ.items() if not k.startswith("JPA_")},
                       **env}
        # The scheduler's catch-up pass first (reminders and escalations of the seeded
        # period): the figures below are then the worker's, not that one-off backlog's.
        subprocess.run([jpa, "scheduler", "--once"], env=process_env, cwd=directory,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        log_path = directory / "scheduler.log"
        log_file = log_path.open("w")
        scheduler = subprocess.Popen([jpa, "scheduler", "--interval", "3600"], env=process_env,
                                     cwd=directory, stdout=subprocess.DEVNULL,
                                     stderr=log_file, text=True)
        try:
            deadline = time.monotonic() + 120  # until it is the leader, its workers running
            while "scheduler is the leader" not in log_path.read_text(errors="replace") \
                    and time.monotonic() < deadline and scheduler.poll() is None:
                time.sleep(0.1)
            with database.transaction() as session:
                chair = session.scalar(select(User).where(User.username == "bench.chair"))
                pack_id = packs.request_pack(session, actor=Principal.of(chair, "bench"),
                                             period_id=pid).id
                officer = session.scalar(select(User).where(User.username == f"nlo.{nlo}"))
                annex_id = packs.request_annex(session, actor=Principal.of(officer, "bench"),
                                               period_id=pid).id
            requested = time.perf_counter()
            statuses, peak = ("building", "building"), None
            while "building" in statuses and time.perf_counter() - requested < 900:
                time.sleep(0.1)
                peak = _peak_mib(scheduler.pid) or peak
                with database.transaction(write=False) as session:
                    statuses = (session.scalar(select(Pack.status).where(Pack.id == pack_id)),
                                session.scalar(select(Annex.status)
                                               .where(Annex.id == annex_id)))
                if statuses[0] != "building" and "queue_to_ready" not in result:
                    result["queue_to_ready"] = time.perf_counter() - requested
            result.setdefault("queue_to_ready", time.perf_counter() - requested)
            result["peak_mib"] = _peak_mib(scheduler.pid) or peak
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=60)
            log_file.close()
            stop.set()
            poller.join()
        errors = log_path.read_text(errors="replace")
        if os.environ.get("JPA_BENCH_SHOW_LOG"):
            print("\n".join(line for line in errors.splitlines()
                            if "weasyprint" not in line)[-6000:], flush=True)
        with database.transaction(write=False) as session:
            row = session.get(Pack, pack_id)
            assert row is not None
            result.update(status=row.status, error=row.error, zip_bytes=row.zip_bytes,
                          files=len(row.files or []),
                          builder=(row.finished_at - row.claimed_at).total_seconds()
                          if row.finished_at and row.claimed_at else None)
            annex = session.get(Annex, annex_id)
            assert annex is not None
            result["annex"] = (annex.status, annex.zip_bytes,
                               (annex.finished_at - annex.claimed_at).total_seconds()
                               if annex.finished_at and annex.claimed_at else None)
        if row.status != "ready":
            print(errors[-3000:], flush=True)
        result["healthz_quiet"] = latencies[:quiet]
        result["healthz_busy"] = latencies[quiet:]
        result["healthz_failures"] = failures
    return result


def _verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def run(backend: str, args: argparse.Namespace) -> None:
    """One backend: seed, time the HTML report, the annex, then the pack in the worker."""
    from app import create_app

    print(f"\n[{backend}]", flush=True)
    with tempfile.TemporaryDirectory(prefix="jpa-bench-debrief-") as tmp, ExitStack() as stack:
        directory = Path(tmp)
        url = stack.enter_context(common.database_url(backend, directory))
        app = create_app(data.settings_for(url, directory / "instance"))
        pid, states = data.seed(app, args)
        samples, size = time_html(app, pid, args.runs)
        p50 = statistics.median(samples)
        print(f"  HTML report alone   p50 {p50:6.2f} s, max {max(samples):6.2f} s "
              f"({size / 1024:.0f} KiB; target <= {HTML_TARGET_S:.0f} s: "
              f"{_verdict(p50 <= HTML_TARGET_S)})", flush=True)
        annex_s, annex_bytes = time_annex_inline(app, pid, states[1])
        print(f"  annex in-process    {annex_s:6.2f} s ({states[1]}, {annex_bytes / 1024:.0f} "
              f"KiB ZIP with its PDF: what a synchronous annex route would take)", flush=True)
        built = build_in_worker(app, url, directory, pid, states[1].lower())
        app.extensions["jpa.db"].dispose()
        builder = built["builder"]
        print(f"  whole pack (worker) {built['queue_to_ready']:6.2f} s from request to ready, "
              f"builder {'-' if builder is None else f'{builder:.2f}'} s (the rest: waiting "
              f"for the worker's poll, every 2 s); status "
              f"{built['status']}{': ' + built['error'] if built['error'] else ''}; "
              f"{built['files']} files, {built['zip_bytes'] / 1024:.0f} KiB ZIP "
              f"(target <= {PACK_TARGET_S:.0f} s: "
              f"{_verdict(built['queue_to_ready'] <= PACK_TARGET_S)})", flush=True)
        annex_status, annex_zip, annex_builder = built["annex"]
        annex_time = "-" if annex_builder is None else f"{annex_builder:.2f}"
        print(f"  annex (worker)      builder {annex_time} s, after the pack; status "
              f"{annex_status}; {annex_zip / 1024:.0f} KiB ZIP", flush=True)
        peak = built["peak_mib"]
        print(f"  peak memory         {peak if peak is None else round(peak)} MiB of the "
              f"scheduler process (target <= {MEMORY_TARGET_MIB:.0f} MiB: "
              f"{_verdict(peak is not None and peak <= MEMORY_TARGET_MIB)})", flush=True)
        quiet, busy = built["healthz_quiet"], built["healthz_busy"]
        failures = built["healthz_failures"]

        def describe(values: list[float]) -> str:
            if not values:
                return "no samples"
            ordered = sorted(values)
            p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
            return (f"p50 {statistics.median(values):5.1f} ms, p99 {p99:6.1f} ms, "
                    f"max {max(values):6.1f} ms ({len(values)} requests)")

        print(f"  /healthz idle       {describe(quiet)}", flush=True)
        print(f"  /healthz building   {describe(busy)}; failures: {len(failures)} "
              f"(target: answered throughout: {_verdict(not failures)})", flush=True)


def main() -> None:
    """Parse the options and run every backend."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--states", type=int, default=30)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--operations", type=int, default=10_000)
    parser.add_argument("--conflicts", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"Debrief benchmark: {args.states} states x {args.days} days x 15 indicators, "
          f"{args.operations:,} operations, {args.conflicts:,} conflicts, 30 responses, "
          f"100 improvement items; baseline loop {common.baseline_ms():.1f} ms on this machine "
          f"({os.cpu_count()} cores)")
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("JPA_TEST_POSTGRES_URL") else [])
    for backend in backends:
        run(backend, args)


if __name__ == "__main__":
    main()
