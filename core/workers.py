"""Background workers: short polls that the scheduler process runs every few seconds.

The scheduler's pass (`core.scheduler.run_pending`) runs once a minute: too slow for work a
user is watching, such as a debrief pack with a progress bar. A domain package registers a
worker instead: `register_worker(app, "debrief.packs", poll, interval_seconds=2)`. `jpa
scheduler` adds each registered poll to its APScheduler as an interval job of its own, beside
the pass, so only the leader runs them; web workers never do (they only write the queued row
that a poll claims). A poll must claim its work with a guarded UPDATE, so that it is safe
even if two processes were to poll at once, and must never raise: a failure is logged.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

_REGISTRY = "jpa.workers"
_WORKER_ID = re.compile(r"^[a-z0-9._-]{1,64}$")
DEFAULT_INTERVAL_SECONDS = 2.0
# Per worker id: held while one of its polls runs (one process runs one scheduler).
_BUSY: dict[str, threading.Lock] = {}

# A poll does a bounded piece of work (one item) inside an application context and returns
# how many items it handled (0: nothing was waiting).
Poll = Callable[[Flask], int]


@dataclass(frozen=True)
class Worker:
    """A registered background worker."""

    worker_id: str
    poll: Poll
    interval_seconds: float
    description: str = ""


def register_worker(app: Flask, worker_id: str, poll: Poll, *,
                    interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
                    description: str = "") -> Worker:
    """Register a poll that the scheduler process runs every `interval_seconds`."""
    if not _WORKER_ID.match(worker_id):
        raise ValueError(f"worker id {worker_id!r}: use 1-64 of a-z 0-9 . _ -")
    if interval_seconds <= 0:
        raise ValueError("interval_seconds must be positive")
    found: dict[str, Worker] = app.extensions.setdefault(_REGISTRY, {})
    if worker_id in found:
        raise ValueError(f"worker id {worker_id!r} is already registered")
    worker = Worker(worker_id, poll, float(interval_seconds), description)
    found[worker_id] = worker
    return worker


def workers(app: Flask) -> list[Worker]:
    """The application's workers in registration order."""
    return list(app.extensions.get(_REGISTRY, {}).values())


def run_once(app: Flask, worker: Worker) -> int:
    """Run one poll of `worker` in an application context, unless its previous poll is still
    running (a long build outlasts many intervals: the extra polls return at once, instead of
    APScheduler logging each one it skips); a failure is logged, never raised."""
    busy = _BUSY.setdefault(worker.worker_id, threading.Lock())
    if not busy.acquire(blocking=False):
        return 0
    try:
        with app.app_context():
            return worker.poll(app)
    except Exception:
        log.exception("worker %s failed", worker.worker_id)
        return 0
    finally:
        busy.release()


def schedule(app: Flask, scheduler: Any) -> None:
    """Add every registered worker to an APScheduler scheduler as an interval job, first run
    at once (work queued while the scheduler was stopped waits no longer); coalesced, and a
    poll that finds the previous one still running returns at once."""
    from apscheduler.triggers.interval import IntervalTrigger

    for worker in workers(app):
        scheduler.add_job(run_once, IntervalTrigger(seconds=worker.interval_seconds, timezone=UTC),
                          args=(app, worker), id=f"jpa.worker.{worker.worker_id}",
                          name=worker.description or worker.worker_id, coalesce=True,
                          max_instances=3, misfire_grace_time=None,
                          next_run_time=datetime.now(UTC))
