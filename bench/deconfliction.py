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
number of requests from a few client threads) beside, in the same run and served the same way,
a bare Flask endpoint that does the same writes (bench/bare_writes_app.py: same rows, same
driver, same lock; the target is >= 60 % of it; the two run in alternating rounds) and one
that does nothing (bench/bare_app.py, for scale); and a fixed pure-Python loop as the
machine's baseline, so that figures from different machines compare as ratios.

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
import json
import math
import os
import platform
import pstats
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = PROJECT_DIR / "bench"
# Run as `python bench/deconfliction.py`, this file's folder comes first on sys.path, where its
# name would shadow the `deconfliction` package: the project root goes first instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(PROJECT_DIR))

# The workload and databases, then the HTTP part (which uses them); re-exported here, where
# bench/press.py and bench/outcomes.py find them.
from bench.deconfliction_data import (  # noqa: E402, F401 - re-exported
    AIRPORT_SHARE,
    AIRPORT_SPREAD_M,
    BATCH,
    BLINDING,
    BUSY_AIRPORTS,
    DEFAULT_SIZES,
    HOT_PHONE_USERS,
    HTTP_MIX,
    NAMES,
    OP_TYPES,
    PASSWORD,
    PERIOD_DAYS,
    PERIOD_START,
    SECRET,
    STATES,
    TIMED,
    TOWNS,
    Setup,
    Workload,
    analyze,
    autovacuum_is_off,
    build,
    database_url,
    register,
    registration_of,
    seed,
)
from bench.deconfliction_http import (  # noqa: E402, F401 - re-exported
    READY_MARK,
    _free_port,
    _http,
    gunicorn,
    hammer,
    run_http,
)


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
        app, writes, bare = h["app"], h["bare_writes"], h["bare"]
        share = app["rps"] / writes["rps"]
        print(f"  [{h['backend']}] HTTP registration (gunicorn, 2 workers, {h['requests']} "
              f"requests of the {HTTP_MIX:,} mix from {h['threads']} threads, into an empty "
              f"period): {app['rps']:.0f} req/s "
              f"(p50 {app['p50_ms']:.1f} ms, statuses {app['statuses']}) vs the bare endpoint "
              f"with the same writes (bench/bare_writes_app.py) {writes['rps']:.0f} req/s "
              f"(p50 {writes['p50_ms']:.1f} ms, statuses {writes['statuses']}): "
              f"{100 * share:.0f} % of it; >= 60 %: {_verdict(share >= 0.60)}")
        print(f"    for scale: bare Flask with no writes (bench/bare_app.py) {bare['rps']:.0f} "
              f"req/s (p50 {bare['p50_ms']:.1f} ms): the application at "
              f"{100 * app['rps'] / bare['rps']:.0f} %, the writes alone at "
              f"{100 * writes['rps'] / bare['rps']:.0f} %")
        if h.get("autoanalyze_emulated"):
            print("    (autovacuum is off on this server: ANALYZE ran, untimed, after the warm-up "
                  "and after each round, as auto-analyze would)")


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
