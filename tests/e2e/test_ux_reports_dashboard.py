"""Issue 14, point 9 in real Chromium: the dashboard tells the truth. Today is "due", not ✗; a
part-day at the window's edge without a report is not held against the state; headers show
weekday and month; states without operations are listed; counts link to the filtered lists;
one small "updated hh:mm" live notice; the daily figures readable as a table; the CSV has the
daily series with categories, a BOM and a descriptive filename. axe at 1366 and 390 px, and
screenshots of the dashboard at both widths in build/screenshots."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from core.identity.services import Principal
from operations import services as operations
from outcomes import services as outcomes
from tests.e2e.conftest import log_in_as
from tests.e2e.screenshots import screenshot_path
from tests.e2e.ux_shell_axe import assert_no_serious_axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase for e2e"
BANGKOK = ZoneInfo("Asia/Bangkok")


@pytest.fixture
def period(app, accounts):
    """A period of THA and NZL that started 3 days ago to the minute (so each state's first
    local date is a part-day); THA reported yesterday (arrests 4, two female children)."""
    admin = accounts.create("admin.db", "admin", password=PASSWORD)
    nlo = accounts.create("nlo.tha.db", "liaison_officer", "THA", password=PASSWORD)
    accounts.create("co.nzl.db", "co_chair", "NZL", password=PASSWORD)
    now = datetime.now(UTC)
    with app.extensions["jpa.db"].transaction() as session:
        created = operations.create_period(
            session, actor=Principal.of(admin, "setup"), name="JPA dashboard 2026",
            starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=20),
            states=["THA", "NZL"], co_chairs=["NZL"])
        yesterday = (now.astimezone(BANGKOK) - timedelta(days=1)).date()
        outcomes.submit_report(session, actor=Principal.of(nlo, "setup"),
                               period_id=created.id, on=yesterday,
                               values={"arrests": 4, "victims_assisted": {"female_child": 2}})
        return created.id


def test_the_dashboard_tells_the_truth(ui, period):
    page = log_in_as(ui, "co.nzl.db", PASSWORD)
    page.goto(ui.url(f"/periods/{period}/dashboard"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    today = datetime.now(BANGKOK).date()

    grid = page.get_by_role("table", name=re.compile("Reporting completeness"))
    tha = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name="THA"))
    # Today is due, not missing; the part-day at the window's start is not a miss either.
    expect(tha.locator("td.cell.due")).to_have_count(1)
    expect(tha.locator("td.cell.due")).to_contain_text("due")
    expect(tha.locator("td.cell.no")).to_have_count(1)  # two days ago, a whole missed day
    expect(tha.locator("td.cell.part")).to_have_count(1)
    expect(tha.locator("td.cell.yes")).to_have_count(1)
    expect(tha).to_contain_text("50%")  # one of the two whole days that were due
    # Headers name the weekday and the month.
    header = grid.get_by_role("columnheader", name=re.compile(today.strftime("%a")))
    expect(header.first).to_contain_text(today.strftime("%b"))

    # Every participating state is listed under operations, with none; links to the lists.
    operations_table = page.get_by_role("table", name=re.compile("Operations by type"))
    nzl = operations_table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="NZL"))
    expect(nzl).to_be_visible()
    link = nzl.get_by_role("link").first
    expect(link).to_have_attribute("href", re.compile(r"operations\?state=NZL"))

    # One polite live notice, "Updated hh:mm", not the whole dashboard.
    live = page.locator("[aria-live]")
    expect(live).to_have_count(1)
    expect(live).to_have_text(re.compile(r"Updated \d\d:\d\d"))

    # The chart's values as a table (reachable without a mouse).
    page.get_by_text("Daily figures as a table").click()
    daily = page.get_by_role("table", name=re.compile("Daily figures"))
    row = daily.get_by_role("row").filter(has_text=(today - timedelta(days=1)).strftime("%d %b"))
    expect(row).to_contain_text("4")

    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert_no_serious_axe_violations(page, where="dashboard")
        page.screenshot(path=str(screenshot_path("dashboard", width)), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The CSV: the daily series with categories, a BOM, and a name with period and time.
    href = page.get_by_role("link", name=re.compile("daily series", re.I)).get_attribute("href")
    response = page.request.get(ui.url(href or ""))
    assert response.status == 200
    disposition = response.headers["content-disposition"]
    assert re.search(r'filename="jpa-dashboard-2026-daily-\d{8}-\d{4}Z?\.csv"', disposition), \
        disposition
    body = response.body()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert '"female_child"' in text and '"arrests"' in text
    assert (today - timedelta(days=1)).isoformat() in text
