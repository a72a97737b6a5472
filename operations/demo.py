"""The demo period: the first Bali Process JPA (28 Sep - 28 Oct 2015) and a user of every role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.identity.models import User
from core.identity.services import IdentityPolicy, create_user
from operations.models import Period, PeriodState

DEMO_PERIOD_NAME = "Bali Process Joint Period of Action 2015 (demo)"
DEMO_PASSWORD = "bali-process-2015"  # noqa: S105 - printed for the demo on purpose
DEMO_STATES = ["AUS", "IDN", "MYS", "MDV", "NZL", "PHL", "LKA", "THA"]
DEMO_CO_CHAIRS = ["NZL", "LKA"]
_JAKARTA = timezone(timedelta(hours=7))

DEMO_USERS: list[tuple[str, str, str | None, str]] = [
    ("admin", "admin", None, "Platform Administrator"),
    ("cochair.nzl", "co_chair", "NZL", "Aroha Ngata"),
    ("cochair.lka", "co_chair", "LKA", "Nimal Perera"),
    ("analyst", "analyst", None, "Dana Analyst"),
    ("nlo.aus", "liaison_officer", "AUS", "Sam Taylor"),
    ("nlo.idn", "liaison_officer", "IDN", "Budi Santoso"),
    ("nlo.mys", "liaison_officer", "MYS", "Aisyah Rahman"),
    ("nlo.mdv", "liaison_officer", "MDV", "Ahmed Shareef"),
    ("nlo.nzl", "liaison_officer", "NZL", "Mere Wihongi"),
    ("nlo.phl", "liaison_officer", "PHL", "Maria Santos"),
    ("nlo.lka", "liaison_officer", "LKA", "Kamal Silva"),
    ("nlo.tha", "liaison_officer", "THA", "Somchai Wong"),
]


@dataclass
class DemoResult:
    """What `seed_demo` made and the logins to print."""

    period_id: int
    period_name: str
    created_users: int
    logins: list[tuple[str, str, str | None]] = field(default_factory=list)


def seed_demo(session: Session, *, policy: IdentityPolicy) -> DemoResult:
    """Create the demo users and period unless they exist (running it twice changes nothing)."""
    created = 0
    for username, role, state, full_name in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            email = f"{username}@demo.jpa.invalid"
            create_user(session, actor=None, policy=policy, username=username,
                        password=DEMO_PASSWORD, role=role, state=state, full_name=full_name,
                        email=email, phone="+64 4 000 0000" if state == "NZL" else None)
            created += 1
    period = session.scalar(select(Period).where(Period.name == DEMO_PERIOD_NAME))
    if period is None:
        period = Period(name=DEMO_PERIOD_NAME,
                        starts_at=datetime(2015, 9, 28, tzinfo=_JAKARTA),
                        ends_at=datetime(2015, 10, 28, tzinfo=_JAKARTA))
        period.participants = [PeriodState(state=code, is_co_chair=code in DEMO_CO_CHAIRS)
                               for code in sorted(DEMO_STATES)]
        session.add(period)
        session.flush()
        audit.record(session, action="period.created", actor_username="demo",
                     object_type="period", object_id=period.id)
    logins = [(username, role, state) for username, role, state, _ in DEMO_USERS]
    return DemoResult(period.id, period.name, created, logins)
