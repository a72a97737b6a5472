"""press.edge: only a GET of /press/<slug>, .txt or .pdf, without a query string or a session
cookie, whose document is a fresh entry of the public micro-cache, is answered before Flask (a
304 when If-None-Match matches, else the 200); everything else reaches Flask (its
`request_started` signal counts it) and gets what it always got: HEAD, other methods, ?v=N and
any other query, a session cookie, unknown slugs (404, cached or not), an expired or missing
entry, other paths — plain or conditional alike."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask

from press.published import PUBLIC_TTL_SECONDS
from tests.press.press_edge_support import dispatch_count, gate_of
from tests.press.press_public_support import public_world, store_release

SLUG = "jpa-2031-edge-en"
PAGE = f"/press/{SLUG}"


@pytest.fixture
def published(app: Flask, accounts: Any) -> int:
    """A period with a release published in two versions, and a draft never published."""
    pid = public_world(app, accounts)
    store_release(app, pid, SLUG, versions=2)
    store_release(app, pid, "jpa-2031-edge-draft", versions=0, title="Not yet out")
    return pid


def _etag(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.headers["ETag"]


def test_what_the_gate_answers(client: Any, app: Flask, published: int) -> None:
    bodies = {path: client.get(path).data for path in (PAGE, f"{PAGE}.txt", f"{PAGE}.pdf")}
    tags = {path: client.get(path).headers["ETag"] for path in bodies}
    with dispatch_count(app) as dispatched:
        for path, etag in tags.items():
            for sent in (etag, f'"other", W/{etag}', "*"):
                response = client.get(path, headers={"If-None-Match": sent})
                assert response.status_code == 304 and response.data == b"", (path, sent)
                assert response.headers["ETag"] == etag
                assert "Set-Cookie" not in response.headers
            for headers in ({}, {"If-None-Match": '"0123"'}, {"If-None-Match": ""},
                            {"Cookie": "theme=dark"}):
                response = client.get(path, headers=headers)
                assert response.status_code == 200, (path, headers)
                assert response.data == bodies[path] and len(response.data) > 0
                assert response.headers["ETag"] == etag
                assert response.headers["Content-Length"] == str(len(bodies[path]))
                assert "Set-Cookie" not in response.headers
    assert dispatched == []


def test_everything_else_reaches_flask(client: Any, app: Flask, published: int) -> None:
    etag = _etag(client, PAGE)
    current = {"If-None-Match": etag}
    cases: list[tuple[str, str, dict[str, str], int]] = [
        ("HEAD", PAGE, current, 304),
        ("HEAD", PAGE, {}, 200),
        ("POST", PAGE, current, 400),  # the CSRF check comes first, as on every page
        ("PUT", PAGE, current, 400),
        ("OPTIONS", PAGE, current, 200),
        ("GET", f"{PAGE}?v=2", current, 304),  # version 2 is the current one: same bytes
        ("GET", f"{PAGE}?v=1", current, 200),
        ("GET", f"{PAGE}?v=2", {}, 200),
        ("GET", f"{PAGE}?v=9", current, 404),
        ("GET", f"{PAGE}?utm_source=x", current, 304),
        ("GET", "/press/nothing-here", {"If-None-Match": "*"}, 404),
        ("GET", "/press/nothing-here", {"If-None-Match": "*"}, 404),  # now a cached 404
        ("GET", "/press/nothing-here", {}, 404),
        ("GET", "/press/nothing-here.pdf", {}, 404),
        ("GET", "/press/jpa-2031-edge-draft", {}, 404),
        ("GET", "/press/jpa-2031-edge-draft", {"If-None-Match": "*"}, 404),
        ("GET", "/press/Bad_Slug", {"If-None-Match": "*"}, 404),
        ("GET", f"{PAGE}.html", current, 404),
        ("GET", f"{PAGE}.html", {}, 404),
        ("GET", f"{PAGE}.TXT", {}, 404),
        ("GET", f"{PAGE}/", {}, 404),
        ("GET", f"{PAGE}/", current, 404),
        ("GET", "/press/feed.atom", current, 200),
        ("GET", "/press", current, 200),
        ("GET", "/press/press.css", {}, 200),
    ]
    with dispatch_count(app) as dispatched:
        for method, path, headers, status in cases:
            response = client.open(path, method=method, headers=headers)
            assert response.status_code == status, (method, path, headers)
            assert "Set-Cookie" not in response.headers, (method, path)
            if status == 404:
                assert "no-store" in response.headers["Cache-Control"]
    assert len(dispatched) == len(cases)
    assert [path.rstrip("/") for path in dispatched] == \
        [path.rstrip("/") for _, path, _, _ in cases]


def test_a_session_cookie_goes_the_whole_way(client: Any, app: Flask, published: int) -> None:
    etag = _etag(client, PAGE)
    client.set_cookie("jpa_session", "not-a-session-of-ours")
    with dispatch_count(app) as dispatched:
        response = client.get(PAGE, headers={"If-None-Match": etag})
        plain = client.get(PAGE)
    assert dispatched == [PAGE, PAGE]
    assert response.status_code == 304 and "Set-Cookie" not in response.headers
    assert plain.status_code == 200 and "Set-Cookie" not in plain.headers


@pytest.mark.parametrize("sent", ["current", "none"])
def test_an_expired_entry_goes_to_flask_which_refreshes_it(client: Any, app: Flask,
                                                           published: int, sent: str) -> None:
    etag = _etag(client, PAGE)
    headers = {"If-None-Match": etag} if sent == "current" else {}
    cache = gate_of(app).cache
    key = (SLUG, "html", None)
    hit, found = cache.get(key, time.monotonic())
    assert hit and found is not None and found.etag == etag
    cache.put(key, time.monotonic() - PUBLIC_TTL_SECONDS, found)  # kept until now: expired
    with dispatch_count(app) as dispatched:
        first, second = client.get(PAGE, headers=headers), client.get(PAGE, headers=headers)
    assert first.status_code == second.status_code == (304 if headers else 200)
    assert first.data == second.data
    assert dispatched == [PAGE]  # the first read the database again; the second, the gate


@pytest.mark.parametrize("sent", ["current", "none"])
def test_a_cold_cache_goes_to_flask(client: Any, app: Flask, published: int,
                                    sent: str) -> None:
    etag = _etag(client, PAGE)
    headers = {"If-None-Match": etag} if sent == "current" else {}
    gate_of(app).cache.clear()
    with dispatch_count(app) as dispatched:
        for path in (PAGE, f"{PAGE}.pdf", PAGE, f"{PAGE}.pdf"):
            response = client.get(path, headers=headers if path == PAGE else {})
            assert response.status_code == (304 if path == PAGE and headers else 200)
    assert dispatched == [PAGE, f"{PAGE}.pdf"]
