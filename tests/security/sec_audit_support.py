"""Helpers of the audit-chain security tests: append rows, tamper as an intruder with the
database file would (triggers dropped, hashes recomputed), read the anchor file."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from core import audit
from core.audit import AuditEvent
from core.db import Database
from tests.audit_tampering import append_only_triggers_dropped

# The fields of a row that its hash covers, in the order DESIGN.md's chain hashes them.
CHAINED = ("seq", "at", "actor_id", "actor_username", "actor_state", "action", "object_type",
           "object_id", "outcome", "request_id", "details", "prev_hash")


@pytest.fixture
def database(app: Flask) -> Database:
    """The application's database (SQLite or PostgreSQL, by parameter)."""
    return app.extensions["jpa.db"]


@pytest.fixture
def intruder(database: Database) -> Iterator[None]:
    """Drop the append-only triggers as someone with the database file (or DDL rights) would;
    PostgreSQL's database is shared by the run, so its trigger comes back afterwards."""
    with append_only_triggers_dropped(database):
        yield


def append(database: Database, count: int, prefix: str = "sec.event") -> None:
    """Append `count` events, one transaction each, as the services do."""
    for index in range(count):
        with database.transaction() as session:
            audit.record(session, action=f"{prefix}.{index}", actor_username="tester",
                         object_type="thing", object_id=index, details={"n": index})


def rows(database: Database) -> list[dict[str, Any]]:
    """Every audit row as a plain dict, in chain order."""
    with database.engine.connect() as connection:
        result = connection.execute(select(AuditEvent.__table__).order_by(AuditEvent.seq))
        return [dict(row) for row in result.mappings()]


def plain_sha256(row: dict[str, Any]) -> str:
    """The pre-upgrade hash: SHA-256 of the chained fields, computable by anyone."""
    return hashlib.sha256(_material(row)).hexdigest()


def hmac_with(key: bytes) -> Any:
    """A hash function keyed with `key` (the attacker's guess of the audit key)."""
    return lambda row: hmac.new(key, _material(row), hashlib.sha256).hexdigest()


def _material(row: dict[str, Any]) -> bytes:
    values = [row[name] for name in CHAINED]
    values[1] = row["at"].isoformat(timespec="microseconds")
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()


def rewrite(database: Database, seq: int, *, action: str, rehash: Any | None) -> None:
    """Change row `seq`'s action; with `rehash`, recompute its hash and every later row's
    link and hash with that function, as an intruder covering their tracks would."""
    chain = rows(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = :a WHERE seq = :s"),
                           {"a": action, "s": seq})
        if rehash is None:
            return
        previous = None
        for row in chain:
            if row["seq"] < seq:
                previous = row["hash"]
                continue
            if row["seq"] == seq:
                row["action"] = action
            if previous is not None:
                row["prev_hash"] = previous
            row["hash"] = rehash(row)
            connection.execute(text("UPDATE audit_events SET prev_hash = :p, hash = :h "
                                    "WHERE seq = :s"),
                               {"p": row["prev_hash"], "h": row["hash"], "s": row["seq"]})
            previous = row["hash"]


def delete_from(database: Database, seq: int) -> None:
    """Delete row `seq` and every row after it (the newest rows: a deleted tail)."""
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq >= :s"), {"s": seq})


def anchor_lines(path: Path) -> list[dict[str, Any]]:
    """The checkpoints in an anchor file, oldest first."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
