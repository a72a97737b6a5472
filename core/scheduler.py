"""The one scheduler process: a registry of jobs with stable ids, a leader lock, a run ledger.

`jpa scheduler` runs APScheduler's BlockingScheduler. Only one copy runs jobs at a time: the
leader holds a PostgreSQL advisory lock (a lock file on SQLite); another copy waits. Every run
of a job is recorded in `job_runs`, unique per job and time slot, so a restart or a second
process never runs a slot twice, and a slot missed while stopped is caught up once.

A job is two functions registered under a stable id by its domain package:

- `due_slots(session, now, since)` names the slots that have fallen due in `(since, now]`,
  computed from the data and the clock alone (so a slot missed while the scheduler was stopped
  is still due when it comes back, for up to `CATCH_UP`);
- `run(session, slot, context)` does the work of one slot and returns a short detail.

`run_pending(app, now)` claims each due slot that the ledger does not hold yet and runs it in a
transaction of its own, together with its ledger row: it commits whole or not at all. A run that
raises is rolled back, logged, and recorded as `failed`; the other slots and jobs go on.
Web workers never start a scheduler: nothing here runs unless `jpa scheduler` is invoked.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any, Protocol

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Integer, String, UniqueConstraint, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import notify, workers
from core.db import Base, Database, UTCDateTime, utcnow
from core.scheduler_lock import (  # noqa: F401 - re-exported
    LEADER_LOCK_KEY,
    LOCK_POLL_SECONDS,
    LeaderLock,
    lock_file_path,
)
from core.settings import Settings

log = logging.getLogger(__name__)

# How far back a pass looks for due slots: a scheduler stopped for longer than this does not
# replay older slots (they are stale), but anything more recent is caught up, once.
CATCH_UP = timedelta(days=3)
# How often the BlockingScheduler runs a pass.
DEFAULT_INTERVAL_SECONDS = 60
# How often the leader copies SQLite's write-ahead log into the database file.
DEFAULT_CHECKPOINT_SECONDS = 5
# Exit status of `jpa scheduler` when another copy kept the lock past --lock-timeout.
EXIT_NOT_LEADER = 3

_JOB_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
_REGISTRY = "jpa.jobs"


class JobRun(Base):
    """One run of one job for one slot (e.g. 'reminders' for '2026-12-01T18:00+07:00 THA')."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job_id", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    detail: Mapped[str | None] = mapped_column(String(2000))


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Slot:
    """One occurrence of a job: `key` is unique within the job (the ledger's slot), `at` the
    moment it fell due, `data` whatever the run needs to find its work again (ids, dates)."""

    key: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunContext:
    """What a run is told: the pass's clock and the settings (base URL for links)."""

    now: datetime
    settings: Settings


class DueSlots(Protocol):
    """Slots of a job that fell due in `(since, now]`."""

    def __call__(self, session: Session, now: datetime, since: datetime) -> Iterable[Slot]: ...


class RunSlot(Protocol):
    """Do the work of one slot inside the caller's transaction; return a short detail."""

    def __call__(self, session: Session, slot: Slot, context: RunContext) -> str | None: ...


@dataclass(frozen=True)
class Job:
    """A registered job."""

    job_id: str
    due_slots: DueSlots
    run: RunSlot
    description: str = ""


class JobRegistry:
    """The jobs of one application, in registration order, by stable id."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def add(self, job: Job) -> Job:
        """Register a job; ids are stable names and may not be reused."""
        if not job.job_id or len(job.job_id) > 64 or not set(job.job_id) <= _JOB_ID_CHARS:
            raise ValueError(f"job id {job.job_id!r}: use 1-64 of a-z 0-9 . _ -")
        if job.job_id in self._jobs:
            raise ValueError(f"job id {job.job_id!r} is already registered")
        self._jobs[job.job_id] = job
        return job

    def get(self, job_id: str) -> Job:
        """One job by id."""
        return self._jobs[job_id]

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._jobs.values()))

    def __len__(self) -> int:
        return len(self._jobs)


def registry(app: Flask) -> JobRegistry:
    """The application's job registry (made on first use)."""
    return app.extensions.setdefault(_REGISTRY, JobRegistry())


def register_job(app: Flask, job_id: str, *, due_slots: DueSlots, run: RunSlot,
                 description: str = "") -> Job:
    """Register a job under a stable id (the ledger keys its runs by it: never rename one)."""
    return registry(app).add(Job(job_id, due_slots, run, description))


# ---------------------------------------------------------------- the ledger


