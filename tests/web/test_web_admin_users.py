"""User administration through the pages."""

from __future__ import annotations

import re

import pytest

from core.identity.models import User


def _form(web, **overrides: str) -> dict[str, str]:
    values = {
        "username": "nlo.tha",
        "full_name": "Somchai Wong",
        "email": "somchai@example.org",
        "phone": "+66 2 123 4567",
        "role": "liaison_officer",
        "state": "tha",
        "time_zone": "",
        "csrf_token": web.csrf("/admin/users"),
    }
    values.update(overrides)
    return values


def test_admin_creates_a_user_and_sees_it_listed(logged_in, client, web, store):
    logged_in("admin", "admin")
    response = client.post("/admin/users", data=_form(web))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    user = store.user("nlo.tha")
    assert user.role == "liaison_officer"
    assert user.state == "THA"
    assert user.time_zone == "Asia/Bangkok"
    assert user.email == "somchai@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert user.invited  # its user sets the password from the mailed link
    [audited] = [e for e in store.audit("user.created") if e.object_id == str(user.id)]
    assert audited.actor_username == "admin"

    page = client.get("/admin/users").get_data(as_text=True)
    assert "User nlo.tha invited" in page
    row = re.search(r"<tr>\s*<td>nlo\.tha</td>(.*?)</tr>", page, re.DOTALL)
    assert row is not None
    assert "Somchai Wong" in row.group(1)
    assert "National liaison officer" in row.group(1)
    assert "THA" in row.group(1)
    assert "Asia/Bangkok" in row.group(1)
    assert 'aria-label="Disable nlo.tha"' in row.group(1)
    assert "Invited" in row.group(1)


def test_the_users_page_shows_the_form_and_no_hashes(logged_in, client):
    logged_in("admin", "admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Active (you)" in page
    assert "$argon2" not in page
    for name in ("username", "role", "state", "time_zone", "email"):
        assert f'name="{name}"' in page
    assert 'name="password"' not in page  # the administrator never sets one


@pytest.mark.parametrize("overrides, field, message", [
    ({"email": ""}, "email", "This field is required"),
    ({"email": "no-at-sign"}, "email", "email"),
    ({"state": ""}, "state", "required for the role liaison_officer"),
    ({"state": "ZZZ"}, "state", "unknown state code"),
    ({"time_zone": "Mars/Base"}, "time_zone", "unknown time zone"),
    ({"username": "has space"}, "username", "use 3 to 150 letters"),
    ({"username": "ab"}, "username", "Field must be between 3 and 150 characters long"),
    ({"role": "superuser"}, "role", "Not a valid choice"),
])
def test_invalid_user_is_shown_inline_and_creates_nothing(
        logged_in, client, web, store, field_of, overrides, field, message):
    logged_in("admin", "admin")
    response = client.post("/admin/users", data=_form(web, **overrides))
    assert response.status_code == 422
    block = field_of(response.get_data(as_text=True), field)
    assert f'id="{field}-error"' in block
    assert message in block
    assert store.count(User) == 1


def test_taken_username_is_shown_inline(logged_in, accounts, client, web, field_of, store):
    logged_in("admin", "admin")
    accounts.create("nlo.tha", "liaison_officer", "THA")
    response = client.post("/admin/users", data=_form(web))
    assert response.status_code == 422
    assert "already taken" in field_of(response.get_data(as_text=True), "username")
    assert store.count(User) == 2


def test_admin_disables_a_user_with_the_button(logged_in, accounts, client, web, store):
    logged_in("admin", "admin")
    target = accounts.create("analyst", "analyst")
    page = client.get("/admin/users").get_data(as_text=True)
    # The button asks first: a confirmation page saying what disabling does.
    link = re.search(r'<a href="(/admin/users/\d+/disable)" aria-label="Disable analyst">', page)
    assert link is not None, page
    assert client.get("/admin/users").status_code == 200 and not store.user("analyst").disabled
    page = client.get(link.group(1)).get_data(as_text=True)
    assert "Disable analyst?" in page and "signed out at once" in page
    assert not store.user("analyst").disabled
    form = re.search(r'<form method="post" action="(/admin/users/(\d+)/disable)"[^>]*>\s*'
                     r'<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)">',
                     page)
    assert form is not None, page
    action, uid, token = form.groups()
    assert int(uid) == target.id
    response = client.post(action, data={"csrf_token": token})
    assert response.status_code == 302
    assert store.user("analyst").disabled
    page = client.get("/admin/users").get_data(as_text=True)
    assert "User analyst disabled" in page
    row = re.search(r"<tr>\s*<td>analyst</td>(.*?)</tr>", page, re.DOTALL)
    assert row is not None
    assert "Disabled" in row.group(1)
    assert "<button" not in row.group(1)
    [audited] = store.audit("user.disabled")
    assert audited.object_id == str(target.id)
    assert audited.actor_username == "admin"


def test_admin_cannot_disable_themselves(logged_in, client, web, store):
    admin = logged_in("admin", "admin")
    response = client.post(f"/admin/users/{admin.id}/disable",
                           data={"csrf_token": web.csrf("/admin/users")})
    assert response.status_code == 409
    assert not store.user("admin").disabled
    assert client.get("/admin/users").status_code == 200


def test_disabling_an_unknown_user_is_404(logged_in, client, web):
    logged_in("admin", "admin")
    response = client.post("/admin/users/99999/disable",
                           data={"csrf_token": web.csrf("/admin/users")})
    assert response.status_code == 404
