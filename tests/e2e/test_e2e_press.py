"""End to end in real Chromium: two NLOs sign off their figures, a co-chair writes a release
from the default template, both states approve, the scheduler publishes it at its embargo,
and the public page (no login) shows the signed totals, a small victim category as
"fewer than 5"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from core.identity.services import Principal
from core.scheduler import run_pending
from operations import services as operations
from press.models import Release
from tests.e2e.conftest import log_in_as

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase for e2e"
# The figures each state reports (and signs): THA's 3 girls is a small count.
REPORTS = {
    "THA": ("nlo.tha.press", {"arrests": 9, "victims_assisted": {"female_adult": 10,
                                                                "female_child": 3}}),
    "MYS": ("nlo.mys.press", {"arrests": 12, "victims_assisted": {"female_adult": 8,
                                                                 "male_adult": 6}}),
}


@pytest.fixture
def period(app, accounts):
    """The 2015 window, over, of THA and MYS (MYS co-chairs), with the figures reported."""
    admin = accounts.create("admin.press", "admin", password=PASSWORD)
    accounts.create("chair.mys.press", "co_chair", "MYS", password=PASSWORD)
    for state, (username, _) in REPORTS.items():
        accounts.create(username, "liaison_officer", state, password=PASSWORD)
    with app.extensions["jpa.db"].transaction() as session:
        created = operations.create_period(
            session, actor=Principal.of(admin, "setup"), name="JPA press e2e",
            starts_at=datetime(2015, 9, 28, tzinfo=UTC), ends_at=datetime(2015, 10, 28,
                                                                         tzinfo=UTC),
            states=["THA", "MYS"], co_chairs=["MYS"])
        pid = created.id
    for username, values in REPORTS.values():
        response = accounts.api(username, PASSWORD).post(
            f"/api/v1/periods/{pid}/reports", json={"date": "2015-10-05", "values": values})
        assert response.status_code == 201, response.get_data(as_text=True)
    return pid


def sign_off(ui, username: str, period: int) -> None:
    """The NLO opens the period, then the sign-off page, checks it and signs."""
    page = log_in_as(ui, username, PASSWORD)
    page.goto(ui.url(f"/periods/{period}"))
    page.get_by_role("link", name="Sign off figures").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text="Arrests")).to_be_visible()
    page.get_by_role("button", name="Sign off").click()
    expect(page.locator("#signoff-status")).to_contain_text("Signed off on")


def approve(ui, username: str, release_url: str) -> None:
    """The NLO reads the release to approve and approves it."""
    page = log_in_as(ui, username, PASSWORD)
    page.goto(ui.url(release_url + "/approve"))
    expect(page.locator(".release-preview")).to_contain_text("arrests")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#approval-status")).to_contain_text("has approved this text")


def test_signed_figures_reach_the_public_page_at_the_embargo(app, open_tab, period):
    for username, _ in REPORTS.values():
        sign_off(open_tab(), username, period)

    chair = open_tab()
    page: Page = log_in_as(chair, "chair.mys.press", PASSWORD)
    page.goto(chair.url(f"/periods/{period}"))
    page.get_by_role("link", name="Press releases").click()
    page.get_by_label("Language").select_option("en")
    page.get_by_label("Title").fill("Regional results of the JPA")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator("#release-status")).to_contain_text("Draft")
    release_url = page.url.removeprefix(chair.base_url)
    accept = page.get_by_label("I accept the hand-typed figures")
    if accept.count():
        accept.check()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#release-status")).to_contain_text("In review")

    approve(open_tab(), "nlo.tha.press", release_url)
    approve(open_tab(), "nlo.mys.press", release_url)

    page.reload()
    embargo = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    local = embargo.astimezone(ZoneInfo("Asia/Kuala_Lumpur"))  # the co-chair's own zone
    page.get_by_label("Embargo: publish at").fill(local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator("#release-status")).to_contain_text("Scheduled")
    expect(page.get_by_text(local.strftime("%d %b %Y %H:%M"))).to_be_visible()
    public_link = page.get_by_role("link", name="/press/")
    expect(public_link).to_have_count(0)  # nothing public before the embargo

    reader = open_tab()  # no login
    with app.extensions["jpa.db"].transaction(write=False) as session:
        rid = int(release_url.rsplit("/", 1)[1])
        slug = session.get(Release, rid).slug
    before = reader.page.goto(reader.url(f"/press/{slug}"))
    assert before is not None and before.status == 404

    run_pending(app, now=embargo - timedelta(minutes=1))
    assert reader.page.goto(reader.url(f"/press/{slug}")).status == 404
    run_pending(app, now=embargo + timedelta(minutes=1))

    shown = reader.page.goto(reader.url(f"/press/{slug}"))
    assert shown is not None and shown.status == 200
    body = reader.page.locator("main.release-body")
    expect(body).to_contain_text("21 arrests")  # 9 + 12, as signed
    expect(body).to_contain_text("27 presumed victims")  # 10 + 3 + 8 + 6
    expect(body.get_by_role("listitem").filter(has_text="girls")).to_contain_text(
        "fewer than 5")
    expect(body.get_by_role("listitem").filter(has_text="women")).to_contain_text("18")
    assert "3" not in body.get_by_role("listitem").filter(has_text="girls").inner_text()
    # A standalone public page names no icon, so Chromium asks for /favicon.ico (a 404 the
    # reader never sees); any other console error or CSP violation still fails the test.
    reader.console_errors[:] = [(text, url) for text, url in reader.console_errors
                                if not url.endswith("/favicon.ico")]
