"""Two-factor sign-in through the pages (JPA_TWO_FACTOR=required): a password alone is no
login anywhere, the code step, enrolment at the first sign-in, the account page, and the
administrator's reset button."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from core.identity.models import LoginSession
from tests.conftest import WebAuth, csrf_token_from, make_settings
from tests.security.sec_twofactor_helpers import enrol


@pytest.fixture
def settings(tmp_path, database_url):
    """Two-factor sign-in required for NLOs and co-chairs."""
    return make_settings(tmp_path, database_url, two_factor="required")


@pytest.fixture
def nlo(accounts):
    """A national liaison officer."""
    return accounts.create("nlo.nzl", "liaison_officer", "NZL")


def _post(client, path: str, **data):
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _sessions(app) -> list[LoginSession]:
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return list(session.scalars(select(LoginSession)))


def _assert_not_logged_in(client) -> None:
    page = client.get("/periods")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert client.get("/account/password").status_code == 302
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_password_alone_is_no_login_for_an_enrolled_user(app, client, nlo):
    enrolled = enrol(app, "nlo.nzl")
    response = WebAuth(client).login("nlo.nzl")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/code")
    _assert_not_logged_in(client)
    assert _sessions(app) == []

    wrong = _post(client, "/login/code", code="000000" if enrolled.next_code() != "000000"
                  else "111111")
    assert wrong.status_code == 401
    assert "the code is wrong" in wrong.get_data(as_text=True)
    _assert_not_logged_in(client)

    right = _post(client, "/login/code", code=enrolled.next_code())
    assert right.status_code == 302
    assert client.get("/periods").status_code == 200
    assert len(_sessions(app)) == 1


def test_a_recovery_code_signs_in_once(app, client, nlo):
    enrolled = enrol(app, "nlo.nzl")
    WebAuth(client).login("nlo.nzl")
    response = _post(client, "/login/code?recovery=1", code=enrolled.recovery_codes[0])
    assert response.status_code == 302
    assert "9 remain" in client.get("/periods").get_data(as_text=True)

    other = app.test_client()
    WebAuth(other).login("nlo.nzl")
    assert _post(other, "/login/code?recovery=1",
                 code=enrolled.recovery_codes[0]).status_code == 401


def test_the_code_page_without_a_password_sends_to_login(client, nlo):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/login/enrol").status_code == 302


def test_an_nlo_enrols_at_the_first_sign_in(app, client, nlo):
    response = WebAuth(client).login("nlo.nzl")
    assert response.headers["Location"].endswith("/login/enrol")
    _assert_not_logged_in(client)
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "<svg" in page and "otpauth" not in page.split("<svg")[0]
    secret = re.search(r'id="totp-secret"[^>]*>([^<]+)<', page).group(1).replace(" ", "")
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page

    refused = _post(client, "/login/enrol", code="12345")
    assert refused.status_code == 422
    _assert_not_logged_in(client)

    done = _post(client, "/login/enrol", code=pyotp.TOTP(secret).now())
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/periods").status_code == 200


def test_an_analyst_may_choose_and_enrols_from_the_account_page(app, client, accounts):
    accounts.create("ana.lyst", "analyst")
    assert WebAuth(client).login("ana.lyst").headers["Location"].endswith("/")
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret"[^>]*>([^<]+)<', page).group(1).replace(" ", "")
    done = _post(client, "/account/two-factor", code=pyotp.TOTP(secret).now())
    assert done.status_code == 200 and "Two-factor sign-in is on" in done.get_data(as_text=True)
    assert "is <strong>on</strong>" in client.get("/account/two-factor").get_data(as_text=True)
    # From now on the analyst, too, gives a code.
    again = app.test_client()
    assert WebAuth(again).login("ana.lyst").headers["Location"].endswith("/login/code")


def test_the_administrator_resets_from_the_users_page(app, client, nlo, accounts):
    enrol(app, "nlo.nzl")
    accounts.create("root.admin", "admin")
    nlo_client = app.test_client()
    WebAuth(nlo_client).login("nlo.nzl")
    WebAuth(client).login("root.admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{nlo.id}/two-factor/reset" in page

    response = _post(client, f"/admin/users/{nlo.id}/two-factor/reset")

    assert response.status_code == 302
    assert "reset" in client.get("/admin/users").get_data(as_text=True)
    # Next sign-in: enrol again.
    assert WebAuth(nlo_client).login("nlo.nzl").headers["Location"].endswith("/login/enrol")


def test_a_non_administrator_cannot_press_reset(app, client, accounts, nlo):
    enrol(app, "nlo.nzl")
    accounts.create("ana.lyst", "analyst")
    WebAuth(client).login("ana.lyst")
    token = csrf_token_from(client.get("/periods").get_data(as_text=True))
    response = client.post(f"/admin/users/{nlo.id}/two-factor/reset",
                           data={"csrf_token": token})
    assert response.status_code == 403
    # Nothing was reset: the NLO still gets the code step, not a new enrolment.
    assert WebAuth(app.test_client()).login("nlo.nzl").headers["Location"].endswith(
        "/login/code")


def test_the_users_page_says_who_has_two_factor_and_offers_reset_only_to_them(app, client, nlo,
                                                                             accounts):
    other = accounts.create("nlo.tha", "liaison_officer", "THA")
    enrol(app, "nlo.nzl")
    accounts.create("root.admin", "admin")
    WebAuth(client).login("root.admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{nlo.id}/two-factor/reset" in page
    # Nothing to reset for someone who never enrolled; the page says they must set it up.
    assert f"/admin/users/{other.id}/two-factor/reset" not in page
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr>\s*<td>([^<]+)</td>.*?</tr>",
                                                        page, re.S)}
    assert "On" in rows["nlo.nzl"]
    assert "Not set up (required at sign-in)" in rows["nlo.tha"]
