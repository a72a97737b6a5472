"""The demo's debrief pack: `jpa demo` builds version 1 of the demo period's pack
synchronously, after the other seeders ran, unless the period has a pack already."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from debrief.models import Pack
from debrief.pack_builder import build_in_session
from debrief.packs import period_handling
from operations.demo import register_report_seeder, report_seeder
from operations.models import Period


def seed_demo_pack(session: Session, period: Period) -> int:
    """Build version 1 of the period's pack now (idempotent: nothing if a pack exists);
    returns how many packs were made."""
    if session.scalar(select(Pack.id).where(Pack.period_id == period.id).limit(1)) is not None:
        return 0
    pack = Pack(period_id=period.id, version=1, status="building", progress=0, stage="queued",
                handling=period_handling(session, period.id), requested_at=utcnow(),
                files=[], zip_bytes=0)
    session.add(pack)
    session.flush()
    audit.record(session, action="debrief.pack.requested", actor_username="demo",
                 object_type="debrief_pack", object_id=pack.id,
                 details={"period_id": period.id, "version": 1, "handling": pack.handling})
    build_in_session(session, pack)
    return 1


def register(app: Flask) -> None:
    """`jpa demo` builds the pack after every seeder registered before this one (register
    packs last, so that the pack holds the whole demo)."""
    earlier = report_seeder(app)

    def seed(session: Session, period: Period) -> int:
        reports = earlier(session, period) if earlier is not None else 0
        seed_demo_pack(session, period)
        return reports

    register_report_seeder(app, seed)