def claim_slot(session: Session, job_id: str, slot: str, *, outcome: str = "running",
               detail: str | None = None) -> bool:
    """Insert the ledger row of (job, slot); False when it exists already.

    A duplicate never aborts the caller's transaction: INSERT ... ON CONFLICT DO NOTHING on
    PostgreSQL and SQLite (a savepoint elsewhere). On PostgreSQL a concurrent claimant waits on
    the unique index until the first one commits or rolls back, so exactly one of them wins.
    """
    values = {"job_id": job_id, "slot": slot, "started_at": utcnow(), "outcome": outcome,
              "detail": detail, "finished_at": None if outcome == "running" else utcnow()}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        module: Any = postgresql if dialect == "postgresql" else sqlite
        statement = (module.insert(JobRun).values(**values)
                     .on_conflict_do_nothing(index_elements=["job_id", "slot"])
                     .returning(JobRun.id))
        return session.execute(statement).scalar_one_or_none() is not None
    try:
        with session.begin_nested():
            session.add(JobRun(**values))
    except IntegrityError:
        return False
    return True


def _finish(session: Session, job_id: str, slot: str, outcome: str,
            detail: str | None) -> None:
    session.execute(update(JobRun).where(JobRun.job_id == job_id, JobRun.slot == slot)
                    .values(outcome=outcome, finished_at=utcnow(),
                            detail=(detail or None) and detail[:2000]))


def claimed_slots(session: Session, job_id: str, keys: Iterable[str]) -> set[str]:
    """Which of `keys` the ledger already holds for a job (any outcome)."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(session.scalars(select(JobRun.slot).where(
            JobRun.job_id == job_id, JobRun.slot.in_(chunk))))
    return found


# ---------------------------------------------------------------- a pass


@dataclass(frozen=True)
class RunResult:
    """What happened to one slot in a pass: ok, failed, or skipped (claimed elsewhere)."""

    job_id: str
    slot: str | None
    outcome: str
    detail: str | None = None


def _run_slot(database: Database, job: Job, slot: Slot, context: RunContext) -> RunResult:
    try:
        with database.transaction() as session:
            if not claim_slot(session, job.job_id, slot.key):
                return RunResult(job.job_id, slot.key, "skipped", "already run")
            detail = job.run(session, slot, context)
            _finish(session, job.job_id, slot.key, "ok", detail)
        return RunResult(job.job_id, slot.key, "ok", detail)
    except Exception as error:  # one job's failure must not stop the others
        log.exception("job %s failed for slot %s", job.job_id, slot.key)
        detail = f"{type(error).__name__}: {error}"[:2000]
    try:
        with database.transaction() as session:
            if not claim_slot(session, job.job_id, slot.key, outcome="failed", detail=detail):
                return RunResult(job.job_id, slot.key, "skipped", "run elsewhere meanwhile")
    except Exception:  # the failure is logged above; the pass goes on
        log.exception("could not record the failure of job %s, slot %s", job.job_id, slot.key)
    return RunResult(job.job_id, slot.key, "failed", detail)


def _due(database: Database, job: Job, now: datetime, since: datetime) -> list[Slot]:
    with database.transaction(write=False) as session:
        slots = sorted({s.key: s for s in job.due_slots(session, now, since)}.values(),
                       key=lambda s: (s.at, s.key))
        done = claimed_slots(session, job.job_id, (s.key for s in slots))
    return [s for s in slots if s.key not in done]


def run_pending(app: Flask, now: datetime | None = None, *,
                catch_up: timedelta = CATCH_UP) -> list[RunResult]:
    """One pass: run every due, unclaimed slot of every job once, then send waiting e-mail."""
    if now is not None and now.tzinfo is None:
        raise ValueError("give the pass's time with an offset")
    moment = (now or utcnow()).astimezone(UTC)
    database: Database = app.extensions["jpa.db"]
    settings: Settings = app.extensions["jpa.settings"]
    context = RunContext(moment, settings)
    results: list[RunResult] = []
    for job in registry(app):
        try:
            slots = _due(database, job, moment, moment - catch_up)
        except Exception as error:  # a broken job must not stop the others
            log.exception("job %s could not compute its due slots", job.job_id)
            results.append(RunResult(job.job_id, None, "failed", f"due slots: {error}"[:2000]))
            continue
        results.extend(_run_slot(database, job, slot, context) for slot in slots)
    if settings.smtp_host:
        try:
            with database.transaction() as session:
                notify.deliver_pending(session, host=settings.smtp_host,
                                       port=settings.smtp_port, sender=settings.mail_from)
        except Exception:  # mail stays queued for the next pass
            log.exception("sending queued e-mail failed")
    return results


# ---------------------------------------------------------------- the process


def _report(results: list[RunResult]) -> None:
    for result in results:
        click.echo(f"{result.outcome:<7} {result.job_id} [{result.slot or '-'}]"
                   f"{': ' + result.detail if result.detail else ''}")


def _serve(app: Flask, lock: LeaderLock, interval: int,
           checkpoint_interval: int = DEFAULT_CHECKPOINT_SECONDS) -> int:
    """Run passes every `interval` seconds until SIGTERM/SIGINT or the lock is lost; on SQLite,
    checkpoint the write-ahead log every `checkpoint_interval` seconds."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BlockingScheduler(timezone=UTC)
    lost = threading.Event()
    in_pass = threading.Lock()

    def tick() -> None:
        with in_pass:
            if not lock.still_held():
                log.error("the leader lock was lost; stopping so that a supervisor restarts us")
                lost.set()
                scheduler.shutdown(wait=False)
                return
            with app.app_context():
                for result in run_pending(app, utcnow()):
                    level = logging.WARNING if result.outcome == "failed" else logging.INFO
                    log.log(level, "%s %s [%s] %s", result.outcome, result.job_id,
                            result.slot, result.detail or "")

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping the scheduler", signum)
        scheduler.shutdown(wait=False)

    scheduler.add_job(tick, IntervalTrigger(seconds=interval, timezone=UTC),
                      id="jpa.run_pending", name="run due jobs", coalesce=True,
                      max_instances=1, misfire_grace_time=None, next_run_time=utcnow())
    database: Database = app.extensions["jpa.db"]
    if database.engine.dialect.name == "sqlite":
        def checkpoint() -> None:
            try:
                database.checkpoint()
            except (SQLAlchemyError, sqlite3.Error) as error:  # writers checkpoint meanwhile
                log.warning("checkpoint of the write-ahead log failed: %s", error)

        scheduler.add_job(checkpoint, IntervalTrigger(seconds=checkpoint_interval, timezone=UTC),
                          id="jpa.sqlite_checkpoint", name="checkpoint the SQLite log",
                          coalesce=True, max_instances=1, misfire_grace_time=None)
    workers.schedule(app, scheduler)  # background polls (debrief packs), leader only
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        log.info("scheduler is the leader; jobs: %s",
                 ", ".join(job.job_id for job in registry(app)) or "none")
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    with in_pass:  # let a pass in flight finish before the caller gives the lock up
        pass
    return 1 if lost.is_set() else 0


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("give an ISO 8601 time with an offset") from error
    if moment.tzinfo is None:
        raise click.BadParameter("give an offset, e.g. 2031-09-28T18:00:00+07:00")
    return moment


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run one pass and exit (cron, tests).")
@click.option("--now", "now_text", metavar="ISO8601",
              help="With --once: the pass's clock, e.g. 2031-09-28T11:00:00+00:00.")
