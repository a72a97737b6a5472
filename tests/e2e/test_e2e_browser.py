"""End to end in real Chromium: login notice, admin set-up of a period and a user, inline
errors, keyboard-only login, logout. Every page must load without console errors, CSP
violations, script errors or failed sub-resources (checked after each test by `open_tab`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.notify import OutboxMail

pytestmark = pytest.mark.browser

ADMIN = "admin.e2e"
ADMIN_PASSWORD = "a passphrase for the administrator"
NLO_PASSWORD = "aroha's own long passphrase"
PERIOD_ZONE = "Asia/Colombo"
LOGIN_SCREENSHOT = "/tmp/e2e-login.png"
PERIODS_SCREENSHOT = "/tmp/e2e-periods.png"


@pytest.fixture
def admin(accounts):
    """An administrator, created straight through the service layer."""
    return accounts.create(ADMIN, "admin", password=ADMIN_PASSWORD, full_name="Ada Admin")


def label(page: Page, text: str):
    """The one form control labelled exactly `text` (proves the field has a label)."""
    return page.get_by_label(text, exact=True)


def log_in(ui, username: str, password: str) -> None:
    page = ui.page
    page.goto(ui.url("/login"))
    label(page, "Username").fill(username)
    label(page, "Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(ui.url("/"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def assert_no_problems(ui) -> None:
    assert ui.problems() == []


# ---------------------------------------------------------------- the harness itself


def test_the_harness_sees_csp_violations(ui):
    """Guard against a silent checker: an inline script is blocked and reported."""
    response = ui.page.goto(ui.url("/login"))
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]

    def blocked(message) -> bool:
        return message.type == "error" and ("Content Security Policy" in message.text
                                             or "CSP violation" in message.text)

    with ui.page.expect_console_message(blocked):
        ui.page.evaluate("""() => {
            const script = document.createElement('script');
            script.textContent = 'window.inlineRan = true';
            document.body.appendChild(script);
        }""")
    assert ui.page.evaluate("() => window.inlineRan === undefined")
    # ... and what the after-test check reads has it, so a real violation would fail a test.
    assert any("Content Security Policy" in problem or "CSP violation" in problem
               for problem in ui.problems()), ui.problems()
    ui.clear()


# ---------------------------------------------------------------- (1) system-use notice


def test_login_page_shows_the_system_use_notice(ui):
    page = ui.page
    response = page.goto(ui.url("/login"))
    assert response is not None and response.status == 200
    expect(page).to_have_title(re.compile("Log in"))
    notice = page.get_by_role("region", name="System-use notice")
    expect(notice).to_be_visible()
    text = notice.inner_text().lower()
    for words in ("restricted", "monitored", "recorded", "audited", "prohibited",
                  "punishable", "consent"):
        assert words in text, words
    expect(label(page, "Username")).to_be_visible()
    expect(label(page, "Password")).to_have_attribute("type", "password")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    # The stylesheet loaded and applies (a same-origin file the CSP allows).
    header_colour = page.locator(".site-header").evaluate(
        "(element) => getComputedStyle(element).backgroundColor")
    assert header_colour == "rgb(18, 38, 63)"
    page.screenshot(path=LOGIN_SCREENSHOT, full_page=True)
    assert_no_problems(ui)


# ---------------------------------------------------------------- (2) the administrator


def test_admin_creates_a_period_and_a_user(ui, open_tab, admin, app):
    page = ui.page
    log_in(ui, ADMIN, ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Ada Admin")).to_be_visible()

    page.get_by_role("link", name="Create a period").click()
    expect(page.get_by_role("heading", name="Create a joint period")).to_be_visible()
    zone = ZoneInfo(PERIOD_ZONE)
    now = datetime.now(zone).replace(second=0, microsecond=0)
    starts, ends = now - timedelta(days=1), now + timedelta(days=30)
    label(page, "Name").fill("Bali Process JPA (e2e)")
    label(page, "Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    label(page, "Ends").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    expect(label(page, "Time zone of these times")).to_have_value("UTC")  # the admin's own
    label(page, "Time zone of these times").fill(PERIOD_ZONE)
    label(page, "Participating states").fill("AUS IDN NZL LKA")
    label(page, "Co-chairs").fill("NZL LKA")
    page.get_by_role("button", name="Create period").click()

    expect(page.get_by_role("heading", name="Bali Process JPA (e2e)")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("created")
    states = page.locator("ul.states")
    expect(states).to_contain_text("New Zealand (NZL) — co-chair")
    expect(states).to_contain_text("Sri Lanka (LKA) — co-chair")
    expect(states).to_contain_text("Australia (AUS)")
    expect(states.locator("li", has_text="AUS")).not_to_contain_text("co-chair")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Periods").click()
    expect(page.get_by_role("heading", name="Joint periods")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Bali Process JPA"))
    expect(row).to_have_count(1)
    cells = row.get_by_role("cell")
    expect(cells.nth(0)).to_have_text("Bali Process JPA (e2e)")
    # Entered in Colombo's zone, shown in the administrator's own (UTC).
    expect(cells.nth(1)).to_have_text(starts.astimezone(UTC).strftime("%d %b %Y %H:%M UTC"))
    expect(cells.nth(2)).to_have_text(ends.astimezone(UTC).strftime("%d %b %Y %H:%M UTC"))
    expect(cells.nth(3)).to_have_text("Active")
    expect(cells.nth(4)).to_have_text("AUS, IDN, LKA, NZL")
    expect(cells.nth(5)).to_have_text("LKA, NZL")
    page.screenshot(path=PERIODS_SCREENSHOT, full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    label(page, "Username").fill("nlo.nzl")
    label(page, "Full name").fill("Aroha Ngata")
    label(page, "E-mail").fill("aroha.ngata@police.example.nz")
    label(page, "Phone").fill("+64 4 123 4567")
    label(page, "Role").select_option(label="National liaison officer")
    label(page, "State").fill("NZL")
    page.get_by_role("button", name="Invite user").click()

    expect(page.get_by_role("status")).to_contain_text("User nlo.nzl invited")
    user_row = page.get_by_role("row", name=re.compile("nlo.nzl"))
    expect(user_row).to_have_count(1)
    user_cells = user_row.get_by_role("cell")
    expect(user_cells.nth(0)).to_have_text("nlo.nzl")
    expect(user_cells.nth(1)).to_have_text("Aroha Ngata")
    expect(user_cells.nth(2)).to_have_text("National liaison officer")
    expect(user_cells.nth(3)).to_have_text("NZL")
    expect(user_cells.nth(4)).to_have_text("Pacific/Auckland")  # the state's default zone
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)  # head, admin, NLO
    assert_no_problems(ui)

    # The new NLO sets a password from the invitation (read from the outbox here: no SMTP in
    # this module; tests/e2e/test_e2e_sec_invitation.py follows a mail through aiosmtpd), then
    # logs in (in a browser of their own) and sees the period NZL is in.
    with app.extensions["jpa.db"].transaction(write=False) as session:
        [mail] = session.scalars(select(OutboxMail.body).where(
            OutboxMail.recipient == "aroha.ngata@police.example.nz"))
    link = re.search(r"/activate/[A-Za-z0-9_-]+", mail)
    assert link is not None, mail
    nlo = open_tab()
    nlo.page.goto(nlo.url(link.group(0)))
    label(nlo.page, "New password").fill(NLO_PASSWORD)
    label(nlo.page, "Repeat the password").fill(NLO_PASSWORD)
    nlo.page.get_by_role("button", name="Set my password").click()
    expect(nlo.page.get_by_text("Your password is set")).to_be_visible()
    log_in(nlo, "nlo.nzl", NLO_PASSWORD)
    expect(nlo.page.get_by_role("heading", name="Welcome, Aroha Ngata")).to_be_visible()
    expect(nlo.page.get_by_role("navigation", name="Main").get_by_role("link", name="Users")
           ).to_have_count(0)
    # The active period's card on the home page (issue 14, point 5) ...
    nlo_card = nlo.page.get_by_role("region", name="Bali Process JPA (e2e)")
    # ... with its times in the NLO's own zone (NZL's default).
    expect(nlo_card.locator("time").first).to_have_text(
        ends.astimezone(ZoneInfo("Pacific/Auckland")).strftime("%d %b %Y %H:%M %Z"))
    assert_no_problems(nlo)


# ---------------------------------------------------------------- (3) inline errors


def field_error(page: Page, text: str):
    """The error message inside the same field block as the control labelled `text`."""
    return page.locator(".field", has=label(page, text)).locator(".error")


def test_wrong_input_shows_an_inline_error_beside_the_field(ui, admin):
    page = ui.page
    log_in(ui, ADMIN, ADMIN_PASSWORD)
    page.goto(ui.url("/admin/periods/new"))
    label(page, "Name").fill("Broken period")
    label(page, "Starts").fill("2031-03-01T00:00")
    label(page, "Ends").fill("2031-02-01T00:00")
    label(page, "Participating states").fill("AUS XYZ")
    label(page, "Co-chairs").fill("NZL")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Create period").click()
    assert answer.value.status == 422

    states = label(page, "Participating states")
    expect(field_error(page, "Participating states")).to_contain_text("unknown state code")
    expect(states).to_have_attribute("aria-invalid", "true")
    expect(states).to_have_attribute("aria-describedby", re.compile(r"\bstates-error\b"))
    expect(field_error(page, "Co-chairs")).to_contain_text("not among the participating states")
    expect(field_error(page, "Ends")).to_contain_text("after")
    expect(field_error(page, "Name")).to_have_count(0)
    expect(label(page, "Name")).to_have_value("Broken period")  # nothing typed is lost
    expect(states).to_have_value("AUS XYZ")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct 3 fields")
    summary.get_by_role("link", name=re.compile("Participating states")).click()
    expect(page).to_have_url(re.compile("#states$"))

    # The user form too: an invitation without an e-mail address is refused beside the field.
    page.goto(ui.url("/admin/users"))
    label(page, "Username").fill("nlo.short")
    label(page, "Role").select_option(value="liaison_officer")
    label(page, "State").fill("LKA")
    page.get_by_role("button", name="Invite user").click()
    expect(field_error(page, "E-mail")).to_contain_text("This field is required")
    expect(label(page, "E-mail")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("row", name=re.compile("nlo.short"))).to_have_count(0)
    assert_no_problems(ui)


# ---------------------------------------------------------------- (4) keyboard only


def test_login_with_the_keyboard_only(ui, admin):
    page = ui.page
    keyboard = page.keyboard
    page.goto(ui.url("/login"))
    expect(label(page, "Username")).to_be_focused()  # autofocus
    keyboard.type(ADMIN)
    keyboard.press("Tab")
    expect(label(page, "Password")).to_be_focused()
    keyboard.type("not the password at all")
    keyboard.press("Enter")  # submits from inside the field

    expect(page.get_by_role("alert")).to_contain_text("Login refused")
    expect(label(page, "Username")).to_be_focused()
    expect(label(page, "Username")).to_have_value(ADMIN)
    keyboard.press("Tab")
    expect(label(page, "Password")).to_be_focused()
    expect(label(page, "Password")).to_have_value("")  # never sent back
    keyboard.type(ADMIN_PASSWORD)
    keyboard.press("Tab")
    button = page.get_by_role("button", name="Log in")
    expect(button).to_be_focused()
    outline = button.evaluate("(element) => getComputedStyle(element).outlineStyle")
    assert outline != "none"  # the focus is visible
    keyboard.press("Enter")
    expect(page).to_have_url(ui.url("/"))
    expect(page.get_by_role("heading", name="Welcome, Ada Admin")).to_be_visible()
    assert_no_problems(ui)


def test_the_skip_link_is_the_first_stop(ui, admin):
    page = ui.page
    log_in(ui, ADMIN, ADMIN_PASSWORD)
    page.goto(ui.url("/periods"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    assert_no_problems(ui)


# ---------------------------------------------------------------- (5) logout


def test_logout_returns_to_the_login_page(ui, open_tab, admin):
    page = ui.page
    log_in(ui, ADMIN, ADMIN_PASSWORD)
    copied = page.context.cookies()
    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(ui.url("/login"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    page.goto(ui.url("/periods"))
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("region", name="System-use notice")).to_be_visible()
    assert_no_problems(ui)

    # A cookie copied before logging out no longer works: the session ended on the server.
    thief = open_tab()
    thief.page.context.add_cookies(copied)
    thief.page.goto(thief.url("/periods"))
    expect(thief.page).to_have_url(re.compile(r"/login\?next="))
    assert_no_problems(thief)
