"""The world of the home-page and list tests (issue 14, points 5 and 7): an active period of
THA, MYS and NZL (co-chair NZL) with a high conflict between THA and MYS, a closed period and
an upcoming one of THA, and a report of THA for one earlier day. Imported as
`tests.web.ux_home_support` by the page tests and the browser tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask

from core.identity.services import Principal
from operations import services as operations
from outcomes import services as outcomes

PEOPLE = {
    "nlo.tha": ("liaison_officer", "THA", "Somchai Srisuk", "Asia/Bangkok"),
    "nlo.mys": ("liaison_officer", "MYS", "Aminah Rahman", "Asia/Kuala_Lumpur"),
    "nlo.nzl": ("liaison_officer", "NZL", "Aroha Ngata", "Pacific/Auckland"),
    "co.nzl": ("co_chair", "NZL", "Co-chair NZ", "Pacific/Auckland"),
    "ana": ("analyst", None, "Ana Lyst", "UTC"),
    "adm": ("admin", None, "Platform Admin", "UTC"),
}


@dataclass
class HomeWorld:
    """Ids of what the tests look at."""

    active: int
    closed: int
    upcoming: int
    ops: dict[str, int]
    conflict: int
    reported_day: date
    now: datetime


def principal(app: Flask, username: str) -> Principal:
    """The principal of a test user (for service calls behind the pages)."""
    from sqlalchemy import select

    from core.identity.models import User

    with app.extensions["jpa.db"].transaction(write=False) as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return Principal.of(user, "test")


def build_home_world(app: Flask, accounts: Any, password: str) -> HomeWorld:
    """Make the people, the three periods, the conflicting pair and THA's one report."""
    for username, (role, state, name, zone) in PEOPLE.items():
        accounts.create(username, role, state, password=password, full_name=name,
                        email=f"{username}@example.org", time_zone=zone)
    admin = principal(app, "adm")
    now = datetime.now(UTC).replace(microsecond=0)
    key = app.extensions["jpa.settings"].blinding_key.encode()
    with app.extensions["jpa.db"].transaction() as session:
        active = operations.create_period(
            session, actor=admin, name="Active JPA", starts_at=now - timedelta(days=3),
            ends_at=now + timedelta(days=20), states=["MYS", "NZL", "THA"], co_chairs=["NZL"])
        closed = operations.create_period(
            session, actor=admin, name="Closed JPA 2015",
            starts_at=datetime(2015, 9, 28, tzinfo=UTC), ends_at=datetime(2015, 10, 28, tzinfo=UTC),
            states=["THA", "MYS"], co_chairs=["MYS"])
        upcoming = operations.create_period(
            session, actor=admin, name="Next JPA", starts_at=now + timedelta(days=40),
            ends_at=now + timedelta(days=60), states=["THA", "NZL"], co_chairs=["NZL"])
        ops: dict[str, int] = {}
        outcome = None
        for who, phone, title in (("nlo.tha", "081 234 5678", "Bangkok phone op"),
                                  ("nlo.mys", "+66 81 234 5678", "KL phone op")):
            op, outcome = operations.register_operation(
                session, actor=principal(app, who), period_id=active.id,
                registration=operations.Registration(
                    title=title, type="network_targeting", lead_agency="Police",
                    starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2),
                    locations=[operations.LocationData(site="BKK" if who == "nlo.tha"
                                                       else "KUL")],
                    targets=[operations.TargetData(kind="phone", value=phone,
                                                   label=f"{who} phone")]),
                blinding_key=key)
            ops[who] = op.id
        assert outcome is not None and outcome.current
        conflict = outcome.current[0].id
        ids = (active.id, closed.id, upcoming.id)
    tha = principal(app, "nlo.tha")
    first_day = outcomes.local_dates(_period(app, ids[0]), "THA")[0]
    reported = first_day + timedelta(days=1)
    with app.extensions["jpa.db"].transaction() as session:
        outcomes.submit_report(session, actor=tha, period_id=ids[0], on=reported,
                               values={"arrests": 2})
    return HomeWorld(ids[0], ids[1], ids[2], ops, conflict, reported, now)


def _period(app: Flask, pid: int) -> Any:
    from operations.models import Period

    with app.extensions["jpa.db"].transaction(write=False) as session:
        period = session.get(Period, pid)
        assert period is not None
        session.expunge(period)
        return period


def thai_today(moment: datetime | None = None) -> date:
    """Today's date in Thailand's zone (THA's "today" for reporting)."""
    return (moment or datetime.now(UTC)).astimezone(outcomes.state_zone("THA")).date()
