"""Press-release workflow: draft -> in_review -> approved by every state that must approve ->
scheduled or published; correct and withdraw after publication. Every step is audited and the
people who must act are notified (never the actor). Services never commit: the edge does.

Sign-off functions live in press.signoffs and are re-exported here, so pages and the API
import one module."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from core.identity.models import Role
from core.identity.services import Principal
from operations.models import Period
from press import access, publication
from press.models import Approval, Release
from press.period_templates import period_template
from press.reading import (
    ApprovalChanges,
    Preview,
    approval_changes,
    current_approvals,
    preview_release,
    public_release,
    public_version,
    published_releases,
    release_view,
)
from press.signoffs import (
    ReleasedFigures,
    SignOffStatus,
    current_signoffs,
    list_signoffs,
    preview_signoff,
    released_figures,
    sign_off,
)

__all__ = [
    "ApprovalChanges",
    "Preview",
    "ReleasedFigures",
    "SignOffStatus",
    "approval_changes",
    "approve_release",
    "correct_release",
    "create_release",
    "current_approvals",
    "current_signoffs",
    "due_releases",
    "get_release",
    "list_releases",
    "list_signoffs",
    "missing_approvals",
    "preview_release",
    "preview_signoff",
    "public_release",
    "public_version",
    "publish_due",
    "publish_release",
    "publish_scheduled",
    "published_releases",
    "release_view",
    "released_figures",
    "schedule_release",
    "sign_off",
    "submit_release",
    "update_release",
    "withdraw_release",
]

MAX_BODY_BYTES = publication.MAX_BODY_BYTES  # a body over this is a 422 naming `body`


# ---------------------------------------------------------------- helpers

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _slug_base(period_name: str, scope: str, state: str | None, language: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", period_name).encode("ascii", "ignore").decode()
    name = _NOT_SLUG.sub("-", ascii_name.lower()).strip("-")[:60].strip("-") or "release"
    owner = "regional" if scope == "regional" else (state or "national").lower()
    return f"{name}-{owner}-{language}"


def _aware_future(publish_at: datetime, now: datetime) -> datetime:
    if publish_at.tzinfo is None or publish_at.utcoffset() is None:
        raise ValidationFailed({"publish_at": "give the time with a time-zone offset"})
    if publish_at <= now:
        raise ValidationFailed({"publish_at": "the embargo time must be in the future"})
    return publish_at


def _checked_title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > 300:
        raise ValidationFailed({"title": "give a title of 1 to 300 characters"})
    return title


def _check_template(session: Session, release_like: Release, period: Period, body: str,
                    now: datetime) -> list[str]:
    publication.check_body(body)
    found = publication.basis(session, period, scope=release_like.scope,
                              state=release_like.state, now=now)
    return [w.message for w in publication.render(body, release_like.language, found).warnings]


def _audit(session: Session, actor: Principal | None, action: str, release: Release,
           **details: object) -> None:
    audit.record(session, action=f"press.{action}", actor=actor,
                 actor_username=None if actor else "scheduler", object_type="press_release",
                 object_id=release.id, details={"status": release.status,
                                                "revision": release.revision, **details})


def _link(release: Release, page: str = "") -> str:
    return f"/press-releases/{release.id}{page}"


def missing_approvals(session: Session, release: Release, period: Period) -> list[str]:
    """The approving states whose approval of the current revision is missing."""
    have = current_approvals(session, release)
    return [s for s in access.approving_states(release, period) if s not in have]


def _require_approved(session: Session, release: Release, period: Period) -> None:
    if release.status not in ("in_review", "scheduled"):
        raise InvalidTransition(f"The release is {release.status}; submit it for review and "
                                "have it approved first.")
    missing = missing_approvals(session, release, period)
    if missing:
        raise InvalidTransition("Approvals are missing from: " + ", ".join(missing) + ".")


# ---------------------------------------------------------------- the workflow


def create_release(session: Session, *, actor: Principal, period_id: int, scope: str,
                   language: str, title: str, body: str | None = None,
                   publish_at: datetime | None = None, now: datetime | None = None) -> Release:
    """A new draft: co-chair (regional) or NLO (national, its state); body defaults to the
    period's template of the scope and language (seeded from the default files)."""
    now = now or utcnow()
    period = access.readable_period(session, actor, period_id)
    if scope not in ("regional", "national"):
        raise ValidationFailed({"scope": "scope must be regional or national"})
    wanted = Role.CO_CHAIR if scope == "regional" else Role.LIAISON_OFFICER
    if actor.role != wanted or (scope == "regional" and actor.state not in period.co_chairs):
        raise Forbidden("Co-chairs write regional releases; an NLO writes its state's "
                        "national release.")
    publication.check_language(language)
    state = actor.state if scope == "national" else None
    release = Release(period_id=period.id, scope=scope, state=state, language=language,
                      title=_checked_title(title), status="draft", revision=1, version=0,
                      body=(period_template(session, period.id, scope, language)
                            if body is None else body),
                      publish_at=_aware_future(publish_at, now) if publish_at else None,
                      created_by=actor.id, created_at=now, updated_at=now)
    _check_template(session, release, period, release.body, now)
    base = _slug_base(period.name, scope, state, language)
    release.slug = f"{base}-new-{actor.id}-{int(now.timestamp() * 1e6)}"[:120]
    session.add(release)
    session.flush()
    release.slug = f"{base}-{release.id}"
    _audit(session, actor, "create", release, scope=scope, language=language)
    return release


