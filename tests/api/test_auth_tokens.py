"""POST /api/v1/auth/token, lockout, revocation, /auth/me and password change over the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from core.identity.models import User

PASSWORD = "correct horse battery staple"  # what the `accounts` fixture gives every user
TOKEN_URL = "/api/v1/auth/token"
NEW_PASSWORD = "a completely different passphrase"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _login(client, username, password=PASSWORD):
    return client.post(TOKEN_URL, json={"username": username, "password": password})


def test_token_has_the_documented_shape_and_claims(client, accounts, settings, probe):
    user = accounts.create("nlo.nzl", "liaison_officer", "NZL")

    response = _login(client, "nlo.nzl")

    assert response.status_code == 200, response.json
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 1800
    claims = jwt.decode(body["access_token"], settings.secret_key, algorithms=["HS256"],
                        audience="jpa-api", issuer=settings.token_issuer)
    assert claims["sub"] == str(user.id)
    assert claims["exp"] - int(claims["iat"]) == 1800
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "HS256"
    issued = probe.audit("token.issued")
    assert [(e.actor_username, e.object_id) for e in issued] == [("nlo.nzl", claims["jti"])]


def test_token_works_on_the_api(client, accounts):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    token = _login(client, "nlo.nzl").json["access_token"]

    response = client.get("/api/v1/auth/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json["username"] == "nlo.nzl"


@pytest.mark.parametrize("username, password", [
    ("nlo.nzl", "not the right password at all"),
    ("nobody.here", PASSWORD),
])
def test_bad_credentials_are_a_401_envelope(client, accounts, expect_error, probe,
                                            username, password):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")

    response = _login(client, username, password)

    error = expect_error(response, 401, "unauthenticated")
    assert "access_token" not in response.get_data(as_text=True)
    assert password not in response.get_data(as_text=True)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    refused = probe.audit("token.refused")
    assert len(refused) == 1 and refused[0].actor_username == username
    assert probe.audit("token.issued") == []
    # The same words whether the user exists or not: usernames cannot be probed.
    assert error["message"] == _login(client, "someone.else", password).json["error"]["message"]


@pytest.mark.parametrize("body, field", [
    ({"password": PASSWORD}, "username"),
    ({"username": "nlo.nzl"}, "password"),
    ({"username": "", "password": PASSWORD}, "username"),
    ({"username": "nlo.nzl", "password": PASSWORD, "scope": "admin"}, "scope"),
])
def test_incomplete_token_request_is_a_422(client, accounts, expect_error, probe, body, field):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")

    response = client.post(TOKEN_URL, json=body)

    expect_error(response, 422, "validation_failed", fields=(field,))
    assert probe.audit("token.issued") == []


def test_five_wrong_passwords_lock_the_account(client, accounts, expect_error, probe):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    for _ in range(5):
        expect_error(_login(client, "nlo.nzl", "wrong password, try again"), 401)

    expect_error(_login(client, "nlo.nzl"), 401, "unauthenticated")

    assert len(probe.audit("login.lockout")) == 1
    assert probe.user("nlo.nzl").locked_until > datetime.now(UTC) + timedelta(minutes=9)
    assert probe.audit("token.issued") == []


def test_four_wrong_passwords_do_not_lock(client, accounts):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    for _ in range(4):
        assert _login(client, "nlo.nzl", "wrong password, try again").status_code == 401

    assert _login(client, "nlo.nzl").status_code == 200
    # The success reset the count: four more failures still do not lock.
    for _ in range(4):
        assert _login(client, "nlo.nzl", "wrong password, try again").status_code == 401
    assert _login(client, "nlo.nzl").status_code == 200


def test_the_right_password_works_again_once_the_lock_expires(app, client, accounts, probe):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    for _ in range(5):
        _login(client, "nlo.nzl", "wrong password, try again")
    assert _login(client, "nlo.nzl").status_code == 401

    with app.extensions["jpa.db"].transaction() as session:
        user = session.query(User).filter_by(username="nlo.nzl").one()
        user.locked_until = datetime.now(UTC) - timedelta(seconds=1)

    response = _login(client, "nlo.nzl")
    assert response.status_code == 200, response.json
    assert client.get("/api/v1/auth/me",
                      headers=bearer(response.json["access_token"])).status_code == 200
    assert probe.user("nlo.nzl").locked_until is None


def test_revoked_token_is_refused(client, accounts, expect_error, probe):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    token = _login(client, "nlo.nzl").json["access_token"]
    other = _login(client, "nlo.nzl").json["access_token"]

    response = client.post(f"{TOKEN_URL}/revoke", headers=bearer(token))

    assert response.status_code == 204
    assert response.get_data() == b""
    expect_error(client.get("/api/v1/auth/me", headers=bearer(token)), 401, "unauthenticated")
    expect_error(client.post(f"{TOKEN_URL}/revoke", headers=bearer(token)), 401)
    # Only that token: the user's other token still works.
    assert client.get("/api/v1/auth/me", headers=bearer(other)).status_code == 200
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    assert [e.object_id for e in probe.audit("token.revoked")] == [jti]


def test_me_describes_the_caller_and_nothing_secret(accounts):
    user = accounts.create("nlo.nzl", "liaison_officer", "NZL", full_name="Mere Wihongi")
    api = accounts.api("nlo.nzl")

    response = api.get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json == {"id": user.id, "username": "nlo.nzl", "full_name": "Mere Wihongi",
                             "role": "liaison_officer", "state": "NZL",
                             "time_zone": "Pacific/Auckland"}


def test_me_needs_a_token(client, expect_error):
    expect_error(client.get("/api/v1/auth/me"), 401, "unauthenticated")


def _change(api, current, new):
    return api.post("/api/v1/auth/password",
                    json={"current_password": current, "new_password": new})


def test_password_change_ends_every_earlier_token(client, accounts, expect_error, probe):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    api = accounts.api("nlo.nzl")
    second = _login(client, "nlo.nzl").json["access_token"]

    response = _change(api, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 204, response.json
    # Tokens issued before the change (very likely within the same second) stop working.
    expect_error(api.get("/api/v1/auth/me"), 401, "unauthenticated")
    expect_error(client.get("/api/v1/auth/me", headers=bearer(second)), 401)
    # The old password no longer opens a token; the new one does, and it works at once.
    expect_error(_login(client, "nlo.nzl"), 401)
    fresh = _login(client, "nlo.nzl", NEW_PASSWORD)
    assert fresh.status_code == 200
    assert client.get("/api/v1/auth/me",
                      headers=bearer(fresh.json["access_token"])).status_code == 200
    assert len(probe.audit("password.changed")) == 1


@pytest.mark.parametrize("current, new, field, words", [
    ("not my password at all", NEW_PASSWORD, "current_password", "match"),
    (PASSWORD, "short pass", "new_password", "12"),
    (PASSWORD, "x" * 129, "new_password", "128"),
    (PASSWORD, "my name is NLO.NZL and I like it", "new_password", "username"),
])
def test_bad_password_change_is_a_422_and_changes_nothing(client, accounts, expect_error,
                                                          probe, current, new, field, words):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    api = accounts.api("nlo.nzl")
    before = probe.user("nlo.nzl").password_hash

    response = _change(api, current, new)

    error = expect_error(response, 422, "validation_failed", fields=(field,))
    assert words in error["fields"][field]
    text = json.dumps(response.json)
    assert new not in text and current not in text
    assert probe.user("nlo.nzl").password_hash == before
    assert api.get("/api/v1/auth/me").status_code == 200
    assert _login(client, "nlo.nzl").status_code == 200
    assert probe.audit("password.changed") == []
