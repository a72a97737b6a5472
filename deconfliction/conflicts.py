"""Conflicts after the check: party and summary views, acknowledge/resolve, contacts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    or_,
    select,
)
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from core.identity.models import Role
from core.identity.services import Principal
from deconfliction.matcher import (
    Target,
)
from deconfliction.models import (
    ConflictEvent,
    ConflictRecord,
    RegisterTarget,
)
from deconfliction.register import _CONTACTS, RESOLUTIONS, PartyContact, _event, _of

NOTE_MAX_LENGTH = 2000


def party_view(session: Session, record: ConflictRecord, state: str,
               contacts: Mapping[int, PartyContact] | None = None, *,
               perspective: int | None = None, viewer_id: int | None = None) -> dict[str, Any]:
    """A conflict as a party sees it: its own side, the counterpart's state and contact.

    `contacts`: the contacts of the record's operations when the caller has read them for
    several records at once (`contacts_for`); otherwise the counterpart's is read. A pair of
    two of the party's own operations is seen from one of them: `perspective` (an operation
    id), else the one whose contact is the user `viewer_id`, else the first; its labels are
    the ones shown and the other operation's contact is whom to call."""
    own_a, own_b = record.state_a == state, record.state_b == state
    from_b = not own_a
    if own_a and own_b:
        if perspective is None and viewer_id is not None:
            if contacts is None:
                contacts = _contacts_of(session, [record.op_a, record.op_b])
            contact_a, contact_b = contacts.get(record.op_a), contacts.get(record.op_b)
            viewer_is_b = contact_b is not None and contact_b.user_id == viewer_id
            viewer_is_a = contact_a is not None and contact_a.user_id == viewer_id
            from_b = viewer_is_b and not viewer_is_a
        else:
            from_b = perspective == record.op_b
        own_ids = [record.op_a, record.op_b]
    else:
        own_ids = [record.op_b if from_b else record.op_a]
    side = "label_b" if from_b else "label_a"
    counterpart_id = record.op_a if from_b else record.op_b
    reasons: list[dict[str, str]] = []
    for row in record.reasons:
        item = {"kind": row["kind"], "label": row[side]}
        if row["kind"] == "target":
            item = {"kind": "target", "target_kind": row["target_kind"], "label": row[side]}
        if item not in reasons:
            reasons.append(item)
    if contacts is None:
        contacts = _contacts_of(session, [counterpart_id])
    other = contacts.get(counterpart_id)
    counterpart = {
        "state": other.state if other else (record.state_a if from_b else record.state_b),
        "name": other.name if other else "",
        "email": other.email if other else None,
        "phone": other.phone if other else None,
    }
    acknowledged_by = sorted({s for s, at in ((record.state_a, record.acknowledged_a),
                                              (record.state_b, record.acknowledged_b)) if at})
    return {"id": record.id, "period_id": record.period_id, "severity": record.severity,
            "status": record.status, "reasons": reasons, "operation_ids": own_ids,
            "counterpart": counterpart, "acknowledged_by": acknowledged_by,
            "resolution": record.resolution, "resolution_note": record.resolution_note,
            "detected_at": record.detected_at.isoformat(),
            "updated_at": record.updated_at.isoformat()}


def summary_view(record: ConflictRecord) -> dict[str, Any]:
    """A conflict as a co-chair sees it: pointers only, and the resolution's kind (its note is
    the parties' own words and stays with them)."""
    return {"id": record.id, "period_id": record.period_id, "severity": record.severity,
            "status": record.status, "resolution": record.resolution,
            "reason_kinds": sorted({row["kind"] for row in record.reasons}),
            "operation_ids": [record.op_a, record.op_b],
            "states": [record.state_a, record.state_b],
            "detected_at": record.detected_at.isoformat(),
            "updated_at": record.updated_at.isoformat()}


def view_for(session: Session, record: ConflictRecord, actor: Principal,
             contacts: Mapping[int, PartyContact] | None = None) -> dict[str, Any]:
    """The view the actor's role is entitled to (callers check visibility first)."""
    if actor.role == Role.LIAISON_OFFICER:
        return party_view(session, record, actor.state or "", contacts, viewer_id=actor.id)
    return summary_view(record)


