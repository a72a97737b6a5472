"""The register and conflicts: record an operation's footprint, find and reconcile conflicts.

Callers hand plain data (a `Footprint` with blinded targets, a `Contact`); this package never
sees an operation's model nor a clear target value.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from itertools import groupby
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    JSON,
    and_,
    any_,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, make_transient_to_detached

from core import audit
from core.db import insert_rows, insert_rows_returning_ids, utcnow
from core.errors import Forbidden, InvalidTransition, NotFound
from core.identity.models import Role
from core.identity.services import Principal
from deconfliction.matcher import (
    DEFAULT_BUFFER,
    Footprint,
    Reasons,
    Site,
    Target,
    conflicting_pairs,
    probe_place_keys,
    reasons_between,
    stored_place_keys,
    targets_meet,
)
from deconfliction.models import (
    ConflictEvent,
    ConflictRecord,
    RegisterEntry,
    RegisterPlaceKey,
    RegisterSite,
    RegisterTarget,
)

# Two-key advisory locks: (namespace, period id) serialises check-and-insert per period.
_LOCK_NAMESPACE = 0x4A50
RESOLUTIONS = ("proceed", "joint", "delay", "cancel")


@dataclass(frozen=True)
class Contact:
    """Whom the other side should call about an operation."""

    name: str
    email: str | None
    phone: str | None
    user_id: int | None


@dataclass
class CheckOutcome:
    """What re-checking one operation changed: records created, reopened, updated, cleared."""

    current: list[ConflictRecord] = field(default_factory=list)
    changed: list[ConflictRecord] = field(default_factory=list)
    # Whom to call about the operations of `current`, as the check read them, so that the
    # notifications and views that follow need not read them again.
    contacts: dict[int, PartyContact] = field(default_factory=dict)


def lock_period(session: Session, period_id: int) -> None:
    """Serialise registrations of one period (PostgreSQL advisory lock; SQLite's
    BEGIN IMMEDIATE already holds the database's single write lock)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK_PERIOD, {"ns": _LOCK_NAMESPACE, "pid": period_id})


# Statements of the registration path, built once: they run on every registration, where
# building and executing them through the session cost more than the database's own work.
_INSERT_ENTRY = RegisterEntry.__table__.insert()
_LOCK_PERIOD = text("SELECT pg_advisory_xact_lock(:ns, :pid)")
_RECORD_COLUMNS = tuple(c for c in ConflictRecord.__table__.columns if c.key != "id")


def _store(session: Session, *, period_id: int, state: str, footprint: Footprint,
           contact: Contact, buffer: timedelta, new: bool) -> None:
    """Write the footprint into the register (`new`: the caller knows it has no entry yet)."""
    targets = [{"op_id": footprint.op_id, "period_id": period_id, "position": i,
                "kind": t.kind, "blind": t.blind, "dob_blind": t.dob_blind, "label": t.label}
               for i, t in enumerate(footprint.targets)]
    sites = [{"op_id": footprint.op_id, "position": i, "label": s.label, "lat": s.lat,
              "lon": s.lon, "radius_m": s.radius_m} for i, s in enumerate(footprint.sites)]
    entry = None if new else session.get(RegisterEntry, footprint.op_id)
    connection = session.connection()
    if entry is None:
        # Plain inserts, each list in one executemany, on the session's connection: no unit
        # of work is needed for rows nobody holds as objects.
        connection.execute(_INSERT_ENTRY, {
            "op_id": footprint.op_id, "period_id": period_id, "state": state,
            "starts_at": footprint.starts_at, "ends_at": footprint.ends_at, "live": True,
            "contact_name": contact.name, "contact_email": contact.email,
            "contact_phone": contact.phone, "contact_user_id": contact.user_id})
        insert_rows(connection, RegisterTarget.__table__, targets)
        insert_rows(connection, RegisterSite.__table__, sites)
    else:
        entry.state = state
        entry.starts_at, entry.ends_at = footprint.starts_at, footprint.ends_at
        entry.live = True
        entry.contact_name = contact.name
        entry.contact_email, entry.contact_phone = contact.email, contact.phone
        entry.contact_user_id = contact.user_id
        entry.targets = [RegisterTarget(**row) for row in targets]
        entry.sites = [RegisterSite(**row) for row in sites]
        session.execute(delete(RegisterPlaceKey).where(
            RegisterPlaceKey.op_id == footprint.op_id))
        session.flush()
    # Stored keys, not probe keys: the index is asymmetric (see deconfliction.matcher).
    keys = stored_place_keys(footprint, buffer)
    insert_rows(connection, RegisterPlaceKey.__table__, [
        {"op_id": footprint.op_id, "key": k, "period_id": period_id} for k in sorted(keys)])


def _in_json_array(column: Any, name: str) -> Any:
    return column.in_(select(func.json_each(bindparam(name, type_=JSON))
                             .table_valued("value").c.value))


def _any_of_array(column: Any, name: str) -> Any:
    return column == any_(bindparam(name, type_=ARRAY(column.type)))


def _per_dialect(build: Callable[[Any], Any]) -> Callable[[str], Any]:
    """A statement with a list parameter, built once per dialect (on first use, when foreign
    key columns know their types) with the list bound as one value, so that the statement's
    text is the same whatever the list's length: an array (`= ANY`) on PostgreSQL, which
    psycopg then prepares once; a JSON array read by `json_each` on SQLite, where an expanding
    IN cost SQLAlchemy 0.2 ms per call for the ~100 probe keys of a registration. Neither has a
    limit on the number of values."""

    @cache
    def statement(dialect: str) -> Any:
        return build(_any_of_array if dialect == "postgresql" else _in_json_array)

    return statement


def _of(connection: Any, statement: Callable[[str], Any]) -> Any:
    return statement(connection.dialect.name)


# A target row meets one of ours when it has our blind and its date of birth cannot differ:
# we gave none for that blind ("loose"), or we gave one ("dated") and it gives none or one of
# ours ("dobs"; the exact pairs are checked in Python). Decided by the database, on the index
# (blind, period_id, dob_blind), each branch of the OR a condition on the index alone: a common
# name is held by hundreds of people in a large period (one name in 500 per 100,000 operations
# in the benchmark), and reading each of their rows to compare dates cost more than the rest of
# a registration (PostgreSQL cannot filter a bitmap scan on the index's third column).
_SHARING_A_BLIND = _per_dialect(lambda one_of: (
    select(RegisterTarget.op_id, RegisterTarget.kind, RegisterTarget.blind,
           RegisterTarget.dob_blind, RegisterTarget.label)
    .join(RegisterEntry, RegisterEntry.op_id == RegisterTarget.op_id)
    .where(RegisterTarget.period_id == bindparam("period_id"),
           or_(one_of(RegisterTarget.blind, "loose"),
               and_(one_of(RegisterTarget.blind, "dated"), RegisterTarget.dob_blind.is_(None)),
               and_(one_of(RegisterTarget.blind, "dated"),
                    one_of(RegisterTarget.dob_blind, "dobs"))),
           RegisterEntry.live.is_(True))
    .order_by(RegisterTarget.op_id, RegisterTarget.position)))
_UNDER_PLACE_KEYS = _per_dialect(lambda one_of: (
    select(RegisterPlaceKey.op_id).distinct()
    .where(one_of(RegisterPlaceKey.key, "keys"),
           RegisterPlaceKey.period_id == bindparam("period_id"))))
_LIVE_WITH_SITES = (
    select(RegisterEntry.op_id, RegisterEntry.state, RegisterEntry.starts_at,
           RegisterEntry.ends_at, RegisterSite.lat, RegisterSite.lon, RegisterSite.radius_m,
           RegisterSite.label)
    .outerjoin(RegisterSite, RegisterSite.op_id == RegisterEntry.op_id)
    .where(RegisterEntry.live.is_(True))
    .order_by(RegisterEntry.op_id, RegisterSite.position))
# A register entry's contact, in the order of PartyContact's last four fields.
_CONTACT_COLUMNS = (RegisterEntry.contact_name, RegisterEntry.contact_email,
                    RegisterEntry.contact_phone, RegisterEntry.contact_user_id)
_THESE_WITH_SITES = _per_dialect(lambda one_of: _LIVE_WITH_SITES.add_columns(
    *_CONTACT_COLUMNS).where(one_of(RegisterEntry.op_id, "ids")))
_CONTACTS = _per_dialect(lambda one_of: select(
    RegisterEntry.op_id, RegisterEntry.state, *_CONTACT_COLUMNS,
).where(one_of(RegisterEntry.op_id, "ids")))
_PERIOD_WITH_SITES = _LIVE_WITH_SITES.where(RegisterEntry.period_id == bindparam("period_id"))


def _footprints(rows: Any, found: dict[int, tuple[str, Footprint]],
                held: dict[int, list[Target]]) -> None:
    """Add to `found` the footprints of rows of `_LIVE_WITH_SITES` (one row per site, by
    op_id), as (state, footprint), with the targets `held` for each. Plain rows, not ORM
    objects: a hot spot has hundreds of candidates, and hydrating entries cost more than the
    rest of a registration."""
    for (op_id, state, starts_at, ends_at), sites in groupby(
            rows, key=lambda row: (row.op_id, row.state, row.starts_at, row.ends_at)):
        found[op_id] = (state, Footprint(
            op_id, starts_at, ends_at,
            tuple(Site(row.lat, row.lon, row.radius_m, row.label) for row in sites
                  if row.lat is not None),
            tuple(held.get(op_id, ()))))


def _candidates(session: Session, period_id: int, footprint: Footprint, buffer: timedelta,
                contacts: dict[int, PartyContact] | None = None) -> list[tuple[str, Footprint]]:
    """Live operations sharing an index key (a blinded target whose kind is the same and
    whose dates of birth do not differ, or a place key stored under one of the footprint's
    probe keys), as (state, footprint) by op_id; their contacts go into `contacts`.

    A candidate comes only with the targets that meet one of the footprint's: no other can be
    a target reason (see matcher.targets_meet), and a common name is shared by many people.
    """
    connection = session.connection()
    ids: set[int] = set()
    held: dict[int, list[Target]] = defaultdict(list)
    if footprint.targets:
        for op_id, kind, blind, dob_blind, label in connection.execute(
                _of(connection, _SHARING_A_BLIND), {
                    "loose": sorted({t.blind for t in footprint.targets if t.dob_blind is None}),
                    "dated": sorted({t.blind for t in footprint.targets if t.dob_blind}),
                    "dobs": sorted({t.dob_blind for t in footprint.targets if t.dob_blind}),
                    "period_id": period_id}).all():
            theirs = Target(kind, blind, dob_blind, label)
            if op_id != footprint.op_id and any(
                    targets_meet(mine, theirs) for mine in footprint.targets):
                held[op_id].append(theirs)
    ids.update(held)
    ids.update(connection.execute(_of(connection, _UNDER_PLACE_KEYS), {
        "keys": sorted(probe_place_keys(footprint, buffer)), "period_id": period_id}
        ).scalars().all())
    ids.discard(footprint.op_id)
    if not ids:
        return []
    found: dict[int, tuple[str, Footprint]] = {}
    # Fetched at once (fetchall): row by row, the driver's fetchone cost 10 µs a row, and a
    # hot spot brings hundreds.
    rows = connection.execute(_of(connection, _THESE_WITH_SITES), {"ids": sorted(ids)}).all()
    _footprints(rows, found, held)
    if contacts is not None:
        # Read with the candidates rather than once the conflicts are known: a statement less
        # for each registration that meets an operation.
        for row in rows:
            contacts[row.op_id] = PartyContact(row.op_id, row.state,
                                               *row[-len(_CONTACT_COLUMNS):])
    return list(found.values())


def _reason_rows(reasons: Reasons, a_is_first: bool) -> list[dict[str, str]]:
    """Reasons as stored, from the side of op_a (the lower id)."""
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, ...]] = set()
    for mine, theirs in reasons.targets:
        first, second = (mine, theirs) if a_is_first else (theirs, mine)
        row = {"kind": "target", "target_kind": first.kind, "label_a": first.label,
               "label_b": second.label}
        if tuple(row.values()) not in seen:
            seen.add(tuple(row.values()))
            rows.append(row)
    for mine, theirs in reasons.sites:
        first, second = (mine, theirs) if a_is_first else (theirs, mine)
        row = {"kind": "location", "label_a": first.label, "label_b": second.label}
        if tuple(row.values()) not in seen:
            seen.add(tuple(row.values()))
            rows.append(row)
    return rows


