"""End to end in real Chromium: two states register operations sharing a phone number written
differently; both see the conflict and the other's contact officer, and nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from core.identity.services import Principal
from operations import services as operations
from tests.e2e.conftest import log_in_as

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase for e2e"


@pytest.fixture
def period(app, accounts):
    """An active period with Thailand and Malaysia, an NLO for each and a co-chair."""
    admin = accounts.create("admin.dc", "admin", password=PASSWORD)
    accounts.create("nlo.tha.e2e", "liaison_officer", "THA", password=PASSWORD,
                    full_name="Somchai Wong", email="somchai@police.example.th",
                    phone="+66 2 123 4567")
    accounts.create("nlo.mys.e2e", "liaison_officer", "MYS", password=PASSWORD,
                    full_name="Aisyah Rahman", email="aisyah@police.example.my")
    now = datetime.now(UTC)
    with app.extensions["jpa.db"].transaction() as session:
        created = operations.create_period(
            session, actor=Principal.of(admin, "setup"), name="JPA e2e",
            starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30),
            states=["THA", "MYS"], co_chairs=["THA"])
        return created.id


def log_in(ui, username: str) -> Page:
    return log_in_as(ui, username, PASSWORD)


def register(page: Page, ui, period_id: int, *, title: str, agency: str, day: int,
             site: str, phone: str, label: str) -> None:
    page.goto(ui.url(f"/periods/{period_id}"))
    page.get_by_role("link", name="Register an operation").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Type").select_option("airport_checks")
    page.get_by_label("Lead agency").fill(agency)
    start = (datetime.now(UTC) + timedelta(days=day)).replace(hour=8, minute=0)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time zone of these times").fill("UTC")
    page.locator("#sites-0-airport").fill(site)
    page.locator("#targets-0-kind").select_option("phone")
    page.locator("#targets-0-value").fill(phone)
    page.locator("#targets-0-label").fill(label)
    page.get_by_role("button", name="Register and check").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_both_states_see_the_conflict_and_whom_to_call(open_tab, period):
    thai = open_tab()
    page_tha = log_in(thai, "nlo.tha.e2e")
    register(page_tha, thai, period, title="Suvarnabhumi checks", agency="Royal Thai Police",
             day=2, site="BKK", phone="081 234 5678", label="Facilitator K")
    expect(page_tha.get_by_text("No conflicts with other registered operations.")).to_be_visible()

    malaysian = open_tab()
    page_mys = log_in(malaysian, "nlo.mys.e2e")
    register(page_mys, malaysian, period, title="KLIA transit checks", agency="RMP", day=9,
             site="KUL", phone="+66 81-234-5678", label="Recruiter A")
    # The registration went through and says at once what it found.
    expect(page_mys.get_by_text("1 conflict found")).to_be_visible()
    row = page_mys.get_by_role("row").filter(has_text="Recruiter A")
    expect(row).to_contain_text("High")
    expect(row).to_contain_text("THA: Somchai Wong")
    expect(row).to_contain_text("somchai@police.example.th")
    mys_html = page_mys.content()
    assert "Facilitator K" not in mys_html and "Suvarnabhumi" not in mys_html

    # Thailand's NLO sees it too: in the inbox badge and on the conflicts page.
    page_tha.goto(thai.url("/notifications"))
    expect(page_tha.get_by_text("MYS registered an operation that conflicts with yours")
           .first).to_be_visible()
    page_tha.goto(thai.url(f"/periods/{period}/conflicts"))
    row = page_tha.get_by_role("row").filter(has_text="Facilitator K")
    expect(row).to_contain_text("MYS: Aisyah Rahman")
    expect(row).to_contain_text("aisyah@police.example.my")
    tha_html = page_tha.content()
    assert "Recruiter A" not in tha_html and "KLIA" not in tha_html
    assert "234 5678" not in tha_html and "812345678" not in tha_html

    # Acknowledge from the inbox; the status moves on for both.
    row.get_by_role("button", name="Acknowledge").click()
    expect(page_tha.get_by_text("acknowledged by THA")).to_be_visible()


def test_a_bad_identifier_is_shown_beside_its_field(open_tab, period):
    ui = open_tab()
    page = log_in(ui, "nlo.tha.e2e")
    page.goto(ui.url(f"/periods/{period}/operations/new"))
    page.get_by_label("Title").fill("Port checks")
    page.get_by_label("Lead agency").fill("Marine Police")
    start = datetime.now(UTC) + timedelta(days=3)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time zone of these times").fill("UTC")
    page.locator("#sites-0-airport").fill("BKK")
    page.locator("#targets-0-kind").select_option("vessel")
    page.locator("#targets-0-value").fill("IMO 1234568")
    page.locator("#targets-0-label").fill("Boat")
    page.get_by_role("button", name="Register and check").click()
    expect(page.locator("#targets-0-value-error")).to_contain_text("check digit")
