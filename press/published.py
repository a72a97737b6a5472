"""Reading what has been published: the stored documents for the public side, and the
published releases as plain data for the index, the feed and the static export.

Read-only queries; nothing here renders a release page (they are stored at publication).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from operations.models import Period
from press.documents import (
    SLUG_RE,
    Correction,
    PublishedRelease,
    PublishedVersion,
    Withdrawal,
)
from press.feed import FeedSettings
from press.i18n import state_name
from press.models import Release, ReleaseVersion

# The stored formats: which columns hold a format's bytes and its ETag.
FORMATS: Final = {
    "html": (ReleaseVersion.html, ReleaseVersion.etag_html),
    "text": (ReleaseVersion.text, ReleaseVersion.etag_text),
    "pdf": (ReleaseVersion.pdf, ReleaseVersion.etag_pdf),
}


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """The bytes of one published document as stored at publication, and their ETag."""

    data: bytes
    etag: str


def stored_document(session: Session, slug: str, kind: str,
                    number: int | None = None) -> StoredDocument | None:
    """Version `number` (default: the current one) of a published release in format `kind`;
    None when the slug is unknown, not yet published or has no such version."""
    if not SLUG_RE.fullmatch(slug):
        return None
    data_column, etag_column = FORMATS[kind]
    wanted = ReleaseVersion.number == (Release.version if number is None else number)
    row = session.execute(
        select(data_column, etag_column)
        .join(Release, Release.id == ReleaseVersion.release_id)
        .where(Release.slug == slug, Release.version >= 1, wanted)
    ).first()
    if row is None:
        return None
    return StoredDocument(data=bytes(row[0]), etag=row[1])


def published_releases(session: Session) -> list[PublishedRelease]:
    """Every release with at least one published version, as plain data (no stored bytes)."""
    releases = session.scalars(select(Release).where(Release.version >= 1)
                               .order_by(Release.id)).all()
    if not releases:
        return []
    periods = {p.id: p.name for p in session.scalars(
        select(Period).where(Period.id.in_({r.period_id for r in releases})))}
    rows = session.scalars(
        select(ReleaseVersion)
        .options(load_only(ReleaseVersion.release_id, ReleaseVersion.number,
                           ReleaseVersion.title, ReleaseVersion.html_body,
                           ReleaseVersion.text_body, ReleaseVersion.published_at,
                           ReleaseVersion.correction_note))
        .where(ReleaseVersion.release_id.in_([r.id for r in releases]))
        .order_by(ReleaseVersion.release_id, ReleaseVersion.number)).all()
    by_release: dict[int, list[ReleaseVersion]] = {}
    for row in rows:
        by_release.setdefault(row.release_id, []).append(row)
    found = []
    for release in releases:
        versions = [v for v in by_release.get(release.id, []) if v.number <= release.version]
        if len(versions) != release.version:
            continue  # a half-written release is not shown rather than shown wrong
        found.append(_as_plain(release, versions, periods.get(release.period_id, "")))
    return found


def _as_plain(release: Release, versions: list[ReleaseVersion],
              period_name: str) -> PublishedRelease:
    """A release and its published versions as press.documents data."""
    withdrawal = None
    if release.withdrawn_at is not None:
        withdrawal = Withdrawal(release.withdrawn_at, release.withdrawal_note or "")
    state = state_name(release.state, release.language) if release.state else None
    corrections: tuple[Correction, ...] = ()
    plain = []
    for row in versions:
        if row.number > 1:
            corrections = (*corrections, Correction(row.number, row.published_at,
                                                    row.correction_note or ""))
        plain.append(PublishedVersion(
            slug=release.slug, version=row.number, language=release.language,
            title=row.title, html_body=row.html_body, text_body=row.text_body,
            published_at=row.published_at, period_name=period_name, scope=release.scope,
            state=state, latest_version=release.version, corrections=corrections,
            withdrawal=withdrawal if row.number == release.version else None))
    return PublishedRelease(tuple(plain))


def feed_settings(base_url: str) -> FeedSettings:
    """The feed's names for a deployment at `base_url`."""
    return FeedSettings(base_url=base_url)
