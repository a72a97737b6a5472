"""press.edge: a public press document answered before Flask's dispatch is the very answer
the Flask route gives — the same bytes on the wire but for Date and the fresh request id — both
the plain 200 (status, headers and body) and the 304 of a revalidation, for the page, .txt and
.pdf, over http and over https (with HSTS); and it is really answered there (Flask dispatches
nothing), with a fresh request id every time."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from app import create_app
from tests.conftest import make_settings
from tests.press.press_edge_support import (
    comparable,
    dispatch_count,
    gate_of,
    raw_exchange,
    served,
)
from tests.press.press_public_support import public_world, store_release

SLUG = "jpa-2031-edge-en"
DOCUMENTS = (f"/press/{SLUG}", f"/press/{SLUG}.txt", f"/press/{SLUG}.pdf")
SECURITY_LINES = (b"Content-Security-Policy: default-src 'self';",
                  b"X-Content-Type-Options: nosniff", b"Referrer-Policy: no-referrer",
                  b"X-Frame-Options: DENY",
                  b"Cross-Origin-Opener-Policy: same-origin", b"Permissions-Policy: camera=()")


@pytest.fixture
def published(app: Flask, accounts: Any) -> int:
    """A period with one release published in two versions."""
    pid = public_world(app, accounts)
    store_release(app, pid, SLUG, versions=2)
    return pid


def _split(response: bytes) -> tuple[list[bytes], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    return head.split(b"\r\n"), body


def _check_public_lines(lines: list[bytes], etag: str) -> None:
    assert f"ETag: {etag}".encode() in lines
    assert b"Cache-Control: public, max-age=300" in lines
    for line in SECURITY_LINES:
        assert any(got.startswith(line) for got in lines), line
    assert not any(got.lower().startswith((b"set-cookie", b"pragma")) for got in lines)


def _compare_paths(app: Flask) -> list[bytes]:
    """For each document: fill the cache through Flask, then ask for it plainly and revalidate
    it, each through Flask's own dispatch and through the gate; asserts each pair is equal and
    that only Flask's side was dispatched. Returns the gate's answers (200, 304 by turns)."""
    gate = gate_of(app)
    answers = []
    with served(app) as fast_port, served(gate.downstream) as flask_port:
        for path in DOCUMENTS:
            filled = raw_exchange(flask_port, path)
            assert filled.startswith(b"HTTP/1.1 200 OK\r\n"), filled[:200]
            etag = re.search(rb'\r\nETag: ("[0-9a-f]{64}")\r\n', filled)
            assert etag is not None
            stored = _split(filled)[1]
            wanted = {"If-None-Match": etag[1].decode()}
            with dispatch_count(app) as dispatched:
                plain_flask = raw_exchange(flask_port, path)
                plain_fast = raw_exchange(fast_port, path)
                through_flask = raw_exchange(flask_port, path, wanted)
                fast = raw_exchange(fast_port, path, wanted)
            assert dispatched == [path, path]  # the gate's answers never reached Flask
            assert plain_flask.startswith(b"HTTP/1.1 200 OK\r\n")
            assert comparable(plain_fast) == comparable(plain_flask)
            lines, body = _split(plain_fast)
            assert body == stored and len(body) > 0
            assert f"Content-Length: {len(stored)}".encode() in lines
            assert any(line.startswith(b"Content-Type: ") for line in lines)
            _check_public_lines(lines, wanted["If-None-Match"])
            assert through_flask.startswith(b"HTTP/1.1 304 NOT MODIFIED\r\n")
            assert comparable(fast) == comparable(through_flask)
            lines, body = _split(fast)
            assert body == b""  # a 304 has no body, and no Content-Type
            assert not any(line.lower().startswith(b"content-type") for line in lines)
            _check_public_lines(lines, wanted["If-None-Match"])
            answers += [plain_fast, fast]
    return answers


def test_the_gates_answers_are_flasks_byte_for_byte(app: Flask, published: int) -> None:
    answers = _compare_paths(app)
    assert [answer[:12] for answer in answers] == [b"HTTP/1.1 200", b"HTTP/1.1 304"] * 3
    assert [re.search(rb"Content-Type: ([^\r]*)", answer)[1] for answer in answers[::2]] == \
        [b"text/html; charset=utf-8", b"text/plain; charset=utf-8", b"application/pdf"]
    assert answers[4].partition(b"\r\n\r\n")[2].startswith(b"%PDF-")
    assert all(b"Strict-Transport-Security" not in answer for answer in answers)  # http
    ids = {re.search(rb"X-Request-ID: ([0-9a-f]{32})", answer)[1] for answer in answers}
    assert len(ids) == len(answers)  # a fresh request id each time, as Flask gives


def test_other_request_headers_change_neither(app: Flask, published: int) -> None:
    """Flask's route looks at If-None-Match only: a stale one, a Range or If-Modified-Since
    still get the whole 200, from the gate as from Flask."""
    gate = gate_of(app)
    path = DOCUMENTS[0]
    with served(app) as fast_port, served(gate.downstream) as flask_port:
        raw_exchange(flask_port, path)
        for headers in ({"If-None-Match": '"0123", W/"4567"'}, {"Range": "bytes=0-9"},
                        {"If-Modified-Since": "Wed, 21 Oct 2099 07:28:00 GMT"},
                        {"Cookie": "theme=dark", "Accept-Encoding": "gzip"}):
            with dispatch_count(app) as dispatched:
                through_flask = raw_exchange(flask_port, path, headers)
                fast = raw_exchange(fast_port, path, headers)
            assert dispatched == [path], headers
            assert through_flask.startswith(b"HTTP/1.1 200 OK\r\n"), headers
            assert comparable(fast) == comparable(through_flask), headers


def test_over_https_both_carry_hsts(app: Flask, published: int, tmp_path: Any,
                                    database_url: str) -> None:
    secure = create_app(make_settings(tmp_path, database_url, base_url="https://jpa.test"))
    try:
        answers = _compare_paths(secure)
    finally:
        secure.extensions["jpa.db"].dispose()
    assert all(b"\r\nStrict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
               in answer for answer in answers)


def test_the_test_clients_view_agrees(client: Any, app: Flask, published: int) -> None:
    """The same through Flask's test client (what bench/press.py drives): equal status,
    headers and body, for the plain GET and for the revalidation."""
    path = DOCUMENTS[0]
    etag = client.get(path).headers["ETag"]
    gate = gate_of(app)

    def named(response: Any) -> tuple[str, list[tuple[str, str]], bytes]:
        return (response.status, [(name, "<id>" if name == "X-Request-ID" else value)
                                  for name, value in response.headers.items()], response.data)

    for headers, status in (({}, "200 OK"), ({"If-None-Match": etag}, "304 NOT MODIFIED")):
        with dispatch_count(app) as dispatched:
            fast = client.get(path, headers=headers)
        assert dispatched == [] and fast.status == status
        app.wsgi_app = gate.downstream  # type: ignore[method-assign]  # the gate taken out
        try:
            with dispatch_count(app) as dispatched:
                slow = client.get(path, headers=headers)
            assert dispatched == [path]
        finally:
            app.wsgi_app = gate  # type: ignore[method-assign]
        assert named(fast) == named(slow)
