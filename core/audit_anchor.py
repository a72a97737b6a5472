"""Anchors of the audit chain: signed checkpoints of its head, kept outside the database.

A checkpoint is one JSON line `{"seq", "hash", "at", "sig"}` (`sig`: an HMAC-SHA256 with the
audit key) appended to the anchor file (`JPA_AUDIT_ANCHOR_PATH`, mode 600, fsynced) and logged
on `jpa.audit.anchor`, so that a log shipper keeps a second copy. `jpa audit verify` checks the
rows against them: an anchored row must keep its hash and the table must reach the newest
checkpoint, which is how a rewritten chain or a deleted tail shows even to someone who can
rewrite the database. Checkpoints are written by the scheduler (job `core.audit_anchor`, each
pass in which the head moved) and by `jpa audit anchor`; each first verifies the rows since the
previous checkpoint, so a tampered chain is never anchored.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from core import audit
from core.audit import Anchor, AuditChainBroken
from core.db import utcnow
from core.scheduler import RunContext, Slot, register_job
from core.settings import Settings

ANCHOR_JOB = "core.audit_anchor"
# How much of the file's end is read to find the newest checkpoint (a line is ~200 bytes).
_TAIL_BYTES = 4096

anchor_log = logging.getLogger("jpa.audit.anchor")


def anchor_path(settings: Settings) -> Path:
    """Where the checkpoints go: `JPA_AUDIT_ANCHOR_PATH`, else the instance folder's file."""
    return settings.audit_anchor_path or settings.instance_path / "audit-anchors.jsonl"


def _parse(line: str, number: int) -> Anchor:
    """One line of the file as a checkpoint (seq None when it is none). What comes before the
    JSON object is skipped, so that lines copied from the log (time, level, logger) read too."""
    try:
        value: Any = json.loads(line[line.find("{"):] if "{" in line else line)
    except ValueError:
        return Anchor(number, None)
    if (not isinstance(value, dict) or set(value) != {"seq", "hash", "at", "sig"}
            or type(value["seq"]) is not int
            or not all(isinstance(value[name], str) and value[name].isascii()
                       for name in ("hash", "at", "sig"))):
        return Anchor(number, None)
    return Anchor(number, value["seq"], value["hash"], value["at"], value["sig"])


def read_anchors(path: Path) -> list[Anchor] | None:
    """Every checkpoint in the file, oldest first; None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    return [_parse(line, number) for number, line in enumerate(text.splitlines(), start=1)
            if line.strip()]


def newest_anchor(path: Path) -> Anchor | None:
    """The file's last checkpoint, read from its end (line number 0: not counted)."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - _TAIL_BYTES))
            tail = handle.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    lines = [line for line in tail.splitlines() if line.strip()]
    return _parse(lines[-1], 0) if lines else None


def checkpoint_line(anchor: Anchor) -> str:
    """A checkpoint as the one JSON line the file and the log hold."""
    return json.dumps({"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at,
                       "sig": anchor.sig}, separators=(",", ":"))


def _check(session: Session, last: Anchor | None) -> None:
    """Raise AuditChainBroken unless the rows since `last` (all rows: None) verify."""
    if last is not None and last.seq is None:
        raise AuditChainBroken("the anchor file's last line is not a checkpoint")
    report = audit.verify_chain(session, since=last, adopt_unkeyed=last is None)
    if report.problem:
        raise AuditChainBroken(report.problem)


def anchor_head(session: Session, path: Path) -> Anchor | None:
    """Checkpoint the chain's head, unless it is anchored already or the trail is empty.

    Verifies the rows since the newest checkpoint first (the whole chain if there is none) and
    raises AuditChainBroken rather than anchor a tampered or truncated chain. Writers queue on
    an exclusive lock of the file, so two of them never both append the same head.
    """
    key = audit.audit_key(session)
    if not path.exists():
        # The first checkpoint: the whole chain is checked before the file is even created.
        if audit.chain_head(session) is None:
            return None
        _check(session, None)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        last = newest_anchor(path)
        _check(session, last)
        head = audit.chain_head(session)
        if head is None or (last is not None and (last.seq, last.hash) == head):
            return None
        at = utcnow().isoformat(timespec="seconds")
        anchor = Anchor(0, head[0], head[1], at, audit.anchor_signature(key, head[0], head[1], at))
        line = checkpoint_line(anchor)
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)  # closing releases the lock
    anchor_log.info("%s", line)
    return anchor


def init_app(app: Flask) -> None:
    """Key the application's sessions with the audit key and register the anchoring job."""
    settings: Settings = app.extensions["jpa.settings"]
    audit.use_key(app.extensions["jpa.db"].session_factory, settings.audit_key)
    path = anchor_path(settings)

    def due(session: Session, now: datetime, since: datetime) -> list[Slot]:
        head = audit.chain_head(session)
        if head is None:
            return []
        last = newest_anchor(path)
        if last is not None and (last.seq, last.hash) == head:
            return []
        # Keyed by the head itself: one ledger row per checkpoint written (or refused).
        return [Slot(f"row-{head[0]}-{head[1][:16]}", now)]

    def run(session: Session, slot: Slot, context: RunContext) -> str:
        anchor = anchor_head(session, path)
        return f"anchored row {anchor.seq}" if anchor else "the head was anchored already"

    register_job(app, ANCHOR_JOB, due_slots=due, run=run,
                 description="checkpoint the audit chain's head in the anchor file and the log")
