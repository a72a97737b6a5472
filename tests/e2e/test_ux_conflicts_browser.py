"""Issue 14 in real Chromium, points 1, 2 and 6: a conflict cannot be missed (a red or amber
banner with whom to call and the facts, never the green "registered"); one notice per event,
to the other party, worded by the event and read once its conflict is opened; dangerous acts
confirm (cancel with a reason, disable after a confirmation page, resolve with an explicit
choice and a note, reopen)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.identity.services import Principal
from deconfliction.matcher import haversine_m
from deconfliction.models import ConflictRecord
from operations import services as operations
from tests.e2e.conftest import log_in_as

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase for e2e"
PERIOD_NAME = "JPA conflicts e2e"
KL_ZONE = "Asia/Kuala_Lumpur"
# THA's jetty and MYS's warehouse, 300-odd metres apart (radii 500 m: they meet).
JETTY = (3.0000, 101.4000)
WAREHOUSE = (3.0020, 101.4020)


@pytest.fixture
def world(app, accounts):
    """An active period (THA, MYS; THA co-chairs), an NLO of each and an administrator; THA
    has registered two operations at the jetty on day 2, 08:00-18:00 UTC: one holding a phone
    number, one with no target."""
    admin = accounts.create("admin.ux", "admin", password=PASSWORD)
    tha = accounts.create("nlo.tha.ux", "liaison_officer", "THA", password=PASSWORD,
                          full_name="Somchai Wong", email="somchai@police.example.th",
                          phone="+66 2 123 4567", time_zone="Asia/Bangkok")
    accounts.create("nlo.mys.ux", "liaison_officer", "MYS", password=PASSWORD,
                    full_name="Aisyah Rahman", email="aisyah@police.example.my",
                    phone="+60 3 2266 8000", time_zone=KL_ZONE)
    day2 = (datetime.now(UTC) + timedelta(days=2)).replace(hour=8, minute=0, second=0,
                                                            microsecond=0)
    key = app.extensions["jpa.settings"].blinding_key.encode()
    with app.extensions["jpa.db"].transaction() as session:
        period = operations.create_period(
            session, actor=Principal.of(admin, "setup"), name=PERIOD_NAME,
            starts_at=datetime.now(UTC) - timedelta(days=1),
            ends_at=datetime.now(UTC) + timedelta(days=30), states=["THA", "MYS"],
            co_chairs=["THA"])
        ops = []
        for title, targets in (
                ("Jetty watch", [operations.TargetData(kind="phone", value="081 234 5678",
                                                       label="Facilitator K")]),
                ("Jetty patrol", [])):
            op, _ = operations.register_operation(
                session, actor=Principal.of(tha, "setup"), period_id=period.id,
                registration=operations.Registration(
                    title=title, type="transit_hub_checks", lead_agency="Royal Thai Police",
                    starts_at=day2, ends_at=day2 + timedelta(hours=10),
                    locations=[operations.LocationData(name="Jetty", lat=JETTY[0],
                                                       lon=JETTY[1])],
                    targets=targets),
                blinding_key=key)
            ops.append(op.id)
        return {"period": period.id, "day2": day2, "tha_ops": ops}


def high_conflict(app, world) -> int:
    """The id of the high conflict: the warehouse raid against THA's phone-holding watch."""
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return session.scalars(select(ConflictRecord.id).where(
            ConflictRecord.period_id == world["period"], ConflictRecord.severity == "high",
            ConflictRecord.op_a == world["tha_ops"][0])).one()


def log_in(ui, username: str) -> Page:
    return log_in_as(ui, username, PASSWORD)


