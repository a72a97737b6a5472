"""Revalidations of the public press documents answered before Flask's dispatch.

A browser or proxy revalidating `/press/<slug>`, `.txt` or `.pdf` sends If-None-Match. When
this process's public micro-cache (the one `press.public` fills and reads, see
`press.published.PublicCache`) holds a fresh answer whose ETag matches, the answer is the 304
the Flask route would give, with the very same headers (`press.public.public_headers`, then
`core.web.security_headers`) and no request context, routing, hooks or session around it:
most of a 304's cost was that machinery. Everything else falls through to Flask unchanged:
another method (HEAD included), any query string (`?v=N`), a session cookie, no or another
If-None-Match, an entry missing or expired, a cached 404. The cache's own rules (dropped in
this process at every publication, correction or withdrawal; at most PUBLIC_TTL_SECONDS old
in the others) therefore hold for these 304s too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from flask import Flask

from core.web import new_request_id, security_headers
from press.documents import SLUG_RE
from press.etag import etag_matches
from press.public import public_headers
from press.published import PublicCache

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# The paths of press.public's `page`, `text` and `pdf` routes, and their formats (the keys
# `press.public._document` caches under).
_DOCUMENT_PATH: Final = re.compile(rf"/press/({SLUG_RE.pattern})(\.txt|\.pdf)?")
_KINDS: Final = {None: "html", ".txt": "text", ".pdf": "pdf"}
# What Werkzeug writes for a 304 (and the response drops: a 304 carries no Content-Type).
NOT_MODIFIED: Final = "304 NOT MODIFIED"
# Flask ends every response of this application with it: flask-login's after-request hook
# reads the session, and Flask (3.1.3 on) answers any read of the session with Vary: Cookie.
# tests/press/test_press_edge_headers.py compares the two 304s byte for byte, so a change
# there shows.
_FLASK_VARY: Final = ("Vary", "Cookie")


class PublicRevalidationGate:
    """WSGI middleware over a Flask application's `wsgi_app`: answers a revalidation of a
    public press document from the micro-cache, passes every other request on."""

    def __init__(self, app: Flask, downstream: WSGIApplication) -> None:
        self.app = app
        self.downstream = downstream
        self.cache: PublicCache = app.extensions["jpa.press.public"]

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        """A 304 when `not_modified_headers` finds one, else the Flask application."""
        headers = self.not_modified_headers(environ)
        if headers is None:
            return self.downstream(environ, start_response)
        start_response(NOT_MODIFIED, headers)
        return []

    def not_modified_headers(self, environ: WSGIEnvironment) -> list[tuple[str, str]] | None:
        """The headers of the 304 for this request, or None to leave it to Flask."""
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if not if_none_match or environ.get("REQUEST_METHOD") != "GET" \
                or environ.get("QUERY_STRING"):
            return None
        # A signed-in visitor's request goes the whole way, as it always has (its session
        # cookie is Flask's to open, refresh or leave alone).
        if self.app.config["SESSION_COOKIE_NAME"] in environ.get("HTTP_COOKIE", ""):
            return None
        matched = _DOCUMENT_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if matched is None:
            return None
        key = (matched[1], _KINDS[matched[2]], None)
        hit, found = self.cache.get(key, time.monotonic())
        if not hit or found is None or not etag_matches(if_none_match, found.etag):
            return None
        secure = self.app.extensions["jpa.settings"].secure_cookies
        return [*public_headers(found.etag),
                *security_headers(secure=secure, request_id=new_request_id()), _FLASK_VARY]


def install(app: Flask) -> PublicRevalidationGate:
    """Put the gate in front of `app`'s dispatch (after its public cache exists)."""
    gate = PublicRevalidationGate(app, app.wsgi_app)
    app.wsgi_app = gate  # type: ignore[method-assign]
    return gate
