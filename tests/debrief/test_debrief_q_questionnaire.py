"""The questionnaire over the API: drafts saved as often as wanted, submission locks (a second
submit or a PUT after it: 409), nothing before it opens (409 naming opens_at), an NLO answers
only for its own state (404 otherwise), reciprocity, co-chairs and analysts read every
submitted response and never a draft, the co-chairs are told of each submission, every write
is audited, and the administrator gets 403."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from debrief.models import Response
from tests.debrief.debrief_q_support import Debrief, error_fields, world  # noqa: F401


def test_drafts_are_saved_as_often_as_wanted_then_submission_locks(world: Debrief) -> None:  # noqa: F811
    first = world.put("nlo.tha", "THA", {"worked": "First thoughts."})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["status"] == "draft" and first.get_json()["worked"] == "First thoughts."
    body = world.answers(worked="Second thoughts.")
    second = world.put("nlo2.tha", "THA", body).get_json()  # another NLO of the same state
    assert second["id"] == first.get_json()["id"]
    assert second["worked"] == "Second thoughts." and len(second["ratings"]) == 10
    assert second["ratings"][0]["rating"] == "S"
    # A draft replaces the previous one whole: ratings left out are gone.
    third = world.put("nlo.tha", "THA", {**body, "ratings": body["ratings"][:3]}).get_json()
    assert len(third["ratings"]) == 3
    world.put("nlo.tha", "THA", body)

    done = world.submit("nlo.tha", "THA")
    assert done.status_code == 200, done.get_json()
    submitted = done.get_json()
    assert submitted["status"] == "submitted" and submitted["submitted_at"]
    assert error_fields(world.submit("nlo.tha", "THA"), 409)
    assert error_fields(world.submit("nlo2.tha", "THA"), 409)
    assert error_fields(world.put("nlo.tha", "THA", world.answers(worked="Changed")), 409)
    assert world.stored_responses() == [("THA", "submitted", "Second thoughts.")]
    actions = [a[0] for a in world.audit() if a[0].startswith("debrief.response")]
    assert actions == ["debrief.response.saved"] * 4 + ["debrief.response.submitted"]


def test_submission_needs_every_answer_and_rating(world: Debrief) -> None:  # noqa: F811
    ids = world.objective_ids()
    assert set(error_fields(world.submit("nlo.mys", "MYS"), 422)) >= {
        "worked", "did_not_work", "do_differently", "next_steps", "deconfliction_usefulness"}
    body = world.answers(next_steps="", deconfliction_usefulness=None)
    body["ratings"] = body["ratings"][1:]
    world.put("nlo.mys", "MYS", body)
    fields = error_fields(world.submit("nlo.mys", "MYS"), 422)
    assert set(fields) == {"next_steps", "deconfliction_usefulness", f"ratings.{ids[0]}"}
    assert world.stored_responses() == [("MYS", "draft", body["worked"])]


def test_put_before_the_questionnaire_opens_is_409_naming_opens_at(world: Debrief) -> None:  # noqa: F811
    before = world.counts()
    fields = error_fields(world.put("nlo.tha", "THA", {"worked": "early"}, world.live), 409)
    assert "opens_at" in fields
    assert "opens_at" in error_fields(world.submit("nlo.tha", "THA", world.live), 409)
    assert world.stored_responses() == []
    world.open_live()
    assert world.put("nlo.tha", "THA", {"worked": "now"}, world.live).status_code == 200
    assert world.counts()["responses"] == before["responses"] + 1


def test_an_nlo_answers_only_for_its_own_participating_state(world: Debrief) -> None:  # noqa: F811
    body = world.answers()
    assert error_fields(world.put("nlo.tha", "MYS", body), 404) == {}
    assert error_fields(world.submit("nlo.tha", "MYS"), 404) == {}
    assert error_fields(world.put("nlo.tha", "ZZZ", body), 404) == {}
    assert error_fields(world.put("nlo.aus", "AUS", body), 404) == {}  # AUS takes no part
    for username in ("chair.nzl", "analyst"):
        assert error_fields(world.put(username, "NZL", body), 403) == {}
        assert error_fields(world.submit(username, "NZL"), 403) == {}
    assert error_fields(world.put("admin", "THA", body), 403) == {}
    assert error_fields(world.responses("admin"), 403) == {}
    assert world.stored_responses() == []


def test_reciprocity_an_nlo_reads_others_only_after_its_state_submitted(world: Debrief) -> None:  # noqa: F811
    world.answer_and_submit("THA", worked="THA: the joint briefing worked.")
    world.put("nlo.mys", "MYS", world.answers(worked="MYS draft: secret so far."))
    # MYS has not submitted: it sees its own draft only, never THA's text.
    seen = world.responses("nlo.mys").get_json()["responses"]
    assert [(r["state"], r["status"]) for r in seen] == [("MYS", "draft")]
    assert "THA: the joint" not in world.responses("nlo.mys").get_data(as_text=True)
    # A state with nothing saved sees an empty list.
    assert world.responses("nlo.lka").get_json() == {"responses": []}
    # THA has submitted: it sees the others' submitted answers, never MYS's draft.
    seen = world.responses("nlo.tha").get_json()["responses"]
    assert [r["state"] for r in seen] == ["THA"]
    assert "secret so far" not in world.responses("nlo.tha").get_data(as_text=True)
    world.submit("nlo.mys", "MYS")
    seen = world.responses("nlo.mys").get_json()["responses"]
    assert [r["state"] for r in seen] == ["MYS", "THA"]
    assert seen[1]["worked"] == "THA: the joint briefing worked."
    assert error_fields(world.responses("nlo.aus"), 404) == {}


def test_co_chairs_and_analysts_read_every_submitted_response_never_drafts(world: Debrief) -> None:  # noqa: F811
    world.answer_and_submit("LKA")
    world.put("nlo.nzl", "NZL", world.answers(worked="NZL draft text"))
    for username in ("chair.nzl", "chair.tha", "analyst"):
        response = world.responses(username)
        assert [r["state"] for r in response.get_json()["responses"]] == ["LKA"]
        assert "NZL draft text" not in response.get_data(as_text=True)


def test_co_chairs_are_told_of_each_submission(world: Debrief) -> None:  # noqa: F811
    world.answer_and_submit("NZL")
    subject = "Debrief: NZL has submitted its questionnaire"
    assert world.notifications_of("chair.nzl") == [subject]
    assert world.notifications_of("chair.lka") == [subject]
    for username in ("nlo.nzl", "chair.tha", "analyst", "admin", "nlo.tha"):
        assert world.notifications_of(username) == []
    assert sorted(r for r, s in world.outbox() if s == subject) == [
        "chair.lka@example.org", "chair.nzl@example.org"]


def test_a_submission_as_the_co_chairs_state_tells_the_other_co_chairs_only(world: Debrief) -> None:  # noqa: F811
    # The actor is never told: here an NLO; co-chairs are other people, all told.
    world.answer_and_submit("LKA")
    assert world.notifications_of("nlo.lka") == []
    assert len(world.notifications_of("chair.lka")) == 1


def test_responses_carry_rendered_answers(world: Debrief) -> None:  # noqa: F811
    world.open_live()
    ids = world.objective_ids(world.live)
    saved = world.put("nlo.tha", "THA", {
        "worked": "*well*", "ratings": [{"objective_id": ids[0], "rating": "P",
                                          "comment": "**fine**"}]}, world.live).get_json()
    assert saved["rendered"]["worked"] == "<p><em>well</em></p>"
    assert saved["rendered"]["ratings"] == {str(ids[0]): "<p><strong>fine</strong></p>"}
    assert saved["rendered"]["did_not_work"] == ""


def test_a_late_submission_is_still_accepted(world: Debrief) -> None:  # noqa: F811
    # The 2015 period's questionnaire was due on 10 November 2015: years ago.
    assert datetime.now(UTC) > datetime(2015, 11, 11, tzinfo=UTC) + timedelta(days=1)
    assert world.answer_and_submit("MDV")["status"] == "submitted"
    assert world.count(Response) == 1
