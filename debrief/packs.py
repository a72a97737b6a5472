"""Debrief packs: request one (a queued row the scheduler's worker builds), read, list and
download the stored versions, and an NLO's annex of its own state (DESIGN.md "Debrief packs").

Who: the period's co-chairs and analysts request packs; co-chairs who see the period and
analysts read and download them; NLOs never see the packs themselves (404, as for anything
invisible): they download their state's annex, which carries the same pack plus their own
additions. The administrator runs the platform and sees no pack (403).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import DomainError, Forbidden, InvalidTransition, NotFound
from core.identity.models import Role
from core.identity.services import Principal
from debrief.models import DEFAULT_HANDLING, DebriefSettings, Pack
from debrief.pack_content import PackRequest, build_pack_files
from debrief.pack_zip import build_archive
from operations.models import Period
from operations.services import get_period

READERS = (Role.CO_CHAIR, Role.ANALYST)


class PackFailed(DomainError):
    """The pack's build failed: there is nothing to download (request a new version)."""

    status = 410
    code = "pack_failed"


@dataclass(frozen=True)
class Download:
    """A ZIP to send: its file name (fixed, no user text) and bytes."""

    filename: str
    content: bytes


def _refuse_role(actor: Principal) -> None:
    """Administrators: 403 (a function of no use to their role); NLOs: 404 (packs are not
    theirs to see, and invisible things are 404)."""
    if actor.role == Role.ADMIN:
        raise Forbidden("The administrator does not see debrief packs.")
    if actor.role not in READERS:
        raise NotFound("debrief pack")


def readable_period(session: Session, *, actor: Principal, period_id: int) -> Period:
    """The period, if the actor may read its packs."""
    _refuse_role(actor)
    return get_period(session, actor=actor, period_id=period_id)


def period_handling(session: Session, period_id: int) -> str:
    """The handling code the period's debrief is marked with (default H2)."""
    found = session.scalar(select(DebriefSettings.handling)
                           .where(DebriefSettings.period_id == period_id))
    return found or DEFAULT_HANDLING


def may_request(actor: Principal, period: Period) -> bool:
    """The period's co-chairs and analysts build packs."""
    if actor.role == Role.ANALYST:
        return True
    return actor.role == Role.CO_CHAIR and actor.state in (period.co_chairs or [])


def request_pack(session: Session, *, actor: Principal, period_id: int,
                 now: datetime | None = None) -> Pack:
    """Queue a new version of the period's pack (status building, stage "queued"); the
    scheduler's worker builds it. Versions are numbered per period: 1, 2, ..."""
    period = readable_period(session, actor=actor, period_id=period_id)
    if not may_request(actor, period):
        raise Forbidden("Only the period's co-chairs and analysts build debrief packs.")
    # Two requests at once must not compute the same version: the period's row is locked for
    # the transaction on PostgreSQL (SQLite serialises writers anyway).
    session.execute(select(Period.id).where(Period.id == period.id).with_for_update())
    latest = session.scalar(select(func.max(Pack.version)).where(Pack.period_id == period.id))
    pack = Pack(period_id=period.id, version=(latest or 0) + 1, status="building", progress=0,
                stage="queued", handling=period_handling(session, period.id),
                requested_at=now or utcnow(), requested_by=actor.id, files=[], zip_bytes=0)
    session.add(pack)
    session.flush()
    audit.record(session, action="debrief.pack.requested", actor=actor,
                 object_type="debrief_pack", object_id=pack.id,
                 details={"period_id": period.id, "version": pack.version,
                          "handling": pack.handling})
    return pack


def visible_pack(session: Session, *, actor: Principal, pack_id: int) -> Pack:
    """A pack the actor may read; NotFound otherwise (Forbidden for the administrator)."""
    _refuse_role(actor)
    pack = session.get(Pack, pack_id)
    if pack is None:
        raise NotFound("debrief pack")
    try:
        get_period(session, actor=actor, period_id=pack.period_id)
    except NotFound:
        raise NotFound("debrief pack") from None
    return pack


def list_packs(session: Session, *, actor: Principal, period_id: int) -> list[Pack]:
    """The period's packs, newest version first."""
    period = readable_period(session, actor=actor, period_id=period_id)
    return list(session.scalars(select(Pack).where(Pack.period_id == period.id)
                                .order_by(Pack.version.desc())))


