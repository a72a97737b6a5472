"""Defect 12: passwords are used exactly as typed - never stripped - on the API and the web
form alike; and an oversized token subject is a 401, never a database error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.conftest import TEST_SECRET, WebAuth

SPACED = "  spaced out passphrase  "
NEW_SPACED = " another spaced passphrase "


@pytest.fixture
def spaced(accounts):
    """An NLO whose password begins and ends with spaces, set through the service."""
    return accounts.create("nlo.nzl", "liaison_officer", "NZL", password=SPACED)


def _token(client, password: str):
    return client.post("/api/v1/auth/token", json={"username": "nlo.nzl", "password": password})


def test_the_api_takes_the_password_as_typed(client, spaced):
    assert _token(client, SPACED).status_code == 200
    assert _token(client, SPACED.strip()).status_code == 401


def test_the_login_form_takes_the_password_as_typed(app, spaced):
    assert WebAuth(app.test_client()).login("nlo.nzl", SPACED).status_code == 302
    assert WebAuth(app.test_client()).login("nlo.nzl", SPACED.strip()).status_code == 401


def test_a_password_change_over_the_api_keeps_the_spaces(client, accounts, spaced):
    token = _token(client, SPACED).json["access_token"]
    response = client.post("/api/v1/auth/password",
                           headers={"Authorization": f"Bearer {token}"},
                           json={"current_password": SPACED, "new_password": NEW_SPACED})
    assert response.status_code == 204, response.json
    assert _token(client, NEW_SPACED.strip()).status_code == 401
    assert _token(client, NEW_SPACED).status_code == 200


def test_a_stripped_current_password_is_refused_over_the_api(client, spaced):
    token = _token(client, SPACED).json["access_token"]
    response = client.post("/api/v1/auth/password",
                           headers={"Authorization": f"Bearer {token}"},
                           json={"current_password": SPACED.strip(),
                                 "new_password": NEW_SPACED})
    assert response.status_code == 422
    assert "current_password" in response.json["error"]["fields"]


@pytest.mark.parametrize("subject", ["9" * 40, str(2**31), "0", "-1"])
def test_a_signed_token_with_an_impossible_subject_is_a_401(client, spaced, subject):
    now = datetime.now(UTC)
    token = jwt.encode({"sub": subject, "iat": now.timestamp(),
                        "exp": int((now + timedelta(minutes=5)).timestamp()),
                        "aud": "jpa-api", "iss": "http://jpa.test", "jti": "x" * 32},
                       TEST_SECRET, algorithm="HS256")
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"
