"""Fixtures of the deconfliction tests: a period with THA, MYS, NZL and LKA (NZL and LKA
co-chairing) and people of every role, and a real SMTP server (aiosmtpd) for the e-mail tests.
The helpers themselves live in `tests.deconfliction.helpers`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

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


@pytest.fixture
def world(app: Flask, accounts: Any) -> World:
    """A period (THA, MYS, NZL, LKA; NZL and LKA co-chair) with everyone in PEOPLE."""
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


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free local port, stopped cleanly afterwards."""
    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, sink)
    finally:
        controller.stop()
