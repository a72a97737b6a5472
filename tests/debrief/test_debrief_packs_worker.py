"""The scheduler's background workers (core.workers) and the debrief builder in a real `jpa
scheduler` process: a pack requested over the API is built by the scheduler within seconds,
never by the web process."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from core import workers
from tests.conftest import TEST_AUDIT_KEY, TEST_BLINDING, TEST_SECRET
from tests.debrief.debrief_packs_support import make_desk

JPA = Path(sys.prefix) / "bin" / "jpa"


def test_register_worker_checks_its_arguments() -> None:
    app = Flask("workers")
    worker = workers.register_worker(app, "demo.poll", lambda _app: 0, interval_seconds=0.5)
    assert workers.workers(app) == [worker]
    with pytest.raises(ValueError, match="already registered"):
        workers.register_worker(app, "demo.poll", lambda _app: 0)
    with pytest.raises(ValueError, match="worker id"):
        workers.register_worker(app, "Bad Id!", lambda _app: 0)
    with pytest.raises(ValueError, match="positive"):
        workers.register_worker(app, "demo.other", lambda _app: 0, interval_seconds=0)


def test_a_failing_poll_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    app = Flask("workers")

    def broken(_app: Flask) -> int:
        raise RuntimeError("no database today")

    worker = workers.register_worker(app, "demo.broken", broken)
    with caplog.at_level(logging.ERROR, logger="core.workers"):
        assert workers.run_once(app, worker) == 0
    assert "worker demo.broken failed" in caplog.text


def test_each_worker_becomes_an_interval_job() -> None:
    app = Flask("workers")
    workers.register_worker(app, "a.one", lambda _app: 0, interval_seconds=2)
    workers.register_worker(app, "b.two", lambda _app: 0, interval_seconds=5)
    scheduler = BackgroundScheduler()
    workers.schedule(app, scheduler)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"jpa.worker.a.one", "jpa.worker.b.two"}
    assert jobs["jpa.worker.b.two"].trigger.interval.total_seconds() == 5
    assert jobs["jpa.worker.a.one"].next_run_time is not None  # at once, not in 2 s


def test_a_poll_still_running_makes_the_next_return_at_once() -> None:
    app = Flask("workers")
    entered, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow(_app: Flask) -> int:
        calls.append(1)
        entered.set()
        release.wait(10)
        return 1

    worker = workers.register_worker(app, "demo.slow", slow)
    first = threading.Thread(target=workers.run_once, args=(app, worker))
    first.start()
    assert entered.wait(10)
    assert workers.run_once(app, worker) == 0  # the first is still running
    release.set()
    first.join(10)
    assert len(calls) == 1


def test_the_application_registers_the_pack_builder(app: Flask) -> None:
    assert [w.worker_id for w in workers.workers(app)] == ["debrief.packs"]


def test_scheduler_process_builds_a_requested_pack(app: Flask, accounts: Any,
                                                   settings: Any, tmp_path: Path) -> None:
    desk = make_desk(app, accounts)
    pack_id = desk.queued()
    instance = tmp_path / "scheduler"
    instance.mkdir()
    env = {name: value for name, value in os.environ.items() if not name.startswith("JPA_")}
    env.update({"JPA_DATABASE_URL": settings.database_url, "JPA_INSTANCE_PATH": str(instance),
                "JPA_SECRET_KEY": TEST_SECRET, "JPA_BLINDING_KEY": TEST_BLINDING,
                "JPA_AUDIT_KEY": TEST_AUDIT_KEY})
    process = subprocess.Popen([str(JPA), "scheduler", "--interval", "3600"], env=env,
                               cwd=instance, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        deadline = time.monotonic() + 60
        status = "building"
        while time.monotonic() < deadline and status == "building":
            time.sleep(0.5)
            status = desk.row(pack_id).status
        assert status == "ready"
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert desk.pack(pack_id)["files"], err[-2000:]
    assert f"debrief pack {pack_id}: ready" in err
