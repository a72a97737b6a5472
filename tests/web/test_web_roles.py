"""What each role may open and sees: admin pages, navigation, home page, period visibility."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.identity.services import Principal
from operations import services as operations


@pytest.fixture
def period_nzl_lka(app, accounts):
    """A period of New Zealand and Sri Lanka (NZL co-chair), made by an administrator."""
    admin = accounts.create("setup.admin", "admin")
    database = app.extensions["jpa.db"]
    with database.transaction() as session:
        period = operations.create_period(
            session, actor=Principal.of(admin, "test"), name="NZL-LKA period",
            starts_at=datetime(2030, 1, 1, tzinfo=UTC), ends_at=datetime(2030, 2, 1, tzinfo=UTC),
            states=["NZL", "LKA"], co_chairs=["NZL"])
    return period


NON_ADMIN = [
    ("cochair.nzl", "co_chair", "NZL"),
    ("nlo.nzl", "liaison_officer", "NZL"),
    ("analyst", "analyst", None),
]


@pytest.mark.parametrize("username, role, state", NON_ADMIN)
@pytest.mark.parametrize("method, path", [
    ("get", "/admin/users"),
    ("get", "/admin/periods/new"),
    ("post", "/admin/periods/new"),
    ("post", "/admin/users"),
])
def test_admin_pages_are_forbidden_to_other_roles(logged_in, client, web, store, username,
                                                  role, state, method, path):
    logged_in(username, role, state)
    data = {"csrf_token": web.csrf("/"), "name": "x", "username": "someone.new",
            "password": "a long enough password 1", "role": "admin", "states": "NZL",
            "starts_at": "2030-01-01T00:00", "ends_at": "2030-02-01T00:00",
            "time_zone": "UTC"}
    response = getattr(client, method)(path, **({"data": data} if method == "post" else {}))
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)
    [refusal] = store.audit("permission.refused")
    assert refusal.outcome == "refused"
    assert refusal.actor_username == username
    assert refusal.actor_state == state
    assert refusal.object_type == "endpoint"
    assert path in refusal.details
    assert not store.has_user("someone.new")
    assert store.periods() == []


@pytest.mark.parametrize("username, role, state", NON_ADMIN)
def test_disable_is_forbidden_to_other_roles(logged_in, accounts, client, web, store,
                                             username, role, state):
    logged_in(username, role, state)
    target = accounts.create("victim", "analyst")
    response = client.post(f"/admin/users/{target.id}/disable",
                           data={"csrf_token": web.csrf("/")})
    assert response.status_code == 403
    assert not store.user("victim").disabled
    assert len(store.audit("permission.refused")) == 1


def _nav(html: str) -> str:
    match = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.DOTALL)
    assert match is not None
    return match.group(1)


def test_admin_navigation(logged_in, client):
    logged_in("admin", "admin")
    nav = _nav(client.get("/").get_data(as_text=True))
    assert '<a href="/admin/users"' in nav
    assert ">Users</a>" in nav
    assert ">New period</a>" in nav
    assert ">Periods</a>" in nav


@pytest.mark.parametrize("username, role, state", NON_ADMIN)
def test_other_roles_do_not_see_admin_links(logged_in, client, username, role, state):
    logged_in(username, role, state)
    html = client.get("/").get_data(as_text=True)
    nav = _nav(html)
    assert ">Users</a>" not in nav
    assert "/admin/users" not in html
    assert "/admin/periods/new" not in html
    assert ">Periods</a>" in nav
    assert ">Home</a>" in nav


def test_anonymous_pages_have_no_navigation(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<nav aria-label="Main">' not in html
    assert "Log out" not in html


@pytest.mark.parametrize("username, role, state, purpose", [
    ("admin", "admin", None, "You run the platform"),
    ("cochair.nzl", "co_chair", "NZL", "As co-chair for NZL you watch every participating "
                                       "state's progress"),
    ("nlo.nzl", "liaison_officer", "NZL", "As national liaison officer for NZL you register "
                                          "and report NZL's operations"),
    ("analyst", "analyst", None, "As analyst you see regional figures"),
])
def test_home_page_states_the_roles_purpose(logged_in, client, username, role, state, purpose):
    logged_in(username, role, state)
    response = client.get("/")
    assert response.status_code == 200
    html = re.sub(r"\s+", " ", response.get_data(as_text=True)).replace("&#39;", "'")
    assert purpose in html


def test_home_page_sends_anonymous_visitors_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_nlo_of_a_state_outside_the_period_gets_404(logged_in, client, period_nzl_lka, store):
    logged_in("nlo.tha", "liaison_officer", "THA")
    response = client.get(f"/periods/{period_nzl_lka.id}")
    assert response.status_code == 404
    assert "NZL-LKA period" not in response.get_data(as_text=True)
    assert "NZL-LKA period" not in client.get("/periods").get_data(as_text=True)
    # The same answer as for a period that does not exist at all.
    missing = client.get("/periods/999999")
    assert missing.status_code == 404
    assert store.audit("permission.refused") == []


@pytest.mark.parametrize("username, role, state", [
    ("nlo.lka", "liaison_officer", "LKA"),
    ("cochair.nzl", "co_chair", "NZL"),
    ("analyst", "analyst", None),
    ("admin", "admin", None),
])
def test_period_is_visible_to_its_participants_and_overseers(
        logged_in, client, period_nzl_lka, username, role, state):
    logged_in(username, role, state)
    response = client.get(f"/periods/{period_nzl_lka.id}")
    assert response.status_code == 200
    assert "NZL-LKA period" in response.get_data(as_text=True)
    assert "NZL-LKA period" in client.get("/periods").get_data(as_text=True)


def test_co_chair_of_another_state_gets_404(logged_in, client, period_nzl_lka):
    logged_in("cochair.tha", "co_chair", "THA")
    assert client.get(f"/periods/{period_nzl_lka.id}").status_code == 404
