"""Fixtures of the scheduler tests: a period of THA (UTC+7) and NZL (UTC+12, +13 from the last
Sunday of September) with people of every role, helpers that register conflicting operations
and submit reports through the services, read the inbox and the ledger, and run the real `jpa`
executable against a database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

# The models before any service: a service may configure the mappers when it is imported.
import operations.models  # noqa: F401
from core.cli import upgrade_database
from core.identity.models import User
from core.identity.services import Principal
from core.notify import Notification, OutboxMail
from core.scheduler import JobRun, run_pending
from deconfliction.models import ConflictRecord
from operations import services as ops
from outcomes import services as reporting
from tests.conftest import (
    TEST_AUDIT_KEY,
    TEST_BLINDING,
    TEST_SECRET,
    Accounts,
    _truncate_postgres,
)
from tests.postgres import throwaway_database

JPA = Path(sys.prefix) / "bin" / "jpa"

# 26 Sep 2031 00:00 UTC to 1 Oct 2031 00:00 UTC. New Zealand moves to daylight time (UTC+13) at
# 02:00 on Sunday 28 September 2031, so its 18:00 is 06:00 UTC before and 05:00 UTC after.
PERIOD_START = datetime(2031, 9, 26, tzinfo=UTC)
PERIOD_END = datetime(2031, 10, 1, tzinfo=UTC)
STATES = ["NZL", "THA"]
CO_CHAIRS = ["NZL"]

PEOPLE: dict[str, dict[str, Any]] = {
    "nlo.tha": {"role": "liaison_officer", "state": "THA", "email": "nlo@tha.example",
                "full_name": "Somchai Srisuk", "phone": "+66 2 205 1000"},
    "nlo2.tha": {"role": "liaison_officer", "state": "THA", "email": "nlo2@tha.example"},
    "nlo.nzl": {"role": "liaison_officer", "state": "NZL", "email": "nlo@nzl.example",
                "full_name": "Aroha Ngata", "phone": "+64 4 474 9400"},
    "gone.tha": {"role": "liaison_officer", "state": "THA", "email": "gone@tha.example"},
    "chair.nzl": {"role": "co_chair", "state": "NZL", "email": "chair@nzl.example",
                  "time_zone": "Pacific/Auckland"},
    "chair.tha": {"role": "co_chair", "state": "THA", "email": "chair@tha.example"},
    "nlo.aus": {"role": "liaison_officer", "state": "AUS", "email": "nlo@aus.example"},
    "analyst": {"role": "analyst", "email": "analyst@jpa.example"},
    "admin": {"role": "admin", "email": "admin@jpa.example"},
}
DISABLED = {"gone.tha"}
# Everyone of the participating states who is not disabled.
PARTICIPANTS = {"nlo.tha", "nlo2.tha", "nlo.nzl", "chair.nzl", "chair.tha"}


@dataclass
class Scene:
    """The application, its people and period; helpers to act and to look."""

    app: Flask
    users: dict[str, User]
    period_id: int = 0
    _periods: list[int] = field(default_factory=list)

    @property
    def database(self) -> Any:
        return self.app.extensions["jpa.db"]

    def principal(self, username: str) -> Principal:
        return Principal.of(self.users[username], "scheduler-tests")

    # ------------------------------------------------------------ acting

    def make_period(self, starts_at: datetime, ends_at: datetime, name: str = "JPA 2031",
                    states: list[str] | None = None,
                    co_chairs: list[str] | None = None) -> int:
        with self.database.transaction() as session:
            period = ops.create_period(
                session, actor=self.principal("admin"), name=name, starts_at=starts_at,
                ends_at=ends_at, states=states or STATES,
                co_chairs=CO_CHAIRS if co_chairs is None else co_chairs)
            return period.id

    def report(self, username: str, on: date, now: datetime, period_id: int | None = None,
               ) -> None:
        with self.database.transaction() as session:
            reporting.submit_report(session, actor=self.principal(username),
                                    period_id=period_id or self.period_id, on=on,
                                    values={}, now=now)

    def register(self, username: str, period_id: int, starts_at: datetime,
                 ends_at: datetime, title: str, airport: str = "BKK") -> int:
        registration = ops.Registration(
            title=title, type="airport_checks", lead_agency="Immigration",
            starts_at=starts_at, ends_at=ends_at,
            locations=[ops.LocationData(site=airport, name=f"Gate of {title}")],
            targets=[ops.TargetData(kind="passport", value="AB1234567",
                                      label=f"Courier of {title}")],
            contact=ops.ContactData(name=f"Contact of {title}",
                                    email=f"contact.{username}@ops.example"))
        with self.database.transaction() as session:
            operation, _ = ops.register_operation(
                session, actor=self.principal(username), period_id=period_id,
                registration=registration, blinding_key=TEST_BLINDING.encode())
            return operation.id

    def move(self, username: str, op_id: int, airport: str, targets: bool) -> None:
        """Edit an operation's site (and drop or restore its target)."""
        registration = ops.Registration(
            locations=[ops.LocationData(site=airport, name="Moved")],
            targets=[ops.TargetData(kind="passport", value="AB1234567", label="Courier")]
            if targets else [])
        with self.database.transaction() as session:
            ops.update_operation(session, actor=self.principal(username), op_id=op_id,
                                 registration=registration,
                                 blinding_key=TEST_BLINDING.encode())

    def conflict_of(self, op_id: int) -> ConflictRecord:
        with self.database.transaction(write=False) as session:
            return session.scalars(select(ConflictRecord).where(
                (ConflictRecord.op_a == op_id) | (ConflictRecord.op_b == op_id))).one()

    def acknowledge(self, username: str, conflict_id: int) -> None:
        with self.database.transaction() as session:
            ops.acknowledge_conflict(session, actor=self.principal(username),
                                            conflict_id=conflict_id)

    def run(self, now: datetime) -> list[Any]:
        return run_pending(self.app, now)

    # ------------------------------------------------------------ looking

    def inbox(self, prefix: str = "") -> Counter[tuple[str, str]]:
        """(username, subject) -> how many notifications, for subjects starting with prefix."""
        names = {user.id: name for name, user in self.users.items()}
        with self.database.transaction(write=False) as session:
            rows = session.execute(select(Notification.user_id, Notification.subject))
            return Counter((names[uid], subject) for uid, subject in rows
                           if subject.startswith(prefix))

    def messages(self, prefix: str) -> list[Notification]:
        with self.database.transaction(write=False) as session:
            return [n for n in session.scalars(select(Notification).order_by(Notification.id))
                    if n.subject.startswith(prefix)]

    def outbox(self, prefix: str = "") -> Counter[tuple[str, str]]:
        with self.database.transaction(write=False) as session:
            rows = session.execute(select(OutboxMail.recipient, OutboxMail.subject))
            return Counter((to, subject) for to, subject in rows if subject.startswith(prefix))

    def ledger(self, job_id: str | None = None) -> list[JobRun]:
        query = select(JobRun).order_by(JobRun.id)
        if job_id is not None:
            query = query.where(JobRun.job_id == job_id)
        with self.database.transaction(write=False) as session:
            return list(session.scalars(query))


