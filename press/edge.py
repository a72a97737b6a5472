"""Public press documents answered before Flask's dispatch, from the micro-cache.

A plain GET of `/press/<slug>`, `.txt` or `.pdf` (no query string, no session cookie) whose
answer this process's public micro-cache (the one `press.public` fills and reads, see
`press.published.PublicCache`) holds fresh gets the answer the Flask route would give, with
the very same headers (`press.public.document_headers` or `public_headers`, then
`core.web.security_headers`) and no request context, routing, hooks or session around it: most
of the cost of these answers was that machinery. A 304 when If-None-Match matches the cached
ETag, else the 200 with the stored bytes (the route looks at no other request header, and
neither does this). Everything else falls through to Flask unchanged: another method (HEAD
included), any query string (`?v=N`), a session cookie, other paths, an entry missing or
expired, a cached 404 (Flask renders its error page). The cache's own rules (dropped in this
process at every publication, correction or withdrawal; at most PUBLIC_TTL_SECONDS old in the
others) therefore hold for these answers too.
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
from press.public import document_headers, public_headers
from press.published import PublicCache

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# The paths of press.public's `page`, `text` and `pdf` routes, and their formats (the keys
# `press.public._document` caches under).
_DOCUMENT_PATH: Final = re.compile(rf"/press/({SLUG_RE.pattern})(\.txt|\.pdf)?")
_KINDS: Final = {None: "html", ".txt": "text", ".pdf": "pdf"}
# The status lines Werkzeug writes for the route's two answers.
OK: Final = "200 OK"
NOT_MODIFIED: Final = "304 NOT MODIFIED"
# Flask ends every response of this application with it: flask-login's after-request hook
# reads the session, and Flask (3.1.3 on) answers any read of the session with Vary: Cookie.
# tests/press/test_press_edge_headers.py compares both answers byte for byte, so a change
# there shows.
_FLASK_VARY: Final = ("Vary", "Cookie")

Answer = tuple[str, list[tuple[str, str]], list[bytes]]


class PublicDocumentGate:
    """WSGI middleware over a Flask application's `wsgi_app`: answers a plain GET of a public
    press document from the micro-cache (200 or 304), passes every other request on."""

    def __init__(self, app: Flask, downstream: WSGIApplication) -> None:
        self.app = app
        self.downstream = downstream
        self.cache: PublicCache = app.extensions["jpa.press.public"]

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        """The answer `answer` finds, else the Flask application's."""
        found = self.answer(environ)
        if found is None:
            return self.downstream(environ, start_response)
        status, headers, body = found
        start_response(status, headers)
        return body

    def answer(self, environ: WSGIEnvironment) -> Answer | None:
        """Status, headers and body of the route's answer to this request, or None to leave
        the request to Flask."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING"):
            return None
        # A signed-in visitor's request goes the whole way, as it always has (its session
        # cookie is Flask's to open, refresh or leave alone).
        if self.app.config["SESSION_COOKIE_NAME"] in environ.get("HTTP_COOKIE", ""):
            return None
        matched = _DOCUMENT_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if matched is None:
            return None
        kind = _KINDS[matched[2]]
        hit, document = self.cache.get((matched[1], kind, None), time.monotonic())
        if not hit or document is None:
            return None
        shell = security_headers(secure=self.app.extensions["jpa.settings"].secure_cookies,
                                 request_id=new_request_id())
        if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), document.etag):
            return NOT_MODIFIED, [*public_headers(document.etag), *shell, _FLASK_VARY], []
        return OK, [*document_headers(kind, document), *shell, _FLASK_VARY], [document.data]


def install(app: Flask) -> PublicDocumentGate:
    """Put the gate in front of `app`'s dispatch (after its public cache exists)."""
    gate = PublicDocumentGate(app, app.wsgi_app)
    app.wsgi_app = gate  # type: ignore[method-assign]
    return gate