def get_release(session: Session, *, actor: Principal, release_id: int) -> Release:
    """One release the actor may see; NotFound otherwise (admins: Forbidden)."""
    return access.visible_release(session, actor, release_id)[0]


def list_releases(session: Session, *, actor: Principal, period_id: int) -> list[Release]:
    """The period's releases the actor may see, oldest first."""
    period = access.readable_period(session, actor, period_id)
    found = session.scalars(select(Release).where(Release.period_id == period.id)
                            .order_by(Release.id))
    return [r for r in found if access.may_see(actor, r)]


def update_release(session: Session, *, actor: Principal, release_id: int,
                   title: str | None = None, body: str | None = None,
                   publish_at: datetime | None = None, now: datetime | None = None) -> Release:
    """Edit the draft (author side); back to draft, approvals cleared; 409 once published."""
    now = now or utcnow()
    release, period = access.authored_release(session, actor, release_id)
    if release.status in ("published", "withdrawn"):
        raise InvalidTransition(f"The release is {release.status}; use correct to change it.")
    if title is None and body is None and publish_at is None:
        raise ValidationFailed({"body": "give a title, body or publish_at to change"})
    new_title = _checked_title(title) if title is not None else release.title
    new_at = _aware_future(publish_at, now) if publish_at is not None else release.publish_at
    if body is not None:
        _check_template(session, release, period, body, now)
    approved = sorted(current_approvals(session, release))
    release.title, release.publish_at = new_title, new_at
    release.body = body if body is not None else release.body
    release.revision += 1
    release.status, release.updated_at = "draft", now
    _audit(session, actor, "update", release, approvals_cleared=approved,
           fields=[n for n, v in (("title", title), ("body", body), ("publish_at", publish_at))
                   if v is not None])
    if approved:
        access.tell(session, access.approvers(session, release, period, approved),
                    actor_id=actor.id, subject=f"Press release edited: {release.title}",
                    body="The release you approved was edited and is back in draft; your "
                         "approval was cleared and will be asked for again.",
                    link=_link(release))
    return release


def submit_release(session: Session, *, actor: Principal, release_id: int,
                   accept_warnings: bool = False, now: datetime | None = None) -> Release:
    """Draft -> in_review; warnings need accept_warnings (422 naming it)."""
    now = now or utcnow()
    release, period = access.authored_release(session, actor, release_id)
    if release.status != "draft":
        raise InvalidTransition(f"The release is {release.status}; only a draft is submitted.")
    warnings = _check_template(session, release, period, release.body, now)
    if warnings and not accept_warnings:
        raise ValidationFailed({"accept_warnings": (
            f"the body has {len(warnings)} hand-typed figure(s) ({'; '.join(warnings)}); "
            "submit with accept_warnings true to keep them")})
    release.status, release.updated_at = "in_review", now
    _audit(session, actor, "submit", release, accepted_warnings=len(warnings))
    access.tell(session, access.approvers(session, release, period), actor_id=actor.id,
                subject=f"Press release to approve: {release.title}",
                body="A press release is waiting for your state's approval.",
                link=_link(release, "/approve"))
    return release


def approve_release(session: Session, *, actor: Principal, release_id: int,
                    now: datetime | None = None) -> Release:
    """The actor's state approves the current revision (NLO; 409 unless in_review)."""
    now = now or utcnow()
    release, period = access.visible_release(session, actor, release_id, lock=True)
    if actor.role != Role.LIAISON_OFFICER:
        raise Forbidden("Only a national liaison officer approves for its state.")
    if actor.state not in access.approving_states(release, period):
        raise NotFound("press release")
    if release.status != "in_review":
        raise InvalidTransition(f"The release is {release.status}; only a release in review "
                                "is approved.")
    if actor.state in current_approvals(session, release):
        return release
    session.add(Approval(release_id=release.id, state=actor.state, revision=release.revision,
                         approved_by=actor.id, approved_at=now, title=release.title,
                         body=release.body))
    session.flush()
    missing = missing_approvals(session, release, period)
    _audit(session, actor, "approve", release, state=actor.state, missing=missing)
    if not missing:
        access.tell(session, access.authors(session, release, period), actor_id=actor.id,
                    subject=f"Press release approved: {release.title}",
                    body="Every state has approved the release; schedule or publish it.",
                    link=_link(release))
    return release


