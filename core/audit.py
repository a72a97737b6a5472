"""The audit trail: one append-only, hash-chained row per security event.

Each row's hash is an HMAC-SHA256, keyed with the audit key (`JPA_AUDIT_KEY`, kept outside the
database), of its content and the previous row's hash: whoever holds only the database cannot
recompute a chain they changed. Rows written before the key existed carry plain SHA-256; they
verify only as a prefix of the chain, before its first keyed row and up to its first anchor.
Anchors (signed checkpoints of the head, kept outside the database) are in core.audit_anchor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from core.db import Base, UTCDateTime, insert_rows, utcnow

GENESIS_HASH = "0" * 64
# One constant key: every writer of the chain queues on the same PostgreSQL advisory lock.
_AUDIT_LOCK_KEY = 0x4A5041_0001
# Where a session keeps the chain's head for its current transaction (see _chain_head).
_HEAD = "jpa.audit_head"
# Where every session of the application finds the audit key (see use_key).
_KEY = "jpa.audit_key"
# Tells an anchor's signature apart from a row's HMAC made with the same key.
_ANCHOR_TAG = b"jpa-audit-anchor-v1\x00"

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


class AuditChainBroken(RuntimeError):
    """The chain (or its anchors) failed verification; nothing may be anchored on top of it."""


def use_key(session_factory: sessionmaker[Session], key: str) -> None:
    """Make every session of this factory key the audit rows it writes and verifies."""
    info = dict(session_factory.kw.get("info") or {})
    info[_KEY] = key.encode()
    session_factory.configure(info=info)


def audit_key(session: Session) -> bytes:
    """The audit key the session was made with; writing without one would weaken the chain."""
    key = session.info.get(_KEY)
    if not key:
        raise RuntimeError("this session has no audit key: make it through the application's "
                           "Database (create_app calls audit_anchor.init_app)")
    return key


def _digest(row: Mapping[str, Any], key: bytes | None) -> str:
    """The chain hash of a row: its content and the hash of the row before it, as an
    HMAC-SHA256 with the audit key (plain SHA-256 with None: rows from before the key)."""
    material = [row[name] for name in _COLUMNS]
    material[1] = row["at"].isoformat(timespec="microseconds")
    encoded = json.dumps(material, separators=(",", ":"), ensure_ascii=False).encode()
    if key is None:
        return hashlib.sha256(encoded).hexdigest()
    return hmac.new(key, encoded, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Anchor:
    """One checkpoint of the chain's head: row `seq` had `hash` at `at`, signed with the key.
    `line` is its line in the anchor file; `seq` is None for a line that is no checkpoint."""

    line: int
    seq: int | None
    hash: str = ""
    at: str = ""
    sig: str = ""

    def signed_by(self, key: bytes) -> bool:
        """Whether the signature is the audit key's (compared in constant time)."""
        if self.seq is None:
            return False
        expected = anchor_signature(key, self.seq, self.hash, self.at)
        return hmac.compare_digest(self.sig.encode(), expected.encode())


def anchor_signature(key: bytes, seq: int, row_hash: str, at: str) -> str:
    """The HMAC that signs a checkpoint of row `seq` with hash `row_hash` taken at `at`."""
    material = json.dumps([seq, row_hash, at], separators=(",", ":")).encode()
    return hmac.new(key, _ANCHOR_TAG + material, hashlib.sha256).hexdigest()


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