def pack_view(pack: Pack) -> dict[str, Any]:
    """A pack as the API and the status route show it."""
    return {"id": pack.id, "period_id": pack.period_id, "version": pack.version,
            "status": pack.status, "progress": pack.progress, "stage": pack.stage,
            "handling": pack.handling, "files": list(pack.files or []),
            "zip_bytes": pack.zip_bytes, "requested_at": pack.requested_at,
            "generated_at": pack.generated_at, "finished_at": pack.finished_at,
            "error": pack.error if pack.status == "failed" else None}


def status_words(pack: Pack) -> str:
    """What the progress bar says: "Building: outcomes (40 %)", "Ready", "Failed: ..."."""
    if pack.status == "ready":
        return "Ready"
    if pack.status == "failed":
        return f"Failed: {pack.error or 'the build stopped'}"
    if pack.stage == "queued":
        return "Queued: waiting for the builder (0 %)"
    return f"Building: {pack.stage} ({pack.progress} %)"


def pack_filename(pack: Pack) -> str:
    """The download's file name: ids and the version only, never user text."""
    return f"debrief-pack-period{pack.period_id}-v{pack.version}.zip"


def _ready(pack: Pack) -> None:
    if pack.status == "building":
        raise InvalidTransition(f"The pack is still being built ({pack.progress} %); "
                                "download it when it is ready.")
    if pack.status == "failed":
        raise PackFailed("The pack's build failed; request a new version.")


def download_pack(session: Session, *, actor: Principal, pack_id: int) -> Download:
    """The stored ZIP of a ready pack (409 while building, 410 once failed); audited."""
    pack = visible_pack(session, actor=actor, pack_id=pack_id)
    _ready(pack)
    content = session.scalar(select(Pack.content).where(Pack.id == pack.id)) or b""
    audit.record(session, action="debrief.pack.downloaded", actor=actor,
                 object_type="debrief_pack", object_id=pack.id,
                 details={"period_id": pack.period_id, "version": pack.version})
    return Download(pack_filename(pack), content)


def stored_file(session: Session, *, actor: Principal, pack_id: int, name: str) -> bytes:
    """One entry of a ready pack's stored ZIP (report.html for the screen); audited."""
    pack = visible_pack(session, actor=actor, pack_id=pack_id)
    _ready(pack)
    if name not in {f.get("name") for f in pack.files or []}:
        raise NotFound("file")
    content = session.scalar(select(Pack.content).where(Pack.id == pack.id)) or b""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        data = archive.read(name)
    audit.record(session, action="debrief.pack.viewed", actor=actor,
                 object_type="debrief_pack", object_id=pack.id,
                 details={"period_id": pack.period_id, "version": pack.version, "file": name})
    return data


# ---------------------------------------------------------------- an NLO's annex


def annex_period(session: Session, *, actor: Principal, period_id: int) -> Period:
    """The period whose annex the actor may download: NLOs of a participating state only
    (co-chairs, analysts and the administrator: 403; a period not theirs: 404)."""
    if actor.role != Role.LIAISON_OFFICER or not actor.state:
        raise Forbidden("Only a participating state's national liaison officers download "
                        "its annex.")
    return get_period(session, actor=actor, period_id=period_id)


def annex_filename(period_id: int, state: str) -> str:
    """The annex's file name (ids and the ISO code only)."""
    return f"debrief-annex-period{period_id}-{state}.zip"


def build_annex(session: Session, *, actor: Principal, period_id: int,
                now: datetime | None = None) -> Download:
    """The NLO's state's annex, built now from the current data (synchronously: see the
    README's measured figures). Reads only: the caller runs it in a read transaction (on
    SQLite a write transaction would hold the writers' lock for the whole build) and then
    records it with `record_annex`. Its manifest says version 0: an annex is not one of the
    period's stored versions."""
    period = annex_period(session, actor=actor, period_id=period_id)
    state = str(actor.state)
    moment = now or utcnow()
    handling = period_handling(session, period.id)
    files = build_pack_files(session, PackRequest(period_id=period.id, version=0,
                                                  handling=handling, generated_at=moment,
                                                  annex_state=state), lambda _p, _s: None)
    archive = build_archive(files, period={"id": period.id, "name": period.name}, version=0,
                            generated_at=moment, handling=handling, annex_state=state)
    return Download(annex_filename(period.id, state), archive.content)


def record_annex(session: Session, *, actor: Principal, period_id: int,
                 download: Download) -> None:
    """Audit an annex handed to its NLO."""
    audit.record(session, action="debrief.annex.downloaded", actor=actor,
                 object_type="period", object_id=period_id,
                 details={"state": actor.state, "zip_bytes": len(download.content)})
