"""The background build of debrief packs and NLOs' annexes: claim one queued row, build its
files with visible progress, zip, store; run by the scheduler process's worker
(`core.workers`), by `jpa debrief build-pending` and by the demo, never by a web worker.
Packs and annexes share the machinery: the same columns, claims and progress; an annex is the
content built with its state (`annex_state`) and is not a numbered version.

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
from typing import Any

from flask import Flask
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from core import audit, notify
from core.db import Database, utcnow
from core.workers import register_worker
from debrief.annex_models import Annex
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


Buildable = type[Pack] | type[Annex]
KINDS: dict[str, Buildable] = {"pack": Pack, "annex": Annex}


class ClaimLost(RuntimeError):
    """The pack was re-claimed (this build was too slow) or deleted: stop building."""


@dataclass(frozen=True)
class Claim:
    """A pack (or annex) this builder holds: its id and the claim's time (the guard of every
    write); `kind` names the table."""

    pack_id: int
    claimed_at: datetime
    kind: str = "pack"

    @property
    def model(self) -> Buildable:
        """The claimed row's class."""
        return KINDS[self.kind]


def _claimable(model: Buildable, now: datetime, stale_after: timedelta) -> Any:
    return (model.status == "building") & or_(model.claimed_at.is_(None),
                                              model.claimed_at < now - stale_after)


