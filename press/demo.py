"""The demo period's press side (`jpa demo`): every state signs off its figures, and the
co-chairs publish the regional release of the 2015 tally in English and Bahasa Indonesia,
approved by every state. Idempotent: what exists is left as it is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.identity.models import User
from core.identity.services import Principal
from operations.demo import register_report_seeder
from operations.models import Period
from outcomes.demo import seed_demo_reports
from press import services
from press.models import Release

# After the window and the reports (outcomes.demo stamps them 29 October 2015).
DEMO_SIGNED_AT: Final = datetime(2015, 10, 30, 3, 0, tzinfo=UTC)
DEMO_PUBLISHED_AT: Final = datetime(2015, 11, 2, 2, 0, tzinfo=UTC)
DEMO_TITLES: Final = {
    "en": "Bali Process Joint Period of Action 2015: regional results",
    "id": "Periode Aksi Bersama Proses Bali 2015: hasil regional",
}
DEMO_AUTHOR: Final = "cochair.nzl"


def _principal(session: Session, username: str) -> Principal | None:
    user = session.scalar(select(User).where(User.username == username))
    return Principal.of(user, "demo") if user is not None else None


def seed_demo_signoffs(session: Session, period: Period) -> int:
    """Each demo NLO signs off its state's figures unless a current sign-off exists."""
    current = services.current_signoffs(session, period)
    made = 0
    for state in period.states:
        if state in current and not current[state].stale:
            continue
        officer = _principal(session, f"nlo.{state.lower()}")
        if officer is None or officer.state != state:
            continue
        services.sign_off(session, actor=officer, period_id=period.id, now=DEMO_SIGNED_AT)
        made += 1
    return made


def seed_demo_releases(session: Session, period: Period) -> int:
    """Publish the regional release in English and Bahasa Indonesia unless the period has
    a regional release in that language already; returns how many were published."""
    author = _principal(session, DEMO_AUTHOR)
    if author is None:
        return 0
    existing = set(session.scalars(select(Release.language).where(
        Release.period_id == period.id, Release.scope == "regional")))
    made = 0
    for language, title in DEMO_TITLES.items():
        if language in existing:
            continue
        release = services.create_release(session, actor=author, period_id=period.id,
                                          scope="regional", language=language, title=title,
                                          now=DEMO_PUBLISHED_AT)
        services.submit_release(session, actor=author, release_id=release.id,
                                accept_warnings=True, now=DEMO_PUBLISHED_AT)
        for state in period.states:
            officer = _principal(session, f"nlo.{state.lower()}")
            if officer is not None and officer.state == state:
                services.approve_release(session, actor=officer, release_id=release.id,
                                         now=DEMO_PUBLISHED_AT)
        services.publish_release(session, actor=author, release_id=release.id,
                                 now=DEMO_PUBLISHED_AT)
        made += 1
    return made


def seed_demo_press(session: Session, period: Period) -> int:
    """The demo's reports (outcomes.demo), then its sign-offs and published releases;
    returns how many reports were made, as the report seeder does."""
    reports = seed_demo_reports(session, period)
    seed_demo_signoffs(session, period)
    seed_demo_releases(session, period)
    return reports


def register(app: Flask) -> None:
    """`jpa demo` seeds the press side after the reports (replaces the reports' seeder)."""
    register_report_seeder(app, seed_demo_press)
