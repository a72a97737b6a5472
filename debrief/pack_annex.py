"""An NLO's annex: its own state's operations in full and its own conflicts at pointer level.

Of the other side of a conflict it reads only what the register lets an NLO see anyway: the
state, the contact officer, severity, reason kinds and status; never the other operation's
title, agency, sites or target labels (the conflict's stored reasons carry both sides'
labels, so only their kinds are read from them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from debrief import pack_facts as facts
from debrief.pack_data import iso_minute
from deconfliction.models import ConflictRecord, RegisterEntry
from operations.models import Operation, Period


def read_annex(session: Session, *, period: Period, state: str, now: datetime) -> facts.Annex:
    """The annex of `state` in `period`; its operations' status as at `now`."""
    operations = session.scalars(select(Operation).where(
        Operation.period_id == period.id, Operation.owner_state == state)
        .order_by(Operation.starts_at, Operation.id)).all()
    own_ops = tuple(facts.OwnOperation(
        number=n, title=op.title, type=op.type, lead_agency=op.lead_agency,
        starts_at=iso_minute(op.starts_at), ends_at=iso_minute(op.ends_at),
        sites="; ".join(f"{s.name} ({s.iata})" if s.iata else s.name for s in op.sites),
        targets="; ".join(f"{t.kind}: {t.label}" for t in op.targets),
        status=op.status(now)) for n, op in enumerate(operations, start=1))
    records = session.scalars(select(ConflictRecord).where(
        ConflictRecord.period_id == period.id,
        or_(ConflictRecord.state_a == state, ConflictRecord.state_b == state))
        .order_by(ConflictRecord.id)).all()
    other_ops = {r.op_b if r.state_a == state else r.op_a for r in records}
    contacts = {e.op_id: e for e in session.scalars(select(RegisterEntry).where(
        RegisterEntry.op_id.in_(list(other_ops))))} if other_ops else {}
    rows = []
    for record in records:
        own_is_a = record.state_a == state
        other_op = record.op_b if own_is_a else record.op_a
        entry = contacts.get(other_op)
        contact = ""
        if entry is not None:
            contact = ", ".join(part for part in (entry.contact_name, entry.contact_email,
                                                  entry.contact_phone) if part)
        kinds = sorted({str(r.get("kind", "")) for r in record.reasons or []})
        rows.append(facts.OwnConflict(
            conflict_id=record.id,
            other_state=record.state_b if own_is_a else record.state_a,
            other_contact=contact, severity=record.severity, reason_kinds=", ".join(kinds),
            status=record.status, detected_at=iso_minute(record.detected_at),
            acknowledged_own=iso_minute(record.acknowledged_a if own_is_a
                                        else record.acknowledged_b),
            acknowledged_other=iso_minute(record.acknowledged_b if own_is_a
                                          else record.acknowledged_a),
            resolution=record.resolution or ""))
    return facts.Annex(state=state, operations=own_ops, conflicts=tuple(rows))
