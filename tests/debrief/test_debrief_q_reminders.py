"""The scheduler job `debrief.questionnaire_reminder`: at 09:00 in each state's zone, three
days before the due date and on it, the NLOs of each state that has not submitted are
reminded, exactly once each, through a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from core.scheduler import run_pending
from core.settings import Settings
from debrief.jobs import REMINDER_JOB
from tests.conftest import make_settings
from tests.debrief.debrief_q_support import Debrief, build_debrief
from tests.outcomes.helpers import API


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp_server: Any) -> Settings:
    """Test settings with the real SMTP server, so a pass delivers what it queued."""
    return make_settings(tmp_path, database_url, smtp_host=smtp_server.host,
                         smtp_port=smtp_server.port)


@pytest.fixture
def world(app: Flask, accounts: Any) -> Debrief:
    return build_debrief(app, accounts)


def _ours(results: list[Any]) -> list[tuple[str, str | None]]:
    return sorted((r.slot or "", r.detail) for r in results if r.job_id == REMINDER_JOB)


def _mails(smtp_server: Any) -> list[tuple[str, str]]:
    return sorted((m["To"], " ".join(str(m["Subject"]).split())) for m in smtp_server.sink.messages
                  if "debrief questionnaire" in m["Subject"])


def test_three_days_before_and_on_the_due_date_once_each(world: Debrief,
                                                         smtp_server: Any) -> None:
    pid = world.pid  # 2015: due on 10 November 2015
    world.answer_and_submit("THA")
    early = datetime(2015, 11, 7, 12, 0, tzinfo=UTC)  # 09:00 has passed in all five zones
    assert [slot for slot, _ in _ours(run_pending(world.app, now=early))] == [
        f"period {pid} {s} due-3" for s in ("LKA", "MDV", "MYS", "NZL", "THA")]
    soon = "Reminder: {}'s debrief questionnaire is due in 3 days, on 10 Nov 2015"
    assert _mails(smtp_server) == sorted(
        (f"nlo.{s.lower()}@example.org", soon.format(s)) for s in ("LKA", "MDV", "MYS", "NZL"))
    assert world.notifications_of("nlo.mys") == [soon.format("MYS")]
    assert world.notifications_of("nlo.tha") == []  # THA has submitted
    # Again, and a day later: nothing new.
    assert _ours(run_pending(world.app, now=early)) == []
    assert _ours(run_pending(world.app, now=early + timedelta(days=1))) == []
    assert len(_mails(smtp_server)) == 4

    world.answer_and_submit("MYS")
    due = datetime(2015, 11, 10, 12, 0, tzinfo=UTC)
    results = dict(_ours(run_pending(world.app, now=due)))
    assert results[f"period {pid} MYS due"] == "MYS has submitted: nothing sent"
    assert results[f"period {pid} LKA due"] == "reminded 1 NLO(s) of LKA (due)"
    today = "Reminder: {}'s debrief questionnaire is due today"
    assert [m for m in _mails(smtp_server) if m[1].endswith("today")] == sorted(
        (f"nlo.{s.lower()}@example.org", today.format(s)) for s in ("LKA", "MDV", "NZL"))
    assert _ours(run_pending(world.app, now=due + timedelta(hours=1))) == []
    assert len(_mails(smtp_server)) == 7


def test_the_reminder_follows_each_states_nine_oclock(world: Debrief) -> None:
    # 7 Nov 2015 01:30 UTC: 09:00 has passed in Auckland (+13) and Kuala Lumpur (+8), not yet
    # in Bangkok (+7), Colombo (+5:30) or Malé (+5).
    at = datetime(2015, 11, 7, 1, 30, tzinfo=UTC)
    assert [slot for slot, _ in _ours(run_pending(world.app, now=at))] == [
        f"period {world.pid} MYS due-3", f"period {world.pid} NZL due-3"]
    later = [slot for slot, _ in _ours(run_pending(world.app, now=at + timedelta(hours=3)))]
    assert later == [f"period {world.pid} {s} due-3" for s in ("LKA", "MDV", "THA")]


def test_a_moved_due_date_is_followed_and_none_comes_before_opening(world: Debrief) -> None:
    chair = world.api("chair.nzl")
    end = datetime.fromisoformat(world.debrief("chair.nzl", world.live)["opens_at"])
    # Due the day after the end: three days before it, the questionnaire is not open yet.
    due_on = (end + timedelta(days=1)).date()
    chair.patch(f"{API}/periods/{world.live}/debrief", json={"due_on": due_on.isoformat()})
    three_before = datetime.combine(due_on - timedelta(days=3), datetime.min.time(),
                                    tzinfo=UTC) + timedelta(hours=12)
    assert [r for r in _ours(run_pending(world.app, now=three_before))
            if str(world.live) in r[0]] == []
    on_the_day = datetime.combine(due_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    slots = [s for s, _ in _ours(run_pending(world.app, now=on_the_day))
             if s.startswith(f"period {world.live} ")]
    assert slots == [f"period {world.live} {s} due" for s in ("LKA", "MDV", "MYS", "NZL",
                                                               "THA")]
