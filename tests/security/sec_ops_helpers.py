"""Helpers of slice E's security tests (operations, conflicts, mail): the deconfliction tests'
period and people, built the same way, and direct reads and writes of the outbox.

Imported as `tests.security.sec_ops_helpers` (tests/ has no __init__.py; the name is unique)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from core.notify import OutboxMail
from tests.deconfliction.helpers import (
    CO_CHAIRS,
    PEOPLE,
    PERIOD_END,
    PERIOD_START,
    STATES,
    MailSink,
    SmtpServer,
    World,
    free_port,
    post_period,
)


def make_world(app: Flask, accounts: Any) -> World:
    """The deconfliction tests' period (THA, MYS, NZL, LKA; NZL and LKA co-chair) and people."""
    users: dict[str, int] = {}
    for username, fields in PEOPLE.items():
        values = dict(fields)
        users[username] = accounts.create(username, values.pop("role"), values.pop("state", None),
                                          **values).id
    admin = accounts.api("admin")
    pid = post_period(admin, "Bali Process JPA 2031", PERIOD_START, PERIOD_END, STATES,
                      CO_CHAIRS)
    built = World(app, accounts, pid, users)
    built._clients["admin"] = admin
    return built


@contextmanager
def running_smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free local port, stopped afterwards."""
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, sink)
    finally:
        controller.stop()


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
