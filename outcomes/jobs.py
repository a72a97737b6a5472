"""The scheduled job of outcome reporting, run by `jpa scheduler` (see core.scheduler).

- `operations.report_reminder`: at 18:00 local time in each participating state, on each of
  its local dates inside the period's window, remind the state's NLOs if the state has not
  reported for that date (inbox and e-mail). The id is the one the job had under operations/:
  the ledger (job_runs) holds its slots under that name, so a slot already run is never run
  again.

Each slot is computed from the data and the clock, so one missed while the scheduler was
stopped is caught up (once: the ledger holds every slot run).
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Flask
from sqlalchemy.orm import Session

from core import notify
from core.identity.models import Role
from core.scheduler import RunContext, Slot, register_job
from operations.jobs import absolute_link, periods_touching, users_in
from operations.models import Period
from outcomes.figures import states_without_report
from outcomes.services import local_dates, state_zone

REMINDER_JOB = "operations.report_reminder"
REMINDER_TIME = time(18, 0)


def register(app: Flask) -> None:
    """Register the reminder with the application's scheduler registry."""
    register_job(app, REMINDER_JOB, due_slots=reminder_slots, run=send_reminder,
                 description="18:00 local: remind NLOs of states that have not reported")


# ---------------------------------------------------------------- daily report reminders


def reminder_moment(day: date, state: str) -> datetime:
    """18:00 on a local date in the state's zone."""
    return datetime.combine(day, REMINDER_TIME, tzinfo=state_zone(state))


def reminder_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """One slot per period, state and local date whose 18:00 falls inside the period's window
    and in (since, now]."""
    slots: list[Slot] = []
    for period in periods_touching(session, now, since):
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
    nlos = users_in(session, states=[state], roles=(Role.LIAISON_OFFICER,))
    link = f"/periods/{period.id}/report"
    for user in nlos:
        notify.notify(
            session, user_id=user.id, email=user.email,
            subject=f"Reminder: {state}'s daily report for {day:%d %b %Y} is due",
            body=(f"{period.name}\n\n"
                  f"{state} has not yet reported its outcomes for {day.isoformat()} "
                  f"({state}'s local date). Please submit the daily report; a nil report "
                  f"counts when there is nothing to report.\n\n"
                  f"Report: {absolute_link(context, link)}\n"),
            link=link)
    return f"reminded {len(nlos)} NLO(s) of {state} for {day}"