def _row(seq: int, prev_hash: str, key: bytes, *, action: str, outcome: str = "success",
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
    row["hash"] = _digest(row, key)
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
    key = audit_key(session)
    transaction, last_seq, last_hash = _chain_head(session)
    rows = []
    for fields in events:
        row = _row(last_seq + 1, last_hash, key, **fields)
        last_seq, last_hash = row["seq"], row["hash"]
        rows.append(row)
    # On the session's connection, not through the session: plain rows need no unit of work.
    insert_rows(session.connection(), AuditEvent.__table__, rows)
    session.info[_HEAD] = (transaction, last_seq, last_hash)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain: `problem` is None when it is intact.

    `legacy_rows` were hashed before the audit key existed (plain SHA-256); `anchors` is the
    number of checkpoints checked and `anchored_seq` the newest one's row: rows after it are
    protected by the key alone until the next checkpoint (a deleted tail there is not seen).
    """

    rows: int
    problem: str | None = None
    first_bad_seq: int | None = None
    legacy_rows: int = 0
    anchors: int = 0
    anchored_seq: int | None = None


def chain_head(session: Session) -> tuple[int, str] | None:
    """(seq, hash) of the newest row as this transaction sees it; None for an empty trail."""
    last = session.execute(_HEAD_QUERY).first()
    return (last.seq, last.hash) if last else None


def _where(anchor: Anchor) -> str:
    return (f"line {anchor.line} of the anchor file" if anchor.line
            else "the newest line of the anchor file")


def verify_chain(session: Session, *, anchors: Sequence[Anchor] | None = None,
                 since: Anchor | None = None, adopt_unkeyed: bool = False) -> ChainReport:
    """Walk the chain in order and report the first bad anchor, or altered, inserted or missing
    row: every hash must be the keyed HMAC (plain SHA-256 only for a prefix followed by a keyed
    row or a checkpoint, and never after the first keyed row or checkpoint), every anchored row
    must have its checkpoint's hash, and no checkpoint may name a row beyond the table's end
    (a deleted tail).

    With `since` (a checkpoint already trusted) only the rows from its row on are walked: what
    the anchoring job checks before it writes the next checkpoint. `adopt_unkeyed` accepts a
    chain of plain SHA-256 rows only (a deployment just upgraded), for its first checkpoint.
    """
    key = audit_key(session)
    checkpoints = list(anchors or ()) + ([since] if since is not None else [])
    for anchor in checkpoints:
        if anchor.seq is None:
            return ChainReport(0, f"anchor line {anchor.line} is not a checkpoint")
        if not anchor.signed_by(key):
            return ChainReport(0, f"anchor line {anchor.line} (row {anchor.seq}) has a bad "
                                  "signature", anchor.seq)
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in checkpoints:
        by_seq.setdefault(anchor.seq or 0, []).append(anchor)
    # A checkpoint is written with the key, so every row after the first one must be keyed.
    legacy_through = min(by_seq) if by_seq else None
    newest = max(by_seq) if by_seq else None
    report = _walk(session, key, by_seq, legacy_through, since)
    if (not report.problem and report.legacy_rows == report.rows > 0 and not by_seq
            and not adopt_unkeyed):
        # Anyone can compute plain SHA-256: such a prefix is trusted only once something
        # written with the key (a row or a checkpoint) follows it.
        return ChainReport(report.rows, f"row 1 was not written with the audit key (rows 1 to "
                                        f"{report.rows} carry plain SHA-256 and no keyed row or "
                                        "checkpoint follows them)", 1, report.legacy_rows)
    if report.problem or newest is None:
        return report
    head = chain_head(session)
    head_seq = head[0] if head else 0
    if newest > head_seq:
        return ChainReport(report.rows, f"rows {head_seq + 1} to {newest} are missing: the anchor "
                                        f"file's newest checkpoint is row {newest}, the table "
                                        f"ends at row {head_seq}", head_seq + 1,
                           report.legacy_rows, len(checkpoints), newest)
    return ChainReport(report.rows, None, None, report.legacy_rows, len(checkpoints), newest)


def _walk(session: Session, key: bytes, by_seq: Mapping[int, list[Anchor]],
          legacy_through: int | None, since: Anchor | None) -> ChainReport:
    """Check each row's link, hash and checkpoints, from row 1 (or `since`'s row) on."""
    expected_seq, expected_prev = (1, GENESIS_HASH) if since is None else (since.seq or 1, None)
    keyed_seen = False
    count = legacy = 0
    rows = session.execute(select(AuditEvent.__table__).where(AuditEvent.seq >= expected_seq)
                           .order_by(AuditEvent.seq))
    for event in rows.mappings().yield_per(1000):
        count += 1
        seq = event["seq"]
        if seq != expected_seq:
            return ChainReport(count, f"row {expected_seq} is missing", expected_seq)
        if expected_prev is not None and event["prev_hash"] != expected_prev:
            return ChainReport(count, f"row {seq} does not follow row {seq - 1}", seq)
        if hmac.compare_digest(_digest(event, key), event["hash"]):
            keyed_seen = True
        elif (not keyed_seen and (legacy_through is None or seq <= legacy_through)
              and _digest(event, None) == event["hash"]):
            legacy += 1
        else:
            return ChainReport(count, f"row {seq} was altered", seq)
        for anchor in by_seq.get(seq, ()):
            if not hmac.compare_digest(anchor.hash.encode(), event["hash"].encode()):
                return ChainReport(count, f"row {seq} does not match its anchor "
                                          f"({_where(anchor)})", seq)
        expected_prev = event["hash"]
        expected_seq += 1
    return ChainReport(count, legacy_rows=legacy)


def recent_events(session: Session, *, limit: int = 100) -> list[AuditEvent]:
    """The newest events first."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)))