def _grew(before: list[dict[str, str]], after: list[dict[str, str]]) -> bool:
    """Whether `after` has a reason `before` had not: one more shared target of some kind, or
    one more pair of sites that meet. Labels do not count: renaming is no new fact."""
    def substance(rows: list[dict[str, str]]) -> Counter[tuple[str, str]]:
        return Counter((row["kind"], row.get("target_kind", "")) for row in rows)

    return bool(substance(after) - substance(before))


def _event(session: Session, record: ConflictRecord, action: str,
           actor: Principal | None = None, note: str | None = None) -> None:
    session.add(ConflictEvent(conflict_id=record.id, action=action, status=record.status,
                              actor_id=actor.id if actor else None,
                              actor_state=actor.state if actor else None, note=note))


def _existing(session: Session, op_id: int) -> dict[int, ConflictRecord]:
    records = session.scalars(select(ConflictRecord).where(
        or_(ConflictRecord.op_a == op_id, ConflictRecord.op_b == op_id)))
    return {r.op_b if r.op_a == op_id else r.op_a: r for r in records}


def record_and_check(session: Session, *, period_id: int, state: str, footprint: Footprint,
                     contact: Contact, event: Callable[[CheckOutcome], dict[str, Any]],
                     buffer: timedelta = DEFAULT_BUFFER, new: bool = False) -> CheckOutcome:
    """Store an operation's footprint and reconcile its conflicts, serialised per period.

    `event`: the caller's own audit event (`audit.record` fields) given the outcome; it is
    written with the "conflict.detected" events of the records created, in one insert.
    `new`: the operation was just created and is not in the register yet (a registration);
    otherwise it is re-checked after an edit.
    """
    lock_period(session, period_id)
    _store(session, period_id=period_id, state=state, footprint=footprint, contact=contact,
           buffer=buffer, new=new)
    outcome = CheckOutcome()
    # Conflict records are only made here, after _store: one new to the register has none.
    existing = {} if new else _existing(session, footprint.op_id)
    now = utcnow()
    found: set[int] = set()
    detected: list[ConflictRecord] = []
    candidate_contacts: dict[int, PartyContact] = {}
    for other_state, other in _candidates(session, period_id, footprint, buffer,
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
        outcome.current.append(record)
    if detected:
        _insert_records(session, detected)
        insert_rows(session.connection(), ConflictEvent.__table__, [
            {"conflict_id": record.id, "action": "detected", "status": record.status, "at": now}
            for record in detected])
    for other_id, record in existing.items():
        if other_id not in found and record.status != "cleared":
            _clear(session, record, now)
            outcome.changed.append(record)
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


def _clear(session: Session, record: ConflictRecord, now: datetime) -> None:
    record.status, record.updated_at = "cleared", now
    _event(session, record, "cleared")


def withdraw(session: Session, *, period_id: int, op_id: int) -> CheckOutcome:
    """An operation left the register (cancelled): its conflicts become cleared."""
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
            _clear(session, record, now)
            outcome.changed.append(record)
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


# ---------------------------------------------------------------- views and workflow


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


def resolve(session: Session, *, actor: Principal, conflict_id: int, resolution: str,
            note: str) -> ConflictRecord:
    """A party records how the pair will proceed (proceed, joint, delay, cancel)."""
    record, now = _party_acts(session, actor, conflict_id)
    record.status, record.resolution, record.resolution_note = "resolved", resolution, note
    record.updated_at = now
    _event(session, record, "resolved", actor, note)
    audit.record(session, action="conflict.resolved", actor=actor, object_type="conflict",
                 object_id=record.id, details={"resolution": resolution})
    return record


def history(session: Session, record: ConflictRecord) -> list[ConflictEvent]:
    """Every status change of a conflict, oldest first."""
    return list(session.scalars(select(ConflictEvent).where(
        ConflictEvent.conflict_id == record.id).order_by(ConflictEvent.id)))


class PartyContact(NamedTuple):
    """Whom to call about an operation, as the register holds it."""

    op_id: int
    state: str
    name: str
    email: str | None
    phone: str | None
    user_id: int | None


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
