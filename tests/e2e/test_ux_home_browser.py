"""In real Chromium (issue 14): point 5, the NLO's task-first home page and the co-chair's;
point 7, the operations and conflicts lists sorted, filtered and paged. Each test failed on
the pages before the issue (the home was one table of periods; the lists had a status
filter only, no sorting, no pages, no age or conflict columns, raw UTC detection times)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from operations import services as operations
from tests.e2e.conftest import log_in_as
from tests.web.ux_home_support import HomeWorld, build_home_world, principal

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase for the home e2e"


@pytest.fixture
def world(app, accounts) -> HomeWorld:
    """An active period with THA's and MYS's high conflict, a closed and an upcoming one."""
    return build_home_world(app, accounts, PASSWORD)


def test_point5_nlo_home_puts_what_waits_first(ui, world):
    page = log_in_as(ui, "nlo.tha", PASSWORD)
    page.goto(ui.url("/"))
    card = page.get_by_role("region", name="Active JPA")
    expect(card.get_by_role("heading", name="Conflicts waiting for you")).to_be_visible()
    conflict = card.get_by_role("link", name=f"Conflict #{world.conflict}")
    expect(conflict).to_be_visible()
    expect(card.get_by_text("Acknowledge", exact=True)).to_be_visible()
    expect(card.get_by_text("Due", exact=True)).to_be_visible()
    expect(card.get_by_role("link", name="Report today's figures")).to_be_visible()
    # Closed periods apart, with no register or report action anywhere for them.
    expect(page.get_by_role("heading", name="Closed periods")).to_be_visible()
    expect(page.locator(f'a[href*="/periods/{world.closed}/operations/new"]')).to_have_count(0)
    expect(page.locator(f'a[href*="/periods/{world.closed}/report"]')).to_have_count(0)
    # A day not reported opens the report form on that date.
    missing = world.reported_day - timedelta(days=1)
    card.get_by_role("link", name=f"Report for {missing.strftime('%a %d %b %Y')}").click()
    expect(page.get_by_label("Date (your local date)")).to_have_value(missing.isoformat())
    page.go_back()
    page.get_by_role("region", name="Active JPA").get_by_role(
        "link", name=f"Conflict #{world.conflict}").click()
    expect(page.get_by_role("heading", name=f"Conflict #{world.conflict}")).to_be_visible()


def test_point5_home_fits_a_phone(ui, world):
    page = log_in_as(ui, "nlo.tha", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(ui.url("/"))
    card = page.get_by_role("region", name="Active JPA")
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    expect(card.get_by_role("link", name=f"Conflict #{world.conflict}")).to_be_in_viewport()


def test_point5_co_chair_home_counts_per_active_period(ui, world):
    page = log_in_as(ui, "co.nzl", PASSWORD)
    page.goto(ui.url("/"))
    card = page.get_by_role("region", name="Active JPA")
    expect(card.get_by_text("3 of 3 states")).to_be_visible()
    card.get_by_role("link", name="1 open conflict").click()
    expect(page).to_have_url(re.compile(r"/conflicts\?status=unresolved$"))
    expect(page.locator("tbody tr")).to_have_count(1)


def add_far_operations(app, world: HomeWorld, count: int) -> None:
    """`count` more THA operations, each far from every other."""
    key = app.extensions["jpa.settings"].blinding_key.encode()
    tha = principal(app, "nlo.tha")
    with app.extensions["jpa.db"].transaction() as session:
        for n in range(count):
            operations.register_operation(
                session, actor=tha, period_id=world.active,
                registration=operations.Registration(
                    title=f"Sweep {n:02d}", type="workplace_inspections", lead_agency="Labour",
                    starts_at=world.now + timedelta(days=2, minutes=n),
                    ends_at=world.now + timedelta(days=3),
                    locations=[operations.LocationData(name=f"Site {n}", lat=-60 + n * 0.2,
                                                       lon=20.0)], targets=[]),
                blinding_key=key)


def test_point7_operations_list_sorts_filters_and_pages(ui, app, world):
    add_far_operations(app, world, 55)  # 57 in all: two pages
    page = log_in_as(ui, "co.nzl", PASSWORD)
    page.goto(ui.url(f"/periods/{world.active}/operations"))
    starts = page.get_by_role("columnheader", name=re.compile(r"^Starts"))
    expect(starts).to_have_attribute("aria-sort", "ascending")
    expect(page.get_by_role("columnheader", name=re.compile(r"^Age"))).to_be_visible()
    expect(page.get_by_role("columnheader", name=re.compile(r"^Conflicts"))).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(50)
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(rows).to_have_count(7)
    # Sorting by a header link; a second click turns it round.
    page.get_by_role("columnheader", name=re.compile(r"^#")).get_by_role("link").click()
    expect(page.get_by_role("columnheader", name=re.compile(r"^#"))).to_have_attribute(
        "aria-sort", "ascending")
    expect(rows.first).to_contain_text(f"#{world.ops['nlo.tha']}")
    page.get_by_role("columnheader", name=re.compile(r"^#")).get_by_role("link").click()
    expect(page.get_by_role("columnheader", name=re.compile(r"^#"))).to_have_attribute(
        "aria-sort", "descending")
    # Filters in a labelled GET form.
    page.get_by_label("State").select_option("MYS")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"state=MYS"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"#{world.ops['nlo.mys']}")
    expect(rows.first.locator("td.num")).to_have_text("1")
    # At phone width the page itself never scrolls sideways (the table scrolls in its box).
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # A bad parameter is a 400 page naming it.
    response = page.goto(ui.url(f"/periods/{world.active}/operations?sort=nonsense"))
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", name="Bad request")).to_be_visible()
    expect(page.locator("main")).to_contain_text("sort")


def test_point7_conflicts_list_in_the_viewer_zone(ui, world):
    page = log_in_as(ui, "co.nzl", PASSWORD)
    page.goto(ui.url(f"/periods/{world.active}/conflicts"))
    expect(page.get_by_role("columnheader", name=re.compile(r"^Age"))).to_be_visible()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text(re.compile(r"\d\d \w{3} \d{4} \d\d:\d\d NZ[DS]T"))
    page.get_by_label("Severity").select_option("medium")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No conflicts match these filters.")).to_be_visible()
    page.get_by_role("link", name="Clear filters").click()
    expect(page.locator("tbody tr")).to_have_count(1)
