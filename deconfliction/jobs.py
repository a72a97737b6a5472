"""What the scheduler asks of deconfliction: which conflicts are overdue for escalation.

A conflict is escalated to the co-chairs when it is not acknowledged by both parties within
24 hours of being opened, or one hour before the earlier of its two operations starts,
whichever comes first. A conflict is opened when it is detected (`detected_at`), or again when
it is reopened (the latest `reopened` event: cleared and then met again, or grown after it was
acknowledged or resolved; reopening forgets the acknowledgements), and each opening is
escalated at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from deconfliction.models import ConflictEvent, ConflictRecord, RegisterEntry

ACKNOWLEDGE_WITHIN = timedelta(hours=24)
BEFORE_START = timedelta(hours=1)
RULE_24H = "24h"
RULE_START = "start"


@dataclass(frozen=True)
class Overdue:
    """A conflict past its acknowledgement deadline, with the rule that set the deadline."""

    record: ConflictRecord
    opened_at: datetime
    deadline: datetime
    rule: str

    @property
    def slot(self) -> str:
        """The scheduler's slot of this opening of the conflict (escalated once)."""
        return f"conflict {self.record.id} opened {self.opened_at:%Y-%m-%dT%H:%M:%S.%f}Z"

    @property
    def acknowledged_by(self) -> list[str]:
        """Parties that have acknowledged."""
        record = self.record
        return sorted({state for state, at in ((record.state_a, record.acknowledged_a),
                                               (record.state_b, record.acknowledged_b)) if at})

    @property
    def awaiting(self) -> list[str]:
        """Parties that have not."""
        record = self.record
        return sorted({state for state, at in ((record.state_a, record.acknowledged_a),
                                               (record.state_b, record.acknowledged_b))
                       if not at})


def escalation_deadline(opened_at: datetime,
                        earliest_start: datetime | None) -> tuple[datetime, str]:
    """24 hours after opening, or an hour before the earlier operation starts: the sooner."""
    by_age = opened_at + ACKNOWLEDGE_WITHIN
    if earliest_start is not None and earliest_start - BEFORE_START < by_age:
        return earliest_start - BEFORE_START, RULE_START
    return by_age, RULE_24H


def _opened_at(session: Session, records: list[ConflictRecord]) -> dict[int, datetime]:
    opened = {r.id: r.detected_at for r in records}
    if not records:
        return opened
    rows = session.execute(
        select(ConflictEvent.conflict_id, func.max(ConflictEvent.at))
        .where(ConflictEvent.conflict_id.in_(list(opened)),
               ConflictEvent.action == "reopened")
        .group_by(ConflictEvent.conflict_id))
    for conflict_id, at in rows:
        if at is not None:
            opened[conflict_id] = max(opened[conflict_id], at)
    return opened


def overdue_conflicts(session: Session, *, now: datetime, since: datetime | None = None,
                      conflict_id: int | None = None) -> list[Overdue]:
    """Open conflicts not acknowledged by both parties whose deadline has passed by `now`, and
    that still matter: one of their operations ends after `since` (the catch-up horizon)."""
    query = select(ConflictRecord).where(ConflictRecord.status == "open")
    if conflict_id is not None:
        query = query.where(ConflictRecord.id == conflict_id)
    records = list(session.scalars(query.order_by(ConflictRecord.id)))
    records = [r for r in records if not (r.acknowledged_a and r.acknowledged_b)]
    if not records:
        return []
    op_ids = {r.op_a for r in records} | {r.op_b for r in records}
    entries = {e.op_id: e for e in session.scalars(select(RegisterEntry).where(
        RegisterEntry.op_id.in_(op_ids)))}
    opened = _opened_at(session, records)
    overdue: list[Overdue] = []
    for record in records:
        pair = [entries[i] for i in (record.op_a, record.op_b) if i in entries]
        starts = min((e.starts_at for e in pair), default=None)
        ends = max((e.ends_at for e in pair), default=opened[record.id])
        if since is not None and ends <= since:
            continue
        if opened[record.id] > now:  # opened after the pass's clock (a pass for a past instant)
            continue
        deadline, rule = escalation_deadline(opened[record.id], starts)
        if deadline <= now:
            overdue.append(Overdue(record, opened[record.id], deadline, rule))
    return overdue
