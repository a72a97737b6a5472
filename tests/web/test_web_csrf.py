"""CSRF: a form posted without its token is a 400 and changes nothing."""

from __future__ import annotations

from core.identity.models import LoginSession, User
from operations.models import Period

PASSWORD = "correct horse battery staple"
PERIOD_FORM = {
    "name": "JPA without a token", "starts_at": "2030-01-01T00:00",
    "ends_at": "2030-02-01T00:00", "time_zone": "UTC", "states": "NZL LKA", "co_chairs": "NZL",
}
USER_FORM = {
    "username": "new.user", "role": "analyst", "email": "new.user@example.org",
}


def test_creating_a_user_without_the_token_is_refused(logged_in, client, store):
    logged_in("admin", "admin")
    users_before = store.count(User)
    audited_before = len(store.audit("user.created"))
    response = client.post("/admin/users", data=USER_FORM)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert store.count(User) == users_before
    assert not store.has_user("new.user")
    assert len(store.audit("user.created")) == audited_before


def test_creating_a_user_with_a_forged_token_is_refused(logged_in, client, store):
    logged_in("admin", "admin")
    response = client.post("/admin/users", data={**USER_FORM, "csrf_token": "forged.token"})
    assert response.status_code == 400
    assert not store.has_user("new.user")


def test_creating_a_period_without_the_token_is_refused(logged_in, client, store):
    logged_in("admin", "admin")
    response = client.post("/admin/periods/new", data=PERIOD_FORM)
    assert response.status_code == 400
    assert store.count(Period) == 0
    assert store.audit("period.created") == []


def test_a_token_from_another_session_is_refused(logged_in, client, browser, store):
    logged_in("admin", "admin")
    stranger = browser()
    foreign_token = stranger.csrf("/login")
    response = client.post("/admin/periods/new", data={**PERIOD_FORM,
                                                       "csrf_token": foreign_token})
    assert response.status_code == 400
    assert store.count(Period) == 0


def test_disabling_without_the_token_is_refused(logged_in, accounts, client, store):
    logged_in("admin", "admin")
    target = accounts.create("analyst", "analyst")
    response = client.post(f"/admin/users/{target.id}/disable")
    assert response.status_code == 400
    assert not store.user("analyst").disabled


def test_logout_without_the_token_is_refused(logged_in, client, store):
    logged_in("analyst", "analyst")
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/periods").status_code == 200
    [session] = store.login_sessions("analyst")
    assert session.revoked_at is None
    assert store.audit("logout") == []


def test_login_without_the_token_is_refused(accounts, client, store):
    accounts.create("analyst", "analyst")
    client.get("/login")
    response = client.post("/login", data={"username": "analyst", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/periods").status_code == 302
    assert store.count(LoginSession) == 0
    assert store.audit("login.success") == []
    assert store.audit("login.failure") == []


def test_password_change_without_the_token_is_refused(logged_in, client, web):
    logged_in("analyst", "analyst")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "another long passphrase"})
    assert response.status_code == 400
    assert client.get("/periods").status_code == 200
    web.logout()
    assert web.login("analyst", PASSWORD).status_code == 302


def test_api_json_posts_need_no_csrf_token(admin_api):
    response = admin_api.post("/api/v1/periods", json={
        "name": "JPA", "starts_at": "2030-01-01T00:00:00+07:00",
        "ends_at": "2030-02-01T00:00:00+07:00", "states": ["NZL"], "co_chairs": []})
    assert response.status_code == 201, response.json
