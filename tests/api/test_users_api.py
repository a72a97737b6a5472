"""User administration over the API: administrator only, strict input, nothing written on error."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

USERS = "/api/v1/users"
GOOD_PASSWORD = "a long enough passphrase for tests"
USER_FIELDS = {"id", "username", "full_name", "email", "phone", "role", "state", "time_zone",
               "disabled", "created_at", "status", "invitation_expires_at"}


def _user(**changes):
    # No password: the account is invited and its user sets one (tests/security/).
    body = {"username": "nlo.tha", "role": "liaison_officer", "state": "THA",
            "email": "nlo.tha@police.example"}
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}


def test_admin_creates_a_user(admin_api, probe, client):
    response = admin_api.post(USERS, json=_user(full_name="Somchai Wong",
                                                email="somchai@police.example",
                                                phone="+66 2 123 4567"))

    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == USER_FIELDS
    assert body["username"] == "nlo.tha"
    assert body["role"] == "liaison_officer"
    assert body["state"] == "THA"
    assert body["full_name"] == "Somchai Wong"
    assert body["email"] == "somchai@police.example"
    assert body["phone"] == "+66 2 123 4567"
    assert body["time_zone"] == "Asia/Bangkok"
    assert body["disabled"] is False
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None
    text = response.get_data(as_text=True)
    assert GOOD_PASSWORD not in text and "argon2" not in text and "hash" not in text
    created = probe.audit("user.created")[-1]
    assert (created.actor_username, created.object_id) == ("root.admin", str(body["id"]))
    # Invited: nobody can log in until its user sets a password from the mailed link.
    assert body["status"] == "invited"
    token = client.post("/api/v1/auth/token",
                        json={"username": "nlo.tha", "password": GOOD_PASSWORD})
    assert token.status_code == 401


def test_state_defaults_the_time_zone(admin_api):
    response = admin_api.post(USERS, json=_user(username="cochair.nzl", role="co_chair",
                                                state="NZL"))

    assert response.status_code == 201, response.json
    assert response.json["time_zone"] == "Pacific/Auckland"


def test_explicit_time_zone_and_stateless_roles(admin_api):
    analyst = admin_api.post(USERS, json=_user(username="analyst.one", role="analyst",
                                               state=None, time_zone="Europe/Vienna"))
    admin = admin_api.post(USERS, json=_user(username="admin.two", role="admin", state=None))

    assert analyst.status_code == 201, analyst.json
    assert (analyst.json["state"], analyst.json["time_zone"]) == (None, "Europe/Vienna")
    assert admin.status_code == 201, admin.json
    assert (admin.json["state"], admin.json["time_zone"]) == (None, "UTC")


def test_admin_lists_users_without_secrets(admin_api, accounts):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    accounts.create("analyst", "analyst")

    response = admin_api.get(USERS)

    assert response.status_code == 200
    users = response.json["users"]
    assert sorted(u["username"] for u in users) == ["analyst", "nlo.nzl", "root.admin"]
    assert all(set(u) == USER_FIELDS for u in users)
    assert "argon2" not in response.get_data(as_text=True)


def test_admin_reads_one_user(admin_api, accounts, expect_error):
    user = accounts.create("nlo.nzl", "liaison_officer", "NZL")

    response = admin_api.get(f"{USERS}/{user.id}")

    assert response.status_code == 200
    assert response.json["username"] == "nlo.nzl"
    expect_error(admin_api.get(f"{USERS}/{user.id + 999}"), 404, "not_found")


@pytest.mark.parametrize("changes, field, words", [
    ({"role": "co_chair", "state": None}, "state", "required"),
    ({"role": "liaison_officer", "state": None}, "state", "required"),
    ({"state": "XXX"}, "state", "alpha-3"),
    ({"state": "nzl"}, "state", "alpha-3"),
    ({"state": "NZ"}, "state", None),
    ({"role": "superuser"}, "role", None),
    ({"role": None}, "role", None),
    ({"password": GOOD_PASSWORD}, "password", None),
    ({"email": None}, "email", None),
    ({"username": "ab"}, "username", None),
    ({"username": "has space"}, "username", None),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "IANA"),
    ({"email": "not-an-address"}, "email", None),
    ({"disabled": True}, "disabled", None),
    ({"id": 42}, "id", None),
    ({"password_hash": "$argon2id$v=19$..."}, "password_hash", None),
], ids=["co_chair-no-state", "nlo-no-state", "unknown-state", "lowercase-state",
        "two-letter-state", "bad-role", "no-role", "admin-set-password", "no-email",
        "short-username", "username-with-space", "bad-zone",
        "bad-email", "extra-disabled", "extra-id", "extra-password-hash"])
def test_bad_user_is_a_422_naming_the_field_and_writes_nothing(admin_api, probe, expect_error,
                                                               changes, field, words):
    users_before, created_before = probe.users(), len(probe.audit("user.created"))

    response = admin_api.post(USERS, json=_user(**changes))

    error = expect_error(response, 422, "validation_failed", fields=(field,))
    if words:
        assert words in error["fields"][field], error
    text = response.get_data(as_text=True)
    assert GOOD_PASSWORD not in text
    if field == "password":
        assert changes["password"] not in text
    assert probe.users() == users_before
    assert len(probe.audit("user.created")) == created_before


def test_every_problem_is_reported_at_once(admin_api, expect_error):
    response = admin_api.post(USERS, json=_user(role="co_chair", state="QQQ",
                                                time_zone="Nowhere/Land"))

    expect_error(response, 422, fields=("state", "time_zone"))


def test_duplicate_username_is_a_409(admin_api, accounts, probe, expect_error):
    accounts.create("nlo.tha", "liaison_officer", "THA")
    users_before, created_before = probe.users(), len(probe.audit("user.created"))

    response = admin_api.post(USERS, json=_user())

    expect_error(response, 409, "already_exists", fields=("username",))
    assert probe.users() == users_before
    assert len(probe.audit("user.created")) == created_before


@pytest.mark.parametrize("role, state", [
    ("co_chair", "NZL"), ("liaison_officer", "NZL"), ("analyst", None)])
def test_other_roles_may_not_administer_users(accounts, probe, expect_error, role, state):
    target = accounts.create("someone.else", "analyst")
    accounts.create("not.admin", role, state)
    api = accounts.api("not.admin")
    users_before, created_before = probe.users(), len(probe.audit("user.created"))

    for response in (api.post(USERS, json=_user()), api.get(USERS),
                     api.get(f"{USERS}/{target.id}"),
                     api.post(f"{USERS}/{target.id}/disable")):
        expect_error(response, 403, "forbidden")
        assert "someone.else" not in response.get_data(as_text=True)

    refusals = probe.audit("permission.refused")
    assert len(refusals) == 4
    assert {e.actor_username for e in refusals} == {"not.admin"}
    assert {e.outcome for e in refusals} == {"refused"}
    assert probe.users() == users_before
    assert len(probe.audit("user.created")) == created_before
    assert probe.audit("user.disabled") == []
    assert probe.user("someone.else").disabled is False


def test_admin_disables_a_user(admin_api, accounts, probe):
    user = accounts.create("nlo.nzl", "liaison_officer", "NZL")

    response = admin_api.post(f"{USERS}/{user.id}/disable")

    assert response.status_code == 200, response.json
    assert response.json["disabled"] is True
    assert probe.user("nlo.nzl").disabled is True
    assert [e.object_id for e in probe.audit("user.disabled")] == [str(user.id)]


def test_admin_cannot_disable_themselves(admin_api, probe, expect_error):
    me = admin_api.get("/api/v1/auth/me").json

    response = admin_api.post(f"{USERS}/{me['id']}/disable")

    expect_error(response, 409, "invalid_transition")
    assert probe.user("root.admin").disabled is False
    assert admin_api.get("/api/v1/auth/me").status_code == 200
    assert probe.audit("user.disabled") == []


def test_disabling_an_unknown_user_is_a_404(admin_api, probe, expect_error):
    expect_error(admin_api.post(f"{USERS}/4242/disable"), 404, "not_found")
    assert probe.audit("user.disabled") == []


def test_user_bodies_must_be_json_objects(admin_api, probe, expect_error):
    users_before = probe.users()
    for body in ([], "nlo.tha", 7, None):
        response = admin_api.post(USERS, data=json.dumps(body), content_type="application/json")
        expect_error(response, 422, "validation_failed")
    assert probe.users() == users_before
