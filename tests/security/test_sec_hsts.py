"""Strict-Transport-Security is sent on every response when the service is served over https,
and never when it is not (a browser would then refuse the plain-http address for a year)."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import make_settings

HSTS = "max-age=31536000; includeSubDomains"
PATHS = [("get", "/healthz"), ("get", "/login"), ("get", "/api/v1/auth/me"),
         ("get", "/no-such-page"), ("post", "/api/v1/auth/token"), ("get", "/static/none.css")]


@pytest.fixture
def https_client(tmp_path, database_url):
    """A client of the application configured with an https base URL."""
    application = create_app(make_settings(tmp_path, database_url,
                                           base_url="https://jpa.example.org"))
    yield application.test_client()
    application.extensions["jpa.db"].dispose()


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_every_response_over_https_carries_hsts(https_client, method, path):
    response = getattr(https_client, method)(path)

    assert response.headers.get("Strict-Transport-Security") == HSTS


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_no_hsts_when_the_base_url_is_plain_http(client, method, path):
    response = getattr(client, method)(path)

    assert "Strict-Transport-Security" not in response.headers
