"""The real `jpa scheduler` executable: two copies started together on PostgreSQL send each
reminder exactly once; a copy that cannot become the leader gives up without running (the
PostgreSQL advisory lock held by another process; the SQLite lock file held by a running
scheduler); the long-running scheduler runs passes and stops on SIGTERM."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from core.db import utcnow
from core.notify import Notification
from core.scheduler import EXIT_NOT_LEADER, JobRun, LeaderLock
from operations.jobs import PERIOD_PHASE_JOB
from outcomes.jobs import REMINDER_JOB
from tests.conftest import make_settings
from tests.scheduler.conftest import (
    PERIOD_END,
    PERIOD_START,
    Scene,
    create_people,
)

NOW = "2031-09-28T12:00:00+00:00"
# By 28 Sep 12:00 UTC: 18:00 of the 26th, 27th and 28th has passed in Bangkok and Auckland.
REMINDER_SLOTS = 6
REMINDERS = 3 * 2 + 3  # two THA NLOs and one NZL NLO, each of three days


def _app_on(tmp_path: Path, url: str) -> Iterator[Flask]:
    application = create_app(make_settings(tmp_path / "setup", url))
    try:
        yield application
    finally:
        application.extensions["jpa.db"].dispose()


def _seed(application: Flask) -> Scene:
    scene = Scene(application, create_people(application))
    scene.period_id = scene.make_period(PERIOD_START, PERIOD_END)
    return scene


def _counts(application: Flask) -> tuple[dict[tuple[int, str], int], list[JobRun]]:
    with application.extensions["jpa.db"].transaction(write=False) as session:
        rows = session.execute(select(Notification.user_id, Notification.subject, func.count())
                               .group_by(Notification.user_id, Notification.subject))
        counts = {(user_id, subject): n for user_id, subject, n in rows}
        runs = list(session.scalars(select(JobRun).order_by(JobRun.id)))
    return counts, runs


def _finish(process, timeout: float = 90) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


@pytest.fixture
def pg_app(tmp_path: Path, fresh_postgres: str) -> Iterator[Flask]:
    """An application on a PostgreSQL database of this test alone."""
    yield from _app_on(tmp_path, fresh_postgres)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite file in an instance folder of its own."""
    folder = tmp_path / "instance"
    folder.mkdir()
    shutil.copy(sqlite_template, folder / "jpa.sqlite3")
    return f"sqlite:///{folder / 'jpa.sqlite3'}"


@pytest.fixture
def sqlite_app(tmp_path: Path, sqlite_url: str) -> Iterator[Flask]:
    """An application on that SQLite file."""
    yield from _app_on(tmp_path, sqlite_url)


def test_two_schedulers_on_postgresql_send_each_reminder_exactly_once(
        pg_app, fresh_postgres, jpa_scheduler, tmp_path):
    _seed(pg_app)
    first = jpa_scheduler(fresh_postgres, tmp_path / "one", "--once", "--now", NOW)
    second = jpa_scheduler(fresh_postgres, tmp_path / "two", "--once", "--now", NOW)
    outcomes = [_finish(first), _finish(second)]
    for code, out, err in outcomes:
        assert code == 0, f"{out}\n{err}"
        assert "Traceback" not in err
    ran = sorted(int(out.split("pass done: ")[1].split(" ran")[0]) for _c, out, _e in outcomes)

    counts, runs = _counts(pg_app)
    assert ran == [0, len(runs)]  # the leader ran everything; the other nothing
    assert set(counts.values()) == {1}
    reminders = [subject for (_user, subject) in counts if subject.startswith("Reminder: ")]
    assert len(reminders) == REMINDERS
    # The core jobs (audit anchoring, outbox purge) run in the same pass; these are the period's.
    assert sorted((run.job_id, run.outcome) for run in runs
                  if run.job_id.startswith("operations.")) == sorted(
        [(REMINDER_JOB, "ok")] * REMINDER_SLOTS + [(PERIOD_PHASE_JOB, "ok")])
    assert {run.outcome for run in runs} == {"ok"}
    assert all(run.finished_at is not None for run in runs)


