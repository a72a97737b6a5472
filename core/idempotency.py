"""Idempotency-Key: the same key and body again returns the first response, storing nothing.

The request is remembered by an HMAC-SHA256 of the endpoint and body under a key derived from
the server's secret (`secret_for`), so that no submitted value can be recovered from the table."""

from __future__ import annotations

import hashlib
import hmac
import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.errors import ValidationFailed

MAX_KEY_LENGTH = 255
_LOCK_NAMESPACE = 0x1DE0


def _key_hash(key: str) -> int:
    """A signed 32-bit number for the advisory lock of one key."""
    return zlib.crc32(key.encode()) - 2**31


class IdempotentResponse(Base):
    """The first response to a request sent with an Idempotency-Key, per user and key."""

    __tablename__ = "idempotent_responses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class Replay:
    """A stored first response."""

    status: int
    body: Any


def request_hash(endpoint: str, payload: Any, *, secret: bytes) -> str:
    """A stable digest of what was asked (the endpoint and the JSON body), keyed: a body may
    hold clear target values, and a plain hash of a phone number is brute-forced from the
    table in seconds, while an HMAC is not without the server's key."""
    material = json.dumps([endpoint, payload], sort_keys=True, separators=(",", ":"))
    return hmac.new(secret, material.encode(), hashlib.sha256).hexdigest()


def secret_for(server_secret: str) -> bytes:
    """The HMAC key of request digests, derived from the server's secret for this use only."""
    return hmac.new(server_secret.encode(), b"jpa idempotency request digest",
                    hashlib.sha256).digest()


def check_key(key: str) -> str:
    """A usable key, or a validation error naming the header."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed({"Idempotency-Key": f"give 1 to {MAX_KEY_LENGTH} characters"})
    return key


def find_replay(session: Session, *, user_id: int, key: str, endpoint: str,
                payload: Any, secret: bytes) -> Replay | None:
    """The first response for this key; another body under the same key is refused."""
    if session.get_bind().dialect.name == "postgresql":
        # Simultaneous retries queue here; the later ones then read the first one's answer.
        # (SQLite's BEGIN IMMEDIATE already serialises every writer.)
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, :k)"),
                        {"ns": _LOCK_NAMESPACE ^ user_id, "k": _key_hash(key)})
    stored = session.get(IdempotentResponse, (user_id, key))
    if stored is None:
        return None
    if not hmac.compare_digest(stored.request_hash,
                               request_hash(endpoint, payload, secret=secret)):
        raise ValidationFailed({"Idempotency-Key": "already used with a different request"})
    return Replay(stored.status, json.loads(stored.body))


def remember(session: Session, *, user_id: int, key: str, endpoint: str, payload: Any,
             status: int, body: Any, secret: bytes) -> None:
    """Store the first response under the key, in the same transaction as the write."""
    session.add(IdempotentResponse(user_id=user_id, key=key, endpoint=endpoint,
                                   request_hash=request_hash(endpoint, payload, secret=secret),
                                   status=status,
                                   body=json.dumps(body, sort_keys=True)))
