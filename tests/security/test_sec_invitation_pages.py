"""Defect 15 through the pages: the admin users page invites (no password field), shows
invited / active / disabled with the link's expiry, re-sends and changes accounts; the
activation page sets the password once."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from core.identity.models import User
from tests.conftest import PASSWORD, WebAuth, csrf_token_from
from tests.security import sec_invite_support as support
from tests.security.sec_invite_support import (
    INVALID_LINK,
    NEW_PASSWORD,
    link_token,
)

# Fixtures shared with the other invitation tests.
probe = support.probe
settings = support.settings


def _admin(accounts, client) -> WebAuth:
    accounts.create("root.admin", "admin", email="root@jpa.example")
    web = WebAuth(client)
    assert web.login("root.admin", PASSWORD).status_code == 302
    return web


def _create_form(web: WebAuth, **overrides: str) -> dict[str, str]:
    values = {"username": "new.nlo", "full_name": "Niran New", "email": "new.nlo@tha.example",
              "phone": "", "role": "liaison_officer", "state": "tha", "time_zone": "",
              "csrf_token": web.csrf("/admin/users")}
    values.update(overrides)
    return values


def _row(page: str, username: str) -> str:
    match = re.search(rf"<tr>\s*<td>{re.escape(username)}</td>(.*?)</tr>", page, re.DOTALL)
    assert match is not None, page
    return match.group(1)


def _activation(app, token: str, password: str = NEW_PASSWORD,
                confirm: str | None = None) -> tuple[object, object]:
    """A fresh browser opens the link and submits the form; returns (GET, POST) answers."""
    visitor = app.test_client()
    page = visitor.get(f"/activate/{token}")
    if page.status_code != 200:
        return page, None
    answer = visitor.post(f"/activate/{token}", data={
        "password": password, "confirm": password if confirm is None else confirm,
        "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    return page, answer


def test_the_users_page_has_no_password_field_and_invites(app, accounts, client, probe,
                                                          smtp_server):
    web = _admin(accounts, client)
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'type="password"' not in page and 'name="password"' not in page

    response = client.post("/admin/users", data=_create_form(web))

    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "new.nlo@tha.example" in page  # the flash says where the link went
    row = _row(page, "new.nlo")
    assert "Invited" in row and "expires" in row
    assert probe.user("new.nlo").invited is True
    token = link_token(smtp_server, "new.nlo@tha.example")
    assert token not in page


def test_a_password_posted_to_the_users_page_is_ignored(app, accounts, client, smtp_server):
    web = _admin(accounts, client)
    client.post("/admin/users", data=_create_form(web, password="the admin's own choice 1"))
    refused = WebAuth(app.test_client()).login("new.nlo", "the admin's own choice 1")
    assert refused.status_code == 401


def test_the_link_opens_a_form_that_sets_the_password_once(app, accounts, client, probe,
                                                           smtp_server):
    web = _admin(accounts, client)
    client.post("/admin/users", data=_create_form(web))
    token = link_token(smtp_server, "new.nlo@tha.example")

    page, mismatch = _activation(app, token, confirm="something else entirely")
    assert page.status_code == 200
    assert "new.nlo" in page.get_data(as_text=True)
    assert mismatch.status_code == 422
    assert "match" in mismatch.get_data(as_text=True)
    _, short = _activation(app, token, password="too short")
    assert short.status_code == 422
    assert "at least 12 characters" in short.get_data(as_text=True)

    _, done = _activation(app, token)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert WebAuth(app.test_client()).login("new.nlo", NEW_PASSWORD).status_code == 302
    assert WebAuth(app.test_client()).login("new.nlo", NEW_PASSWORD.strip()).status_code == 401
    assert "Active" in _row(client.get("/admin/users").get_data(as_text=True), "new.nlo")

    again, _ = _activation(app, token, password="yet another long passphrase")
    assert again.status_code == 404
    assert INVALID_LINK in again.get_data(as_text=True).lower()


def test_unknown_and_expired_links_show_the_same_page(app, accounts, client, smtp_server):
    web = _admin(accounts, client)
    client.post("/admin/users", data=_create_form(web))
    token = link_token(smtp_server, "new.nlo@tha.example")
    from core.identity.invitations import Invitation

    with app.extensions["jpa.db"].transaction() as session:
        for invitation in session.scalars(select(Invitation)):
            invitation.created_at -= _hours(73)  # made 73 hours ago: 72 is the limit
            invitation.expires_at -= _hours(73)
    answers = [_activation(app, t)[0] for t in (token, "unknown-token-" + "x" * 30)]
    bodies = [a.get_data(as_text=True) for a in answers]
    assert [a.status_code for a in answers] == [404, 404]
    assert all(INVALID_LINK in b.lower() for b in bodies)
    assert all("<form" not in b.split("<main", 1)[-1] for b in bodies)


def _hours(n: int):
    from datetime import timedelta

    return timedelta(hours=n)


def test_the_resend_button_mails_a_new_link_and_kills_the_old(app, accounts, client,
                                                              smtp_server):
    web = _admin(accounts, client)
    client.post("/admin/users", data=_create_form(web))
    old = link_token(smtp_server, "new.nlo@tha.example")
    page = client.get("/admin/users").get_data(as_text=True)
    form = re.search(r'<form method="post" action="(/admin/users/\d+/invitation)"', _row(
        page, "new.nlo"))
    assert form is not None, _row(page, "new.nlo")

    response = client.post(form.group(1), data={"csrf_token": csrf_token_from(page)})

    assert response.status_code == 302
    new = link_token(smtp_server, "new.nlo@tha.example")
    assert new != old
    assert _activation(app, old)[0].status_code == 404
    assert _activation(app, new)[1].status_code == 302
    # Active now: no resend button any more.
    page = client.get("/admin/users").get_data(as_text=True)
    assert "/invitation" not in _row(page, "new.nlo")


def test_the_edit_page_changes_role_and_state(app, accounts, client, probe, smtp_server):
    web = _admin(accounts, client)
    target = accounts.create("nlo.mys", "liaison_officer", "MYS", email="aminah@mys.example")
    accounts.create("nlo.tha", "liaison_officer", "THA", email="somchai@tha.example")
    user_web = WebAuth(app.test_client())
    assert user_web.login("nlo.mys", PASSWORD).status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'href="/admin/users/{target.id}/edit"' in _row(page, "nlo.mys")

    edit = client.get(f"/admin/users/{target.id}/edit")
    assert edit.status_code == 200
    html = edit.get_data(as_text=True)
    assert 'name="password"' not in html
    response = client.post(f"/admin/users/{target.id}/edit", data={
        "role": "liaison_officer", "state": "THA", "full_name": "Aminah Rahman",
        "email": "aminah@mys.example", "phone": "", "time_zone": "Asia/Bangkok",
        "csrf_token": csrf_token_from(html)})

    assert response.status_code == 302, response.get_data(as_text=True)
    assert probe.user("nlo.mys").state == "THA"
    assert user_web.client.get("/").status_code in (302, 401)  # the session ended
    assert [n.body for n in probe.inbox("nlo.tha")]
    bad = client.post(f"/admin/users/{target.id}/edit", data={
        "role": "co_chair", "state": "", "csrf_token": web.csrf(f"/admin/users/{target.id}/edit")})
    assert bad.status_code == 422
    assert "required" in bad.get_data(as_text=True)
    assert probe.user("nlo.mys").role == "liaison_officer"


def test_the_disabled_status_is_shown(app, accounts, client):
    _admin(accounts, client)
    accounts.create("gone", "analyst")
    with app.extensions["jpa.db"].transaction() as session:
        session.execute(update(User).where(User.username == "gone").values(disabled=True))
    assert "Disabled" in _row(client.get("/admin/users").get_data(as_text=True), "gone")
