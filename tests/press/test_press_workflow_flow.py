"""The whole workflow over the API: a regional release written from the default template,
submitted, approved by every participating state, published; edits clear approvals;
corrections make new versions and keep the old; withdrawal; a national release."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.outcomes.helpers import STATES
from tests.press.press_workflow_support import NLO_OF, Newsroom, build_newsroom

THA_DAY = {"arrests": 4, "victims_assisted": {"female_adult": 6, "male_child": 1}}
MYS_DAY = {"arrests": 10, "victims_assisted": {"female_adult": 2, "female_child": 3}}


@pytest.fixture
def newsroom(app: Flask, accounts: Any) -> Newsroom:
    """The 2015 window (LKA MDV MYS NZL THA; LKA and NZL co-chair) and its people."""
    return build_newsroom(app, accounts)


def _report_and_sign(newsroom: Newsroom, states: list[str] | None = None) -> None:
    newsroom.report("nlo.tha", "2015-10-01", THA_DAY)
    newsroom.report("nlo.mys", "2015-10-01", MYS_DAY)
    for state in states or STATES:
        newsroom.sign(NLO_OF[state])


def test_regional_release_from_draft_to_published(newsroom: Newsroom) -> None:
    _report_and_sign(newsroom)
    draft = newsroom.create("chair.nzl")
    assert draft["status"] == "draft" and draft["version"] == 0
    assert "{{ figures.arrests }}" in draft["body"]  # the default template
    assert draft["preliminary"] is False  # period over, every state signed
    assert draft["figures"]["regional"]["arrests"] == 14
    assert "14 arrests" in draft["rendered"]["text"]
    assert draft["missing_approvals"] == STATES
    rid = draft["id"]
    newsroom.act("nlo.tha", rid, "approve", 409)  # not submitted yet
    newsroom.act("chair.nzl", rid, "publish", 409)
    newsroom.act("chair.nzl", rid, "submit")
    body = newsroom.approve_all(rid, STATES[:-1])
    assert body["missing_approvals"] == [STATES[-1]]
    newsroom.act("chair.nzl", rid, "publish", 409)  # one approval missing
    body = newsroom.act(NLO_OF[STATES[-1]], rid, "approve")
    assert body["missing_approvals"] == []
    published = newsroom.act("chair.lka", rid, "publish")
    assert published["status"] == "published" and published["version"] == 1
    assert "14 arrests" in published["rendered"]["text"]
    # victims: THA 7, MYS 5 -> 12; female_child 3 is below 5 and suppressed.
    assert "fewer than 5" in published["rendered"]["text"]
    page = newsroom.app.test_client().get(published["public_url"])  # no login
    assert page.status_code == 200
    assert "14 arrests" in page.get_data(as_text=True)
    actions = [a for a, _, o in newsroom.audit() if o == str(rid) and a != "press.signoff"]
    assert actions == ["press.create", "press.submit", *["press.approve"] * 5, "press.publish"]
    newsroom.patch("chair.nzl", rid, 409, title="Changed after publication")
