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
from debrief.annex_models import Annex
from debrief.models import DEFAULT_HANDLING, DebriefSettings, Pack
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


def status_words(pack: Pack | Annex) -> str:
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


def newest_annex(session: Session, *, period_id: int, state: str,
                 status: str | None = None) -> Annex | None:
    """The state's newest annex of the period (of that status, when given)."""
    query = select(Annex).where(Annex.period_id == period_id, Annex.state == state)
    if status is not None:
        query = query.where(Annex.status == status)
    return session.scalar(query.order_by(Annex.id.desc()).limit(1))


def request_annex(session: Session, *, actor: Principal, period_id: int,
                  now: datetime | None = None) -> Annex:
    """Queue a build of the NLO's state's annex from the current data (the scheduler's
    worker builds it, as a pack); one already queued or building is returned instead of a
    second. A synchronous build took 31 s at 10,000 operations: longer than a web worker may
    take (see the README)."""
    period = annex_period(session, actor=actor, period_id=period_id)
    state = str(actor.state)
    building = newest_annex(session, period_id=period.id, state=state, status="building")
    if building is not None:
        return building
    annex = Annex(period_id=period.id, state=state, status="building", progress=0,
                  stage="queued", handling=period_handling(session, period.id),
                  requested_at=now or utcnow(), requested_by=actor.id, files=[], zip_bytes=0)
    session.add(annex)
    session.flush()
    audit.record(session, action="debrief.annex.requested", actor=actor,
                 object_type="debrief_annex", object_id=annex.id,
                 details={"period_id": period.id, "state": state})
    return annex


def annex_status(session: Session, *, actor: Principal, period_id: int) -> Annex | None:
    """The NLO's state's newest annex (building, ready or failed), None if never requested."""
    period = annex_period(session, actor=actor, period_id=period_id)
    return newest_annex(session, period_id=period.id, state=str(actor.state))


def download_annex(session: Session, *, actor: Principal, period_id: int) -> Download:
    """The state's newest ready annex (409 while none is ready yet); audited."""
    period = annex_period(session, actor=actor, period_id=period_id)
    state = str(actor.state)
    ready = newest_annex(session, period_id=period.id, state=state, status="ready")
    if ready is None:
        newest = newest_annex(session, period_id=period.id, state=state)
        if newest is not None and newest.status == "building":
            raise InvalidTransition(f"The annex is still being built ({newest.progress} %); "
                                    "download it when it is ready.")
        raise InvalidTransition("No annex of your state is ready: request one first "
                                "(POST to this address, or the button on the annex page).")
    content = session.scalar(select(Annex.content).where(Annex.id == ready.id)) or b""
    audit.record(session, action="debrief.annex.downloaded", actor=actor,
                 object_type="debrief_annex", object_id=ready.id,
                 details={"period_id": period.id, "state": state})
    return Download(annex_filename(period.id, state), content)


def annex_view(annex: Annex) -> dict[str, Any]:
    """An annex as the API and the status route show it."""
    return {"id": annex.id, "period_id": annex.period_id, "state": annex.state,
            "status": annex.status, "progress": annex.progress, "stage": annex.stage,
            "handling": annex.handling, "files": list(annex.files or []),
            "zip_bytes": annex.zip_bytes, "requested_at": annex.requested_at,
            "generated_at": annex.generated_at, "finished_at": annex.finished_at,
            "error": annex.error if annex.status == "failed" else None}
