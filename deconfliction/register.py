"""The register's statements: storing footprints, candidate search and conflict events."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
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
from sqlalchemy.orm import Session

from core.db import insert_rows
from core.identity.services import Principal
from deconfliction.matcher import (
    Footprint,
    Reasons,
    Site,
    Target,
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
    # What happened to each record of `changed`, by record id: "detected", "reopened",
    # "reasons_changed" or "cleared" (the notices are worded by event).
    events: dict[int, str] = field(default_factory=dict)


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
           contact: Contact, stored_keys: tuple[str, ...], new: bool) -> None:
    """Write the footprint into the register under its `stored_keys` (`new`: the caller knows
    it has no entry yet)."""
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
    insert_rows(connection, RegisterPlaceKey.__table__, [
        {"op_id": footprint.op_id, "key": k, "period_id": period_id} for k in stored_keys])


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


def _candidates(session: Session, period_id: int, footprint: Footprint,
                probe_keys: tuple[str, ...],
                contacts: dict[int, PartyContact] | None = None) -> list[tuple[str, Footprint]]:
    """Live operations sharing an index key (a blinded target whose kind is the same and
    whose dates of birth do not differ, or a place key stored under one of the footprint's
    `probe_keys`, see matcher.place_keys), as (state, footprint) by op_id; their contacts go
    into `contacts`.

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
        "keys": list(probe_keys), "period_id": period_id}).scalars().all())
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


class PartyContact(NamedTuple):
    """Whom to call about an operation, as the register holds it."""

    op_id: int
    state: str
    name: str
    email: str | None
    phone: str | None
    user_id: int | None
