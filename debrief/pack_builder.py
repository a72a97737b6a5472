"""The background build of debrief packs: claim one queued pack, build its files with
visible progress, zip, store; run by the scheduler process's worker (`core.workers`), by
`jpa debrief build-pending` and by the demo, never by a web worker.

A claim is a guarded UPDATE (`... SET claimed_at = :now WHERE id = :id AND status =
'building' AND (claimed_at IS NULL OR claimed_at < :stale)`): exactly one claimer wins, also
across processes. A claim older than `STALE_CLAIM` is taken again (its builder died); every
later write of a build (progress, the result, a failure) is guarded by the claim it holds,
so a builder that lost its claim writes nothing and stops at its next progress step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core import audit, notify
from core.db import Database, utcnow
from core.workers import register_worker
from debrief.models import Pack
from debrief.pack_content import PackRequest, build_pack_files
from debrief.pack_zip import build_archive
from operations.models import Period

log = logging.getLogger(__name__)

WORKER_ID = "debrief.packs"
POLL_SECONDS = 2.0
STALE_CLAIM = timedelta(minutes=15)
# Content progress (0-100) is shown as 5-90 % of the whole; zipping and storing take the rest.
_CONTENT_FROM, _CONTENT_TO = 5, 90


class ClaimLost(RuntimeError):
    """The pack was re-claimed (this build was too slow) or deleted: stop building."""


@dataclass(frozen=True)
class Claim:
    """A pack this builder holds: its id and the claim's time (the guard of every write)."""

    pack_id: int
    claimed_at: datetime


def _claimable(now: datetime, stale_after: timedelta) -> object:
    return (Pack.status == "building") & or_(Pack.claimed_at.is_(None),
                                             Pack.claimed_at < now - stale_after)


def claim(database: Database, pack_id: int, *, now: datetime | None = None,
          stale_after: timedelta = STALE_CLAIM) -> Claim | None:
    """Claim one pack if it is queued (or its claim is stale); None if another has it."""
    moment = now or utcnow()
    with database.transaction() as session:
        result = session.execute(
            update(Pack).where(Pack.id == pack_id, _claimable(moment, stale_after))
            .values(claimed_at=moment, stage="starting", progress=0)
            .execution_options(synchronize_session=False))
    return Claim(pack_id, moment) if result.rowcount == 1 else None  # type: ignore[attr-defined]


def claim_next(database: Database, *, now: datetime | None = None,
               stale_after: timedelta = STALE_CLAIM) -> Claim | None:
    """Claim the oldest claimable pack, if any."""
    moment = now or utcnow()
    with database.transaction(write=False) as session:
        candidates = list(session.scalars(
            select(Pack.id).where(_claimable(moment, stale_after)).order_by(Pack.id).limit(5)))
    for pack_id in candidates:  # another process may take one between the read and the claim
        held = claim(database, pack_id, now=moment, stale_after=stale_after)
        if held is not None:
            return held
    return None


def _held(claim_: Claim) -> object:
    return ((Pack.id == claim_.pack_id) & (Pack.claimed_at == claim_.claimed_at)
            & (Pack.status == "building"))


