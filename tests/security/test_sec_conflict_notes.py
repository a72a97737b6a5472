"""Defect 3: a resolution's free-text note is for the two parties only; co-chairs see the
resolution kind, in the API and on the conflict page, and in the history too."""

from __future__ import annotations

import json

import pytest

from tests.deconfliction.helpers import API, KUALA_LUMPUR, at, iso, site
from tests.security.sec_ops_helpers import make_world

NOTE = "Agreed with Inspector Lim: THA raids pier 4 first"


@pytest.fixture
def world(app, accounts):
    """The deconfliction tests' period and people."""
    return make_world(app, accounts)


@pytest.fixture
def resolved(world):
    """A THA-MYS conflict that MYS resolved as `joint` with a note; its id."""
    world.register("nlo.tha", locations=[site("Jetty", KUALA_LUMPUR)],
                   starts_at=iso(at(4)), ends_at=iso(at(4, 6)))
    mys = world.register("nlo.mys", locations=[site("Jetty too", KUALA_LUMPUR)],
                         starts_at=iso(at(4, 1)), ends_at=iso(at(4, 5)))
    cid = mys["conflicts"][0]["id"]
    response = world.api("nlo.mys").post(f"{API}/conflicts/{cid}/resolve",
                                         json={"resolution": "joint", "note": NOTE})
    assert response.status_code == 200, response.get_data(as_text=True)
    return cid


@pytest.mark.parametrize("username", ["chair.nzl", "chair.lka"])
def test_a_co_chair_sees_the_resolution_kind_but_never_the_note(world, resolved, username):
    detail = world.conflict(username, resolved)
    listed = world.conflicts(username)["conflicts"]
    text = json.dumps([detail, listed], ensure_ascii=False)
    assert NOTE not in text and "pier 4" not in text
    assert all("note" not in event for event in detail["history"])
    assert detail["status"] == "resolved"
    assert detail["resolution"] == "joint"
    assert [c["resolution"] for c in listed] == ["joint"]


@pytest.mark.parametrize("username", ["nlo.tha", "nlo.mys", "nlo2.tha"])
def test_both_parties_still_read_the_note(world, resolved, username):
    detail = world.conflict(username, resolved)
    assert detail["resolution"] == "joint" and detail["resolution_note"] == NOTE
    assert detail["history"][-1]["note"] == NOTE


def test_the_conflict_page_shows_a_co_chair_the_kind_and_not_the_note(app, world, resolved, web):
    assert web.login("chair.nzl").status_code == 302
    response = web.client.get(f"/conflicts/{resolved}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert NOTE not in page and "pier 4" not in page
    assert "Work jointly" in page
    # The party's page keeps it.
    web.logout()
    assert web.login("nlo.tha").status_code == 302
    page = web.client.get(f"/conflicts/{resolved}").get_data(as_text=True)
    assert NOTE in page
