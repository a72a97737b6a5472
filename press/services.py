"""Press-release workflow: draft -> in_review -> approved by every state that must approve ->
scheduled or published; correct and withdraw after publication. Every step is audited and the
people who must act are notified (never the actor). Services never commit: the edge does.

Sign-off functions live in press.signoffs and are re-exported here, so pages and the API
import one module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.identity.services import Principal
from press.documents import PublishedRelease
from press.models import Release, ReleaseVersion
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
    "ApprovalChanges", "Preview", "ReleasedFigures", "SignOffStatus", "approval_changes",
    "approve_release", "correct_release", "create_release", "current_signoffs",
    "get_release", "list_releases", "list_signoffs", "preview_release", "preview_signoff",
    "public_release", "public_version", "publish_due", "publish_release", "published_releases",
    "release_view", "released_figures", "schedule_release", "sign_off", "submit_release",
    "update_release", "withdraw_release",
]

MAX_BODY_BYTES = 100_000  # a body over this is a 422 naming `body`


@dataclass(frozen=True)
class Preview:
    """A body rendered as publication would render it now, with what the template may name."""

    html: str
    text: str
    warnings: list[str]  # hand-typed figures, as messages
    placeholders: list[tuple[str, str]]  # (dotted name, current text)
    preliminary: bool
    as_at: datetime | None
    problem: str | None = None  # "line 3: ..." when the template cannot be rendered


@dataclass(frozen=True)
class ApprovalChanges:
    """For an NLO's state: the revision it last approved and the draft now, to diff."""

    approved_revision: int | None
    approved_title: str | None
    approved_body: str | None
    title: str
    body: str
    current: bool  # the state's approval covers the current revision


def create_release(session: Session, *, actor: Principal, period_id: int, scope: str,
                   language: str, title: str, body: str | None = None,
                   publish_at: datetime | None = None, now: datetime | None = None) -> Release:
    """A new draft: co-chair (regional) or NLO (national, its state); body defaults to the
    language's default template."""
    raise NotImplementedError


def get_release(session: Session, *, actor: Principal, release_id: int) -> Release:
    """One release the actor may see; NotFound otherwise (admins: Forbidden)."""
    raise NotImplementedError


def list_releases(session: Session, *, actor: Principal, period_id: int) -> list[Release]:
    """The period's releases the actor may see, oldest first."""
    raise NotImplementedError


def update_release(session: Session, *, actor: Principal, release_id: int,
                   title: str | None = None, body: str | None = None,
                   publish_at: datetime | None = None, now: datetime | None = None) -> Release:
    """Edit the draft (author side); back to draft, approvals cleared; 409 once published."""
    raise NotImplementedError


def submit_release(session: Session, *, actor: Principal, release_id: int,
                   accept_warnings: bool = False, now: datetime | None = None) -> Release:
    """Draft -> in_review; warnings need accept_warnings (422 naming it)."""
    raise NotImplementedError


def approve_release(session: Session, *, actor: Principal, release_id: int,
                    now: datetime | None = None) -> Release:
    """The actor's state approves the current revision (NLO; 409 unless in_review)."""
    raise NotImplementedError


def schedule_release(session: Session, *, actor: Principal, release_id: int,
                     publish_at: datetime, now: datetime | None = None) -> Release:
    """Fully approved -> scheduled at publish_at (future, else 422; 409 while approvals miss)."""
    raise NotImplementedError


def publish_release(session: Session, *, actor: Principal, release_id: int,
                    now: datetime | None = None) -> Release:
    """Publish now (409 while approvals are missing): render and store a new version."""
    raise NotImplementedError


def correct_release(session: Session, *, actor: Principal, release_id: int, body: str,
                    note: str, title: str | None = None,
                    now: datetime | None = None) -> Release:
    """A published release gets a corrected draft (back through review and approval); the
    public text changes when it is published, as a new version with the dated note."""
    raise NotImplementedError


def withdraw_release(session: Session, *, actor: Principal, release_id: int, note: str,
                     now: datetime | None = None) -> Release:
    """Withdraw a published release; its page keeps a withdrawal notice."""
    raise NotImplementedError


def publish_due(session: Session, *, now: datetime) -> list[int]:
    """Publish every scheduled release whose publish_at has passed, each exactly once (a
    guarded UPDATE claims it); returns the ids published. For the scheduler job."""
    raise NotImplementedError


def release_view(session: Session, release: Release, *, actor: Principal,
                 now: datetime | None = None) -> dict[str, object]:
    """The API shape of a release (DESIGN.md), rendered as it would be published now."""
    raise NotImplementedError


def preview_release(session: Session, *, actor: Principal, period_id: int, scope: str,
                    language: str, body: str, state: str | None = None) -> Preview:
    """Render a body with the period's released figures, never raising on template problems
    (they come back in `problem`), for the editor's server-side preview."""
    raise NotImplementedError


def approval_changes(session: Session, *, actor: Principal, release_id: int) -> ApprovalChanges:
    """What changed since the revision the actor's state last approved."""
    raise NotImplementedError


def published_releases(session: Session) -> list[PublishedRelease]:
    """Every published or withdrawn release as plain data (index, feed, export); no login."""
    raise NotImplementedError


def public_release(session: Session, *, slug: str) -> Release:
    """The release of a slug once published (or withdrawn); NotFound before."""
    raise NotImplementedError


def public_version(session: Session, *, slug: str, number: int | None = None) -> ReleaseVersion:
    """A published version (default: the newest) with its stored html/text/pdf and etags;
    NotFound until published or for an unknown number."""
    raise NotImplementedError
