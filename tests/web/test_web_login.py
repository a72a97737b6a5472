"""The login page: the system-use notice, refusals, and the lockout after five failures."""

from __future__ import annotations

import re
from datetime import timedelta

from core.db import utcnow
from core.identity.models import LoginSession

PASSWORD = "correct horse battery staple"
WRONG = "not the right password at all"
REFUSED = "Login refused"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _alert(response) -> str:
    match = re.search(r'role="alert">([^<]+)<', _text(response))
    assert match is not None
    return match.group(1)


def test_login_page_shows_the_system_use_notice(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = _text(response).lower()
    assert 'name="csrf_token"' in page
    plain = re.sub(r"<[^>]+>", "", page)
    assert "system-use notice" in plain
    assert "restricted" in plain
    assert "monitored, recorded and audited" in plain
    assert "unauthorised use is prohibited" in plain
    assert "punishable" in plain
    assert "you consent" in plain


def test_protected_page_redirects_anonymous_visitors_to_login(client):
    response = client.get("/periods")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_right_password_logs_in(accounts, web, client):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    response = web.login("nlo.nzl")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/periods").status_code == 200


def test_login_follows_a_local_next_but_not_a_foreign_one(accounts, client, csrf_of):
    accounts.create("analyst", "analyst")
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x", data={
        "username": "analyst", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused_without_a_session(accounts, web, client, store):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    response = web.login("nlo.nzl", WRONG)
    assert response.status_code == 401
    assert REFUSED in _text(response)
    assert client.get("/periods").status_code == 302
    assert store.count(LoginSession) == 0
    [failure] = store.audit("login.failure")
    assert failure.outcome == "failure"
    assert failure.actor_username == "nlo.nzl"


def test_unknown_user_is_refused_with_the_same_message(accounts, web):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    unknown = web.login("nobody.here", WRONG)
    wrong = web.login("nlo.nzl", WRONG)
    assert unknown.status_code == wrong.status_code == 401
    assert _alert(unknown) == _alert(wrong)


def test_five_failures_lock_the_account(accounts, web, client, store):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    for _ in range(5):
        wrong = web.login("nlo.nzl", WRONG)
        assert wrong.status_code == 401
    assert store.user("nlo.nzl").locked_until is not None

    refused = web.login("nlo.nzl", PASSWORD)
    assert refused.status_code == 401
    assert REFUSED in _text(refused)
    # Refused the same way as a wrong password: the page does not reveal the lock.
    assert _alert(refused) == _alert(wrong)
    assert client.get("/periods").status_code == 302
    assert store.count(LoginSession) == 0

    [lockout] = store.audit("login.lockout")
    assert lockout.actor_username == "nlo.nzl"
    locked = store.user("nlo.nzl").locked_until
    assert locked is not None
    assert timedelta(minutes=9) < locked - utcnow() <= timedelta(minutes=10)

    # More attempts while locked neither extend nor repeat the lockout.
    assert web.login("nlo.nzl", WRONG).status_code == 401
    assert len(store.audit("login.lockout")) == 1

    store.set_locked_until("nlo.nzl", utcnow() - timedelta(seconds=1))
    response = web.login("nlo.nzl", PASSWORD)
    assert response.status_code == 302
    assert client.get("/periods").status_code == 200
    assert store.user("nlo.nzl").failed_logins == 0
    assert len(store.audit("login.lockout")) == 1


def test_four_failures_do_not_lock(accounts, web, store):
    accounts.create("analyst", "analyst")
    for _ in range(4):
        assert web.login("analyst", WRONG).status_code == 401
    assert store.user("analyst").failed_logins == 4
    assert web.login("analyst", PASSWORD).status_code == 302
    assert store.user("analyst").failed_logins == 0
    assert store.audit("login.lockout") == []


def test_login_success_is_audited(accounts, web, store):
    accounts.create("analyst", "analyst")
    web.login("analyst")
    [success] = store.audit("login.success")
    assert success.actor_username == "analyst"
    assert success.request_id


def test_disabled_account_cannot_log_in(accounts, web, browser, store):
    accounts.create("admin", "admin")
    accounts.create("analyst", "analyst")
    admin = browser()
    admin.login("admin")
    uid = store.user("analyst").id
    admin.client.post(f"/admin/users/{uid}/disable",
                      data={"csrf_token": admin.csrf("/admin/users")})
    response = web.login("analyst")
    assert response.status_code == 401
    assert REFUSED in _text(response)
