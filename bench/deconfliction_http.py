"""HTTP part of the deconfliction benchmark: gunicorn, client threads and the throughput run."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

# Loaded by bench/deconfliction.py (by file path, under this name) before this module.
from bench.deconfliction_data import (
    BLINDING,
    HTTP_MIX,
    PASSWORD,
    SECRET,
    STATES,
    Workload,
    analyze,
    autovacuum_is_off,
    database_url,
    seed,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = PROJECT_DIR / "bench"


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
ROUNDS = 4  # alternating rounds of the application and the bare endpoint with its writes


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
    """Registration over HTTP against the bare endpoint with the same writes and the bare
    endpoint with none, all three under gunicorn with 2 workers, in this order."""
    results: dict[str, Any] = {"backend": backend, "requests": requests, "threads": threads}
    with tempfile.TemporaryDirectory(prefix="jpa-bench-http-") as tmp, ExitStack() as stack:
        directory = Path(tmp)
        url = stack.enter_context(database_url(backend, directory))
        setup = seed(url, directory / "instance")
        pid = setup.period_id
        # Without autovacuum no table ever gets statistics, and the planner then reads the
        # whole place-key table for every look-up: ANALYZE between the rounds (untimed), as
        # auto-analyze would on a server that has it.
        emulate_analyze = autovacuum_is_off(setup)
        results["autoanalyze_emulated"] = emulate_analyze
        setup.database.dispose()
        workload = Workload(HTTP_MIX)
        warmup = [workload.body() for _ in range(2 * threads)]
        bodies = [workload.body(index) for index in range(requests)]
        path = f"/api/v1/periods/{pid}/operations"
        env = {"JPA_DATABASE_URL": url, "JPA_INSTANCE_PATH": str(directory / "instance"),
               "JPA_SECRET_KEY": SECRET, "JPA_BLINDING_KEY": BLINDING,
               "JPA_TWO_FACTOR": "optional"}  # the NLOs sign in with a password only
        # The application and the same writes without it (bench/bare_writes_app.py; started
        # from the project folder, where "deconfliction" is not bench/deconfliction.py) run
        # side by side into the same period, in alternating rounds of the same bodies, so
        # that the machine's drift falls on both alike: the HTTP target's yardstick.
        with gunicorn("app:app", cwd=PROJECT_DIR, env=env, directory=directory) as port, \
                gunicorn("bench.bare_writes_app:app", cwd=PROJECT_DIR, env=env,
                         directory=directory) as writes_port:
            tokens = {}
            for state in STATES:
                status, payload = _http(port, "POST", "/api/v1/auth/token",
                                        {"username": f"nlo.{state.lower()}",
                                         "password": PASSWORD})
                assert status == 200, payload
                tokens[state] = payload["access_token"]
            hammer(port, path, warmup, tokens, threads)
            hammer(writes_port, path, warmup, {}, threads)
            if emulate_analyze:
                analyze(setup)
            rounds: dict[str, list[tuple[float, list[float], dict[int, int]]]] = {
                "app": [], "bare_writes": []}
            for index in range(ROUNDS):
                chunk = bodies[index::ROUNDS]
                rounds["app"].append(hammer(port, path, chunk, tokens, threads))
                rounds["bare_writes"].append(hammer(writes_port, path, chunk, {}, threads))
                if emulate_analyze:
                    analyze(setup)
        for name, measured in rounds.items():
            statuses_total: dict[int, int] = {}
            for _, _, statuses in measured:
                for code, count in statuses.items():
                    statuses_total[code] = statuses_total.get(code, 0) + count
            results[name] = {
                "rps": requests / sum(elapsed for elapsed, _, _ in measured),
                "p50_ms": 1000 * statistics.median(
                    [value for _, latencies, _ in measured for value in latencies]),
                "statuses": statuses_total}
        with gunicorn("bare_app:app", cwd=BENCH_DIR, env={}, directory=directory) as port:
            hammer(port, path, warmup, {}, threads)
            elapsed, latencies, statuses = hammer(port, path, bodies, {}, threads)
        results["bare"] = {"rps": requests / elapsed,
                           "p50_ms": 1000 * statistics.median(latencies), "statuses": statuses}
    return results
