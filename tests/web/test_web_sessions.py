"""Server-side sessions: a copied cookie stops working at logout, password change, disabling,
after 30 idle minutes and after 12 hours in all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import utcnow

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase for tests"


def _replay(app, cookie: str):
    """A new browser that only carries the copied session cookie."""
    other = app.test_client()
    other.set_cookie("jpa_session", cookie)
    return other


def _copied_cookie(client) -> str:
    cookie = client.get_cookie("jpa_session")
    assert cookie is not None
    return cookie.value


def _assert_sent_to_login(response) -> None:
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_copied_cookie_works_while_the_session_lives(app, logged_in, client):
    logged_in("analyst", "analyst")
    copied = _copied_cookie(client)
    assert _replay(app, copied).get("/periods").status_code == 200


def test_logout_revokes_a_copied_cookie(app, logged_in, client, web, store):
    logged_in("analyst", "analyst")
    copied = _copied_cookie(client)
    response = web.logout()
    _assert_sent_to_login(response)
    _assert_sent_to_login(client.get("/periods"))
    _assert_sent_to_login(_replay(app, copied).get("/periods"))
    [session] = store.login_sessions("analyst")
    assert session.revoked_at is not None
    assert session.revoke_reason == "logout"
    assert len(store.audit("logout")) == 1


def test_logout_ends_the_sessions_of_other_browsers_too(app, logged_in, browser, web, client):
    logged_in("analyst", "analyst")
    other = browser()
    assert other.login("analyst").status_code == 302
    web.logout()
    _assert_sent_to_login(other.client.get("/periods"))


def test_password_change_revokes_a_copied_cookie(app, logged_in, client, web, store):
    logged_in("analyst", "analyst")
    copied = _copied_cookie(client)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "csrf_token": web.csrf("/account/password")})
    _assert_sent_to_login(response)
    _assert_sent_to_login(_replay(app, copied).get("/periods"))
    _assert_sent_to_login(client.get("/periods"))
    assert store.login_sessions("analyst")[0].revoke_reason == "password_changed"
    assert len(store.audit("password.changed")) == 1
    # The old password no longer works, the new one does.
    assert web.login("analyst", PASSWORD).status_code == 401
    assert web.login("analyst", NEW_PASSWORD).status_code == 302


def test_password_change_with_a_wrong_current_password_changes_nothing(
        app, logged_in, client, web, field_of, store):
    logged_in("analyst", "analyst")
    copied = _copied_cookie(client)
    response = client.post("/account/password", data={
        "current_password": "this is not my password", "new_password": NEW_PASSWORD,
        "csrf_token": web.csrf("/account/password")})
    assert response.status_code == 422
    block = field_of(response.get_data(as_text=True), "current_password")
    assert "does not match" in block
    assert _replay(app, copied).get("/periods").status_code == 200
    assert store.audit("password.changed") == []


def test_password_change_to_a_short_password_is_refused_inline(logged_in, client, web, field_of):
    logged_in("analyst", "analyst")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "short",
        "csrf_token": web.csrf("/account/password")})
    assert response.status_code == 422
    block = field_of(response.get_data(as_text=True), "new_password")
    assert "use at least 12 characters" in block
    assert client.get("/periods").status_code == 200


def test_disabling_revokes_a_copied_cookie(app, accounts, logged_in, client, browser, store):
    logged_in("nlo.nzl", "liaison_officer", "NZL")
    copied = _copied_cookie(client)
    accounts.create("admin", "admin")
    admin = browser()
    admin.login("admin")
    uid = store.user("nlo.nzl").id
    response = admin.client.post(f"/admin/users/{uid}/disable",
                                 data={"csrf_token": admin.csrf("/admin/users")})
    assert response.status_code == 302
    assert store.user("nlo.nzl").disabled
    _assert_sent_to_login(_replay(app, copied).get("/periods"))
    _assert_sent_to_login(client.get("/periods"))
    assert store.login_sessions("nlo.nzl")[0].revoke_reason == "disabled"


def test_idle_session_expires_after_30_minutes(app, logged_in, client, store):
    logged_in("analyst", "analyst")
    store.age_sessions("analyst", idle=timedelta(minutes=31))
    _assert_sent_to_login(client.get("/periods"))
    [expired] = store.audit("session.expired")
    assert expired.actor_username == "analyst"
    assert '"reason":"idle"' in expired.details
    [session] = store.login_sessions("analyst")
    assert session.revoke_reason == "expired_idle"
    # The session stays dead and the expiry is recorded once.
    _assert_sent_to_login(client.get("/periods"))
    assert len(store.audit("session.expired")) == 1


def test_login_page_after_expiry_says_the_session_ended(logged_in, client, store):
    logged_in("analyst", "analyst")
    store.age_sessions("analyst", idle=timedelta(minutes=31))
    page = client.get("/periods", follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Log in</h1>" in html
    assert "Your session ended" in html
    assert "Please log in to see that page" not in html


def test_session_idle_29_minutes_still_works(logged_in, client, store):
    logged_in("analyst", "analyst")
    store.age_sessions("analyst", idle=timedelta(minutes=29))
    assert client.get("/periods").status_code == 200
    # The request restarted the idle clock.
    [session] = store.login_sessions("analyst")
    assert session.revoked_at is None
    assert utcnow() - session.last_seen_at < timedelta(minutes=1)
    assert store.audit("session.expired") == []


@pytest.mark.parametrize("age, alive", [
    (timedelta(hours=12, minutes=1), False),
    (timedelta(hours=11, minutes=59), True),
])
def test_absolute_session_lifetime_is_12_hours(logged_in, client, store, age, alive):
    logged_in("analyst", "analyst")
    store.age_sessions("analyst", idle=timedelta(minutes=1), age=age)
    response = client.get("/periods")
    if alive:
        assert response.status_code == 200
        assert store.audit("session.expired") == []
    else:
        _assert_sent_to_login(response)
        [expired] = store.audit("session.expired")
        assert '"reason":"absolute"' in expired.details
        assert store.login_sessions("analyst")[0].revoke_reason == "expired_absolute"
