"""A full world for walking every page: `jpa demo` (the closed 2015 period with its users,
operations, conflicts, reports, releases and improvement plan) plus an active period in which
THA and MYS registered operations sharing a phone number (a high conflict)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select

from core.identity.models import User
from core.identity.services import Principal
from deconfliction.models import ConflictRecord
from operations import services as operations
from operations.demo import DEMO_PASSWORD, DEMO_PERIOD_NAME
from operations.models import Period
from tests.e2e.conftest import Ui, log_in_as

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"1366": LAPTOP, "390": PHONE}

# The user of each role that the walk logs in as (all from `jpa demo`, one password).
ROLE_USERS = {"admin": "admin", "co_chair": "cochair.nzl", "nlo": "nlo.tha",
              "analyst": "analyst"}


@dataclass(frozen=True)
class World:
    """Ids that the tests open."""

    demo_period: int
    active_period: int
    thai_operation: int
    malaysian_operation: int
    high_conflict: int


def _user(session: Any, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def build_world(app: Flask, runner: Any) -> World:
    """Seed the demo, then the active period with a high conflict between THA and MYS."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    key = app.extensions["jpa.settings"].blinding_key.encode()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with app.extensions["jpa.db"].transaction() as session:
        demo = session.scalars(select(Period).where(Period.name == DEMO_PERIOD_NAME)).one()
        admin = Principal.of(_user(session, "admin"), "setup")
        period = operations.create_period(
            session, actor=admin, name="JPA 2026 south-east Asia", starts_at=now - timedelta(
                days=3), ends_at=now + timedelta(days=27), states=["MYS", "NZL", "THA"],
            co_chairs=["NZL"])
        ids = []
        for username, title, site, label in (
                ("nlo.tha", "Suvarnabhumi departure checks", "BKK", "Facilitator K"),
                ("nlo.mys", "KLIA transit checks", "KUL", "Recruiter A")):
            start = now + timedelta(days=1)
            operation, _ = operations.register_operation(
                session, actor=Principal.of(_user(session, username), "setup"),
                period_id=period.id, blinding_key=key,
                registration=operations.Registration(
                    title=title, type="airport_checks", lead_agency="Police",
                    starts_at=start, ends_at=start + timedelta(hours=10),
                    locations=[operations.LocationData(site=site)],
                    targets=[operations.TargetData(kind="phone", value="+66 81 234 5678",
                                                   label=label)]))
            ids.append(operation.id)
        high = session.scalar(select(ConflictRecord.id).where(
            ConflictRecord.period_id == period.id, ConflictRecord.severity == "high"))
        assert high is not None, "the two registrations made no high conflict"
        return World(demo.id, period.id, ids[0], ids[1], high)


def log_in_demo(ui: Ui, username: str) -> Page:
    """Log in as a demo user (every demo user has the same password)."""
    return log_in_as(ui, username, DEMO_PASSWORD)


def settle(page: Page) -> None:
    """Let layout, resize observers and two frames run (after a resize or a load)."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => "
                  "requestAnimationFrame(r)))")
