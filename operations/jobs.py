"""The scheduled jobs of joint periods, run by `jpa scheduler` (see core.scheduler).

- `operations.report_reminder`: at 18:00 local time in each participating state, on each of
  its local dates inside the period's window, remind the state's NLOs if the state has not
  reported for that date (inbox and e-mail).
- `operations.conflict_escalation`: tell the period's co-chairs about a conflict not
  acknowledged by both parties within 24 hours, or one hour before the earlier operation
  starts, whichever comes first (pointers only: id, states, severity, age).
- `operations.period_phase`: tell everyone of the participating states when a period becomes
  active and when it closes.

Each slot is computed from the data and the clock, so one missed while the scheduler was
stopped is caught up (once: the ledger holds every slot run).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import notify
from core.identity.models import Role, User
from core.scheduler import RunContext, Slot, register_job
from deconfliction import jobs as deconfliction_jobs
from deconfliction.models import ConflictRecord
from operations.models import Period
from operations.reporting import local_dates, state_zone, states_without_report

REMINDER_JOB = "operations.report_reminder"
ESCALATION_JOB = "operations.conflict_escalation"
PERIOD_PHASE_JOB = "operations.period_phase"
REMINDER_TIME = time(18, 0)


def register(app: Flask) -> None:
    """Register the jobs of joint periods with the application's scheduler registry."""
    register_job(app, REMINDER_JOB, due_slots=reminder_slots, run=send_reminder,
                 description="18:00 local: remind NLOs of states that have not reported")
    register_job(app, ESCALATION_JOB, due_slots=escalation_slots, run=escalate,
                 description="escalate unacknowledged conflicts to the co-chairs")
    register_job(app, PERIOD_PHASE_JOB, due_slots=phase_slots, run=announce_phase,
                 description="tell participants when a period becomes active and closes")


# ---------------------------------------------------------------- helpers


def _users(session: Session, *, states: list[str], roles: tuple[Role, ...] | None = None,
           ) -> list[User]:
    if not states:
        return []
    query = select(User).where(User.state.in_(states), User.disabled.is_(False))
    if roles is not None:
        query = query.where(User.role.in_([r.value for r in roles]))
    return list(session.scalars(query.order_by(User.id)))


def _link(context: RunContext, path: str) -> str:
    return f"{context.settings.base_url.rstrip('/')}{path}"