@click.option("--lock-timeout", type=float, default=None, metavar="SECONDS",
              help="Give up (exit 3) if another copy keeps the leader lock this long "
                   "(default: wait for ever).")
@click.option("--interval", type=click.IntRange(min=1), default=DEFAULT_INTERVAL_SECONDS,
              show_default=True, help="Seconds between passes.")
@click.option("--checkpoint-interval", type=click.IntRange(min=1),
              default=DEFAULT_CHECKPOINT_SECONDS, show_default=True,
              help="Seconds between checkpoints of SQLite's write-ahead log.")
@with_appcontext
def scheduler_command(once: bool, now_text: str | None, lock_timeout: float | None,
                      interval: int, checkpoint_interval: int) -> None:
    """Run the one scheduler: reminders, escalations, period notices (leader-locked)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    now = _parse_now(now_text)
    if now is not None and not once:
        raise click.UsageError("--now only makes sense with --once")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    lock = LeaderLock.for_app(app)
    if not lock.acquire(timeout=lock_timeout):
        click.echo(f"another scheduler holds the leader lock; gave up after {lock_timeout} s",
                   err=True)
        raise SystemExit(EXIT_NOT_LEADER)
    try:
        if once:
            results = run_pending(app, now)
            _report(results)
            failed = sum(r.outcome == "failed" for r in results)
            click.echo(f"pass done: {sum(r.outcome == 'ok' for r in results)} ran, "
                       f"{failed} failed")
            status = 1 if failed else 0
        else:
            status = _serve(app, lock, interval, checkpoint_interval)
    finally:
        lock.release()
    if status:
        raise SystemExit(status)


def init_app(app: Flask) -> None:
    """Attach `jpa scheduler` to the application's commands (it starts nothing by itself)
    and register core's own housekeeping jobs."""
    from core import mail_jobs  # it registers itself through this module

    registry(app)
    mail_jobs.register(app)
    app.cli.add_command(scheduler_command)

