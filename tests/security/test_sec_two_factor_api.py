"""Two-factor sign-in over the API and in the services, with JPA_TWO_FACTOR=required:
enrolment, codes, single-use recovery codes, replay, lockout on wrong codes, tokens only after
both factors, the encrypted secret, and the administrator's reset."""

from __future__ import annotations

import dataclasses

import pyotp
import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.identity import twofactor
from core.identity.models import RecoveryCode, TwoFactor, User
from core.notify import Notification, OutboxMail
from tests.conftest import PASSWORD, make_settings
from tests.security.sec_twofactor_helpers import enrol


@pytest.fixture
def settings(tmp_path, database_url):
    """Two-factor sign-in required for NLOs and co-chairs, as in production."""
    return make_settings(tmp_path, database_url, two_factor="required")


@pytest.fixture
def nlo(accounts):
    """A national liaison officer with an e-mail address."""
    return accounts.create("nlo.nzl", "liaison_officer", "NZL", email="nlo@example.org")


def _token(client, code: str | None = None, password: str = PASSWORD):
    body = {"username": "nlo.nzl", "password": password}
    if code is not None:
        body["code"] = code
    return client.post("/api/v1/auth/token", json=body)


def _rows(app, model, **where):
    with app.extensions["jpa.db"].transaction(write=False) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(session.scalars(query))


def _actions(app) -> list[str]:
    return [event.action for event in _rows(app, AuditEvent)]


def test_an_nlo_who_has_not_enrolled_gets_no_token(client, nlo, accounts):
    response = _token(client)
    assert response.status_code == 401
    assert "web interface" in response.json["error"]["message"]
    # An analyst may choose: a password alone still opens a token.
    accounts.create("ana.lyst", "analyst")
    assert client.post("/api/v1/auth/token", json={"username": "ana.lyst",
                                                   "password": PASSWORD}).status_code == 200


def test_optional_mode_lets_an_nlo_sign_in_with_a_password(app, client, nlo):
    policy = app.extensions["jpa.identity"]
    app.extensions["jpa.identity"] = dataclasses.replace(policy, two_factor="optional")
    assert _token(client).status_code == 200


def test_an_enrolled_user_needs_a_code_for_a_token(app, client, nlo):
    enrolled = enrol(app, "nlo.nzl")

    missing = _token(client)
    assert missing.status_code == 401
    assert "code is needed" in missing.json["error"]["message"]
    assert _token(client, "000000" if enrolled.next_code() != "000000" else "111111"
                  ).status_code == 401
    code = enrolled.next_code()
    good = _token(client, code)
    assert good.status_code == 200
    me = client.get("/api/v1/auth/me",
                    headers={"Authorization": f"Bearer {good.json['access_token']}"})
    assert me.json["username"] == "nlo.nzl"
    # The same code twice is a replay, refused.
    assert _token(client, code).status_code == 401
    # A code with a wrong password opens nothing either.
    assert _token(client, enrolled.next_code(), "not the password at all").status_code == 401
    assert {"two_factor.enrolled", "two_factor.code_ok", "two_factor.code_failed"} \
        <= set(_actions(app))


def test_recovery_codes_are_single_use(app, client, nlo):
    enrolled = enrol(app, "nlo.nzl")
    assert len(enrolled.recovery_codes) == 10
    assert len(set(enrolled.recovery_codes)) == 10
    first, second = enrolled.recovery_codes[:2]

    assert _token(client, first).status_code == 200
    assert _token(client, first).status_code == 401
    assert _token(client, second.upper().replace("-", " ")).status_code == 200
    assert "two_factor.recovery_code_used" in _actions(app)
    # Only keyed hashes are stored.
    stored = [row.code_hash for row in _rows(app, RecoveryCode)]
    assert len(stored) == 10
    assert not {code.replace("-", "") for code in enrolled.recovery_codes} & set(stored)


def test_wrong_codes_lock_the_account(app, client, nlo):
    enrolled = enrol(app, "nlo.nzl")
    for _ in range(5):
        assert _token(client, "12345x").status_code == 401
    # Locked: the right password and a right code are refused for ten minutes.
    assert _token(client, enrolled.next_code()).status_code == 401
    assert _token(client, enrolled.recovery_codes[0]).status_code == 401
    assert "login.lockout" in _actions(app)


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(app, client, nlo):
    enrolled = enrol(app, "nlo.nzl")
    for _ in range(4):
        assert _token(client, "not-a-code").status_code == 401
    assert _token(client).status_code == 401  # right password, no code
    assert _token(client, "not-a-code").status_code == 401  # the fifth failure locks
    assert _token(client, enrolled.next_code()).status_code == 401


