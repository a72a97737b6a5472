"""Reading what has been published: the stored documents for the public side, and the
published releases as plain data for the index, the feed and the static export.

Read-only queries; nothing here renders a release page (they are stored at publication).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from threading import Lock
from typing import Any, Final

from sqlalchemy import Connection, Select, bindparam, select
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


class DocumentCache:
    """Stored documents by ETag (the SHA-256 of their bytes, so an entry can never be stale),
    least recently used first out beyond `max_bytes`; safe across threads."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = Lock()

    def get(self, etag: str) -> bytes | None:
        """The bytes of `etag`, if held."""
        with self._lock:
            data = self._entries.get(etag)
            if data is not None:
                self._entries.move_to_end(etag)
            return data

    def put(self, etag: str, data: bytes) -> None:
        """Hold `data` under `etag` (documents larger than the whole cache are not held)."""
        if len(data) > self.max_bytes:
            return
        with self._lock:
            if etag in self._entries:
                return
            self._entries[etag] = data
            self._size += len(data)
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped)


DOCUMENTS: Final = DocumentCache()


@cache
def _document_query(kind: str, numbered: bool, with_data: bool) -> Select[Any]:
    """The statement of a public request, built once (bound parameters: slug, number)."""
    data_column, etag_column = FORMATS[kind]
    wanted = ReleaseVersion.number == (bindparam("number") if numbered else Release.version)
    columns = (etag_column, data_column) if with_data else (etag_column,)
    return (select(*columns)
            .join(Release, Release.id == ReleaseVersion.release_id)
            .where(Release.slug == bindparam("slug"), Release.version >= 1, wanted))


def stored_document(connection: Connection, slug: str, kind: str,
                    number: int | None = None) -> StoredDocument | None:
    """Version `number` (default: the current one) of a published release in format `kind`;
    None when the slug is unknown, not yet published or has no such version. The ETag is
    read on every call; the bytes only when this process does not hold them yet."""
    if not SLUG_RE.fullmatch(slug):
        return None
    params: dict[str, object] = {"slug": slug}
    if number is not None:
        params["number"] = number
    numbered = number is not None
    etag = connection.execute(_document_query(kind, numbered, False), params).scalar()
    if etag is None:
        return None
    data = DOCUMENTS.get(etag)
    if data is None:
        row = connection.execute(_document_query(kind, numbered, True), params).first()
        if row is None:  # published over in between: the newer one
            return None
        etag, data = row[0], bytes(row[1])
        DOCUMENTS.put(etag, data)
    return StoredDocument(data=data, etag=etag)


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
        found.append(as_published_release(release, versions, periods.get(release.period_id, "")))
    return found


def as_published_release(release: Release, versions: list[ReleaseVersion],
                         period_name: str) -> PublishedRelease:
    """A release and its published versions (oldest first, all of them) as press.documents
    data: the newest carries the withdrawal, each later one its correction note."""
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
            state=state, latest_version=len(versions), corrections=corrections,
            withdrawal=withdrawal if row.number == len(versions) else None))
    return PublishedRelease(tuple(plain))


def feed_settings(base_url: str) -> FeedSettings:
    """The feed's names for a deployment at `base_url`."""
    return FeedSettings(base_url=base_url)



# The public micro-cache: (slug, kind, version) -> the stored document, or None for a 404,
# for at most PUBLIC_TTL_SECONDS. It spares the per-request database read on the hot public
# pages. This process drops it on every commit that rewrites stored documents (publish,
# correct, withdraw: see press.publication.store_documents); other worker processes may
# serve the previous state for at most the TTL, which is far below the 300 s that clients
# and proxies may cache a public page anyway. One per application (each has its database).
PUBLIC_TTL_SECONDS: Final = 2.0
_PUBLIC_MAX_ENTRIES: Final = 4096  # unknown slugs are cached too: bound what a crawler can fill
_PublicKey = tuple[str, str, int | None]


class PublicCache:
    """The micro-cache of one application's public documents (see PUBLIC_TTL_SECONDS)."""

    def __init__(self) -> None:
        self._entries: dict[_PublicKey, tuple[float, StoredDocument | None]] = {}
        _PUBLIC_CACHES.add(self)

    def get(self, key: _PublicKey, now: float) -> tuple[bool, StoredDocument | None]:
        """(True, document or None for a 404) when fresh at `now`, else (False, None)."""
        entry = self._entries.get(key)
        if entry is None or entry[0] <= now:
            return False, None
        return True, entry[1]

    def put(self, key: _PublicKey, now: float, found: StoredDocument | None) -> None:
        """Keep `found` (None: a 404) for PUBLIC_TTL_SECONDS from `now`."""
        if len(self._entries) >= _PUBLIC_MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (now + PUBLIC_TTL_SECONDS, found)

    def clear(self) -> None:
        """Forget every answer."""
        self._entries.clear()


_PUBLIC_CACHES: Final[weakref.WeakSet[PublicCache]] = weakref.WeakSet()


def invalidate_public_documents() -> None:
    """Forget every micro-cached public answer of this process (after a publication)."""
    for public_cache in list(_PUBLIC_CACHES):
        public_cache.clear()
