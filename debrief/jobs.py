"""The scheduled job of the debrief, run by `jpa scheduler` (see core.scheduler).

- `debrief.questionnaire_reminder`: at 09:00 in each participating state's zone, three days
  before the questionnaire's due date and on the due date, remind the NLOs of each state that
  has not submitted (inbox and e-mail). One ledger slot per period, state and kind
  (`due-3`, `due`): each state is reminded of each kind exactly once, also when the due date
  moves later. A reminder that would fall before the questionnaire opens is not sent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import notify
from core.scheduler import RunContext, Slot, register_job
from debrief import access, schedule
from debrief.models import DebriefSettings, Response
from operations.models import Period
from outcomes.services import state_zone

REMINDER_JOB = "debrief.questionnaire_reminder"
REMINDER_TIME = time(9, 0)
# (kind, days before the due date)
REMINDER_KINDS: tuple[tuple[str, int], ...] = (("due-3", 3), ("due", 0))


def register(app: Flask) -> None:
    """Register the reminder with the application's scheduler registry."""
    register_job(app, REMINDER_JOB, due_slots=reminder_slots, run=send_reminder,
                 description="remind NLOs of states that have not answered the debrief "
                             "questionnaire, 3 days before it is due and on the due date")


def reminder_moment(due: date, days_before: int, state: str) -> datetime:
    """09:00 in the state's zone, `days_before` days before the due date."""
    return datetime.combine(due - timedelta(days=days_before), REMINDER_TIME,
                            tzinfo=state_zone(state))


def reminder_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """One slot per period, participating state and kind whose moment is in (since, now],
    the questionnaire being open by then."""
    # Co-chairs may move a due date anywhere, so every period that has started is looked at
    # (a few arithmetic steps per state; periods are few).
    settings = {s.period_id: s for s in session.scalars(select(DebriefSettings))}
    slots: list[Slot] = []
    for period in session.scalars(select(Period).where(Period.starts_at <= now)
                                  .order_by(Period.id)):
        found = settings.get(period.id)
        due, opening = schedule.due_on(found, period), schedule.opens_at(found, period)
        for state in period.states:
            for kind, days_before in REMINDER_KINDS:
                moment = reminder_moment(due, days_before, state)
                if since < moment <= now and moment >= opening:
                    slots.append(Slot(f"period {period.id} {state} {kind}", moment,
                                      {"period_id": period.id, "state": state, "kind": kind,
                                       "due_on": due.isoformat()}))
    return slots


def send_reminder(session: Session, slot: Slot, context: RunContext) -> str:
    """Remind the state's NLOs, unless the state has submitted meanwhile."""
    period = session.get(Period, int(slot.data["period_id"]))
    state, kind = str(slot.data["state"]), str(slot.data["kind"])
    if period is None or state not in period.states:
        return "the state no longer takes part"
    submitted = session.scalar(select(Response.id).where(
        Response.period_id == period.id, Response.state == state,
        Response.status == "submitted"))
    if submitted is not None:
        return f"{state} has submitted: nothing sent"
    due = date.fromisoformat(str(slot.data["due_on"]))
    when = "today" if kind == "due" else f"in 3 days, on {due:%d %b %Y}"
    link = f"/periods/{period.id}/debrief/questionnaire"
    nlos = access.state_nlos(session, state)
    messages = [{
        "user_id": user.id, "email": user.email, "link": link,
        "subject": f"Reminder: {state}'s debrief questionnaire is due {when}",
        "body": (f"{period.name}\n\n{state} has not yet submitted its debrief questionnaire "
                 f"(what worked, what did not work, what to do differently, next steps and "
                 f"the rating of each objective). It is due {when} ({due.isoformat()}).\n\n"
                 f"Questionnaire: {context.settings.base_url.rstrip('/')}{link}\n")}
        for user in nlos]
    if messages:
        notify.notify_all(session, messages)
    return f"reminded {len(nlos)} NLO(s) of {state} ({kind})"
