"""The scheduled jobs of joint periods, run by `jpa scheduler` (see core.scheduler). The daily
report reminder is outcomes' (outcomes.jobs); its helpers here are shared with it.

- `operations.conflict_escalation`: tell the period's co-chairs about a conflict not
  acknowledged by both parties within 24 hours, or one hour before the earlier operation
  starts, whichever comes first (pointers only: id, states, severity, age).
- `operations.period_phase`: tell everyone of the participating states when a period becomes
  active and when it closes.

Each slot is computed from the data and the clock, so one missed while the scheduler was
stopped is caught up (once: the ledger holds every slot run).
"""

from __future__ import annotations

from datetime import datetime, timedelta
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

ESCALATION_JOB = "operations.conflict_escalation"
PERIOD_PHASE_JOB = "operations.period_phase"


def register(app: Flask) -> None:
    """Register the jobs of joint periods with the application's scheduler registry."""
    register_job(app, ESCALATION_JOB, due_slots=escalation_slots, run=escalate,
                 description="escalate unacknowledged conflicts to the co-chairs")
    register_job(app, PERIOD_PHASE_JOB, due_slots=phase_slots, run=announce_phase,
                 description="tell participants when a period becomes active and closes")


# ---------------------------------------------------------------- helpers


def users_in(session: Session, *, states: list[str], roles: tuple[Role, ...] | None = None,
           ) -> list[User]:
    if not states:
        return []
    query = select(User).where(User.state.in_(states), User.disabled.is_(False))
    if roles is not None:
        query = query.where(User.role.in_([r.value for r in roles]))
    return list(session.scalars(query.order_by(User.id)))


def absolute_link(context: RunContext, path: str) -> str:
    return f"{context.settings.base_url.rstrip('/')}{path}"


def _zone_of(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _when(moment: datetime, user: User) -> str:
    zone = _zone_of(user)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def periods_touching(session: Session, now: datetime, since: datetime) -> list[Period]:
    """Periods whose window overlaps (since, now]."""
    return list(session.scalars(select(Period).where(
        Period.starts_at <= now, Period.ends_at > since).order_by(Period.id)))


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
    chairs = users_in(session, states=period.co_chairs, roles=(Role.CO_CHAIR,))
    why = ("not acknowledged by both parties within 24 hours" if item.rule ==
           deconfliction_jobs.RULE_24H else
           "not acknowledged by both parties, and one of its operations starts within the "
           "hour (or has started)")
    link = f"/conflicts/{record.id}"
    acknowledged = ", ".join(item.acknowledged_by) or "neither party"
    for user in chairs:
        body = (f"Conflict #{record.id} in {period.name} needs the co-chairs' attention: "
                f"{why}.\n\n"
                f"  States: {record.state_a} and {record.state_b}\n"
                f"  Severity: {record.severity}\n"
                f"  Open for: {_age(context.now - item.opened_at)} "
                f"(since {_when(item.opened_at, user)})\n"
                f"  Acknowledged by: {acknowledged}; awaiting: "
                f"{', '.join(item.awaiting)}\n")
        # The in-app item links by route; only the e-mail carries the address.
        notify.notify(
            session, user_id=user.id, email=user.email,
            subject=(f"Escalation: conflict #{record.id} ({record.severity}) between "
                     f"{record.state_a} and {record.state_b} is not acknowledged"),
            body=body, mail_body=body + f"\nDetails: {absolute_link(context, link)}\n",
            link=link)
    return f"escalated conflict #{record.id} ({item.rule}) to {len(chairs)} co-chair(s)"


# ---------------------------------------------------------------- period phases


def phase_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """`active` when a window opens and `closed` when it ends, each in (since, now]; no
    `active` notice for a period that has already closed."""
    slots: list[Slot] = []
    for period in periods_touching(session, now, since):
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
    people = users_in(session, states=period.states)
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
                      body=body + f"\nPeriod: {absolute_link(context, link)}\n", link=link)
    return f"told {len(people)} participant(s) that the period is {phase}"