def schedule_release(session: Session, *, actor: Principal, release_id: int,
                     publish_at: datetime, now: datetime | None = None) -> Release:
    """Fully approved -> scheduled at publish_at (future, else 422; 409 while approvals miss)."""
    now = now or utcnow()
    release, period = access.authored_release(session, actor, release_id)
    _require_approved(session, release, period)
    release.publish_at = _aware_future(publish_at, now)
    release.status, release.updated_at = "scheduled", now
    _audit(session, actor, "schedule", release, publish_at=release.publish_at.isoformat())
    users = access.authors(session, release, period) + access.approvers(session, release, period)
    access.tell(session, users, actor_id=actor.id,
                subject=f"Press release scheduled: {release.title}",
                body="The release is scheduled; it will be published at", link=_link(release),
                when=release.publish_at)
    return release


def _announce_publication(session: Session, release: Release, period: Period,
                          actor_id: int | None, base_url: str = "") -> None:
    users = access.authors(session, release, period) + access.approvers(session, release, period)
    access.tell(session, users, actor_id=actor_id,
                subject=f"Press release published: {release.title}",
                body=f"Version {release.version} of the release is public at "
                     f"/press/{release.slug}.", link=f"/press/{release.slug}",
                base_url=base_url)


def publish_release(session: Session, *, actor: Principal, release_id: int,
                    now: datetime | None = None) -> Release:
    """Publish now (409 while approvals are missing): render and store a new version."""
    now = now or utcnow()
    release, period = access.authored_release(session, actor, release_id)
    _require_approved(session, release, period)
    publication.publish(session, release, period, actor_id=actor.id, now=now)
    _audit(session, actor, "publish", release, version=release.version)
    _announce_publication(session, release, period, actor.id)
    return release


def correct_release(session: Session, *, actor: Principal, release_id: int, body: str,
                    note: str, title: str | None = None,
                    now: datetime | None = None) -> Release:
    """A published release gets a corrected draft (back through review and approval); the
    public text changes when it is published, as a new version with the dated note."""
    now = now or utcnow()
    release, period = access.authored_release(session, actor, release_id)
    if release.status != "published":
        raise InvalidTransition(f"The release is {release.status}; only a published release "
                                "is corrected.")
    if not note or not note.strip():
        raise ValidationFailed({"note": "say what the correction changes"})
    new_title = _checked_title(title) if title is not None else release.title
    _check_template(session, release, period, body, now)
    release.title, release.body = new_title, body
    release.correction_note = note.strip()[:2000]
    release.revision += 1
    release.status, release.updated_at = "draft", now
    _audit(session, actor, "correct", release, note=release.correction_note)
    return release


def withdraw_release(session: Session, *, actor: Principal, release_id: int, note: str,
                     now: datetime | None = None) -> Release:
    """Withdraw a published release; its page keeps a withdrawal notice."""
    now = now or utcnow()
    release, period = access.authored_release(session, actor, release_id)
    if release.version < 1 or release.status == "withdrawn":
        raise InvalidTransition(f"The release is {release.status}; only a published release "
                                "is withdrawn.")
    if not note or not note.strip():
        raise ValidationFailed({"note": "say why the release is withdrawn"})
    release.status, release.updated_at = "withdrawn", now
    release.withdrawn_at, release.withdrawal_note = now, note.strip()[:2000]
    publication.store_documents(session, release, period)
    _audit(session, actor, "withdraw", release, note=release.withdrawal_note)
    users = access.authors(session, release, period) + access.approvers(session, release, period)
    access.tell(session, users, actor_id=actor.id,
                subject=f"Press release withdrawn: {release.title}",
                body=f"The release was withdrawn: {release.withdrawal_note}", link=_link(release))
    return release


def due_releases(session: Session, *, now: datetime) -> list[tuple[int, int, datetime]]:
    """(id, revision, publish_at) of every scheduled release whose time has come."""
    rows = session.execute(select(Release.id, Release.revision, Release.publish_at).where(
        Release.status == "scheduled", Release.publish_at <= now).order_by(Release.publish_at))
    return [(i, r, at) for i, r, at in rows]


def publish_scheduled(session: Session, *, release_id: int, revision: int,
                      now: datetime, base_url: str = "") -> bool:
    """Publish one due scheduled release unless another run did (guarded UPDATE)."""
    if not publication.claim_scheduled(session, release_id, revision, now):
        return False
    release = session.get(Release, release_id, populate_existing=True)
    if release is None:  # deleted with its period meanwhile
        return False
    period = session.get(Period, release.period_id)
    publication.publish(session, release, period, actor_id=None, now=now)
    _audit(session, None, "publish", release, version=release.version, scheduled=True)
    _announce_publication(session, release, period, None, base_url)
    return True


def publish_due(session: Session, *, now: datetime) -> list[int]:
    """Publish every scheduled release whose publish_at has passed, each exactly once (a
    guarded UPDATE claims it); returns the ids published. For the scheduler job."""
    return [release_id for release_id, revision, _ in due_releases(session, now=now)
            if publish_scheduled(session, release_id=release_id, revision=revision, now=now)]