def claim(database: Database, pack_id: int, *, now: datetime | None = None,
          stale_after: timedelta = STALE_CLAIM, kind: str = "pack") -> Claim | None:
    """Claim one pack (or annex) if it is queued or its claim is stale; None if another has
    it."""
    model, moment = KINDS[kind], now or utcnow()
    with database.transaction() as session:
        result = session.execute(
            update(model).where(model.id == pack_id, _claimable(model, moment, stale_after))
            .values(claimed_at=moment, stage="starting", progress=0)
            .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return Claim(pack_id, moment, kind)


def claim_next(database: Database, *, now: datetime | None = None,
               stale_after: timedelta = STALE_CLAIM) -> Claim | None:
    """Claim the oldest claimable pack, else the oldest claimable annex, if any."""
    moment = now or utcnow()
    for kind, model in KINDS.items():
        with database.transaction(write=False) as session:
            candidates = list(session.scalars(
                select(model.id).where(_claimable(model, moment, stale_after))
                .order_by(model.id).limit(5)))
        for pack_id in candidates:  # another process may take one between read and claim
            held = claim(database, pack_id, now=moment, stale_after=stale_after, kind=kind)
            if held is not None:
                return held
    return None


def _held(claim_: Claim) -> Any:
    model = claim_.model
    return ((model.id == claim_.pack_id) & (model.claimed_at == claim_.claimed_at)
            & (model.status == "building"))


def _write_progress(database: Database, claim_: Claim, percent: int, stage: str) -> None:
    """Commit the progress in a short transaction of its own, so that the page sees it."""
    with database.transaction() as session:
        result = session.execute(update(claim_.model).where(_held(claim_))
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
            row: Any = session.get(claim_.model, claim_.pack_id)
            period = session.get(Period, row.period_id) if row is not None else None
            if row is None or period is None:
                raise ClaimLost(f"{claim_.kind} {claim_.pack_id} is gone")
            request = request_of(row, utcnow())
            period_facts = {"id": period.id, "name": period.name}
            files = build_pack_files(session, request, report)
        report(100, "zipping")  # content done: 90 %
        archive = build_archive(files, period=period_facts, version=request.version,
                                generated_at=request.generated_at, handling=request.handling,
                                annex_state=request.annex_state)
    except ClaimLost as lost:
        log.warning("debrief pack build stopped: %s", lost)
        return "lost"
    except Exception as error:  # a failed build must never stay "building"
        log.exception("debrief %s %s failed", claim_.kind, claim_.pack_id)
        return _fail(database, claim_, _short(error))
    with database.transaction() as session:
        result = session.execute(
            update(claim_.model).where(_held(claim_)).values(
                status="ready", progress=100, stage="ready", content=archive.content,
                files=[f.as_dict() for f in archive.files], zip_bytes=len(archive.content),
                generated_at=request.generated_at, finished_at=utcnow(), error=None)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return "lost"
        _built(session, claim_, request, len(archive.content), len(archive.files))
    if observe is not None:
        observe(100, "ready")
    return "ready"


def request_of(row: Any, moment: datetime) -> PackRequest:
    """What the content builds for a pack (its version) or an annex (version 0, its state)."""
    if isinstance(row, Annex):
        return PackRequest(period_id=row.period_id, version=0, handling=row.handling,
                           generated_at=moment, annex_state=row.state)
    return PackRequest(period_id=row.period_id, version=row.version, handling=row.handling,
                       generated_at=moment)


def _built(session: Session, claim_: Claim, request: PackRequest, size: int,
           count: int) -> None:
    """Audit the build's end, drop an annex's older builds, tell whoever requested it."""
    audit.record(session, action=f"debrief.{claim_.kind}.built", actor_username="scheduler",
                 object_type=f"debrief_{claim_.kind}", object_id=claim_.pack_id,
                 details={"period_id": request.period_id, "version": request.version,
                          "state": request.annex_state, "zip_bytes": size, "files": count})
    if request.annex_state is not None:  # the newest annex replaces the state's older ones
        session.execute(delete(Annex).where(
            Annex.period_id == request.period_id, Annex.state == request.annex_state,
            Annex.id < claim_.pack_id, Annex.status != "building"))
        subject = f"The debrief annex of {request.annex_state} is ready"
    else:
        subject = f"Debrief pack version {request.version} is ready"
    _tell_requester(session, claim_, subject, "What you requested is ready to download.")


def _tell_requester(session: Session, claim_: Claim, subject: str, body: str) -> None:
    from core.identity.models import User

    model: Any = claim_.model
    row = session.execute(select(User, model.period_id)
                          .join(model, model.requested_by == User.id)
                          .where(model.id == claim_.pack_id, User.disabled.is_(False))).first()
    if row is not None:
        requester, period_id = row
        link = (f"/debrief/packs/{claim_.pack_id}" if claim_.kind == "pack"
                else f"/periods/{period_id}/debrief/annex")
        notify.notify(session, user_id=requester.id, email=requester.email, subject=subject,
                      body=f"{body}\n\n{link}", link=link)


def _fail(database: Database, claim_: Claim, error: str) -> str:
    """Mark the pack failed (if this builder still holds it) and audit it."""
    try:
        with database.transaction() as session:
            result = session.execute(
                update(claim_.model).where(_held(claim_)).values(
                    status="failed", stage="failed", error=error, finished_at=utcnow())
                .execution_options(synchronize_session=False))
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return "lost"
            audit.record(session, action=f"debrief.{claim_.kind}.built", outcome="failed",
                         actor_username="scheduler", object_type=f"debrief_{claim_.kind}",
                         object_id=claim_.pack_id, details={"error": error})
            _tell_requester(session, claim_, f"A debrief {claim_.kind} could not be built",
                            f"What you requested could not be built ({error}). Request it "
                            "again; the error is in the server's log.")
    except Exception:  # logged; the stale claim lets a later poll retry it
        log.exception("could not mark debrief %s %s failed", claim_.kind, claim_.pack_id)
        return "lost"
    return "failed"


def build_next(app: Flask, *, observe: Callable[[int, str], None] | None = None) -> int:
    """The worker's poll: claim one queued pack or annex and build it; how many were built
    (0 or 1)."""
    database: Database = app.extensions["jpa.db"]
    held = claim_next(database)
    if held is None:
        return 0
    outcome = build_claimed(database, held, observe=observe)
    log.info("debrief %s %s: %s", held.kind, held.pack_id, outcome)
    return 1


_warmed: list[bool] = []


def worker_poll(app: Flask) -> int:
    """The scheduler's poll: build one queued pack or annex; when none is waiting, the first
    time, load WeasyPrint's fonts (about 3.5 s cold on the 2-core machine) so that the first
    pack a user asks for does not pay for it."""
    built = build_next(app)
    if not built and not _warmed:
        _warmed.append(True)
        from debrief.pack_pdf import render_pdf

        render_pdf("<p>warm-up</p>", marking="H2", period_name="warm-up")
    return built


def build_pending(app: Flask, *, limit: int = 1000) -> int:
    """Build every queued pack and annex, one after another (`jpa debrief build-pending`)."""
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
    # WeasyPrint logs every page it lays out at INFO: hundreds of lines per pack in the
    # scheduler's log, which is for jobs.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    register_worker(app, WORKER_ID, worker_poll, interval_seconds=POLL_SECONDS,
                    description="build queued debrief packs")
