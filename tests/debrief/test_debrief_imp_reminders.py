"""The job `debrief.improvement_reminders`: at 09:00 in the owner state's zone, the owner
state's NLOs are reminded of an open item on its due date, then on the day after and weekly
while it stays overdue; each slot once (a second pass sends nothing), by e-mail through a real
SMTP server and in the app; never for an item done, dropped or moved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from core.scheduler import RunContext, Slot, registry, run_pending
from core.settings import Settings
from debrief.improvements_jobs import REMINDER_JOB, reminder_kind
from tests.conftest import make_settings
from tests.debrief.debrief_imp_support import Plan, build_plan

# Thailand's 09:00 (UTC+7) on the due date, 10 November 2015, is 02:00 UTC.
DUE = date(2015, 11, 10)
NINE_IN_BANGKOK = datetime(2015, 11, 10, 2, 0, tzinfo=UTC)
DUE_SUBJECT = "Improvement item of THA due today: Bali Process JPA 2015"
OVERDUE_SUBJECT = "Overdue improvement item of THA: Bali Process JPA 2015"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp_server: Any) -> Settings:
    """Test settings with the real SMTP server, so a pass delivers the mail it queued."""
    return make_settings(tmp_path, database_url, smtp_host=smtp_server.host,
                         smtp_port=smtp_server.port)


@pytest.fixture
def plan(app: Flask, accounts: Any) -> Plan:
    """The 2015 newsroom and its people."""
    return build_plan(app, accounts)


def _ours(plan: Plan, now: datetime) -> list[tuple[str, str | None]]:
    return [(r.outcome, r.detail) for r in run_pending(plan.app, now=now)
            if r.job_id == REMINDER_JOB]


def _mail(smtp_server: Any, subject: str) -> list[str]:
    return sorted(m["To"] for m in smtp_server.sink.messages if m["Subject"] == subject)


def test_due_then_overdue_the_day_after_then_weekly_each_once(plan: Plan,
                                                             smtp_server: Any) -> None:
    iid = plan.create(due_on=DUE.isoformat())["id"]
    minute = timedelta(minutes=1)
    assert _ours(plan, NINE_IN_BANGKOK - minute) == []
    assert _ours(plan, NINE_IN_BANGKOK + minute) == [("ok", "reminded 2 NLO(s) of THA (due)")]
    assert _ours(plan, NINE_IN_BANGKOK + 2 * minute) == []  # the same slot: never again
    thai = ["nlo.tha@example.org", "nlo2.tha@example.org"]
    assert _mail(smtp_server, DUE_SUBJECT) == thai
    assert plan.inbox("nlo.tha").count(DUE_SUBJECT) == 1
    # Nobody else hears of THA's item (the questionnaire's own reminder falls due that day too).
    for other in ("chair.nzl", "nlo.mys"):
        assert [s for s in plan.inbox(other) if "improvement" in s.lower()] == []

    day = timedelta(days=1)
    assert _ours(plan, NINE_IN_BANGKOK + day + minute) == [
        ("ok", "reminded 2 NLO(s) of THA (overdue)")]
    assert _ours(plan, NINE_IN_BANGKOK + day + 2 * minute) == []
    for later in range(2, 8):  # nothing until a week after the first overdue reminder
        assert _ours(plan, NINE_IN_BANGKOK + later * day + minute) == []
    assert _ours(plan, NINE_IN_BANGKOK + 8 * day + minute) == [
        ("ok", "reminded 2 NLO(s) of THA (overdue)")]
    assert _mail(smtp_server, OVERDUE_SUBJECT) == sorted(thai * 2)
    assert _mail(smtp_server, DUE_SUBJECT) == thai

    plan.patch("nlo.tha", iid, status="done")
    assert _ours(plan, NINE_IN_BANGKOK + 15 * day + minute) == []
    assert _mail(smtp_server, OVERDUE_SUBJECT) == sorted(thai * 2)


def test_in_progress_items_are_reminded_finished_ones_never(plan: Plan,
                                                            smtp_server: Any) -> None:
    plan.create(due_on=DUE.isoformat(), status="in_progress")
    plan.create(due_on=DUE.isoformat(), status="dropped")
    plan.create(due_on=DUE.isoformat(), status="done")
    assert _ours(plan, NINE_IN_BANGKOK + timedelta(minutes=5)) == [
        ("ok", "reminded 2 NLO(s) of THA (due)")]


def test_an_item_finished_after_its_slot_was_listed_is_not_reminded(plan: Plan) -> None:
    iid = plan.create(due_on=DUE.isoformat())["id"]
    job = registry(plan.app).get(REMINDER_JOB)
    now = NINE_IN_BANGKOK + timedelta(minutes=1)
    with plan.app.extensions["jpa.db"].transaction(write=False) as session:
        slots: list[Slot] = list(job.due_slots(session, now, now - timedelta(days=3)))
    assert len(slots) == 1
    plan.patch("nlo.tha", iid, status="done")
    with plan.app.extensions["jpa.db"].transaction() as session:
        detail = job.run(session, slots[0], _context(plan, now))
    assert detail == "item is done: nothing sent"
    assert DUE_SUBJECT not in plan.inbox("nlo.tha")


def _context(plan: Plan, now: datetime) -> RunContext:
    return RunContext(now, plan.app.extensions["jpa.settings"])


def test_a_moved_due_date_is_reminded_on_the_new_date_only(plan: Plan,
                                                          smtp_server: Any) -> None:
    iid = plan.create(due_on=DUE.isoformat())["id"]
    plan.patch("chair.nzl", iid, due_on="2015-11-20")
    assert _ours(plan, NINE_IN_BANGKOK + timedelta(minutes=1)) == []
    assert _ours(plan, NINE_IN_BANGKOK + timedelta(days=10, minutes=1)) == [
        ("ok", "reminded 2 NLO(s) of THA (due)")]
    assert len(_mail(smtp_server, DUE_SUBJECT)) == 2


def test_the_hour_is_the_owner_state_s(plan: Plan) -> None:
    # New Zealand's 09:00 on 10 November 2015 (NZDT, UTC+13) is 20:00 UTC the day before.
    plan.create(owner_state="NZL", owner="Immigration New Zealand", due_on=DUE.isoformat())
    nine_in_wellington = datetime(2015, 11, 9, 20, 0, tzinfo=UTC)
    assert _ours(plan, nine_in_wellington - timedelta(minutes=1)) == []
    assert _ours(plan, nine_in_wellington + timedelta(minutes=1)) == [
        ("ok", "reminded 1 NLO(s) of NZL (due)")]


def test_a_stopped_scheduler_catches_up_each_missed_slot_once(plan: Plan) -> None:
    plan.create(due_on=DUE.isoformat())
    two_days_later = NINE_IN_BANGKOK + timedelta(days=2)
    assert sorted(_ours(plan, two_days_later)) == [
        ("ok", "reminded 2 NLO(s) of THA (due)"), ("ok", "reminded 2 NLO(s) of THA (overdue)")]
    assert _ours(plan, two_days_later + timedelta(hours=1)) == []


@pytest.mark.parametrize("day, kind", [
    (DUE - timedelta(days=1), None), (DUE, "due"), (DUE + timedelta(days=1), "overdue"),
    (DUE + timedelta(days=2), None), (DUE + timedelta(days=7), None),
    (DUE + timedelta(days=8), "overdue"), (DUE + timedelta(days=15), "overdue"),
    (DUE + timedelta(days=16), None)])
def test_which_days_remind(day: date, kind: str | None) -> None:
    assert reminder_kind(DUE, day) == kind