def create_people(app: Flask) -> dict[str, User]:
    """Everyone in PEOPLE, committed; the DISABLED ones disabled."""
    accounts = Accounts(app)
    users: dict[str, User] = {}
    for username, fields in PEOPLE.items():
        values = dict(fields)
        users[username] = accounts.create(username, values.pop("role"),
                                          values.pop("state", None), **values)
    with app.extensions["jpa.db"].transaction() as session:
        session.execute(update(User).where(User.username.in_(DISABLED)).values(disabled=True))
    return users


@pytest.fixture
def scene(app: Flask) -> Scene:
    """People and the 2031 period (THA and NZL; NZL co-chairs)."""
    built = Scene(app, create_people(app))
    built.period_id = built.make_period(PERIOD_START, PERIOD_END)
    return built


def utc(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A moment in September/October 2031 (day 26 to 30 in September, then October days as
    31+), UTC."""
    return datetime(2031, 9, 26, tzinfo=UTC) + timedelta(days=day - 26, hours=hour,
                                                          minutes=minute, seconds=second)


# ---------------------------------------------------------------- the real executable


@pytest.fixture(scope="module")
def fresh_postgres_database() -> Iterator[str]:
    """A PostgreSQL database of this module alone, migrated to head (made like conftest's
    postgres_url), for the `jpa` processes to share; dropped at the end."""
    with throwaway_database("jpa_sched") as url:
        upgrade_database(url)
        yield url


@pytest.fixture
def fresh_postgres(fresh_postgres_database: str) -> str:
    """That database, emptied for this test."""
    _truncate_postgres(fresh_postgres_database)
    return fresh_postgres_database


def jpa_env(database_url: str, instance: Path) -> dict[str, str]:
    """The environment of a `jpa` process: the database, an instance folder, the keys."""
    instance.mkdir(parents=True, exist_ok=True)
    env = {name: value for name, value in os.environ.items() if not name.startswith("JPA_")}
    env.update({"JPA_DATABASE_URL": database_url, "JPA_INSTANCE_PATH": str(instance),
                "JPA_SECRET_KEY": TEST_SECRET, "JPA_BLINDING_KEY": TEST_BLINDING,
                "JPA_AUDIT_KEY": TEST_AUDIT_KEY})
    return env


@pytest.fixture
def jpa_scheduler() -> Callable[..., subprocess.Popen[str]]:
    """Start `jpa scheduler ARGS` against a database; the caller waits for it."""
    assert JPA.exists(), f"{JPA} is not installed"
    started: list[subprocess.Popen[str]] = []

    def start(database_url: str, instance: Path, *args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [str(JPA), "scheduler", *args], env=jpa_env(database_url, instance),
            cwd=instance, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(process)
        return process

    yield start  # type: ignore[misc]
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)
