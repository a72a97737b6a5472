"""The reminder job of the improvement plan, run by `jpa scheduler` (see core.scheduler).

- `debrief.improvement_reminders`: at 09:00 in the owner state's zone, the owner state's NLOs
  are reminded of an open or in-progress item on its due date, and while it stays overdue, on
  the day after and then every seven days (due + 1, + 8, + 15 ...). In the inbox and by e-mail.

Slots come from the data and the clock (item, due date, kind, date), so each is run exactly
once through the ledger, a slot missed while the scheduler was stopped is caught up, and an
item whose due date moves gets reminders for its new date. An item done or dropped, or whose
due date moved, before its slot runs is not reminded.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.scheduler import RunContext, Slot, register_job
from debrief import improvements_notices as notices
from debrief.improvements import ACTIVE
from debrief.models import ImprovementItem
from operations.models import Period
from outcomes.services import state_zone

REMINDER_JOB = "debrief.improvement_reminders"
REMINDER_TIME = time(9, 0)
OVERDUE_EVERY_DAYS = 7


def register(app: Flask) -> None:
    """Register the reminder with the application's scheduler registry."""
    register_job(app, REMINDER_JOB, due_slots=reminder_slots, run=send_reminder,
                 description="09:00 local: remind owner NLOs of improvement items due today "
                             "or overdue (the day after, then weekly)")


def reminder_kind(due_on: date, day: date) -> str | None:
    """`due` on the due date, `overdue` on the day after and every seventh day from then,
    None on any other day."""
    if day == due_on:
        return "due"
    late = (day - due_on).days
    if late >= 1 and (late - 1) % OVERDUE_EVERY_DAYS == 0:
        return "overdue"
    return None


def reminder_moment(day: date, state: str) -> datetime:
    """09:00 on a date in the state's zone."""
    return datetime.combine(day, REMINDER_TIME, tzinfo=state_zone(state))


def reminder_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """One slot per active item and reminder date whose 09:00 (owner state's zone) falls in
    (since, now]."""
    items = session.execute(select(ImprovementItem.id, ImprovementItem.owner_state,
                                   ImprovementItem.due_on)
                            .where(ImprovementItem.status.in_(ACTIVE),
                                   ImprovementItem.due_on <= (now + timedelta(days=1)).date()))
    slots: list[Slot] = []
    # Local dates span at most a day either side of UTC: look one day beyond the window.
    first, last = (since - timedelta(days=1)).date(), (now + timedelta(days=1)).date()
    for item_id, state, due_on in items:
        day = max(first, due_on)
        while day <= last:
            kind = reminder_kind(due_on, day)
            moment = reminder_moment(day, state) if kind else None
            if kind and moment is not None and since < moment <= now:
                slots.append(Slot(f"item {item_id} {kind} {day.isoformat()} "
                                  f"due {due_on.isoformat()}", moment,
                                  {"item_id": item_id, "kind": kind,
                                   "due_on": due_on.isoformat()}))
            day += timedelta(days=1)
    return slots


def send_reminder(session: Session, slot: Slot, context: RunContext) -> str:
    """Remind the owner state's NLOs, unless the item is finished or its due date moved."""
    item = session.get(ImprovementItem, int(slot.data["item_id"]))
    if item is None:
        return "item gone"
    if item.status not in ACTIVE:
        return f"item is {item.status}: nothing sent"
    if item.due_on.isoformat() != slot.data["due_on"]:
        return "the due date moved: nothing sent"
    period = session.get(Period, item.period_id)
    assert period is not None  # items go with their period (ON DELETE CASCADE)
    told = notices.reminder(session, item, period, overdue=slot.data["kind"] == "overdue",
                            base_url=context.settings.base_url)
    return f"reminded {told} NLO(s) of {item.owner_state} ({slot.data['kind']})"