def visible_conflicts(session: Session, *, actor: Principal, period_id: int,
                      status: str | None = None) -> list[ConflictRecord]:
    """Conflicts of a period the actor may see: NLOs their state's, co-chairs all."""
    query = select(ConflictRecord).where(ConflictRecord.period_id == period_id)
    if actor.role == Role.LIAISON_OFFICER:
        query = query.where(or_(ConflictRecord.state_a == actor.state,
                                ConflictRecord.state_b == actor.state))
    elif actor.role != Role.CO_CHAIR:
        return []
    if status:
        query = query.where(ConflictRecord.status == status)
    return list(session.scalars(query.order_by(ConflictRecord.id)))


def conflict_counts(session: Session, *, period_id: int) -> dict[str, Any]:
    """Counts by status and severity (what an analyst may see)."""
    records = session.scalars(select(ConflictRecord).where(
        ConflictRecord.period_id == period_id)).all()
    by_status: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    for record in records:
        by_status[record.status] = by_status.get(record.status, 0) + 1
        by_severity[record.severity] = by_severity.get(record.severity, 0) + 1
    return {"total": len(records), "by_status": by_status, "by_severity": by_severity}


def get_party_conflict(session: Session, *, actor: Principal, conflict_id: int,
                       for_update: bool = False) -> ConflictRecord:
    """A conflict the actor's state is party to; anything else is NotFound."""
    query = select(ConflictRecord).where(ConflictRecord.id == conflict_id)
    if for_update:
        query = query.with_for_update()
    if actor.role != Role.LIAISON_OFFICER:
        raise Forbidden("Only the parties' liaison officers act on a conflict.")
    record = session.scalar(query)
    if record is None or actor.state not in (record.state_a, record.state_b):
        raise NotFound("conflict")
    return record


def _party_acts(session: Session, actor: Principal,
                conflict_id: int) -> tuple[ConflictRecord, datetime]:
    """Lock a live conflict the actor's state is party to; acting on it acknowledges it."""
    record = get_party_conflict(session, actor=actor, conflict_id=conflict_id, for_update=True)
    if record.status in ("resolved", "cleared"):
        raise InvalidTransition(f"The conflict is already {record.status}.")
    now = utcnow()
    if actor.state == record.state_a and record.acknowledged_a is None:
        record.acknowledged_a = now
    if actor.state == record.state_b and record.acknowledged_b is None:
        record.acknowledged_b = now
    return record, now


def acknowledge(session: Session, *, actor: Principal, conflict_id: int) -> ConflictRecord:
    """A party acknowledges; when both sides have, the conflict is `acknowledged`."""
    record, now = _party_acts(session, actor, conflict_id)
    if record.acknowledged_a and record.acknowledged_b:
        record.status = "acknowledged"
    record.updated_at = now
    _event(session, record, "acknowledged", actor)
    audit.record(session, action="conflict.acknowledged", actor=actor, object_type="conflict",
                 object_id=record.id)
    return record


def _checked_note(note: str | None, *, required: bool) -> str | None:
    """The note trimmed; a missing one where it is required, or one too long, is refused."""
    text = (note or "").strip()
    if required and not text:
        raise ValidationFailed({"note": "Write a note: what the two of you agreed."})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationFailed({"note": f"Write at most {NOTE_MAX_LENGTH} characters."})
    return text or None


def resolve(session: Session, *, actor: Principal, conflict_id: int, resolution: str,
            note: str) -> ConflictRecord:
    """A party records how the pair will proceed (proceed, joint, delay, cancel) and why: the
    choice is explicit and the note required."""
    if resolution not in RESOLUTIONS:
        raise ValidationFailed({"resolution": "Choose how the two operations will proceed."})
    note = _checked_note(note, required=True) or ""
    record, now = _party_acts(session, actor, conflict_id)
    record.status, record.resolution, record.resolution_note = "resolved", resolution, note
    record.updated_at = now
    _event(session, record, "resolved", actor, note)
    audit.record(session, action="conflict.resolved", actor=actor, object_type="conflict",
                 object_id=record.id, details={"resolution": resolution})
    return record


