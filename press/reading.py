"""Reading releases: the API view, the editor's preview with its placeholders, what changed
since a state's approval, and the published releases for the public side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound, ValidationFailed
from core.identity.models import User
from core.identity.services import Principal
from operations.models import Period
from press import access, publication
from press.context import ContextProblem, Node, template_namespace
from press.documents import SLUG_RE, PublishedRelease
from press.models import Approval, Release, ReleaseVersion


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


def current_approvals(session: Session, release: Release) -> dict[str, Approval]:
    """The approvals of the release's current revision, by state."""
    return {a.state: a for a in session.scalars(select(Approval).where(
        Approval.release_id == release.id, Approval.revision == release.revision))}


def _placeholders(names: dict[str, object]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(name: str, value: object) -> None:
        if isinstance(value, Node):
            try:
                found.append((name, str(value)))
            except ContextProblem:  # a group: only its entries have text
                pass
            for entry in value.names():
                walk(f"{name}.{entry}", value.lookup(entry))
        elif value is not None:
            found.append((name, str(value)))

    for key, value in names.items():
        walk(key, value)
    return found


def preview_release(session: Session, *, actor: Principal, period_id: int, scope: str,
                    language: str, body: str, state: str | None = None) -> Preview:
    """Render a body with the period's released figures, never raising on template problems
    (they come back in `problem`), for the editor's server-side preview."""
    period = access.readable_period(session, actor, period_id)
    publication.check_language(language)
    found = publication.basis(session, period, scope=scope, state=state)
    as_at = found.as_at.date() if found.as_at else None
    names = template_namespace(found.context, language=language,
                               preliminary=found.preliminary, as_at=as_at)
    placeholders = _placeholders(names)
    try:
        publication.check_body(body)
        rendered = publication.render(body, language, found)
    except ValidationFailed as error:
        return Preview("", "", [], placeholders, found.preliminary, found.as_at,
                       problem=error.fields.get("body", error.message))
    return Preview(rendered.html, rendered.text, [w.message for w in rendered.warnings],
                   placeholders, found.preliminary, found.as_at)


def approval_changes(session: Session, *, actor: Principal, release_id: int) -> ApprovalChanges:
    """What changed since the revision the actor's state last approved."""
    release, _ = access.visible_release(session, actor, release_id)
    last = session.scalar(select(Approval).where(
        Approval.release_id == release.id, Approval.state == (actor.state or ""))
        .order_by(Approval.revision.desc()).limit(1))
    return ApprovalChanges(
        approved_revision=last.revision if last else None,
        approved_title=last.title if last else None, approved_body=last.body if last else None,
        title=release.title, body=release.body,
        current=last is not None and last.revision == release.revision)


def _username(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.username if user else None


def _latest(session: Session, release: Release) -> ReleaseVersion | None:
    return session.scalar(select(ReleaseVersion).where(
        ReleaseVersion.release_id == release.id, ReleaseVersion.number == release.version))


def release_view(session: Session, release: Release, *, actor: Principal,
                 now: datetime | None = None) -> dict[str, object]:
    """The API shape of a release (DESIGN.md). A published or withdrawn release shows its
    stored newest version; any other is rendered as it would be published now."""
    period = session.get(Period, release.period_id)
    assert period is not None  # a release goes with its period
    have = current_approvals(session, release)
    rendered: dict[str, str] | None
    latest = _latest(session, release) if release.status in ("published", "withdrawn") else None
    problem = None
    if latest is not None:
        rendered = {"html": latest.html_body, "text": latest.text_body}
        preliminary, as_at, figures = latest.preliminary, latest.as_at, latest.figures
        warnings: list[str] = []
    else:
        found = publication.basis(session, period, scope=release.scope, state=release.state,
                                  now=now)
        preliminary, as_at = found.preliminary, found.as_at
        figures = {"regional": found.context.figures, "national": found.national,
                   "signed_states": list(found.released.signed_states)}
        try:
            result = publication.render(release.body, release.language, found)
            rendered = {"html": result.html, "text": result.text}
            warnings = [w.message for w in result.warnings]
        except ValidationFailed as error:
            rendered, warnings = None, []
            problem = error.fields.get("body", error.message)
    return {
        "id": release.id, "period_id": release.period_id, "scope": release.scope,
        "state": release.state, "language": release.language, "status": release.status,
        "version": release.version, "revision": release.revision, "title": release.title,
        "body": release.body, "slug": release.slug,
        "publish_at": release.publish_at.isoformat() if release.publish_at else None,
        "preliminary": preliminary, "as_at": as_at.isoformat() if as_at else None,
        "figures": figures, "warnings": warnings, "problem": problem,
        "approvals": [{"state": a.state, "approved_by": _username(session, a.approved_by),
                       "approved_at": a.approved_at.isoformat(), "revision": a.revision}
                      for _, a in sorted(have.items())],
        "missing_approvals": [s for s in access.approving_states(release, period)
                              if s not in have],
        "correction_note": release.correction_note,
        "withdrawal_note": release.withdrawal_note,
        "rendered": rendered,
        "public_url": f"/press/{release.slug}",
    }


def published_releases(session: Session) -> list[PublishedRelease]:
    """Every published or withdrawn release as plain data (index, feed, export); no login."""
    return publication.published_plain(session)


def public_release(session: Session, *, slug: str) -> Release:
    """The release of a slug once published (or withdrawn); NotFound before."""
    release = session.scalar(select(Release).where(Release.slug == slug, Release.version >= 1)) \
        if SLUG_RE.fullmatch(slug) else None
    if release is None:
        raise NotFound("press release")
    return release


def public_version(session: Session, *, slug: str, number: int | None = None) -> ReleaseVersion:
    """A published version (default: the newest) with its stored html/text/pdf and etags;
    NotFound until published or for an unknown number."""
    release = public_release(session, slug=slug)
    row = session.scalar(select(ReleaseVersion).where(
        ReleaseVersion.release_id == release.id,
        ReleaseVersion.number == (release.version if number is None else number)))
    if row is None:
        raise NotFound("press release version")
    return row
