"""Housekeeping of the mail outbox, run by `jpa scheduler` (see core.scheduler).

- `core.outbox_purge`: once a day at 03:00 UTC, delete the mail sent more than 30 days
  before the pass; mail not sent (waiting, or given up after its attempts) is kept.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from core import notify
from core.scheduler import RunContext, Slot, register_job

OUTBOX_PURGE_JOB = "core.outbox_purge"
PURGE_TIME = time(3, 0)


def register(app: Flask) -> None:
    """Register the outbox housekeeping job with the application's scheduler registry."""
    register_job(app, OUTBOX_PURGE_JOB, due_slots=purge_slots, run=purge_outbox,
                 description="03:00 UTC: purge mail sent more than 30 days ago")


def purge_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """One slot per UTC date whose 03:00 falls in (since, now]."""
    now, since = now.astimezone(UTC), since.astimezone(UTC)
    slots: list[Slot] = []
    day = since.date()
    while day <= now.date():
        moment = datetime.combine(day, PURGE_TIME, tzinfo=UTC)
        if since < moment <= now:
            slots.append(Slot(f"outbox purge {day.isoformat()}", moment))
        day += timedelta(days=1)
    return slots


def purge_outbox(session: Session, slot: Slot, context: RunContext) -> str:
    """Delete mail sent more than 30 days before the pass's clock."""
    removed = notify.purge_sent_mail(session, now=context.now)
    cutoff = context.now - notify.SENT_MAIL_KEPT
    return f"purged {removed} mail(s) sent before {cutoff:%Y-%m-%d %H:%M} UTC"
