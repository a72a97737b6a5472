"""Issue 14, points 1 and 6 through the pages (Flask test client, SQLite and PostgreSQL): the
operation page opens on conflict banners after a registration or an edit, with the facts in
the viewer's zone; cancelling, resolving and reopening ask first and refuse bad input beside
the field, changing nothing."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from deconfliction.matcher import haversine_m
from tests.deconfliction.helpers import KUALA_LUMPUR, at, iso, site
from tests.web.conftest import csrf_from

NEAR = (KUALA_LUMPUR[0] + 0.002, KUALA_LUMPUR[1] + 0.001)


@pytest.fixture
def pair(world):
    """THA holds a jetty watch on day 4, 00:00-06:00 UTC; MYS registers a raid nearby from
    01:00 to 05:00 sharing a phone number: one high conflict (target and place)."""
    phone = [{"kind": "phone", "value": "+66 81 234 5678", "label": "MYS handset"}]
    tha = world.register("nlo.tha", locations=[site("Jetty", KUALA_LUMPUR)],
                         starts_at=iso(at(4)), ends_at=iso(at(4, 6)),
                         targets=[{"kind": "phone", "value": "081 234 5678",
                                   "label": "THA handset"}])
    mys = world.register("nlo.mys", locations=[site("Warehouse", NEAR)],
                         starts_at=iso(at(4, 1)), ends_at=iso(at(4, 5)), targets=phone)
    return tha, mys, mys["conflicts"][0]["id"]


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_the_operation_page_shows_each_live_conflict_as_a_banner_with_the_facts(world, pair,
                                                                                web):
    tha, _, cid = pair
    assert web.login("nlo.tha").status_code == 302
    page = _page(web.client.get(f"/operations/{tha['id']}"))
    banner = re.search(r'<section class="conflict-banner conflict-banner-high".*?</section>',
                       page, re.DOTALL)
    assert banner is not None, page
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", banner.group(0)))
    assert "High: shared target and same place and time" in text
    assert f"conflict #{cid}" in text
    assert "Phone: your “THA handset”" in text and "MYS handset" not in text
    metres = round(haversine_m(*KUALA_LUMPUR, *NEAR))
    assert f"your site “Jetty”: the sites are {metres} m apart" in text
    bangkok = ZoneInfo("Asia/Bangkok")  # nlo.tha's zone (the state's default)
    start, end = at(4, 1).astimezone(bangkok), at(4, 5).astimezone(bangkok)
    assert f"from {start:%d %b %Y %H:%M} to {end:%d %b %Y %H:%M} +07" in text
    assert "MYS: Aminah Rahman" in text
    # Seen later, not right after a registration: no announcement.
    assert 'role="alert"' not in page


def test_an_edit_that_meets_another_operation_opens_on_the_banner_not_a_green_flash(world,
                                                                                   web):
    world.register("nlo.mys", locations=[site("Warehouse", NEAR)], starts_at=iso(at(4, 1)),
                   ends_at=iso(at(4, 5)))
    tha = world.register("nlo.tha", locations=[site("Far away", (-40.0, 170.0))],
                         starts_at=iso(at(4)), ends_at=iso(at(4, 6)))
    assert web.login("nlo.tha").status_code == 302
    form = _page(web.client.get(f"/operations/{tha['id']}/edit"))
    start, end = (at(4).astimezone(ZoneInfo("Asia/Bangkok")),
                  at(4, 6).astimezone(ZoneInfo("Asia/Bangkok")))
    response = web.client.post(f"/operations/{tha['id']}/edit", data={
        "csrf_token": csrf_from(form), "title": "Moved", "type": "airport_checks",
        "lead_agency": "Police", "time_zone": "Asia/Bangkok",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "sites-0-name": "Jetty", "sites-0-lat": str(KUALA_LUMPUR[0]),
        "sites-0-lon": str(KUALA_LUMPUR[1])})
    assert response.status_code == 302, _page(response)
    page = _page(web.client.get(response.headers["Location"]))
    assert 'class="conflict-banners" role="alert"' in page
    assert "1 conflict found" in page and "Medium: same place and time" in page
    assert "flash-success" not in page
    assert 'role="alert"' not in _page(web.client.get(response.headers["Location"]))


def test_cancelling_asks_for_a_reason_first(world, pair, web):
    _, mys, cid = pair
    assert web.login("nlo.mys").status_code == 302
    operation = _page(web.client.get(f"/operations/{mys['id']}"))
    assert f'href="/operations/{mys["id"]}/cancel"' in operation
    form = _page(web.client.get(f"/operations/{mys['id']}/cancel"))
    assert "Why is the operation cancelled?" in form and "1 conflict still needs" in form
    refused = web.client.post(f"/operations/{mys['id']}/cancel",
                              data={"csrf_token": csrf_from(form), "reason": "   "})
    assert refused.status_code == 422
    assert "<title>Error: " in _page(refused) and 'id="reason-error"' in _page(refused)
    assert world.conflict("nlo.mys", cid)["status"] == "open"
    done = web.client.post(f"/operations/{mys['id']}/cancel",
                           data={"csrf_token": csrf_from(form), "reason": "Target left"})
    assert done.status_code == 302
    assert world.conflict("nlo.tha", cid)["status"] == "cleared"
    assert "Reason given: Target left" in world.notifications("nlo.tha")["notifications"][0][
        "body"]
    # Already cancelled: the form is not offered again.
    assert web.client.get(f"/operations/{mys['id']}/cancel").status_code == 302


def test_resolving_on_the_page_needs_a_choice_and_a_note(world, pair, web):
    _, _, cid = pair
    assert web.login("nlo.tha").status_code == 302
    page = _page(web.client.get(f"/conflicts/{cid}"))
    assert 'type="radio"' in page and not re.search(r'type="radio"[^>]*checked', page)
    token = csrf_from(page)
    for data, errors in (({}, ("resolution-error", "note-error")),
                         ({"resolution": "joint"}, ("note-error",)),
                         ({"note": "agreed"}, ("resolution-error",)),
                         ({"resolution": "ignore", "note": "agreed"}, ("resolution-error",))):
        refused = web.client.post(f"/conflicts/{cid}/resolve", data={"csrf_token": token,
                                                                      **data})
        assert refused.status_code == 422, data
        for error in errors:
            assert f'id="{error}"' in _page(refused), (data, error)
        assert "There is a problem" in _page(refused) or "error-summary" in _page(refused)
    assert world.conflict("nlo.tha", cid)["status"] == "open"
    done = web.client.post(f"/conflicts/{cid}/resolve", data={
        "csrf_token": token, "resolution": "delay", "note": "THA moves a day"})
    assert done.status_code == 302
    page = _page(web.client.get(f"/conflicts/{cid}"))
    assert "Delay one operation: THA moves a day" in page
    assert f'action="/conflicts/{cid}/reopen"' in page


def test_the_other_party_reopens_on_the_page(world, pair, web):
    _, _, cid = pair
    response = world.api("nlo.tha").post(f"/api/v1/conflicts/{cid}/resolve",
                                         json={"resolution": "proceed", "note": "fine"})
    assert response.status_code == 200
    assert web.login("nlo.mys").status_code == 302
    page = _page(web.client.get(f"/conflicts/{cid}"))
    too_long = web.client.post(f"/conflicts/{cid}/reopen",
                               data={"csrf_token": csrf_from(page), "note": "x" * 2001})
    assert too_long.status_code == 422
    assert world.conflict("nlo.mys", cid)["status"] == "resolved"
    done = web.client.post(f"/conflicts/{cid}/reopen",
                           data={"csrf_token": csrf_from(page), "note": "not fine after all"})
    assert done.status_code == 302
    assert world.conflict("nlo.mys", cid)["status"] == "open"
    subjects = [n["subject"] for n in world.notifications("nlo.tha")["notifications"]]
    assert subjects[0].startswith(f"MYS reopened #{cid}: not fine after all")
