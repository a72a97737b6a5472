"""Every bad input of the issue's list: a 4xx naming the field (or a 409/404), and nothing
stored - the press tables and the release as they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from tests.outcomes.helpers import API, STATES, error_of
from tests.press.press_workflow_support import NLO_OF, Newsroom, build_newsroom


@pytest.fixture
def newsroom(app: Flask, accounts: Any) -> Newsroom:
    """The 2015 window (LKA MDV MYS NZL THA; LKA and NZL co-chair) and its people."""
    room = build_newsroom(app, accounts)
    room.report("nlo.tha", "2015-10-01", {"arrests": 4})
    for state in STATES:
        room.sign(NLO_OF[state])
    return room


BAD_BODIES = {
    "unknown placeholder": "Line one.\n\nThere were {{ figures.no_such_indicator }} arrests.",
    "syntax error": "Fine.\n\n{% if preliminary %}never closed",
    "dunder": "{{ figures.__class__ }}",
    "mro": "{{ figures.arrests.mro() }}",
    "self": "{{ self }}",
    "cycler": "{{ cycler }}",
    "item outside": "{{ figures['__init__'] }}",
    "attribute of a string": "{{ period.name.__class__.__mro__ }}",
    "output over the cap": "{{ period.name }} " * 5500,
    "body over 100 KB": "a" * 100_001,
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_a_bad_body_is_refused_naming_it_and_nothing_is_stored(newsroom: Newsroom,
                                                               case: str) -> None:
    before = newsroom.counts()
    response = newsroom.api("chair.nzl").post(
        f"{API}/periods/{newsroom.pid}/press-releases",
        json={"scope": "regional", "language": "en", "title": "T", "body": BAD_BODIES[case]})
    error = error_of(response, 422, "body")
    if case in ("unknown placeholder", "syntax error"):
        assert error["fields"]["body"].startswith("line "), error
    assert newsroom.counts() == before
    # The same body as an edit of an existing draft changes nothing either.
    draft = newsroom.create("chair.nzl", body="{{ figures.arrests }} arrests.")
    response = newsroom.api("chair.nzl").patch(f"{API}/press-releases/{draft['id']}",
                                               json={"body": BAD_BODIES[case]})
    error_of(response, 422, "body")
    assert newsroom.get("chair.nzl", draft["id"]) == draft


def test_an_unknown_line_is_named(newsroom: Newsroom) -> None:
    response = newsroom.api("chair.nzl").post(
        f"{API}/periods/{newsroom.pid}/press-releases",
        json={"scope": "regional", "language": "en", "title": "T",
              "body": "One.\n\nTwo.\n{{ figures.nope }}"})
    assert error_of(response, 422, "body")["fields"]["body"].startswith("line 4:")


@pytest.mark.parametrize(("field", "body"), [
    ("language", {"language": "de"}),
    ("language", {"language": ""}),
    ("scope", {"scope": "global"}),
    ("title", {"title": ""}),
    ("publish_at", {"publish_at": "2015-01-01T00:00:00+00:00"}),
    ("publish_at", {"publish_at": "2999-01-01T00:00:00"}),  # no offset
    ("body", {"body": 12}),
])
def test_bad_fields_of_a_new_release(newsroom: Newsroom, field: str, body: dict[str, Any],
                                     ) -> None:
    before = newsroom.counts()
    payload = {"scope": "regional", "language": "en", "title": "T", **body}
    response = newsroom.api("chair.nzl").post(
        f"{API}/periods/{newsroom.pid}/press-releases", json=payload)
    error_of(response, 422, field)
    assert newsroom.counts() == before


def _in_review(newsroom: Newsroom) -> int:
    rid = newsroom.create("chair.nzl")["id"]
    newsroom.act("chair.nzl", rid, "submit")
    return rid


def test_schedule_in_the_past_or_with_approvals_missing(newsroom: Newsroom) -> None:
    rid = _in_review(newsroom)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    error_of(newsroom.api("chair.nzl").post(f"{API}/press-releases/{rid}/schedule",
                                            json={"publish_at": future}), 409)
    newsroom.approve_all(rid)
    before = newsroom.get("chair.nzl", rid)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    error_of(newsroom.api("chair.nzl").post(f"{API}/press-releases/{rid}/schedule",
                                            json={"publish_at": past}), 422, "publish_at")
    assert newsroom.get("chair.nzl", rid) == before


def test_warnings_need_an_explicit_acceptance(newsroom: Newsroom) -> None:
    rid = newsroom.create("chair.nzl", body="Police made 1,234 arrests.")["id"]
    assert newsroom.get("chair.nzl", rid)["warnings"]
    error = error_of(newsroom.api("chair.nzl").post(f"{API}/press-releases/{rid}/submit",
                                                    json={}), 422, "accept_warnings")
    assert "1,234" in error["fields"]["accept_warnings"]
    for loose in ("yes", 1, "true"):
        error_of(newsroom.api("chair.nzl").post(f"{API}/press-releases/{rid}/submit",
                                                json={"accept_warnings": loose}),
                 422, "accept_warnings")
    assert newsroom.get("chair.nzl", rid)["status"] == "draft"
    assert newsroom.act("chair.nzl", rid, "submit",
                        accept_warnings=True)["status"] == "in_review"


def test_out_of_order_steps_are_conflicts(newsroom: Newsroom) -> None:
    rid = newsroom.create("chair.nzl")["id"]
    before = newsroom.counts()
    newsroom.act("nlo.tha", rid, "approve", 409)
    newsroom.act("chair.nzl", rid, "publish", 409)
    newsroom.act("chair.nzl", rid, "withdraw", 409, note="why")
    newsroom.act("chair.nzl", rid, "correct", 409, note="n", body="b")
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.act("chair.nzl", rid, "submit", 409)
    assert newsroom.counts() == before


def test_approving_as_a_state_that_does_not_take_part_is_not_found(newsroom: Newsroom) -> None:
    rid = _in_review(newsroom)
    before = newsroom.counts()
    error_of(newsroom.api("nlo.aus").post(f"{API}/press-releases/{rid}/approve"), 404)
    assert newsroom.counts() == before


def test_editing_a_published_release_is_a_conflict(newsroom: Newsroom) -> None:
    rid = _in_review(newsroom)
    newsroom.approve_all(rid)
    newsroom.act("chair.nzl", rid, "publish")
    before = newsroom.get("chair.nzl", rid)
    error = error_of(newsroom.api("chair.nzl").patch(f"{API}/press-releases/{rid}",
                                                     json={"body": "new"}), 409)
    assert "correct" in error["message"]
    assert newsroom.get("chair.nzl", rid) == before


def test_a_release_in_a_period_the_caller_cannot_see_is_not_found(newsroom: Newsroom) -> None:
    rid = newsroom.create("chair.nzl")["id"]
    error_of(newsroom.api("nlo.aus").get(f"{API}/press-releases/{rid}"), 404)
    error_of(newsroom.api("nlo.aus").patch(f"{API}/press-releases/{rid}", json={"title": "x"}),
             404)
    before = newsroom.counts()
    error_of(newsroom.api("nlo.aus").post(
        f"{API}/periods/{newsroom.pid}/press-releases",
        json={"scope": "national", "language": "en", "title": "T"}), 404)
    error_of(newsroom.api("nlo.tha").get(f"{API}/press-releases/999999"), 404)
    assert newsroom.counts() == before
