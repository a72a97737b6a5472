"""Issue 14, point 4 in real Chromium: one report per state, date and operation. A second
report for a day already reported is refused with a link that opens the first one's amend
form, pre-filled; the NLO's reports list, the amend form, the retraction (with confirmation)
and the history (times in the user's zone) are pages; "Nothing to report today" is a button.
axe-core finds no serious or critical violation on these pages at 1366 px and 390 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from core.identity.services import Principal
from operations import services as operations
from tests.e2e.conftest import log_in_as
from tests.e2e.ux_shell_axe import assert_no_serious_axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase for e2e"
WIDTHS = (1366, 390)


@pytest.fixture
def period(app, accounts):
    """An active period of THA and NZL with a THA NLO (in Bangkok's zone) and a co-chair."""
    admin = accounts.create("admin.rp", "admin", password=PASSWORD)
    accounts.create("nlo.tha.rp", "liaison_officer", "THA", password=PASSWORD)
    now = datetime.now(UTC)
    with app.extensions["jpa.db"].transaction() as session:
        created = operations.create_period(
            session, actor=Principal.of(admin, "setup"), name="JPA reports pages",
            starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=20),
            states=["THA", "NZL"], co_chairs=["NZL"])
        return created.id


def _axe_at_both_widths(page: Page, where: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_serious_axe_violations(page, where=where)
    page.set_viewport_size({"width": 1280, "height": 900})


def _report_arrests(page: Page, count: str) -> None:
    page.get_by_role("group", name="Arrests").get_by_label("Number").fill(count)
    page.get_by_role("button", name="Submit report").click()


def test_a_second_report_offers_to_amend_the_first_with_history_and_retraction(ui, period):
    page = log_in_as(ui, "nlo.tha.rp", PASSWORD)
    page.goto(ui.url(f"/periods/{period}/report"))
    _report_arrests(page, "4")
    expect(page.get_by_text("saved")).to_be_visible()

    # The same day again: refused, nothing added (arrests 4 then 1 is not 5), and a way on.
    page.goto(ui.url(f"/periods/{period}/report"))
    _report_arrests(page, "1")
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("already reported")
    _axe_at_both_widths(page, "report form with a second report refused")
    page.get_by_role("link", name="Amend the report").first.click()

    # The amend form is pre-filled with the first report's figures.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amend report")
    arrests = page.get_by_role("group", name="Arrests").get_by_label("Number")
    expect(arrests).to_have_value("4")
    _axe_at_both_widths(page, "amend form")
    arrests.fill("5")
    page.get_by_label("Why it changes (optional)").fill("one more arrest confirmed")
    page.get_by_role("button", name="Save the amendment").click()
    expect(page.get_by_text("version 2")).to_be_visible()

    # The reports list: date, operation, version, status.
    page.goto(ui.url(f"/periods/{period}/reports"))
    table = page.get_by_role("table", name="THA's reports")
    expect(table).to_be_visible()
    row = table.get_by_role("row").nth(1)
    expect(row).to_contain_text("No operation")
    expect(row.get_by_role("cell").nth(1)).to_have_text("2")  # after Date (a row header)
    expect(row).to_contain_text("Current")
    _axe_at_both_widths(page, "reports list")

    # The history: both versions, with times in the user's zone and the note.
    row.get_by_role("link", name="History").click()
    history = page.get_by_role("table", name="Versions")
    expect(history.get_by_role("row")).to_have_count(3)
    expect(history).to_contain_text("one more arrest confirmed")
    expect(history).to_contain_text("+07")  # Bangkok, the NLO's zone
    _axe_at_both_widths(page, "report history")

    # Retraction asks to confirm and for a reason; then the day is free again.
    page.goto(ui.url(f"/periods/{period}/reports"))
    page.get_by_role("link", name="Retract").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Retract report")
    _axe_at_both_widths(page, "retraction")
    page.get_by_role("button", name="Retract the report").click()
    expect(page.locator("#reason-error")).to_be_visible()
    page.get_by_label("Reason").fill("sent for the wrong day")
    page.get_by_role("button", name="Retract the report").click()
    expect(page.get_by_role("table", name="THA's reports")).to_contain_text("Retracted")


def test_nothing_to_report_today_is_an_explicit_button(ui, period):
    page = log_in_as(ui, "nlo.tha.rp", PASSWORD)
    page.goto(ui.url(f"/periods/{period}/report"))
    _axe_at_both_widths(page, "report form")
    # Submitting an empty form is not taken for "nothing to report".
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing to report today")
    page.get_by_role("button", name="Nothing to report today").click()
    expect(page.get_by_text("nothing to report")).to_be_visible()
    page.goto(ui.url(f"/periods/{period}/reports"))
    expect(page.get_by_role("table", name="THA's reports")).to_contain_text("Nothing to report")
