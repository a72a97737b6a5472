"""The cheap common path keeps every guarantee: security headers set in one pass (and still
replacing a view's own), the cookie session skipped without a cookie but signed when stored,
its serializer built once per secret key."""

from __future__ import annotations

from flask import Flask, Response, request

from core.web import SECURITY_HEADERS, CookieSessionInterface
from tests.web.test_web_headers import assert_security_headers

EXPECTED = dict(SECURITY_HEADERS)


def _every_header_once(response: Response) -> None:
    assert_security_headers(response)
    for name, value in EXPECTED.items():
        assert response.headers.getlist(name) == [value], name
    assert len(response.headers.getlist("Content-Security-Policy")) == 1
    assert response.headers["X-Request-ID"]


def test_a_cookie_less_request_gets_every_header_and_no_cookie(client) -> None:
    for path in ("/healthz", "/login", "/press/nothing-here"):
        client.delete_cookie("jpa_session")
        response = client.get(path)
        _every_header_once(response)
        assert "no-store" in response.headers["Cache-Control"]
        assert response.headers["Pragma"] == "no-cache"
        if path == "/healthz":
            assert "Set-Cookie" not in response.headers  # nothing stored, nothing sent


def test_a_views_own_header_is_replaced_not_doubled(app: Flask) -> None:
    @app.get("/test-own-headers")
    def own() -> Response:
        response = Response("x")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cache-Control"] = "max-age=60"
        return response

    response = app.test_client().get("/test-own-headers")
    _every_header_once(response)
    assert response.headers.getlist("Cache-Control") == ["no-store"]


def test_the_session_still_signs_and_verifies(app: Flask, web) -> None:
    assert isinstance(app.session_interface, CookieSessionInterface)
    page = web.client.get("/login")  # stores the CSRF token in the session: a cookie
    cookie = web.client.get_cookie("jpa_session")
    assert page.status_code == 200 and cookie is not None and "." in cookie.value
    with app.test_request_context(headers={"Cookie": f"jpa_session={cookie.value[:-2]}xx"}):
        assert dict(app.session_interface.open_session(app, request) or {}) == {}
    with app.test_request_context(headers={"Cookie": f"jpa_session={cookie.value}"}):
        assert "csrf_token" in dict(app.session_interface.open_session(app, request) or {})


def test_the_serializer_is_built_once_per_key(app: Flask) -> None:
    interface = app.session_interface
    assert isinstance(interface, CookieSessionInterface)
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    old_key = app.secret_key
    app.secret_key = "another-secret-key-that-is-long-enough-0123456789"
    try:
        assert interface.get_signing_serializer(app) is not first  # a rotation is seen at once
    finally:
        app.secret_key = old_key