def test_the_secret_is_stored_encrypted(app, nlo):
    enrolled = enrol(app, "nlo.nzl")
    [row] = _rows(app, TwoFactor)
    assert enrolled.secret not in row.secret_encrypted
    policy = app.extensions["jpa.identity"]
    assert twofactor.decrypt_secret(policy, nlo.id, row.secret_encrypted) == enrolled.secret
    # Another deployment's key, or the row moved to another user, yields nothing.
    other = dataclasses.replace(policy, token_key="another-secret-key-" + "x" * 40)
    assert twofactor.decrypt_secret(other, nlo.id, row.secret_encrypted) is None
    assert twofactor.decrypt_secret(policy, nlo.id + 1, row.secret_encrypted) is None


def test_the_administrator_resets_two_factor(app, client, nlo, accounts):
    enrolled = enrol(app, "nlo.nzl")
    token = _token(client, enrolled.next_code()).json["access_token"]
    admin = accounts.create("root.admin", "admin")
    admin_api = accounts.api("root.admin")

    response = admin_api.post(f"/api/v1/users/{nlo.id}/two-factor/reset")

    assert response.status_code == 204
    # The user's tokens end, the old secret and recovery codes no longer work, and the user
    # must enrol again.
    assert client.get("/api/v1/auth/me",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _rows(app, RecoveryCode) == []
    refused = _token(client, enrolled.recovery_codes[3])
    assert refused.status_code == 401
    assert "web interface" in refused.json["error"]["message"]
    # Told in the app and by e-mail; audited with the administrator as the actor.
    [note] = _rows(app, Notification, user_id=nlo.id)
    assert "two-factor" in note.subject
    assert [mail.recipient for mail in _rows(app, OutboxMail)] == ["nlo@example.org"]
    [event] = _rows(app, AuditEvent, action="two_factor.reset")
    assert event.actor_id == admin.id and event.object_id == str(nlo.id)
    # Re-enrolment works and brings the token back.
    again = enrol(app, "nlo.nzl")
    assert _token(client, again.next_code()).status_code == 200


def test_an_optional_user_reset_by_the_administrator_must_enrol_again(app, client, accounts):
    accounts.create("ana.lyst", "analyst")
    enrol(app, "ana.lyst")
    accounts.create("root.admin", "admin")
    analyst = _rows(app, User, username="ana.lyst")[0]
    assert accounts.api("root.admin").post(
        f"/api/v1/users/{analyst.id}/two-factor/reset").status_code == 204
    response = client.post("/api/v1/auth/token", json={"username": "ana.lyst",
                                                       "password": PASSWORD})
    assert response.status_code == 401
    assert "web interface" in response.json["error"]["message"]


def test_only_the_administrator_resets(app, nlo, accounts):
    accounts.create("other.nlo", "liaison_officer", "AUS")
    enrol(app, "other.nlo")
    enrolled = enrol(app, "nlo.nzl")
    client = app.test_client()
    token = _token(client, enrolled.next_code()).json["access_token"]
    response = client.post(f"/api/v1/users/{nlo.id}/two-factor/reset",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert _rows(app, AuditEvent, action="two_factor.reset") == []


def test_a_code_that_is_too_long_is_a_422_naming_the_field(client, nlo):
    response = _token(client, "9" * 65)
    assert response.status_code == 422
    assert "code" in response.json["error"]["fields"]


def test_enrolment_codes_are_checked(app, nlo):
    database = app.extensions["jpa.db"]
    policy = app.extensions["jpa.identity"]
    with database.transaction() as session:
        user = session.get(User, nlo.id)
        pending = twofactor.begin_enrolment(session, policy=policy, user=user)
    wrong = "123456" if pyotp.TOTP(pending.secret).now() != "123456" else "654321"
    with database.transaction() as session:
        user = session.get(User, nlo.id)
        with pytest.raises(twofactor.ValidationFailed) as caught:
            twofactor.confirm_enrolment(session, policy=policy, user=user, code=wrong)
    assert set(caught.value.fields) == {"code"}
    assert _rows(app, TwoFactor)[0].confirmed_at is None


def test_the_openapi_document_shows_the_code_and_the_reset(client):
    document = client.get("/api/v1/openapi.json").json
    assert "post" in document["paths"]["/api/v1/users/{uid}/two-factor/reset"]
    assert "code" in document["components"]["schemas"]["TokenRequest"]["properties"]
