"""GET/PATCH /periods/{pid}/debrief: the questionnaire opens at the period's end (co-chairs may
open it earlier) and is due 14 days later; the executive summary (Markdown, sanitised when
shown) and the handling code (H0-H3, default H2) are the co-chairs'."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from debrief.models import DebriefSettings
from tests.debrief.debrief_q_support import Debrief, error_fields, world  # noqa: F401
from tests.outcomes.helpers import API, PAST_END


def test_defaults_open_at_the_end_and_are_due_14_days_later(world: Debrief) -> None:  # noqa: F811
    body = world.debrief("analyst")
    assert datetime.fromisoformat(body["opens_at"]) == PAST_END
    assert body["due_on"] == "2015-11-10"  # 27 Oct 17:00 UTC + 14 days
    assert body["is_open"] is True
    assert body["handling"] == "H2"
    assert body["summary"] == "" and body["summary_html"] == ""
    assert body["states_submitted"] == [] and body["submissions"] == []
    live = world.debrief("nlo.tha", world.live)
    assert live["is_open"] is False


def test_co_chairs_open_earlier_move_the_due_date_and_set_handling(world: Debrief) -> None:  # noqa: F811
    chair = world.api("chair.lka")
    url = f"{API}/periods/{world.live}/debrief"
    at = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    changed = chair.patch(url, json={"opens_at": at.isoformat(), "due_on": "2031-01-15",
                                     "handling": "H3"})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert datetime.fromisoformat(body["opens_at"]) == at and body["is_open"] is True
    assert body["due_on"] == "2031-01-15" and body["handling"] == "H3"
    # null goes back to the defaults
    reset = chair.patch(url, json={"opens_at": None, "due_on": None}).get_json()
    assert reset["is_open"] is False and reset["handling"] == "H3"
    audit = world.audit_rows("debrief.settings")
    assert [r.actor_username for r in audit] == ["chair.lka", "chair.lka"]
    assert json.loads(audit[0].details)["handling"] == "H3"


def test_summary_is_stored_as_typed_and_rendered_sanitised(world: Debrief) -> None:  # noqa: F811
    text = ("**Good period.**\n\n<script>alert('x')</script>\n\n"
            "[link](javascript:alert(1)) <img src=x onerror=alert(2)>")
    body = world.api("chair.nzl").patch(f"{API}/periods/{world.pid}/debrief",
                                        json={"summary": text}).get_json()
    assert body["summary"] == text
    html = body["summary_html"]
    assert "<strong>Good period.</strong>" in html
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;script&gt;" in html
    assert world.debrief("nlo.tha")["summary"] == text


def test_bad_settings_are_422_naming_the_field_and_change_nothing(world: Debrief) -> None:  # noqa: F811
    chair = world.api("chair.nzl")
    url = f"{API}/periods/{world.live}/debrief"
    world.debrief("chair.nzl", world.live)
    before = world.debrief("chair.nzl", world.live)
    late = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    cases = [({"handling": "H4"}, "handling"), ({"handling": "h2"}, "handling"),
             ({"opens_at": "2026-01-01T00:00:00"}, "opens_at"),  # naive
             ({"opens_at": late}, "opens_at"),  # after the period's end
             ({"due_on": "2020-01-01"}, "due_on"),  # before the questionnaire opens
             ({"due_on": "soon"}, "due_on"),
             ({"summary": "x" * 20_001}, "summary"),
             ({"states_submitted": ["THA"]}, "states_submitted")]
    for payload, name in cases:
        assert name in error_fields(chair.patch(url, json=payload), 422), payload
    assert world.debrief("chair.nzl", world.live) == before
    assert world.audit_rows("debrief.settings") == []


def test_who_may_change_and_read_the_settings(world: Debrief) -> None:  # noqa: F811
    url = f"{API}/periods/{world.pid}/debrief"
    for username in ("nlo.tha", "analyst", "chair.tha"):
        assert error_fields(world.api(username).patch(url, json={"handling": "H1"}), 403) == {}
        assert world.api(username).get(url).status_code == 200
    assert error_fields(world.api("admin").get(url), 403) == {}
    assert error_fields(world.api("admin").patch(url, json={"handling": "H1"}), 403) == {}
    assert error_fields(world.api("nlo.aus").get(url), 404) == {}
    assert error_fields(world.api("chair.nzl").get(f"{API}/periods/999999/debrief"), 404) == {}
    assert world.count(DebriefSettings) == 1  # seeded by the reads that were allowed
    assert world.debrief()["handling"] == "H2"


def test_who_has_submitted_follows_reciprocity(world: Debrief) -> None:  # noqa: F811
    world.answer_and_submit("THA")
    assert world.debrief("chair.nzl")["states_submitted"] == ["THA"]
    assert world.debrief("analyst")["states_submitted"] == ["THA"]
    assert world.debrief("nlo.mys")["states_submitted"] == []  # before MYS has submitted
    assert world.debrief("nlo.tha")["states_submitted"] == ["THA"]
    world.answer_and_submit("MYS")
    body = world.debrief("nlo.mys")
    assert body["states_submitted"] == ["MYS", "THA"]
    assert [s["state"] for s in body["submissions"]] == ["MYS", "THA"]
