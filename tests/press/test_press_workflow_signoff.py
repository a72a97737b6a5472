"""Sign-off of figures: what an NLO signs, who sees which sign-offs, and staleness after any
later report, amendment or retraction by the same state (and only that state)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from core.scheduler import run_pending
from press.jobs import STALE_JOB
from tests.outcomes.helpers import API
from tests.press.press_workflow_support import Newsroom, build_newsroom

THA_DAY = {"arrests": 4, "victims_assisted": {"female_adult": 6, "male_child": 1}}


@pytest.fixture
def newsroom(app: Flask, accounts: Any) -> Newsroom:
    """The 2015 window (LKA MDV MYS NZL THA; LKA and NZL co-chair) and its people."""
    return build_newsroom(app, accounts)


def test_an_nlo_signs_its_states_figures_by_indicator_and_category(newsroom: Newsroom) -> None:
    newsroom.report("nlo.tha", "2015-10-01", THA_DAY)
    newsroom.report("nlo.tha", "2015-10-02", {"arrests": 3})
    newsroom.report("nlo.mys", "2015-10-02", {"arrests": 50})  # another state's: not signed
    signed = newsroom.sign("nlo.tha")
    assert signed["state"] == "THA" and signed["signed_by"] == "nlo.tha"
    assert signed["stale"] is False
    assert signed["figures"]["arrests"] == 7
    assert signed["figures"]["victims_assisted"]["female_adult"] == 6
    assert signed["figures"]["victims_assisted"]["male_child"] == 1
    assert signed["figures"]["victims_assisted"]["female_child"] == 0
    assert ("press.signoff", "nlo.tha", str(signed["id"])) in newsroom.audit()


def test_who_sees_which_signoffs(newsroom: Newsroom) -> None:
    newsroom.sign("nlo.tha")
    newsroom.sign("nlo.mys")
    chair = newsroom.signoffs("chair.nzl")
    assert chair.status_code == 200
    assert [(s["state"], s["signed_by"]) for s in chair.get_json()] == [
        ("MYS", "nlo.mys"), ("THA", "nlo.tha")]
    own = newsroom.signoffs("nlo.tha").get_json()
    assert [s["state"] for s in own] == ["THA"]
    assert newsroom.signoffs("nlo.lka").get_json() == []  # has not signed
    assert newsroom.signoffs("nlo.aus").status_code == 404  # not a participant
    assert newsroom.signoffs("admin").status_code == 403
    assert newsroom.signoffs("analyst").status_code == 403


def test_only_an_nlo_of_a_participating_state_signs(newsroom: Newsroom) -> None:
    before = newsroom.counts()
    for username, status in (("chair.nzl", 403), ("analyst", 403), ("admin", 403),
                             ("nlo.aus", 404)):
        response = newsroom.api(username).post(f"{API}/periods/{newsroom.pid}/signoffs")
        assert response.status_code == status, username
    response = newsroom.api("nlo.tha").post(f"{API}/periods/999999/signoffs")
    assert response.status_code == 404
    assert newsroom.counts() == before


def _stale(newsroom: Newsroom, state: str) -> bool:
    found = {s["state"]: s["stale"] for s in newsroom.signoffs("chair.nzl").get_json()}
    return found[state]


def test_a_later_report_makes_the_signoff_stale_until_signed_again(newsroom: Newsroom) -> None:
    newsroom.report("nlo.tha", "2015-10-01", THA_DAY)
    newsroom.sign("nlo.tha")
    newsroom.sign("nlo.mys")
    assert not _stale(newsroom, "THA")
    newsroom.report("nlo.tha", "2015-10-03", {"arrests": 1})
    assert _stale(newsroom, "THA")
    assert not _stale(newsroom, "MYS")  # another state's report changes nothing of MYS's
    assert newsroom.signoffs("nlo.tha").get_json()[0]["stale"] is True
    again = newsroom.sign("nlo.tha")
    assert again["figures"]["arrests"] == 5
    assert not _stale(newsroom, "THA")


def test_an_amendment_makes_the_signoff_stale(newsroom: Newsroom) -> None:
    rid = newsroom.report("nlo.tha", "2015-10-01", THA_DAY)
    newsroom.sign("nlo.tha")
    response = newsroom.api("nlo.tha").post(f"{API}/reports/{rid}/amend",
                                            json={"values": {"arrests": 5}})
    assert response.status_code == 201
    assert _stale(newsroom, "THA")


def test_a_retraction_makes_the_signoff_stale(newsroom: Newsroom) -> None:
    rid = newsroom.report("nlo.tha", "2015-10-01", THA_DAY)
    newsroom.sign("nlo.tha")
    response = newsroom.api("nlo.tha").post(f"{API}/reports/{rid}/retract",
                                            json={"reason": "entered twice"})
    assert response.status_code == 200
    assert _stale(newsroom, "THA")


def test_the_scheduler_tells_the_nlos_once_to_sign_again(newsroom: Newsroom) -> None:
    newsroom.report("nlo.tha", "2015-10-01", THA_DAY)
    newsroom.sign("nlo.tha")
    newsroom.sign("nlo.mys")
    now = datetime.now(UTC)
    assert _stale_runs(run_pending(newsroom.app, now=now)) == []
    newsroom.report("nlo.tha", "2015-10-04", {"arrests": 2})
    assert _stale_runs(run_pending(newsroom.app, now=now)) == ["ok"]
    assert _stale_runs(run_pending(newsroom.app, now=now)) == []  # told once
    inbox = newsroom.inbox_of()
    assert [s for s in inbox["nlo.tha"] if s.startswith("Sign off again")] == [
        "Sign off again: Bali Process JPA 2015"]
    assert any(s.startswith("Sign off again") for s in inbox["nlo2.tha"])
    assert not any(s.startswith("Sign off again") for s in inbox["nlo.mys"])
    newsroom.sign("nlo.tha")
    newsroom.report("nlo.tha", "2015-10-05", {"arrests": 1})  # the new sign-off goes stale
    assert _stale_runs(run_pending(newsroom.app, now=now)) == ["ok"]


def _stale_runs(results: list[Any]) -> list[str]:
    return [r.outcome for r in results if r.job_id == STALE_JOB]
