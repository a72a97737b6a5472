"""End to end in real Chromium with JPA_TWO_FACTOR=required: an NLO's first sign-in leads to
the enrolment page; the test reads the key shown there, computes the code with pyotp,
confirms, sees the recovery codes once, logs out, signs in with password and code, and once
more with a recovery code; an administrator's reset is mailed (caught by aiosmtpd) and leads
to a new enrolment. No console errors, CSP violations or failed sub-resources."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from core.identity import twofactor
from tests.conftest import make_settings
from tests.security.sec_twofactor_helpers import enrol

pytestmark = pytest.mark.browser

NLO = "nlo.e2e"
NLO_PASSWORD = "a long passphrase of the liaison officer"
ADMIN_PASSWORD = "a passphrase for the administrator"
CODE_LABEL = "Code from your authenticator app"


@pytest.fixture
def settings(tmp_path, database_url, smtp_server):
    """Two-factor sign-in required, as in production; mail goes to the local SMTP server."""
    return make_settings(tmp_path, database_url, two_factor="required",
                         smtp_host=smtp_server.host, smtp_port=smtp_server.port)


def _password_step(ui, page: Page) -> None:
    page.goto(ui.url("/login"))
    page.get_by_label("Username", exact=True).fill(NLO)
    page.get_by_label("Password", exact=True).fill(NLO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _log_out(ui, page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(ui.url("/login"))


def test_an_nlo_enrols_then_signs_in_with_a_code_and_a_recovery_code(ui, accounts):
    accounts.create(NLO, "liaison_officer", "NZL", password=NLO_PASSWORD)
    page = ui.page

    # First sign-in: the password leads to the enrolment, not into the application.
    _password_step(ui, page)
    expect(page).to_have_url(ui.url("/login/enrol"))
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    code_field = page.get_by_label(CODE_LABEL, exact=True)
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    expect(code_field).to_have_attribute("inputmode", "numeric")

    # A wrong code is refused inline, beside the field.
    code_field.fill("12345")
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator(".field.has-error")).to_contain_text("the code is wrong")
    expect(page.get_by_label(CODE_LABEL, exact=True)).to_have_attribute("aria-invalid", "true")

    page.get_by_label(CODE_LABEL, exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept my recovery codes, continue").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    _log_out(ui, page)

    # Second sign-in: password, then the code of the app (the next 30-second step, so that
    # it differs from the one used to confirm, which would be a replay).
    _password_step(ui, page)
    expect(page).to_have_url(ui.url("/login/code"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    code = pyotp.TOTP(secret).at(time.time() + twofactor.STEP_SECONDS)
    page.get_by_label(CODE_LABEL, exact=True).fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(ui.url("/"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    _log_out(ui, page)

    # Third sign-in: a recovery code instead of the phone.
    _password_step(ui, page)
    page.get_by_role("link", name="Use a recovery code instead").click()
    page.get_by_label("Recovery code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(ui.url("/"))
    expect(page.get_by_role("status")).to_contain_text("9 remain")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert ui.problems() == []



def test_the_administrator_resets_two_factor_and_the_user_is_mailed(ui, app, accounts,
                                                                    smtp_server):
    page = ui.page
    accounts.create(NLO, "liaison_officer", "NZL", password=NLO_PASSWORD,
                    email="nlo@example.org")
    accounts.create("admin.e2e", "admin", password=ADMIN_PASSWORD)
    enrol(app, NLO)

    page.goto(ui.url("/login"))
    page.get_by_label("Username", exact=True).fill("admin.e2e")
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(ui.url("/admin/users"))
    page.get_by_role("button", name=f"Reset the two-factor sign-in of {NLO}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Two-factor sign-in of {NLO} reset")

    [mail] = smtp_server.sink.to("nlo@example.org")
    assert mail["Subject"] == "Your two-factor sign-in was reset"
    _log_out(ui, page)
    # The NLO's next sign-in starts a new enrolment.
    _password_step(ui, page)
    expect(page).to_have_url(ui.url("/login/enrol"))
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    assert ui.problems() == []
