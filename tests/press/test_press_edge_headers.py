"""press.edge: a revalidation of a public press document answered before Flask's dispatch is
the very 304 the Flask route gives — the same bytes on the wire but for Date and the fresh
request id — for the page, .txt and .pdf, over http and over https (with HSTS); and it is
really answered there (Flask dispatches nothing), with a fresh request id every time."""

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


def _head_lines(response: bytes) -> list[bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    assert body == b""  # a 304 has no body
    return head.split(b"\r\n")


def _compare_paths(app: Flask) -> list[bytes]:
    """For each document: fill the cache, then revalidate through Flask's own dispatch and
    through the gate; asserts they are equal and that only the first was dispatched. Returns
    the gate's 304s."""
    gate = gate_of(app)
    answers = []
    with served(app) as fast_port, served(gate.downstream) as flask_port:
        for path in DOCUMENTS:
            filled = raw_exchange(flask_port, path)
            assert filled.startswith(b"HTTP/1.1 200 OK\r\n"), filled[:200]
            etag = re.search(rb'\r\nETag: ("[0-9a-f]{64}")\r\n', filled)
            assert etag is not None
            wanted = {"If-None-Match": etag[1].decode()}
            with dispatch_count(app) as dispatched:
                through_flask = raw_exchange(flask_port, path, wanted)
                fast = raw_exchange(fast_port, path, wanted)
            assert dispatched == [path]  # the gate's answer never reached Flask
            assert through_flask.startswith(b"HTTP/1.1 304 NOT MODIFIED\r\n")
            assert comparable(fast) == comparable(through_flask)
            lines = _head_lines(fast)
            assert f"ETag: {wanted['If-None-Match']}".encode() in lines
            assert b"Cache-Control: public, max-age=300" in lines
            for line in SECURITY_LINES:
                assert any(got.startswith(line) for got in lines), line
            assert not any(got.lower().startswith((b"set-cookie", b"content-type", b"pragma"))
                           for got in lines)
            answers.append(fast)
    return answers


def test_the_gates_304_is_flasks_304_byte_for_byte(app: Flask, published: int) -> None:
    answers = _compare_paths(app)
    assert all(b"Strict-Transport-Security" not in answer for answer in answers)  # http
    ids = {re.search(rb"X-Request-ID: ([0-9a-f]{32})", answer)[1] for answer in answers}
    assert len(ids) == len(answers)  # a fresh request id each time, as Flask gives


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
    """The same through Flask's test client (what bench/press.py drives): equal headers."""
    path = DOCUMENTS[0]
    etag = client.get(path).headers["ETag"]
    with dispatch_count(app) as dispatched:
        fast = client.get(path, headers={"If-None-Match": etag})
    assert dispatched == [] and fast.status_code == 304 and fast.data == b""
    gate = gate_of(app)
    app.wsgi_app = gate.downstream  # type: ignore[method-assign]  # the gate taken out
    try:
        with dispatch_count(app) as dispatched:
            slow = client.get(path, headers={"If-None-Match": etag})
        assert dispatched == [path]
    finally:
        app.wsgi_app = gate  # type: ignore[method-assign]
    assert slow.status == fast.status == "304 NOT MODIFIED"

    def named(response: Any) -> list[tuple[str, str]]:
        return [(name, "<id>" if name == "X-Request-ID" else value)
                for name, value in response.headers.items()]

    assert named(fast) == named(slow)
