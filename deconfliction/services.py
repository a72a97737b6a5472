"""The register and conflicts: record an operation's footprint, find and reconcile conflicts.

Callers hand plain data (a `Footprint` with blinded targets, a `Contact`); this package never
sees an operation's model nor a clear target value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    delete,
    func,
    select,
)
from sqlalchemy.orm import Session, make_transient_to_detached

from core import audit
from core.db import insert_rows, insert_rows_returning_ids, utcnow
from core.identity.services import Principal
from deconfliction.conflicts import (  # noqa: F401 - re-exported
    _contacts_of,
    _party_acts,
    acknowledge,
    conflict_counts,
    conflicts_by_status_and_age,
    conflicts_of_operation,
    contacts_for,
    current_targets,
    get_conflict,
    get_party_conflict,
    history,
    party_view,
    reopen,
    resolve,
    summary_view,
    view_for,
    visible_conflicts,
)
from deconfliction.matcher import (
    DEFAULT_BUFFER,
    Footprint,
    PlaceKeys,
    Target,
    conflicting_pairs,
    place_keys,
    reasons_between,
)
from deconfliction.models import (
    ConflictEvent,
    ConflictRecord,
    RegisterEntry,
    RegisterPlaceKey,
    RegisterTarget,
)
from deconfliction.register import (  # noqa: F401 - re-exported
    _CONTACT_COLUMNS,
    _CONTACTS,
    _INSERT_ENTRY,
    _LIVE_WITH_SITES,
    _LOCK_NAMESPACE,
    _LOCK_PERIOD,
    _PERIOD_WITH_SITES,
    _RECORD_COLUMNS,
    _SHARING_A_BLIND,
    _THESE_WITH_SITES,
    _UNDER_PLACE_KEYS,
    RESOLUTIONS,
    CheckOutcome,
    Contact,
    PartyContact,
    _any_of_array,
    _candidates,
    _event,
    _existing,
    _footprints,
    _grew,
    _in_json_array,
    _of,
    _per_dialect,
    _reason_rows,
    _store,
    lock_period,
)


def record_and_check(session: Session, *, period_id: int, state: str, footprint: Footprint,
                     contact: Contact, event: Callable[[CheckOutcome], dict[str, Any]],
                     buffer: timedelta = DEFAULT_BUFFER, new: bool = False,
                     keys: PlaceKeys | None = None) -> CheckOutcome:
    """Store an operation's footprint and reconcile its conflicts, serialised per period.

    `event`: the caller's own audit event (`audit.record` fields) given the outcome; it is
    written with the "conflict.detected" events of the records created, in one insert.
    `new`: the operation was just created and is not in the register yet (a registration);
    otherwise it is re-checked after an edit.
    `keys`: the footprint's place keys if the caller computed them before the transaction
    (`matcher.place_keys`), so that the period's lock is not held while they are computed.
    """
    if keys is None or keys.buffer != buffer:
        keys = place_keys(footprint, buffer)
    lock_period(session, period_id)
    _store(session, period_id=period_id, state=state, footprint=footprint, contact=contact,
           stored_keys=keys.stored, new=new)
    outcome = CheckOutcome()
    # Conflict records are only made here, after _store: one new to the register has none.
    existing = {} if new else _existing(session, footprint.op_id)
    now = utcnow()
    found: set[int] = set()
    detected: list[ConflictRecord] = []
    candidate_contacts: dict[int, PartyContact] = {}
    for other_state, other in _candidates(session, period_id, footprint, keys.probe,
                                          candidate_contacts):
        reasons = reasons_between(footprint, other, buffer)
        if not reasons:
            continue
        found.add(other.op_id)
        a_is_first = footprint.op_id < other.op_id
        rows = _reason_rows(reasons, a_is_first)
        record = existing.get(other.op_id)
        if record is None:
            record = ConflictRecord(
                period_id=period_id,
                op_a=min(footprint.op_id, other.op_id), op_b=max(footprint.op_id, other.op_id),
                state_a=state if a_is_first else other_state,
                state_b=other_state if a_is_first else state,
                status="open", severity=reasons.severity, reasons=rows,
                acknowledged_a=None, acknowledged_b=None, resolution=None,
                resolution_note=None, detected_at=now, updated_at=now)
            detected.append(record)
            outcome.changed.append(record)
        elif (record.status == "cleared" or record.reasons != rows
              or record.severity != reasons.severity):
            # A cleared pair that meets again, or one that grew after a party acknowledged it or
            # it was resolved (what was settled was a smaller conflict), is opened afresh: no
            # acknowledgement, no resolution, and the escalation clock restarts (see
            # deconfliction.jobs). Otherwise only its reasons change.
            settled = record.status != "open" or record.acknowledged_a or record.acknowledged_b
            reopen = record.status == "cleared" or bool(settled and _grew(record.reasons, rows))
            if reopen:
                record.status = "open"
                record.acknowledged_a = record.acknowledged_b = None
                record.resolution = record.resolution_note = None
            record.reasons, record.severity, record.updated_at = rows, reasons.severity, now
            _event(session, record, "reopened" if reopen else "reasons_changed")
            outcome.changed.append(record)
            outcome.events[record.id] = "reopened" if reopen else "reasons_changed"
        outcome.current.append(record)
    if detected:
        _insert_records(session, detected)
        insert_rows(session.connection(), ConflictEvent.__table__, [
            {"conflict_id": record.id, "action": "detected", "status": record.status, "at": now}
            for record in detected])
        outcome.events.update({record.id: "detected" for record in detected})
    for other_id, record in existing.items():
        if other_id not in found and record.status != "cleared":
            _clear(session, record, now)
            outcome.changed.append(record)
            outcome.events[record.id] = "cleared"
    if found:
        outcome.contacts = {op_id: candidate_contacts[op_id] for op_id in found}
        outcome.contacts[footprint.op_id] = PartyContact(
            footprint.op_id, state, contact.name, contact.email, contact.phone,
            contact.user_id)
    audit.record_many(session, [event(outcome), *(
        {"action": "conflict.detected", "object_type": "conflict", "object_id": record.id,
         "actor_username": "deconfliction", "details": {"severity": record.severity}}
        for record in detected)])
    session.flush()
    return outcome


def _insert_records(session: Session, records: list[ConflictRecord]) -> None:
    """Insert new conflict records at once and hand them to the session as if loaded.

    A crowded period meets dozens of operations at once; the unit of work cost more per
    record than the insert (the same way as an operation's, see operations.services).
    Every column is given, so nothing is left for the session to load later."""
    ids = insert_rows_returning_ids(session.connection(), ConflictRecord.__table__, [
        {column.key: getattr(record, column.key) for column in _RECORD_COLUMNS}
        for record in records])
    for record, record_id in zip(records, ids, strict=True):
        record.id = record_id
        make_transient_to_detached(record)
        session.add(record)


def _clear(session: Session, record: ConflictRecord, now: datetime,
           actor: Principal | None = None, note: str | None = None) -> None:
    record.status, record.updated_at = "cleared", now
    _event(session, record, "cleared", actor, note)


def withdraw(session: Session, *, period_id: int, op_id: int, actor: Principal | None = None,
             reason: str | None = None) -> CheckOutcome:
    """An operation left the register (cancelled): its conflicts become cleared, with the
    canceller's `reason` in their history (a note only the two parties read)."""
    lock_period(session, period_id)
    entry = session.get(RegisterEntry, op_id)
    outcome = CheckOutcome()
    if entry is None:
        return outcome
    entry.live = False
    session.execute(delete(RegisterPlaceKey).where(RegisterPlaceKey.op_id == op_id))
    now = utcnow()
    for record in _existing(session, op_id).values():
        if record.status != "cleared":
            _clear(session, record, now, actor, reason)
            outcome.changed.append(record)
            outcome.events[record.id] = "cleared"
    session.flush()
    return outcome


def full_rescan(session: Session, *, period_id: int,
                buffer: timedelta = DEFAULT_BUFFER) -> set[tuple[int, int]]:
    """Every conflicting pair of the period recomputed from the register in one pass.

    The pairs of `Index.all_conflicts()` (see `matcher.conflicting_pairs`), from the live
    entries with their sites and only those targets whose key another target of the period
    shares: a target held by one operation alone can be no reason, and at 100,000 operations
    the half million others would dominate time and memory.
    """
    found: dict[int, tuple[str, Footprint]] = {}
    # In batches (fetchmany) rather than a row at a time: hundreds of thousands of rows.
    _footprints(session.connection().execute(_PERIOD_WITH_SITES, {"period_id": period_id})
                .yield_per(5000), found, {})
    footprints = {op_id: fp for op_id, (_, fp) in found.items()}
    shared = (select(RegisterTarget.kind, RegisterTarget.blind)
              .join(RegisterEntry, RegisterEntry.op_id == RegisterTarget.op_id)
              .where(RegisterTarget.period_id == period_id, RegisterEntry.live.is_(True))
              .group_by(RegisterTarget.kind, RegisterTarget.blind)
              .having(func.count(RegisterTarget.op_id.distinct()) > 1)).subquery()
    targets: dict[int, list[Target]] = defaultdict(list)
    for op_id, kind, blind, dob_blind, label in session.connection().execute(
            select(RegisterTarget.op_id, RegisterTarget.kind, RegisterTarget.blind,
                   RegisterTarget.dob_blind, RegisterTarget.label)
            .join(shared, (shared.c.kind == RegisterTarget.kind)
                  & (shared.c.blind == RegisterTarget.blind))
            .join(RegisterEntry, RegisterEntry.op_id == RegisterTarget.op_id)
            .where(RegisterTarget.period_id == period_id, RegisterEntry.live.is_(True))):
        targets[op_id].append(Target(kind, blind, dob_blind, label))
    for op_id, held in targets.items():
        footprints[op_id] = replace(footprints[op_id], targets=tuple(held))
    return conflicting_pairs(footprints.values(), buffer)