def _write_progress(database: Database, claim_: Claim, percent: int, stage: str) -> None:
    """Commit the progress in a short transaction of its own, so that the page sees it."""
    with database.transaction() as session:
        result = session.execute(update(Pack).where(_held(claim_))
                                 .values(progress=percent, stage=stage[:200])
                                 .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ClaimLost(f"pack {claim_.pack_id} was re-claimed or deleted")


def progress_writer(database: Database, claim_: Claim,
                    observe: Callable[[int, str], None] | None = None,
                    ) -> Callable[[int, str], None]:
    """The callback given to the content: maps its 0-100 onto the whole build and writes
    each change; `observe` (tests, the bench) sees what was written."""
    last: list[tuple[int, str]] = []

    def report(percent: int, stage: str) -> None:
        scaled = _CONTENT_FROM + (_CONTENT_TO - _CONTENT_FROM) * max(0, min(100, percent)) // 100
        if last and last[-1] == (scaled, stage):
            return
        last.append((scaled, stage))
        _write_progress(database, claim_, scaled, stage)
        if observe is not None:
            observe(scaled, stage)

    return report


def _short(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:300]


def build_claimed(database: Database, claim_: Claim, *,
                  observe: Callable[[int, str], None] | None = None) -> str:
    """Build a claimed pack: "ready", "failed" (marked failed with a short error, logged in
    full) or "lost" (re-claimed by another builder, or deleted with its period)."""
    report = progress_writer(database, claim_, observe)
    try:
        with database.transaction(write=False) as session:
            pack = session.get(Pack, claim_.pack_id)
            period = session.get(Period, pack.period_id) if pack is not None else None
            if pack is None or period is None:
                raise ClaimLost(f"pack {claim_.pack_id} is gone")
            request = PackRequest(period_id=period.id, version=pack.version,
                                  handling=pack.handling, generated_at=utcnow())
            period_facts = {"id": period.id, "name": period.name}
            files = build_pack_files(session, request, report)
        report(100, "zipping")  # content done: 90 %
        archive = build_archive(files, period=period_facts, version=request.version,
                                generated_at=request.generated_at, handling=request.handling)
    except ClaimLost as lost:
        log.warning("debrief pack build stopped: %s", lost)
        return "lost"
    except Exception as error:  # a failed build must never stay "building"
        log.exception("debrief pack %s failed", claim_.pack_id)
        return _fail(database, claim_, _short(error))
    with database.transaction() as session:
        result = session.execute(
            update(Pack).where(_held(claim_)).values(
                status="ready", progress=100, stage="ready", content=archive.content,
                files=[f.as_dict() for f in archive.files], zip_bytes=len(archive.content),
                generated_at=request.generated_at, finished_at=utcnow(), error=None)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return "lost"
        _built(session, claim_.pack_id, request, len(archive.content), len(archive.files))
    if observe is not None:
        observe(100, "ready")
    return "ready"


def _built(session: Session, pack_id: int, request: PackRequest, size: int, count: int) -> None:
    """Audit the build's end and tell whoever requested it (they wait for it)."""
    audit.record(session, action="debrief.pack.built", actor_username="scheduler",
                 object_type="debrief_pack", object_id=pack_id,
                 details={"period_id": request.period_id, "version": request.version,
                          "zip_bytes": size, "files": count})
    _tell_requester(session, pack_id, f"Debrief pack version {request.version} is ready",
                    "The debrief pack you requested is ready to download.")


def _tell_requester(session: Session, pack_id: int, subject: str, body: str) -> None:
    from core.identity.models import User

    requester = session.scalar(select(User).join(Pack, Pack.requested_by == User.id)
                               .where(Pack.id == pack_id, User.disabled.is_(False)))
    if requester is not None:
        link = f"/debrief/packs/{pack_id}"
        notify.notify(session, user_id=requester.id, email=requester.email, subject=subject,
                      body=f"{body}\n\n{link}", link=link)


def _fail(database: Database, claim_: Claim, error: str) -> str:
    """Mark the pack failed (if this builder still holds it) and audit it."""
    try:
        with database.transaction() as session:
            result = session.execute(
                update(Pack).where(_held(claim_)).values(
                    status="failed", stage="failed", error=error, finished_at=utcnow())
                .execution_options(synchronize_session=False))
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return "lost"
            audit.record(session, action="debrief.pack.built", outcome="failed",
                         actor_username="scheduler", object_type="debrief_pack",
                         object_id=claim_.pack_id, details={"error": error})
            _tell_requester(session, claim_.pack_id, "A debrief pack could not be built",
                            f"The debrief pack you requested could not be built ({error}). "
                            "Request a new version; the error is in the server's log.")
    except Exception:  # logged; the stale claim lets a later poll retry it
        log.exception("could not mark debrief pack %s failed", claim_.pack_id)
        return "lost"
    return "failed"


def build_next(app: Flask, *, observe: Callable[[int, str], None] | None = None) -> int:
    """The worker's poll: claim one queued pack and build it; how many were built (0 or 1)."""
    database: Database = app.extensions["jpa.db"]
    held = claim_next(database)
    if held is None:
        return 0
    outcome = build_claimed(database, held, observe=observe)
    log.info("debrief pack %s: %s", held.pack_id, outcome)
    return 1


def build_pending(app: Flask, *, limit: int = 1000) -> int:
    """Build every queued pack, one after another (`jpa debrief build-pending`)."""
    built = 0
    while built < limit and build_next(app):
        built += 1
    return built


def build_in_session(session: Session, pack: Pack) -> None:
    """Build a pack inside the caller's transaction, without a claim or progress (the demo:
    nothing else is running)."""
    period = session.get(Period, pack.period_id)
    assert period is not None
    request = PackRequest(period_id=period.id, version=pack.version, handling=pack.handling,
                          generated_at=utcnow())
    files = build_pack_files(session, request, lambda _p, _s: None)
    archive = build_archive(files, period={"id": period.id, "name": period.name},
                            version=pack.version, generated_at=request.generated_at,
                            handling=pack.handling)
    pack.status, pack.progress, pack.stage = "ready", 100, "ready"
    pack.content, pack.files = archive.content, [f.as_dict() for f in archive.files]
    pack.zip_bytes, pack.generated_at = len(archive.content), request.generated_at
    pack.claimed_at = pack.finished_at = utcnow()
    session.flush()
    audit.record(session, action="debrief.pack.built", actor_username="demo",
                 object_type="debrief_pack", object_id=pack.id,
                 details={"period_id": period.id, "version": pack.version,
                          "zip_bytes": pack.zip_bytes, "files": len(archive.files)})


def register(app: Flask) -> None:
    """The scheduler process's worker that builds queued packs every two seconds."""
    register_worker(app, WORKER_ID, build_next, interval_seconds=POLL_SECONDS,
                    description="build queued debrief packs")
