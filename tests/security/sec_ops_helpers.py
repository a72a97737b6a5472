"""Helpers of slice E's security tests (operations, conflicts, mail): the deconfliction tests'
period and people, built the same way, and direct reads and writes of the outbox.

Imported as `tests.security.sec_ops_helpers` (tests/ has no __init__.py; the name is unique)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select

from core.notify import OutboxMail
from tests.deconfliction.helpers import make_world, running_smtp

__all__ = ["make_world", "put_in_outbox", "running_smtp"]


def put_in_outbox(app: Flask, recipient: str, subject: str, *, created_at: datetime | None = None,
                  sent_at: datetime | None = None) -> int:
    """A mail row written straight into the outbox, as an older row would be; its id."""
    row = OutboxMail(recipient=recipient, subject=subject, body=f"body of {subject}",
                     attempts=0, sent_at=sent_at)
    if created_at is not None:
        row.created_at = created_at
    with app.extensions["jpa.db"].transaction() as session:
        session.add(row)
        session.flush()
        return row.id


def outbox(app: Flask) -> list[OutboxMail]:
    """Every outbox row, by id."""
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))