def register_warehouse(page: Page, ui, world) -> None:
    """MYS registers, through the form, the warehouse raid on day 2 10:00-20:00 UTC holding
    THA's phone number written the international way."""
    page.goto(ui.url(f"/periods/{world['period']}/operations/new"))
    page.get_by_label("Title").fill("Warehouse raid")
    page.get_by_label("Type").select_option("network_targeting")
    page.get_by_label("Lead agency").fill("Royal Malaysia Police")
    start = world["day2"] + timedelta(hours=2)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((start + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time zone of these times").fill("UTC")
    page.locator("#sites-0-name").fill("Warehouse 7")
    page.locator("#sites-0-lat").fill(str(WAREHOUSE[0]))
    page.locator("#sites-0-lon").fill(str(WAREHOUSE[1]))
    page.locator("#targets-0-kind").select_option("phone")
    page.locator("#targets-0-value").fill("+66 81 234 5678")
    page.locator("#targets-0-label").fill("Recruiter A")
    page.get_by_role("button", name="Register and check").click()
    expect(page.get_by_role("heading", name="Warehouse raid")).to_be_visible()


def test_point1_a_registration_that_meets_others_opens_on_red_and_amber_banners(open_tab,
                                                                                 world):
    ui = open_tab()
    page = log_in(ui, "nlo.mys.ux")
    register_warehouse(page, ui, world)

    # Never the green "registered": the page opens on the conflicts, announced once.
    expect(page.locator(".flash-success")).to_have_count(0)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("2 conflicts found")
    high, medium = page.locator(".conflict-banner").all()
    # Text as well as colour, high first.
    expect(high).to_contain_text("High: shared target and same place and time")
    expect(medium).to_contain_text("Medium: same place and time")
    red = high.evaluate("e => getComputedStyle(e).borderLeftColor")
    amber = medium.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert red == "rgb(164, 22, 26)" and amber == "rgb(179, 107, 0)", (red, amber)
    # Whom to call and the facts: own target label, distance, the overlap in the user's zone.
    for banner in (high, medium):
        expect(banner).to_contain_text("THA: Somchai Wong")
        expect(banner).to_contain_text("somchai@police.example.th")
    expect(high).to_contain_text("Phone: your “Recruiter A”")
    metres = round(haversine_m(*JETTY, *WAREHOUSE))
    expect(high).to_contain_text(f"your site “Warehouse 7”: the sites are {metres} m apart")
    kl = ZoneInfo(KL_ZONE)
    start = (world["day2"] + timedelta(hours=2)).astimezone(kl)
    end = (world["day2"] + timedelta(hours=10)).astimezone(kl)
    expect(high).to_contain_text(f"from {start:%d %b %Y %H:%M} to {end:%d %b %Y %H:%M} +08")
    # Nothing of the other state's operation beyond whom to call.
    html = page.content()
    for secret in ("Jetty watch", "Jetty patrol", "Facilitator K", "Royal Thai Police",
                   "234 5678"):
        assert secret not in html, secret

    # Opened again later: the banners stay, the announcement does not.
    page.reload()
    expect(page.locator(".conflict-banner")).to_have_count(2)
    expect(page.get_by_role("alert")).to_have_count(0)


def test_point2_one_notice_per_event_to_the_other_party_read_when_opened(app, open_tab, world):
    malaysian = open_tab()
    page_mys = log_in(malaysian, "nlo.mys.ux")
    register_warehouse(page_mys, malaysian, world)
    cid = high_conflict(app, world)
    # MYS acknowledges from its conflict page.
    page_mys.goto(malaysian.url(f"/conflicts/{cid}"))
    page_mys.get_by_role("button", name="Acknowledge").click()
    expect(page_mys.get_by_text(f"Conflict #{cid} acknowledged.")).to_be_visible()

    thai = open_tab()
    page_tha = log_in(thai, "nlo.tha.ux")
    page_tha.goto(thai.url("/notifications"))
    items = page_tha.locator(".inbox li").filter(
        has=page_tha.locator(f'a[href="/conflicts/{cid}"]'))
    # One item per event, worded by the event, naming the period.
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(f"MYS acknowledged conflict #{cid}")
    expect(items.nth(1)).to_contain_text(
        f"MYS registered an operation that conflicts with yours: #{cid} (High)")
    for index in range(2):
        expect(items.nth(index)).to_contain_text(PERIOD_NAME)
        text = items.nth(index).inner_text()
        assert "http" not in text and "Details:" not in text, text
    # The actor was told nothing of its own acts.
    page_mys.goto(malaysian.url("/notifications"))
    expect(page_mys.locator(f'.inbox a[href="/conflicts/{cid}"]')).to_have_count(0)

    # Opening the conflict marks its notices read.
    expect(page_tha.locator(".site-header .badge")).to_be_visible()
    page_tha.goto(thai.url(f"/conflicts/{cid}"))
    page_tha.goto(thai.url("/notifications"))
    expect(page_tha.locator(".inbox li.unread").filter(
        has=page_tha.locator(f'a[href="/conflicts/{cid}"]'))).to_have_count(0)
    expect(page_tha.locator(".inbox li.read").filter(
        has=page_tha.locator(f'a[href="/conflicts/{cid}"]'))).to_have_count(2)


def test_point6_cancel_asks_why_and_tells_the_other_party(open_tab, world):
    malaysian = open_tab()
    page = log_in(malaysian, "nlo.mys.ux")
    register_warehouse(page, malaysian, world)
    operation_url = page.url
    page.get_by_role("link", name="Cancel operation").click()
    reason = page.get_by_label("Why is the operation cancelled?")
    expect(reason).to_be_visible()
    # Without a reason nothing happens but an error beside the field.
    page.get_by_role("button", name="Cancel the operation").click()
    expect(page.locator("#reason-error")).to_contain_text("Say why")
    assert page.title().startswith("Error: ")
    page.goto(operation_url)
    expect(page.locator(".status")).to_have_text("Planned")
    page.get_by_role("link", name="Cancel operation").click()
    page.get_by_label("Why is the operation cancelled?").fill("Suspects moved to Penang")
    page.get_by_role("button", name="Cancel the operation").click()
    expect(page.locator(".status")).to_have_text("Cancelled")

    thai = open_tab()
    page_tha = log_in(thai, "nlo.tha.ux")
    page_tha.goto(thai.url("/notifications"))
    told = page_tha.locator(".inbox li").filter(has_text="MYS cancelled its operation")
    expect(told).to_have_count(2)  # one per conflict
    expect(told.first).to_contain_text("Reason given: Suspects moved to Penang")


def test_point6_resolving_needs_a_choice_and_a_note_and_can_be_reopened(app, open_tab,
                                                                         world):
    malaysian = open_tab()
    page_mys = log_in(malaysian, "nlo.mys.ux")
    register_warehouse(page_mys, malaysian, world)
    cid = high_conflict(app, world)

    thai = open_tab()
    page = log_in(thai, "nlo.tha.ux")
    page.goto(thai.url(f"/conflicts/{cid}"))
    radios = page.locator("#resolve input[type=radio]")
    expect(radios).to_have_count(4)
    assert not any(radio.is_checked() for radio in radios.all()), "a choice is pre-selected"
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#resolution-error")).to_contain_text("Choose how")
    expect(page.locator("#note-error")).to_contain_text("Write a note")
    assert page.title().startswith("Error: ")
    page.get_by_label("Work jointly").check()
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#note-error")).to_contain_text("Write a note")
    page.get_by_label("Work jointly").check()
    page.get_by_label("Note: what you agreed").fill("One team at the jetty")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text(f"Conflict #{cid} resolved")).to_be_visible()

    # The other party reopens it.
    page_mys.goto(malaysian.url(f"/conflicts/{cid}"))
    expect(page_mys.get_by_text("Work jointly: One team at the jetty", exact=False)).to_be_visible()
    page_mys.get_by_label("Why reopen it? (optional)").fill("The raid moved to the jetty")
    page_mys.get_by_role("button", name="Reopen").click()
    expect(page_mys.get_by_text(f"Conflict #{cid} reopened")).to_be_visible()
    expect(page_mys.locator(".facts")).to_contain_text("Open")
    page.goto(thai.url("/notifications"))
    expect(page.locator(".inbox li").first).to_contain_text(
        f"MYS reopened #{cid}: The raid moved to the jetty")


def test_point6_disabling_a_user_asks_to_confirm(open_tab, world):
    ui = open_tab()
    page = log_in(ui, "admin.ux")
    page.goto(ui.url("/admin/users"))
    page.get_by_role("link", name="Disable nlo.mys.ux").click()
    expect(page.get_by_role("heading", name="Disable nlo.mys.ux?")).to_be_visible()
    page.get_by_role("link", name="No, keep the account").click()
    row = page.get_by_role("row").filter(has_text="nlo.mys.ux")
    expect(row).not_to_contain_text("Disabled")
    page.get_by_role("link", name="Disable nlo.mys.ux").click()
    page.get_by_role("button", name="Yes, disable nlo.mys.ux").click()
    expect(page.get_by_text("User nlo.mys.ux disabled")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="nlo.mys.ux")).to_contain_text("Disabled")
