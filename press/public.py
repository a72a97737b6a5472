"""The public side of press releases, no login: /press, /press/<slug> (?v=N), .txt, .pdf,
/press/feed.atom and /press/press.css.

Release documents are served as stored at publication (never rendered per request), with a
strong ETag, `Cache-Control: public, max-age=300` and a 304 for a matching If-None-Match.
Nothing is public until published: an unknown slug and an unpublished release are both 404.
"""

from __future__ import annotations

import re
import time
from typing import Final

from flask import Blueprint, Response, abort, current_app, request

from core.db import get_database, transaction
from press.documents import render_index, stylesheet
from press.etag import etag_matches, strong_etag
from press.feed import MEDIA_TYPE, build_feed
from press.published import (
    PublicCache,
    StoredDocument,
    feed_settings,
    published_releases,
    stored_document,
)

bp = Blueprint("press_public", __name__)

CACHE_SECONDS: Final = 300
_PUBLIC_CACHE_CONTROL: Final = f"public, max-age={CACHE_SECONDS}"
_VERSION = re.compile(r"[1-9][0-9]{0,5}")
_MEDIA_TYPES: Final = {"html": "text/html; charset=utf-8", "text": "text/plain; charset=utf-8",
                       "pdf": "application/pdf"}


def public_headers(etag: str) -> tuple[tuple[str, str], ...]:
    """The caching headers of a public response, 200 or 304 (press.edge sends the same)."""
    return (("ETag", etag), ("Cache-Control", _PUBLIC_CACHE_CONTROL))


def document_headers(kind: str, document: StoredDocument) -> list[tuple[str, str]]:
    """A stored document's own headers in its 200, in the order the route's Response carries
    them (Werkzeug's Content-Type and Content-Length, then `public_headers`): press.edge sends
    the same."""
    return [("Content-Type", _MEDIA_TYPES[kind]), ("Content-Length", str(len(document.data))),
            *public_headers(document.etag)]


def public_response(data: bytes, mimetype: str, etag: str | None = None) -> Response:
    """`data` as a cacheable public response, or a 304 when If-None-Match matches."""
    etag = etag or strong_etag(data)
    if etag_matches(request.headers.get("If-None-Match"), etag):
        response = Response(status=304)
    else:
        response = Response(data, content_type=mimetype)
    # A fresh Response has neither header: add both in one call, Cache-Control as its text
    # (the cache_control object would parse and re-serialise it).
    response.headers.extend(public_headers(etag))
    return response


def _document(slug: str, kind: str, number: int | None = None) -> Response:
    public_cache: PublicCache = current_app.extensions["jpa.press.public"]
    key, now = (slug, kind, number), time.monotonic()
    hit, found = public_cache.get(key, now)
    if not hit:
        # A plain connection, no ORM session: one read of stored bytes is all a miss does.
        with get_database().engine.connect() as connection:
            found = stored_document(connection, slug, kind, number)
        public_cache.put(key, now, found)
    if found is None:
        abort(404)
    return public_response(found.data, _MEDIA_TYPES[kind], found.etag)


@bp.get("/press")
def index() -> Response:
    """The list of published releases, newest first."""
    with transaction(write=False) as session:
        releases = published_releases(session)
    return public_response(render_index(releases).encode(), _MEDIA_TYPES["html"])


@bp.get("/press/feed.atom")
def feed() -> Response:
    """The Atom feed of published releases."""
    with transaction(write=False) as session:
        releases = published_releases(session)
    settings = feed_settings(current_app.extensions["jpa.settings"].base_url)
    return public_response(build_feed(releases, settings), f"{MEDIA_TYPE}; charset=utf-8")


@bp.get("/press/press.css")
def css() -> Response:
    """The stylesheet of the public pages."""
    return public_response(stylesheet(), "text/css; charset=utf-8")


@bp.get("/press/<slug>")
def page(slug: str) -> Response:
    """A release's page: the current version, or version N with ?v=N."""
    wanted = request.args.get("v")
    if wanted is None:
        return _document(slug, "html")
    if not _VERSION.fullmatch(wanted):
        abort(404)
    return _document(slug, "html", int(wanted))


@bp.get("/press/<slug>.txt")
def text(slug: str) -> Response:
    """The current version as plain text."""
    return _document(slug, "text")


@bp.get("/press/<slug>.pdf")
def pdf(slug: str) -> Response:
    """The current version as PDF."""
    return _document(slug, "pdf")
