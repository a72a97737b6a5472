"""End to end in real Chromium: an NLO submits the day's figures through the form and a
co-chair sees the totals and the completeness grid change on the dashboard."""

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
    """An active period of THA and NZL with an NLO and a co-chair."""
    admin = accounts.create("admin.rep", "admin", password=PASSWORD)
    accounts.create("nlo.tha.rep", "liaison_officer", "THA", password=PASSWORD)
    accounts.create("co.nzl.rep", "co_chair", "NZL", password=PASSWORD)
    now = datetime.now(UTC)
    with app.extensions["jpa.db"].transaction() as session:
        created = operations.create_period(
            session, actor=Principal.of(admin, "setup"), name="JPA reporting e2e",
            starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=20),
            states=["THA", "NZL"], co_chairs=["NZL"])
        return created.id


def log_in(ui, username: str) -> Page:
    return log_in_as(ui, username, PASSWORD)


def arrests_total(page: Page) -> str:
    row = page.locator("section#regional, section:has(h2#regional)").get_by_role(
        "row").filter(has_text="Arrests")
    return row.locator("td.num").first.inner_text()


def test_nlo_reports_and_co_chair_sees_the_change(open_tab, period):
    chair = open_tab()
    page_co = log_in(chair, "co.nzl.rep")
    page_co.goto(chair.url(f"/periods/{period}/dashboard"))
    expect(page_co.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert arrests_total(page_co) == "0"
    tha_row = page_co.get_by_role("row").filter(has=page_co.get_by_role("rowheader",
                                                                         name="THA"))
    assert tha_row.locator("td.cell.yes").count() == 0

    officer = open_tab()
    page = log_in(officer, "nlo.tha.rep")
    page.goto(officer.url(f"/periods/{period}"))
    page.get_by_role("link", name="Report today's figures").click()
    page.get_by_role("group", name="Arrests").get_by_label("Number").fill("4")
    victims = page.get_by_role("group", name="Trafficked persons assisted")
    victims.get_by_label("Female child", exact=True).fill("2")
    victims.get_by_label("Male adult", exact=True).fill("1")
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_text("saved")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Arrests")).to_contain_text("4")

    page_co.reload()
    assert arrests_total(page_co) == "4"
    victims_row = page_co.get_by_role("row").filter(has_text="Trafficked persons assisted").first
    expect(victims_row).to_contain_text("3")
    expect(victims_row).to_contain_text("female child: 2")
    tha_row = page_co.get_by_role("row").filter(has=page_co.get_by_role("rowheader",
                                                                         name="THA"))
    expect(tha_row.locator("td.cell.yes")).to_have_count(1)
    expect(page_co.locator("svg[role=img]").first).to_be_visible()


def test_a_negative_figure_is_refused_beside_its_field(open_tab, period):
    ui = open_tab()
    page = log_in(ui, "nlo.tha.rep")
    page.goto(ui.url(f"/periods/{period}/report"))
    page.get_by_role("group", name="Arrests").get_by_label("Number").fill("-2")
    page.get_by_role("button", name="Submit report").click()
    expect(page.locator("#v-arrests-error")).to_be_visible()
