"""The audit trail: one append-only, hash-chained row per security event."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UTCDateTime, insert_rows, utcnow

GENESIS_HASH = "0" * 64
# One constant key: every writer of the chain queues on the same PostgreSQL advisory lock.
_AUDIT_LOCK_KEY = 0x4A5041_0001
# Where a session keeps the chain's head for its current transaction (see _chain_head).
_HEAD = "jpa.audit_head"

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


class Actor(Protocol):
    """Who did it: anything with these attributes (a principal, a user)."""

    id: int
    username: str
    state: str | None


class AuditEvent(Base):
    """One security event. Rows are never updated or deleted (a trigger enforces it)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_username: Mapped[str | None] = mapped_column(String(150))
    actor_state: Mapped[str | None] = mapped_column(String(3))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


_COLUMNS = ("seq", "at", "actor_id", "actor_username", "actor_state", "action", "object_type",
            "object_id", "outcome", "request_id", "details", "prev_hash")
# Built once: these run in every write transaction.
_HEAD_QUERY = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _digest(row: Mapping[str, Any]) -> str:
    """The chain hash of a row: its content and the hash of the row before it."""
    material = [row[name] for name in _COLUMNS]
    material[1] = row["at"].isoformat(timespec="microseconds")
    encoded = json.dumps(material, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def _chain_head(session: Session) -> tuple[Any, int, str]:
    """(transaction, seq, hash) of the chain's last row, as this transaction sees it.

    The head is read (under the lock) once per transaction and then followed in memory:
    nobody else can append while the lock (or SQLite's write lock) is held. It is kept against
    the innermost transaction, so a rolled-back savepoint never leaves a stale head behind.
    """
    transaction = session.get_nested_transaction() or session.get_transaction()
    head = session.info.get(_HEAD)
    if head is not None and head[0] is transaction:
        return head
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK, {"key": _AUDIT_LOCK_KEY})
    last = connection.execute(_HEAD_QUERY).first()
    return (transaction, last.seq, last.hash) if last else (transaction, 0, GENESIS_HASH)


def _row(seq: int, prev_hash: str, *, action: str, outcome: str = "success",
         actor: Actor | None = None, actor_username: str | None = None,
         object_type: str | None = None, object_id: str | int | None = None,
         details: dict[str, Any] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "seq": seq,
        # Microsecond precision survives both backends, so the hash recomputes exactly.
        "at": utcnow(),
        "actor_id": actor.id if actor else None,
        "actor_username": actor.username if actor else actor_username,
        "actor_state": actor.state if actor else None,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "outcome": outcome,
        "request_id": current_request_id.get(),
        "details": json.dumps(details or {}, sort_keys=True, separators=(",", ":")),
        "prev_hash": prev_hash,
    }
    row["hash"] = _digest(row)
    return row


def record(
    session: Session,
    *,
    action: str,
    outcome: str = "success",
    actor: Actor | None = None,
    actor_username: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event to the chain inside the caller's transaction."""
    record_many(session, [{"action": action, "outcome": outcome, "actor": actor,
                           "actor_username": actor_username, "object_type": object_type,
                           "object_id": object_id, "details": details}])


def record_many(session: Session, events: list[dict[str, Any]]) -> None:
    """Append several events (each the keyword arguments of `record`) in one insert."""
    if not events:
        return
    transaction, last_seq, last_hash = _chain_head(session)
    rows = []
    for fields in events:
        row = _row(last_seq + 1, last_hash, **fields)
        last_seq, last_hash = row["seq"], row["hash"]
        rows.append(row)
    # On the session's connection, not through the session: plain rows need no unit of work.
    insert_rows(session.connection(), AuditEvent.__table__, rows)
    session.info[_HEAD] = (transaction, last_seq, last_hash)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain: `problem` is None when it is intact."""

    rows: int
    problem: str | None = None
    first_bad_seq: int | None = None


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in order and report the first altered, inserted or missing row."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditEvent.__table__).order_by(AuditEvent.seq))
    for event in rows.mappings().yield_per(1000):
        count += 1
        seq = event["seq"]
        if seq != expected_seq:
            return ChainReport(count, f"row {expected_seq} is missing", expected_seq)
        if event["prev_hash"] != expected_prev:
            return ChainReport(count, f"row {seq} does not follow row {seq - 1}", seq)
        if _digest(event) != event["hash"]:
            return ChainReport(count, f"row {seq} was altered", seq)
        expected_prev = event["hash"]
        expected_seq += 1
    return ChainReport(count)


def recent_events(session: Session, *, limit: int = 100) -> list[AuditEvent]:
    """The newest events first."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)))
