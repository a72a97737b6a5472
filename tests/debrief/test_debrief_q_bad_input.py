"""Bad answers: each a 4xx naming the field, with nothing stored; raw HTML and scripts are
stored as typed and never reach the API's rendered fields (or a page) unescaped."""

from __future__ import annotations

import re

import pytest

from tests.debrief.debrief_q_support import Debrief, error_fields, world  # noqa: F401


def _refused(world: Debrief, body: dict, status: int = 422) -> dict[str, str]:  # noqa: F811
    before = world.counts()
    fields = error_fields(world.put("nlo.tha", "THA", body), status)
    assert world.counts() == before
    return fields


def test_ratings_other_than_p_s_m_u(world: Debrief) -> None:  # noqa: F811
    for letter in ("X", "p", "", "PS", 1, None):
        body = world.answers()
        body["ratings"][2]["rating"] = letter
        assert set(_refused(world, body)) == {"ratings[2].rating"}, letter


def test_ratings_of_objectives_of_another_period(world: Debrief) -> None:  # noqa: F811
    other = world.objective_ids(world.live)
    body = world.answers()
    body["ratings"][0]["objective_id"] = other[0]
    body["ratings"][4]["objective_id"] = 999_999
    assert set(_refused(world, body)) == {"ratings[0].objective_id", "ratings[4].objective_id"}
    body = world.answers()
    body["ratings"][1]["objective_id"] = body["ratings"][0]["objective_id"]
    assert set(_refused(world, body)) == {"ratings[1].objective_id"}  # rated twice


@pytest.mark.parametrize("name", ["worked", "did_not_work", "do_differently", "next_steps",
                                  "good_practice"])
def test_answers_over_20000_characters(world: Debrief, name: str) -> None:  # noqa: F811
    assert set(_refused(world, world.answers(**{name: "a" * 20_001}))) == {name}
    saved = world.put("nlo.tha", "THA", world.answers(**{name: "a" * 20_000}))
    assert saved.status_code == 200


def test_comments_over_20000_characters(world: Debrief) -> None:  # noqa: F811
    body = world.answers()
    body["ratings"][0]["comment"] = "b" * 20_001
    assert set(_refused(world, body)) == {"ratings[0].comment"}


def test_usefulness_outside_1_to_5(world: Debrief) -> None:  # noqa: F811
    for value in (0, 6, -1, "3", True, 2.5):
        fields = _refused(world, world.answers(deconfliction_usefulness=value))
        assert set(fields) == {"deconfliction_usefulness"}, value


def test_unknown_fields_and_a_response_for_another_state(world: Debrief) -> None:  # noqa: F811
    assert set(_refused(world, {**world.answers(), "status": "submitted"})) == {"status"}
    before = world.counts()
    assert error_fields(world.put("nlo.tha", "MYS", world.answers()), 404) == {}
    assert world.counts() == before


def test_raw_html_is_stored_as_typed_and_never_rendered(world: Debrief) -> None:  # noqa: F811
    attack = ("<script>alert('x')</script> <img src=x onerror=alert(1)> "
              "[click](javascript:alert(2)) <a href=\"#\" onclick=\"alert(3)\">a</a>")
    body = world.answers(worked=attack, good_practice=attack)
    body["ratings"][0]["comment"] = attack
    saved = world.put("nlo.tha", "THA", body).get_json()
    assert saved["worked"] == attack and saved["ratings"][0]["comment"] == attack
    rendered = saved["rendered"]
    for html in (rendered["worked"], rendered["good_practice"],
                 rendered["ratings"][str(body["ratings"][0]["objective_id"])]):
        assert "<script" not in html and "<img" not in html
        assert "javascript:" not in html
        assert re.search(r"<[a-z][^>]*\son\w+\s*=", html) is None  # no live event attribute
        assert "&lt;script&gt;" in html
    world.submit("nlo.tha", "THA")
    world.answer_and_submit("MYS")
    listed = {r["state"]: r for r in world.responses("nlo.mys").get_json()["responses"]}
    assert listed["THA"]["worked"] == attack
    assert "<script" not in str(listed["THA"]["rendered"])
