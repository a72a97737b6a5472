"""How many refused-token audit rows one source address may cause: an anonymous caller must not
grow the audit table without bound.

The count lives in the database (the audit rows themselves), so it holds across workers and
processes: per source address and per clock minute, the first REFUSALS_PER_WINDOW refusals are
recorded, the next one leaves a single "suppressed" summary row, and the rest only reach the
server log until the minute ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.audit import AuditEvent

REFUSALS_PER_WINDOW = 10
WINDOW = timedelta(minutes=1)
ACTION = "token.refused"
SOURCE = "source"
# Serialises the count-then-insert of concurrent refusals on PostgreSQL (SQLite's write
# transactions are serial already); a key of its own beside the audit chain's lock.
_LOCK_KEY = 0x4A5041_0052
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")

Budget = Literal["record", "summarise", "skip"]


def window_start(now: datetime) -> datetime:
    """The start of the clock minute holding `now`."""
    return now.replace(second=0, microsecond=0)


def refusal_budget(session: Session, source: str, now: datetime) -> Budget:
    """Whether a refusal from `source` at `now` is recorded, summarised or only logged; call it
    inside the write transaction that records the row."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK, {"key": _LOCK_KEY})
    start = window_start(now)
    recorded = session.scalar(
        select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == ACTION, AuditEvent.object_type == SOURCE,
            AuditEvent.object_id == source, AuditEvent.at >= start,
            AuditEvent.at < start + WINDOW)) or 0
    if recorded < REFUSALS_PER_WINDOW:
        return "record"
    return "summarise" if recorded == REFUSALS_PER_WINDOW else "skip"