def _assert_waits_and_gives_up(application: Flask, url: str, jpa_scheduler,
                               folder: Path) -> None:
    holder = LeaderLock.for_app(application)
    assert holder.try_acquire()
    try:
        started = time.monotonic()
        code, out, err = _finish(jpa_scheduler(url, folder, "--once", "--now", NOW,
                                               "--lock-timeout", "1"))
        waited = time.monotonic() - started
    finally:
        holder.release()
    assert code == EXIT_NOT_LEADER, f"{out}\n{err}"
    assert "another scheduler holds the leader lock" in err
    assert waited >= 1
    counts, runs = _counts(application)
    assert counts == {}
    assert runs == []


def test_a_second_leader_waits_then_gives_up_on_postgresql(pg_app, fresh_postgres,
                                                          jpa_scheduler, tmp_path):
    _seed(pg_app)
    _assert_waits_and_gives_up(pg_app, fresh_postgres, jpa_scheduler, tmp_path / "cli")


def test_the_running_scheduler_holds_the_lock_runs_passes_and_stops_on_sigterm(
        sqlite_app, sqlite_url, jpa_scheduler, tmp_path):
    scene = Scene(sqlite_app, create_people(sqlite_app))
    lock = LeaderLock.for_app(sqlite_app).lock_path  # beside the database file
    assert lock == tmp_path / "instance" / "jpa.sqlite3.scheduler.lock"
    now = utcnow()
    pid = scene.make_period(now - timedelta(hours=1), now + timedelta(days=10), name="Now JPA")
    daemon = jpa_scheduler(sqlite_url, tmp_path / "daemon", "--interval", "1")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and daemon.poll() is None:
            if any(run.slot == f"period {pid} active" for run in scene.ledger()):
                break
            time.sleep(0.2)
        assert daemon.poll() is None, daemon.communicate()
        assert any(run.slot == f"period {pid} active" and run.outcome == "ok"
                   for run in scene.ledger())
        # The daemon is the leader: another copy waits, then gives up without running.
        # The daemon goes on anchoring the audit chain whenever its head moves; every other
        # slot comes from the data and the clock, and only a second runner could add one.
        def settled() -> list[str]:
            return [run.slot for run in scene.ledger() if run.job_id != "core.audit_anchor"]

        before = settled()
        code, out, err = _finish(jpa_scheduler(sqlite_url, tmp_path / "other", "--once",
                                               "--lock-timeout", "1"))
        assert code == EXIT_NOT_LEADER, f"{out}\n{err}"
        assert "another scheduler holds the leader lock" in err
        assert "pass done" not in out
        assert settled() == before
    finally:
        daemon.send_signal(signal.SIGTERM)
    code, _out, err = _finish(daemon, timeout=20)
    assert code == 0, err
    assert "scheduler is the leader" in err
    assert "Traceback" not in err
    assert sum(1 for _n, subject in scene.inbox("Period active: Now JPA")) == 5


def test_the_running_scheduler_copies_sqlite_s_log_into_the_database_file(
        sqlite_app, sqlite_url, jpa_scheduler, tmp_path):
    """Recent writes reach the database file itself within seconds (a copy of the file alone
    holds them), not whenever some request's commit finds 1,000 pages in the log."""
    scene = Scene(sqlite_app, create_people(sqlite_app))
    now = utcnow()
    scene.make_period(now + timedelta(days=30), now + timedelta(days=40), name="Logged JPA")
    database_file = tmp_path / "instance" / "jpa.sqlite3"

    def periods_in_the_file_alone() -> set[str]:
        copy = tmp_path / "copy.sqlite3"
        shutil.copy(database_file, copy)  # without its -wal file
        with closing(sqlite3.connect(copy)) as connection:
            return {name for (name,) in connection.execute("SELECT name FROM periods")}

    assert "Logged JPA" not in periods_in_the_file_alone()  # only in the log so far
    daemon = jpa_scheduler(sqlite_url, tmp_path / "daemon", "--checkpoint-interval", "1")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and daemon.poll() is None:
            if "Logged JPA" in periods_in_the_file_alone():
                break
            time.sleep(0.2)
        assert daemon.poll() is None, daemon.communicate()
        assert "Logged JPA" in periods_in_the_file_alone()
    finally:
        daemon.send_signal(signal.SIGTERM)
    code, _out, err = _finish(daemon, timeout=20)
    assert code == 0, err
    assert "Traceback" not in err
