"""Security headers on every kind of response the service sends."""

from __future__ import annotations

import pytest


def _directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def assert_security_headers(response) -> None:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no CSP on {response.request.path}"
    directives = _directives(policy)
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert directives.get("frame-ancestors") == ["'none'"]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy")


@pytest.fixture
def signed_in(logged_in, client):
    logged_in("analyst", "analyst")
    return client


def test_login_page(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert_security_headers(response)


def test_authenticated_page_is_not_cached(signed_in):
    response = signed_in.get("/periods")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_redirect_to_login(client):
    response = client.get("/periods")
    assert response.status_code == 302
    assert_security_headers(response)


def test_api_response(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.is_json
    assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_api_error(client):
    response = client.get("/api/v1/periods/1")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"
    assert_security_headers(response)


def test_api_validation_error(admin_api):
    response = admin_api.post("/api/v1/periods", json={"name": "x"})
    assert response.status_code == 422
    assert "starts_at" in response.json["error"]["fields"]
    assert_security_headers(response)


def test_html_not_found(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert_security_headers(response)


def test_html_not_found_when_logged_in(signed_in):
    response = signed_in.get("/periods/999999")
    assert response.status_code == 404
    assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_static_file(client):
    response = client.get("/static/jpa.css")
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def test_method_not_allowed(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert_security_headers(response)


def test_csrf_failure(client):
    response = client.post("/login", data={"username": "a", "password": "b"})
    assert response.status_code == 400
    assert_security_headers(response)


def test_forbidden_page(logged_in, client):
    logged_in("nlo.nzl", "liaison_officer", "NZL")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert_security_headers(response)


def test_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert_security_headers(response)
