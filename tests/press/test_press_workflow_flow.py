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


def _published(newsroom: Newsroom, **create: object) -> int:
    rid = newsroom.create("chair.nzl", **create)["id"]
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid)
    newsroom.act("chair.nzl", rid, "publish")
    return rid


def test_an_edit_returns_the_release_to_draft_and_clears_approvals(newsroom: Newsroom) -> None:
    _report_and_sign(newsroom)
    rid = newsroom.create("chair.nzl")["id"]
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid, ["THA", "MYS"])
    edited = newsroom.patch("chair.lka", rid, title="Regional results, revised")
    assert edited["status"] == "draft"
    assert edited["approvals"] == [] and edited["missing_approvals"] == STATES
    newsroom.act("nlo.tha", rid, "approve", 409)  # back in draft: nothing to approve
    newsroom.act("chair.nzl", rid, "submit")
    body = newsroom.act("nlo.tha", rid, "approve")
    assert [a["state"] for a in body["approvals"]] == ["THA"]
    # THA and MYS are told their approval was cleared; the editor is told nothing.
    inbox = newsroom.inbox_of()
    assert any("edited" in s for s in inbox["nlo.mys"])
    assert not any("edited" in s for s in inbox["chair.lka"])


def test_a_correction_is_a_new_version_and_the_old_one_stays(newsroom: Newsroom) -> None:
    _report_and_sign(newsroom)
    rid = _published(newsroom)
    client = newsroom.app.test_client()
    url = newsroom.get("chair.nzl", rid)["public_url"]
    first = client.get(url).get_data(as_text=True)
    corrected = newsroom.act("chair.nzl", rid, "correct", note="Arrest figure clarified",
                             body="Officers made {{ figures.arrests }} arrests in total.")
    assert corrected["status"] == "draft" and corrected["version"] == 1
    assert client.get(url).get_data(as_text=True) == first  # public text unchanged so far
    newsroom.act("chair.nzl", rid, "publish", 409)
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid)
    done = newsroom.act("chair.lka", rid, "publish")
    assert done["version"] == 2 and done["status"] == "published"
    now_public = client.get(url).get_data(as_text=True)
    assert "Officers made 14 arrests in total." in now_public
    assert "Arrest figure clarified" in now_public
    assert client.get(f"{url}?v=1").get_data(as_text=True) != now_public
    assert "Officers made 14 arrests in total." not in client.get(f"{url}?v=1").get_data(
        as_text=True)
    newsroom.act("chair.nzl", rid, "correct", 422, note="", body="x")


def test_a_withdrawn_release_keeps_a_notice(newsroom: Newsroom) -> None:
    _report_and_sign(newsroom)
    rid = _published(newsroom)
    newsroom.act("chair.nzl", rid, "withdraw", 422, note="")
    body = newsroom.act("chair.nzl", rid, "withdraw", note="Published in error")
    assert body["status"] == "withdrawn"
    page = newsroom.app.test_client().get(body["public_url"])
    assert page.status_code == 200
    assert "Published in error" in page.get_data(as_text=True)
    newsroom.act("chair.nzl", rid, "withdraw", 409, note="again")
    newsroom.act("chair.nzl", rid, "correct", 409, note="n", body="text")
    inbox = newsroom.inbox_of()
    assert any("withdrawn" in s for s in inbox["chair.lka"])
    assert not any("withdrawn" in s for s in inbox["chair.nzl"])


def test_a_national_release_uses_its_states_signed_figures(newsroom: Newsroom) -> None:
    _report_and_sign(newsroom)
    draft = newsroom.create("nlo.tha", scope="national", title="Thailand's results")
    assert draft["state"] == "THA" and draft["missing_approvals"] == ["THA"]
    assert draft["figures"]["national"]["arrests"] == 4
    assert "made 4 arrests" in draft["rendered"]["text"]
    rid = draft["id"]
    newsroom.act("nlo.tha", rid, "submit")
    newsroom.act("nlo.mys", rid, "approve", 404)  # another state's release is not visible
    newsroom.act("chair.nzl", rid, "approve", 403)
    approved = newsroom.act("nlo2.tha", rid, "approve")
    assert approved["missing_approvals"] == []
    assert newsroom.act("nlo.tha", rid, "publish")["status"] == "published"


def test_figures_are_preliminary_until_every_state_has_a_current_signoff(
        newsroom: Newsroom) -> None:
    _report_and_sign(newsroom, ["THA", "MYS"])
    draft = newsroom.create("chair.nzl")
    assert draft["preliminary"] is True
    assert draft["rendered"]["text"].startswith("PRELIMINARY")
    newest = max(s["signed_at"] for s in newsroom.signoffs("chair.nzl").get_json())
    assert draft["as_at"] == newest
    assert draft["figures"]["regional"]["arrests"] == 14
    newsroom.report("nlo.tha", "2015-10-05", {"arrests": 100})  # THA's sign-off goes stale
    later = newsroom.get("chair.nzl", draft["id"])
    assert later["figures"]["regional"]["arrests"] == 10  # MYS alone: THA's is stale
    assert later["figures"]["signed_states"] == ["MYS"]
    for state in STATES:
        newsroom.sign(NLO_OF[state])
    final = newsroom.get("chair.nzl", draft["id"])
    assert final["preliminary"] is False and final["figures"]["regional"]["arrests"] == 114
    assert "PRELIMINARY" not in final["rendered"]["text"]


def test_a_release_dates_the_window_in_its_readers_zone():
    """A period from 28 Sep 00:00 to 28 Oct 00:00 in Jakarta (27 Sep 17:00 UTC): a regional
    release dates it as most participating states count (28 Sep in Jakarta, Bangkok and
    Auckland, 27 Sep in Colombo); a national one in its own state's zone."""
    from datetime import date, datetime, timedelta, timezone
    from types import SimpleNamespace

    from press.publication import window_dates

    jakarta = timezone(timedelta(hours=7))
    period = SimpleNamespace(starts_at=datetime(2015, 9, 28, tzinfo=jakarta),
                             ends_at=datetime(2015, 10, 28, tzinfo=jakarta),
                             states=["IDN", "LKA", "NZL", "THA"], co_chairs=["LKA", "NZL"])
    assert window_dates(period, scope="regional", state=None) == (date(2015, 9, 28),
                                                                  date(2015, 10, 28))
    assert window_dates(period, scope="national", state="IDN") == (date(2015, 9, 28),
                                                                   date(2015, 10, 28))
    assert window_dates(period, scope="national", state="LKA") == (date(2015, 9, 27),
                                                                   date(2015, 10, 27))