def _zone_of(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _when(moment: datetime, user: User) -> str:
    zone = _zone_of(user)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def _periods_touching(session: Session, now: datetime, since: datetime) -> list[Period]:
    """Periods whose window overlaps (since, now]."""
    return list(session.scalars(select(Period).where(
        Period.starts_at <= now, Period.ends_at > since).order_by(Period.id)))


# ---------------------------------------------------------------- daily report reminders


def reminder_moment(day: date, state: str) -> datetime:
    """18:00 on a local date in the state's zone."""
    return datetime.combine(day, REMINDER_TIME, tzinfo=state_zone(state))


def reminder_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """One slot per period, state and local date whose 18:00 falls inside the period's window
    and in (since, now]."""
    slots: list[Slot] = []
    for period in _periods_touching(session, now, since):
        for state in period.states:
            for day in local_dates(period, state, until=now):
                moment = reminder_moment(day, state)
                if not (period.starts_at <= moment < period.ends_at and since < moment <= now):
                    continue
                slots.append(Slot(f"period {period.id} {state} {day.isoformat()}", moment,
                                  {"period_id": period.id, "state": state,
                                   "date": day.isoformat()}))
    return slots


def send_reminder(session: Session, slot: Slot, context: RunContext) -> str:
    """Remind the state's NLOs, unless the state has reported for the date meanwhile."""
    period = session.get(Period, slot.data["period_id"])
    state, day = str(slot.data["state"]), date.fromisoformat(str(slot.data["date"]))
    if period is None or state not in period.states:
        return "the state no longer takes part"
    if not states_without_report(session, period=period, on_date=day, states=[state]):
        return f"{state} has reported for {day}: nothing sent"
    nlos = _users(session, states=[state], roles=(Role.LIAISON_OFFICER,))
    link = f"/periods/{period.id}/report"
    for user in nlos:
        notify.notify(
            session, user_id=user.id, email=user.email,
            subject=f"Reminder: {state}'s daily report for {day:%d %b %Y} is due",
            body=(f"{period.name}\n\n"
                  f"{state} has not yet reported its outcomes for {day.isoformat()} "
                  f"({state}'s local date). Please submit the daily report; a nil report "
                  f"counts when there is nothing to report.\n\n"
                  f"Report: {_link(context, link)}\n"),
            link=link)
    return f"reminded {len(nlos)} NLO(s) of {state} for {day}"


# ---------------------------------------------------------------- conflict escalation


def escalation_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """One slot per opening of a conflict that is overdue at `now`."""
    return [Slot(item.slot, item.deadline, {"conflict_id": item.record.id})
            for item in deconfliction_jobs.overdue_conflicts(session, now=now, since=since)]


def _age(delta: timedelta) -> str:
    hours = max(0, int(delta.total_seconds() // 3600))
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} d {hours % 24} h"


def escalate(session: Session, slot: Slot, context: RunContext) -> str:
    """Tell the period's co-chairs, pointer-level only (never a label, a title or a contact)."""
    conflict_id = int(slot.data["conflict_id"])
    found = deconfliction_jobs.overdue_conflicts(session, now=context.now,
                                                 conflict_id=conflict_id)
    item = found[0] if found else None
    if item is None or item.slot != slot.key:
        return "acknowledged or closed meanwhile: nothing sent"
    record: ConflictRecord = item.record
    period = session.get(Period, record.period_id)
    if period is None:
        return "the period is gone"
    chairs = _users(session, states=period.co_chairs, roles=(Role.CO_CHAIR,))
    why = ("not acknowledged by both parties within 24 hours" if item.rule ==
           deconfliction_jobs.RULE_24H else
           "not acknowledged by both parties, and one of its operations starts within the "
           "hour (or has started)")
    link = f"/conflicts/{record.id}"
    acknowledged = ", ".join(item.acknowledged_by) or "neither party"
    for user in chairs:
        notify.notify(
            session, user_id=user.id, email=user.email,
            subject=(f"Escalation: conflict #{record.id} ({record.severity}) between "
                     f"{record.state_a} and {record.state_b} is not acknowledged"),
            body=(f"Conflict #{record.id} in {period.name} needs the co-chairs' attention: "
                  f"{why}.\n\n"
                  f"  States: {record.state_a} and {record.state_b}\n"
                  f"  Severity: {record.severity}\n"
                  f"  Open for: {_age(context.now - item.opened_at)} "
                  f"(since {_when(item.opened_at, user)})\n"
                  f"  Acknowledged by: {acknowledged}; awaiting: "
                  f"{', '.join(item.awaiting)}\n\n"
                  f"Details: {_link(context, link)}\n"),
            link=link)
    return f"escalated conflict #{record.id} ({item.rule}) to {len(chairs)} co-chair(s)"


# ---------------------------------------------------------------- period phases


def phase_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """`active` when a window opens and `closed` when it ends, each in (since, now]; no
    `active` notice for a period that has already closed."""
    slots: list[Slot] = []
    for period in _periods_touching(session, now, since):
        if since < period.starts_at <= now < period.ends_at:
            slots.append(Slot(f"period {period.id} active", period.starts_at,
                              {"period_id": period.id, "phase": "active"}))
        if since < period.ends_at <= now:
            slots.append(Slot(f"period {period.id} closed", period.ends_at,
                              {"period_id": period.id, "phase": "closed"}))
    return slots


def announce_phase(session: Session, slot: Slot, context: RunContext) -> str:
    """Tell every enabled user of the participating states."""
    period = session.get(Period, slot.data["period_id"])
    if period is None:
        return "the period is gone"
    phase = str(slot.data["phase"])
    people = _users(session, states=period.states)
    link = f"/periods/{period.id}"
    for user in people:
        if phase == "active":
            subject = f"Period active: {period.name}"
            body = (f"The joint period {period.name} is now active, until "
                    f"{_when(period.ends_at, user)}.\n"
                    f"Participating states: {', '.join(period.states)}.\n\n"
                    f"NLOs: report your state's outcomes every day (18:00 local reminder).\n")
        else:
            subject = f"Period closed: {period.name}"
            body = (f"The joint period {period.name} closed at "
                    f"{_when(period.ends_at, user)}.\n"
                    f"Participating states: {', '.join(period.states)}.\n")
        notify.notify(session, user_id=user.id, email=user.email, subject=subject,
                      body=body + f"\nPeriod: {_link(context, link)}\n", link=link)
    return f"told {len(people)} participant(s) that the period is {phase}"