def reopen(session: Session, *, actor: Principal, conflict_id: int,
           note: str | None = None) -> ConflictRecord:
    """Either party reopens a resolved conflict: it is `open` again, its resolution and the
    other side's acknowledgement forgotten (the escalation clock restarts, as for a conflict
    that grew); the actor's own side counts as acknowledged, since it acted."""
    text = _checked_note(note, required=False)
    record = get_party_conflict(session, actor=actor, conflict_id=conflict_id, for_update=True)
    if record.status != "resolved":
        raise InvalidTransition(f"Only a resolved conflict can be reopened; this one is "
                                f"{record.status}.")
    now = utcnow()
    record.status, record.resolution, record.resolution_note = "open", None, None
    record.acknowledged_a = now if actor.state == record.state_a else None
    record.acknowledged_b = now if actor.state == record.state_b else None
    record.updated_at = now
    _event(session, record, "reopened", actor, text)
    audit.record(session, action="conflict.reopened", actor=actor, object_type="conflict",
                 object_id=record.id)
    return record


def history(session: Session, record: ConflictRecord) -> list[ConflictEvent]:
    """Every status change of a conflict, oldest first."""
    return list(session.scalars(select(ConflictEvent).where(
        ConflictEvent.conflict_id == record.id).order_by(ConflictEvent.id)))


def _contacts_of(session: Session, op_ids: list[int]) -> dict[int, PartyContact]:
    connection = session.connection()
    return {row.op_id: PartyContact(*row) for row in connection.execute(
        _of(connection, _CONTACTS), {"ids": op_ids}).all()}


def contacts_for(session: Session, records: list[ConflictRecord],
                 known: Mapping[int, PartyContact] | None = None) -> dict[int, PartyContact]:
    """The contacts of every operation of `records`, by op_id: those `known` already, the
    others in one read."""
    known = known or {}
    wanted = {op_id for record in records for op_id in (record.op_a, record.op_b)}
    contacts = {op_id: known[op_id] for op_id in wanted if op_id in known}
    missing = sorted(wanted - contacts.keys())
    if missing:
        contacts.update(_contacts_of(session, missing))
    return contacts


def current_targets(session: Session, *, op_id: int) -> tuple[Target, ...]:
    """The blinded targets the register holds for an operation (kept across edits)."""
    return tuple(Target(*row) for row in session.execute(
        select(RegisterTarget.kind, RegisterTarget.blind, RegisterTarget.dob_blind,
               RegisterTarget.label)
        .where(RegisterTarget.op_id == op_id).order_by(RegisterTarget.position)))


def conflicts_of_operation(session: Session, *, op_id: int) -> list[ConflictRecord]:
    """Every conflict record (any status) an operation takes part in."""
    return list(session.scalars(select(ConflictRecord).where(
        or_(ConflictRecord.op_a == op_id, ConflictRecord.op_b == op_id))
        .order_by(ConflictRecord.id)))


def get_conflict(session: Session, *, actor: Principal, conflict_id: int) -> ConflictRecord:
    """One conflict the actor may see (a party's NLO or a co-chair of the period's states)."""
    record = session.get(ConflictRecord, conflict_id)
    if record is None:
        raise NotFound("conflict")
    if actor.role == Role.LIAISON_OFFICER and actor.state in (record.state_a, record.state_b):
        return record
    if actor.role == Role.CO_CHAIR:
        return record
    raise NotFound("conflict")


def conflicts_by_status_and_age(session: Session, *, period_id: int,
                                now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Counts per status and age band (since detection): what a dashboard may show anyone."""
    moment = now or utcnow()
    bands = (("under 24 h", timedelta(hours=24)), ("1 to 3 days", timedelta(days=3)),
             ("over 3 days", timedelta.max))
    result: dict[str, dict[str, int]] = {}
    for status, detected_at in session.execute(select(
            ConflictRecord.status, ConflictRecord.detected_at).where(
            ConflictRecord.period_id == period_id)):
        age = moment - detected_at
        band = next(name for name, limit in bands if age < limit)
        result.setdefault(status, {name: 0 for name, _ in bands})[band] += 1
    return result
