"""The small-count threshold k as a period setting: co-chairs set it (3 to 100, a JSON whole
number), it changes what later publications show and never re-renders what is published."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from press.context import cell_text
from press.suppression import derivable, suppress
from tests.outcomes.helpers import API, PAST_END, PAST_START, STATES, make_period
from tests.press.press_workflow_support import NLO_OF, Newsroom, build_newsroom
from tests.security.sec_core_world import expect_error

# victims_assisted: THA 4 + MYS 3 -> 7 in all; female_adult 4, female_child 3.
THA_DAY = {"arrests": 2, "victims_assisted": {"female_adult": 4}}
MYS_DAY = {"arrests": 1, "victims_assisted": {"female_child": 3}}


@pytest.fixture
def newsroom(app: Flask, accounts: Any) -> Newsroom:
    """The 2015 window (LKA MDV MYS NZL THA; LKA and NZL co-chair) and its people."""
    return build_newsroom(app, accounts)


def _settings(newsroom: Newsroom, username: str = "chair.nzl") -> Any:
    return newsroom.api(username).get(f"{API}/periods/{newsroom.pid}/press-settings")


def _set_k(newsroom: Newsroom, value: object, username: str = "chair.nzl") -> Any:
    return newsroom.api(username).patch(f"{API}/periods/{newsroom.pid}/press-settings",
                                        json={"suppression_k": value})


def _publish(newsroom: Newsroom) -> dict[str, Any]:
    rid = newsroom.create("chair.nzl")["id"]
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid)
    return newsroom.act("chair.lka", rid, "publish")


def _report_and_sign(newsroom: Newsroom) -> None:
    newsroom.report("nlo.tha", "2015-10-01", THA_DAY)
    newsroom.report("nlo.mys", "2015-10-01", MYS_DAY)
    for state in STATES:
        newsroom.sign(NLO_OF[state])


def test_k_is_five_until_a_co_chair_sets_it(newsroom: Newsroom) -> None:
    for reader in ("chair.nzl", "nlo.tha", "analyst", "chair.tha"):
        response = _settings(newsroom, reader)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["suppression_k"] == 5
    response = _set_k(newsroom, 3)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["suppression_k"] == 3
    assert _settings(newsroom, "nlo.mys").get_json()["suppression_k"] == 3
    assert [a for a, _, o in newsroom.audit("press.settings")] == ["press.settings"]


def test_k_of_three_changes_the_next_publication_but_not_the_published_one(
        newsroom: Newsroom) -> None:
    _report_and_sign(newsroom)
    before = _publish(newsroom)
    text5 = before["rendered"]["text"]
    assert "fewer than 5" in text5 and "fewer than 3" not in text5
    stored = newsroom.app.test_client().get(before["public_url"]).get_data()

    assert _set_k(newsroom, 3).status_code == 200
    draft = newsroom.create("chair.nzl")
    assert "fewer than 3" not in draft["rendered"]["text"]  # 7, 4 and 3 are all shown now
    after = _publish(newsroom)
    text3 = after["rendered"]["text"]
    assert "women: 4" in text3 and "girls: 3" in text3, text3
    assert "fewer than" not in text3 and "women: fewer than 5" in text5
    # The release published under k = 5 keeps its stored bytes and its API text.
    assert newsroom.app.test_client().get(before["public_url"]).get_data() == stored
    assert newsroom.get("chair.nzl", before["id"])["rendered"]["text"] == text5


def test_k_of_three_still_hides_what_could_be_worked_out(newsroom: Newsroom) -> None:
    newsroom.report("nlo.tha", "2015-10-01", {"victims_assisted": {"female_adult": 9,
                                                                   "female_child": 2}})
    for state in STATES:
        newsroom.sign(NLO_OF[state])
    assert _set_k(newsroom, 3).status_code == 200
    text = _publish(newsroom)["rendered"]["text"]
    assert "girls: fewer than 3" in text and "women: 9" not in text, text
    # The rule itself at k = 3: the small cell and its complement are hidden, nothing derivable.
    fig = suppress(11, {"female_adult": 9, "female_child": 2}, k=3)
    shown = {name: cell.shown for name, cell in fig.categories.items()}
    assert fig.categories["female_child"].suppressed and fig.categories["female_adult"].suppressed
    assert derivable(11, {"female_adult": 9, "female_child": 2}, shown, 3) == []
    assert cell_text(fig.categories["female_child"], 3, "en") == "fewer than 3"


@pytest.mark.parametrize("value", [2, 101, "5", True, 4.5, None])
def test_a_bad_k_is_refused_and_nothing_changes(newsroom: Newsroom, value: object) -> None:
    expect_error(_set_k(newsroom, value), 422, fields=("suppression_k",))
    assert _settings(newsroom).get_json()["suppression_k"] == 5
    assert newsroom.audit("press.settings") == []


def test_only_the_periods_co_chairs_change_k(newsroom: Newsroom) -> None:
    for username in ("nlo.nzl", "chair.tha", "analyst"):
        assert _set_k(newsroom, 4, username).status_code == 403
    assert _set_k(newsroom, 4, "admin").status_code == 403  # admins see no press
    other = make_period(newsroom.api("admin"), "Bali Process JPA 2016", PAST_START, PAST_END,
                        ["AUS", "IDN"], ["AUS"])
    newsroom.accounts.create("chair.aus", "co_chair", "AUS")
    response = newsroom.api("chair.aus").patch(f"{API}/periods/{newsroom.pid}/press-settings",
                                               json={"suppression_k": 4})
    assert response.status_code == 404
    response = newsroom.api("chair.aus").get(f"{API}/periods/{other}/press-settings")
    assert response.status_code == 200
    assert _settings(newsroom).get_json()["suppression_k"] == 5
