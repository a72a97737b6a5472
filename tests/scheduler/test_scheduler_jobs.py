"""The scheduler's machinery and jobs in process, on SQLite and PostgreSQL: slots from the data
and the clock, each slot run once, catch-up after a stop, escalation rules, period notices,
failures contained and recorded."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app import create_app
from core.db import utcnow
from core.notify import Notification, OutboxMail
from core.scheduler import (
    CATCH_UP,
    JobRun,
    Slot,
    claim_slot,
    register_job,
    registry,
    run_pending,
)
from deconfliction.jobs import escalation_deadline
from deconfliction.models import ConflictEvent, ConflictRecord
from operations.jobs import ESCALATION_JOB, PERIOD_PHASE_JOB
from outcomes.jobs import REMINDER_JOB, reminder_slots
from tests.conftest import make_settings
from tests.scheduler.conftest import (
    PARTICIPANTS,
    PERIOD_END,
    PERIOD_START,
    Scene,
    create_people,
    utc,
)

REMINDER = "Reminder: "
# Pure computations from the data and the clock: one database is enough.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ESCALATION = "Escalation: "


def reminder_subject(state: str, day: int) -> str:
    return f"Reminder: {state}'s daily report for {day:02d} Sep 2031 is due"


def reminded(scene: Scene) -> dict[tuple[str, str], int]:
    return dict(scene.inbox(REMINDER))


# ---------------------------------------------------------------- the registry and the ledger


@sqlite_only
def test_the_jobs_are_registered_under_stable_ids(app):
    ids = [job.job_id for job in registry(app)]
    assert ids[:3] == [REMINDER_JOB, ESCALATION_JOB, PERIOD_PHASE_JOB]
    assert "core.outbox_purge" in ids
    with pytest.raises(ValueError, match="already registered"):
        register_job(app, REMINDER_JOB, due_slots=lambda s, n, b: [], run=lambda s, x, c: None)
    with pytest.raises(ValueError, match="use 1-64"):
        register_job(app, "Bad Id", due_slots=lambda s, n, b: [], run=lambda s, x, c: None)


def test_a_duplicate_claim_is_refused_without_aborting_the_transaction(app):
    database = app.extensions["jpa.db"]
    with database.transaction() as session:
        assert claim_slot(session, "tests.job", "slot 1") is True
        assert claim_slot(session, "tests.job", "slot 1") is False
        assert claim_slot(session, "tests.job", "slot 2") is True
        assert claim_slot(session, "tests.other", "slot 1") is True
    with database.transaction() as session:
        assert claim_slot(session, "tests.job", "slot 1") is False
        count = session.scalar(select(func.count()).select_from(JobRun))
    assert count == 3


# ---------------------------------------------------------------- reminders: when


@sqlite_only
def test_reminders_fall_at_18_00_local_time_only_inside_the_active_window(scene):
    with scene.database.transaction(write=False) as session:
        everything = reminder_slots(session, utc(35), utc(20))
        before = reminder_slots(session, PERIOD_START - timedelta(minutes=1), utc(20))
    moments = {(slot.data["state"], slot.data["date"]): slot.at.astimezone(UTC)
               for slot in everything}
    # Bangkok is UTC+7 all year: 18:00 is 11:00 UTC on each of its five local dates.
    for day in range(26, 31):
        assert moments[("THA", f"2031-09-{day}")] == utc(day, 11)
    # Auckland is UTC+12 until 28 September, then UTC+13: 06:00 UTC, then 05:00 UTC.
    assert moments[("NZL", "2031-09-26")] == utc(26, 6)
    assert moments[("NZL", "2031-09-27")] == utc(27, 6)
    for day in (28, 29, 30):
        assert moments[("NZL", f"2031-09-{day}")] == utc(day, 5)
    # 1 October 00:00 UTC is 07:00 in Bangkok and 13:00 in Auckland: the window has closed
    # before 18:00 there, so the last local date gets no reminder.
    assert ("THA", "2031-10-01") not in moments
    assert ("NZL", "2031-10-01") not in moments
    assert len(everything) == 10
    assert all(PERIOD_START <= slot.at < PERIOD_END for slot in everything)
    assert before == []


@sqlite_only
def test_the_slots_follow_the_clock(scene):
    with scene.database.transaction(write=False) as session:
        at_noon_utc = reminder_slots(session, utc(28, 5, 30), utc(28, 0))
        at_eleven = reminder_slots(session, utc(28, 11), utc(28, 0))
    assert [(s.data["state"], s.data["date"]) for s in at_noon_utc] == [("NZL", "2031-09-28")]
    assert sorted((s.data["state"], s.data["date"]) for s in at_eleven) == [
        ("NZL", "2031-09-28"), ("THA", "2031-09-28")]


# ---------------------------------------------------------------- reminders: who, how often


def test_each_reminder_goes_once_to_the_states_nlos_inbox_and_e_mail(scene):
    first = scene.run(utc(26, 12))
    # Only the period jobs: core's housekeeping jobs run in the same passes.
    assert {(r.job_id, r.outcome) for r in first
            if r.job_id.startswith("operations.")} == {(REMINDER_JOB, "ok"),
                                                       (PERIOD_PHASE_JOB, "ok")}
    expected = {("nlo.tha", reminder_subject("THA", 26)): 1,
                ("nlo2.tha", reminder_subject("THA", 26)): 1,
                ("nlo.nzl", reminder_subject("NZL", 26)): 1}
    assert reminded(scene) == expected  # not the disabled NLO, not AUS, not co-chairs
    assert scene.outbox(REMINDER) == {
        ("nlo@tha.example", reminder_subject("THA", 26)): 1,
        ("nlo2@tha.example", reminder_subject("THA", 26)): 1,
        ("nlo@nzl.example", reminder_subject("NZL", 26)): 1}
    message = scene.messages(REMINDER)[0]
    assert message.link == f"/periods/{scene.period_id}/report"
    assert f"http://jpa.test/periods/{scene.period_id}/report" in message.body

    second = scene.run(utc(26, 12))
    assert [r for r in second if r.job_id.startswith("operations.")] == []
    assert reminded(scene) == expected
    assert scene.outbox(REMINDER) == {k: 1 for k in scene.outbox(REMINDER)}
    assert {run.outcome for run in scene.ledger()} == {"ok"}


def test_a_state_that_has_reported_is_not_reminded(scene):
    scene.report("nlo.tha", date(2031, 9, 26), now=utc(26, 10))
    results = scene.run(utc(26, 12))
    assert reminded(scene) == {("nlo.nzl", reminder_subject("NZL", 26)): 1}
    tha = next(r for r in results if r.slot and "THA" in r.slot)
    assert tha.outcome == "ok"
    assert "THA has reported" in (tha.detail or "")
    # The slot is spent: reporting later, or not, changes nothing for that day.
    assert scene.run(utc(26, 13)) == []


def test_a_slot_missed_while_stopped_is_caught_up_once(scene):
    scene.run(utc(26, 12))
    before = reminded(scene)
    # Stopped for two days: 27 Sep (both states) and 28 Sep (both) were missed.
    scene.report("nlo.nzl", date(2031, 9, 28), now=utc(28, 1))
    caught_up = scene.run(utc(28, 12))
    slots = sorted(r.slot for r in caught_up if r.job_id == REMINDER_JOB)
    assert slots == [f"period {scene.period_id} NZL 2031-09-27",
                     f"period {scene.period_id} NZL 2031-09-28",
                     f"period {scene.period_id} THA 2031-09-27",
                     f"period {scene.period_id} THA 2031-09-28"]
    now = reminded(scene)
    added = {key: now[key] - before.get(key, 0) for key in now if now[key] != before.get(key)}
    assert added == {("nlo.tha", reminder_subject("THA", 27)): 1,
                     ("nlo2.tha", reminder_subject("THA", 27)): 1,
                     ("nlo.nzl", reminder_subject("NZL", 27)): 1,
                     ("nlo.tha", reminder_subject("THA", 28)): 1,
                     ("nlo2.tha", reminder_subject("THA", 28)): 1}
    assert scene.run(utc(28, 12, 1)) == []
    assert scene.run(utc(28, 12)) == []
    assert reminded(scene) == now


def test_catch_up_stops_at_the_horizon(scene):
    # Never run before; three days back from 30 Sep 12:00 UTC is 27 Sep 12:00 UTC, after
    # 27 Sep 18:00 in Auckland (06:00 UTC) and in Bangkok (11:00 UTC).
    results = scene.run(utc(30, 12))
    days = sorted(r.slot for r in results if r.job_id == REMINDER_JOB)
    assert CATCH_UP == timedelta(days=3)
    assert days == [f"period {scene.period_id} {state} 2031-09-{day}"
                    for state, day in (("NZL", 28), ("NZL", 29), ("NZL", 30),
                                       ("THA", 28), ("THA", 29), ("THA", 30))]
    # The period became active more than three days ago: that notice is stale, not sent.
    assert not any(r.job_id == PERIOD_PHASE_JOB for r in results)


def test_two_passes_at_once_send_each_reminder_once(scene):
    barrier = threading.Barrier(2)
    outcomes: list[list] = []

    def one_pass() -> None:
        barrier.wait()
        outcomes.append(run_pending(scene.app, utc(28, 12)))

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2
    ran = [r.slot for result in outcomes for r in result if r.outcome == "ok"]
    assert len(ran) == len(set(ran))
    assert not any(r.outcome == "failed" for result in outcomes for r in result)
    counts = scene.inbox()
    assert set(counts.values()) == {1}
    assert sum(1 for _user, subject in counts if subject.startswith(REMINDER)) == 3 * 2 + 3


# ---------------------------------------------------------------- escalation


def _conflict_near(scene: Scene, starts_in: timedelta) -> tuple[ConflictRecord, datetime]:
    """A period around the real clock and a THA/NZL pair at one airport, the first operation
    starting `starts_in` from now; returns the conflict and that start."""
    now = utcnow().replace(microsecond=0)
    pid = scene.make_period(now - timedelta(days=1), now + timedelta(days=20), name="Live JPA")
    start = now + starts_in
    scene.register("nlo.tha", pid, start, start + timedelta(hours=6), "Secret title one")
    op = scene.register("nlo.nzl", pid, start + timedelta(hours=1), start + timedelta(hours=8),
                        "Secret title two")
    return scene.conflict_of(op), start


def _escalations(results) -> list:
    return [r for r in results if r.job_id == ESCALATION_JOB]


def test_a_conflict_unacknowledged_for_24_hours_goes_to_the_co_chairs_once(scene):
    record, _start = _conflict_near(scene, timedelta(days=5))
    assert record.status == "open"
    detected = record.detected_at
    assert escalation_deadline(detected, detected + timedelta(days=5))[1] == "24h"
    scene.acknowledge("nlo.tha", record.id)  # one party is not enough

    assert not any(r.job_id == ESCALATION_JOB
                   for r in scene.run(detected + timedelta(hours=24) - timedelta(seconds=1)))
    assert scene.inbox(ESCALATION) == {}

    escalated = [r for r in scene.run(detected + timedelta(hours=24))
                 if r.job_id == ESCALATION_JOB]
    assert [r.outcome for r in escalated] == ["ok"]
    subject = (f"Escalation: conflict #{record.id} ({record.severity}) between "
               f"{record.state_a} and {record.state_b} is not acknowledged")
    # The period's co-chairs only: NZL co-chairs; THA's co-chair does not chair this period.
    assert scene.inbox(ESCALATION) == {("chair.nzl", subject): 1}
    assert scene.outbox(ESCALATION) == {("chair@nzl.example", subject): 1}
    message = scene.messages(ESCALATION)[0]
    assert message.link == f"/conflicts/{record.id}"
    body = message.body
    assert "within 24 hours" in body
    assert "Severity:" in body
    assert "Open for: 24 h" in body
    assert "Acknowledged by: THA; awaiting: NZL" in body
    assert "http" not in body  # the in-app item links by route (the e-mail has the address)
    # Pointers only: no titles, labels, sites, contacts or identifiers.
    for secret in ("Secret title", "Courier of", "Gate of", "Contact of", "AB1234567",
                   "contact.nlo", "Somchai", "Aroha"):
        assert secret not in body and secret not in message.subject

    assert not any(r.job_id == ESCALATION_JOB
                   for r in scene.run(detected + timedelta(hours=30)))
    assert sum(scene.inbox(ESCALATION).values()) == 1


def test_an_operation_starting_within_the_hour_escalates_before_24_hours(scene):
    record, start = _conflict_near(scene, timedelta(hours=6))
    assert escalation_deadline(record.detected_at, start) == (start - timedelta(hours=1),
                                                               "start")
    assert not any(r.job_id == ESCALATION_JOB
                   for r in scene.run(start - timedelta(minutes=61)))
    escalated = [r for r in scene.run(start - timedelta(minutes=59))
                 if r.job_id == ESCALATION_JOB]
    assert [r.outcome for r in escalated] == ["ok"]
    assert "(start)" in (escalated[0].detail or "")
    [message] = scene.messages(ESCALATION)
    assert "starts within the hour" in message.body
    assert "Acknowledged by: neither party; awaiting: NZL, THA" in message.body


def test_a_conflict_acknowledged_by_both_is_not_escalated(scene):
    record, _start = _conflict_near(scene, timedelta(days=5))
    scene.acknowledge("nlo.tha", record.id)
    scene.acknowledge("nlo.nzl", record.id)
    assert not any(r.job_id == ESCALATION_JOB
                   for r in scene.run(record.detected_at + timedelta(hours=25)))
    assert scene.inbox(ESCALATION) == {}


def test_a_reopened_conflict_is_escalated_again_24_hours_after_reopening(scene):
    record, _start = _conflict_near(scene, timedelta(days=5))
    [first] = _escalations(scene.run(record.detected_at + timedelta(hours=24)))
    scene.move("nlo.nzl", record.op_b, "AKL", targets=False)
    assert scene.conflict_of(record.op_b).status == "cleared"
    scene.move("nlo.nzl", record.op_b, "BKK", targets=True)
    assert scene.conflict_of(record.op_b).status == "open"
    with scene.database.transaction(write=False) as session:
        reopened = session.scalars(select(ConflictEvent.at).where(
            ConflictEvent.conflict_id == record.id, ConflictEvent.action == "reopened")).one()

    assert _escalations(scene.run(reopened + timedelta(hours=23))) == []
    again = _escalations(scene.run(reopened + timedelta(hours=24)))
    assert [r.outcome for r in again] == ["ok"]
    assert first.slot != again[0].slot  # a new slot: the conflict's second opening
    assert sum(scene.inbox(ESCALATION).values()) == 2
    assert _escalations(scene.run(reopened + timedelta(hours=48))) == []


# ---------------------------------------------------------------- period notices


def test_participants_are_told_once_when_a_period_becomes_active_and_when_it_closes(scene):
    scene.run(PERIOD_START - timedelta(minutes=1))
    assert scene.inbox("Period ") == {}
    scene.run(utc(26, 0, 1))
    scene.run(utc(26, 0, 2))
    active = "Period active: JPA 2031"
    assert scene.inbox("Period ") == {(name, active): 1 for name in PARTICIPANTS}
    assert scene.outbox("Period ") == {
        (email, active): 1 for email in ("nlo@tha.example", "nlo2@tha.example",
                                         "nlo@nzl.example", "chair@nzl.example",
                                         "chair@tha.example")}
    chair_message = next(m for m in scene.messages("Period active")
                         if m.user_id == scene.users["chair.nzl"].id)
    assert "2031-10-01 13:00 (Pacific/Auckland)" in chair_message.body  # the reader's zone

    scene.run(PERIOD_END - timedelta(seconds=1))
    assert not any(subject.startswith("Period closed") for _n, subject in scene.inbox())
    scene.run(PERIOD_END)
    scene.run(PERIOD_END + timedelta(hours=1))
    closed = "Period closed: JPA 2031"
    assert scene.inbox("Period ") == {**{(name, active): 1 for name in PARTICIPANTS},
                                      **{(name, closed): 1 for name in PARTICIPANTS}}


def test_no_active_notice_for_a_period_that_has_already_closed(scene):
    scene.make_period(utc(40), utc(40, 6), name="Short JPA")
    scene.run(utc(40, 7))
    assert {subject for _name, subject in scene.inbox("Period ")} == {
        "Period closed: Short JPA"}


# ---------------------------------------------------------------- failures are contained


def test_a_failing_job_is_recorded_failed_and_the_others_still_run(scene, caplog):
    def broken_slots(session, now, since):
        return [Slot("boom", now), Slot("fine", now)]

    def broken_run(session, slot, context):
        # Work done before the failure is rolled back with it.
        session.add(Notification(user_id=scene.users["admin"].id, subject="half-made",
                                 body=slot.key))
        session.flush()
        if slot.key == "boom":
            raise RuntimeError("the job broke")
        return "fine"

    def no_slots(session, now, since):
        raise LookupError("cannot compute")

    register_job(scene.app, "tests.broken", due_slots=broken_slots, run=broken_run)
    register_job(scene.app, "tests.blind", due_slots=no_slots, run=broken_run)
    register_job(scene.app, "tests.after", due_slots=lambda s, now, since: [Slot("x", now)],
                 run=lambda s, slot, context: "ran")

    results = scene.run(utc(26, 12))
    outcome = {(r.job_id, r.slot): r.outcome for r in results}
    assert outcome[("tests.broken", "boom")] == "failed"
    assert outcome[("tests.broken", "fine")] == "ok"
    assert outcome[("tests.blind", None)] == "failed"
    assert outcome[("tests.after", "x")] == "ok"
    assert sum(reminded(scene).values()) == 3  # the domain's jobs ran as well
    assert "the job broke" in caplog.text

    ledger = {(run.job_id, run.slot): run for run in scene.ledger()}
    boom = ledger[("tests.broken", "boom")]
    assert boom.outcome == "failed"
    assert boom.detail == "RuntimeError: the job broke"
    assert boom.finished_at is not None
    assert ledger[("tests.broken", "fine")].outcome == "ok"
    with scene.database.transaction(write=False) as session:
        made = session.scalar(select(func.count()).select_from(Notification).where(
            Notification.subject == "half-made"))
    assert made == 1  # from the slot that succeeded only

    # A failed slot is in the ledger: it is not retried on every pass.
    again = scene.run(utc(26, 12, 1))
    assert [(r.job_id, r.outcome) for r in again] == [("tests.blind", "failed")]


@sqlite_only
def test_the_pass_time_may_be_given_in_any_zone(scene):
    local = datetime(2031, 9, 26, 19, 0, tzinfo=UTC).astimezone(ZoneInfo("Asia/Bangkok"))
    results = scene.run(local)
    assert {r.slot for r in results if r.job_id == REMINDER_JOB} == {
        f"period {scene.period_id} THA 2031-09-26", f"period {scene.period_id} NZL 2031-09-26"}


# ---------------------------------------------------------------- e-mail after a pass


class _Sink:
    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@sqlite_only
def test_queued_e_mail_is_sent_after_a_pass_when_smtp_is_set(database_url, tmp_path):
    sink = _Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    application = create_app(make_settings(tmp_path, database_url, smtp_host="127.0.0.1",
                                           smtp_port=port))
    try:
        scene = Scene(application, create_people(application))
        scene.period_id = scene.make_period(PERIOD_START, PERIOD_END)
        scene.run(utc(26, 12))
    finally:
        controller.stop()
        application.extensions["jpa.db"].dispose()
    reminders = ["nlo@tha.example", "nlo2@tha.example", "nlo@nzl.example"]
    active = [*reminders, "chair@nzl.example", "chair@tha.example"]
    assert sorted(sink.recipients) == sorted(reminders + active)
    with scene.database.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.sent_at.is_(None))) == 0
