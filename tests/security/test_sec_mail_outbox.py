"""Defect 8 (mail side): one bad message in the outbox never breaks delivery for everyone.
Each message is tried on its own; a bad one is marked failed with its error and given up
after `MAX_ATTEMPTS`; the others go out exactly once and the request that queued them
answers normally. Real SMTP (aiosmtpd) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest

from core import notify
from core.scheduler import run_pending
from tests.conftest import make_settings
from tests.deconfliction.helpers import KUALA_LUMPUR, at, iso, site
from tests.security.sec_ops_helpers import make_world, outbox, put_in_outbox, running_smtp

BAD_RECIPIENT = "a@b.org\r\nBcc: x@y.org"


class RefusingSink:
    """Keeps what it is given; refuses any recipient at refused.example."""

    def __init__(self) -> None:
        self.rcpt: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.endswith("@refused.example"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.rcpt.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free port."""
    with running_smtp() as server:
        yield server


@pytest.fixture
def settings(tmp_path, database_url, smtp_server):
    """Settings with SMTP pointed at the test server."""
    return make_settings(tmp_path, database_url, smtp_host=smtp_server.host,
                         smtp_port=smtp_server.port)


@pytest.fixture
def world(app, accounts):
    """The deconfliction tests' period and people."""
    return make_world(app, accounts)


def _deliver(app) -> int:
    settings = app.extensions["jpa.settings"]
    with app.extensions["jpa.db"].transaction() as session:
        return notify.deliver_pending(session, host=settings.smtp_host, port=settings.smtp_port,
                                      sender=settings.mail_from)


def test_one_bad_message_does_not_stop_the_batch_nor_resend_the_others(app, world,
                                                                         smtp_server):
    world.register("nlo.tha", locations=[site("Jetty", KUALA_LUMPUR)],
                   starts_at=iso(at(4)), ends_at=iso(at(4, 6)))
    # Rows queued before today's validation: a good one, then a bad one.
    good = put_in_outbox(app, "early@jpa.example", "queued earlier")
    bad = put_in_outbox(app, BAD_RECIPIENT, "header injection")
    # A conflicting pair queues mail for the other party and sends it after the commit.
    response = world.register_raw("nlo.mys", locations=[site("Jetty too", KUALA_LUMPUR)],
                                  starts_at=iso(at(4, 1)), ends_at=iso(at(4, 5)))
    assert response.status_code == 201, response.get_data(as_text=True)
    received = Counter(a for e in smtp_server.sink.envelopes for a in e.rcpt_tos)
    assert received["early@jpa.example"] == 1
    assert received["somchai.nlo@tha.example"] == 1 and received["aminah.nlo@mys.example"] == 0
    assert "x@y.org" not in received
    rows = {row.id: row for row in outbox(app)}
    assert rows[good].sent_at is not None
    assert rows[bad].sent_at is None and rows[bad].attempts == 1 and rows[bad].last_error
    assert all(row.sent_at is not None for row in rows.values() if row.id != bad)
    # Later passes (the scheduler's) send nothing twice.
    run_pending(app)
    _deliver(app)
    again = Counter(a for e in smtp_server.sink.envelopes for a in e.rcpt_tos)
    assert again == received


def test_a_bad_message_is_given_up_after_max_attempts_and_kept(app, smtp_server):
    bad = put_in_outbox(app, BAD_RECIPIENT, "header injection")
    for _ in range(notify.MAX_ATTEMPTS + 3):
        _deliver(app)
    put_in_outbox(app, "later@jpa.example", "after the bad one")
    assert _deliver(app) == 1
    rows = {row.id: row for row in outbox(app)}
    assert rows[bad].attempts == notify.MAX_ATTEMPTS and rows[bad].sent_at is None
    assert rows[bad].last_error
    assert [a for e in smtp_server.sink.envelopes for a in e.rcpt_tos] == ["later@jpa.example"]


def test_a_refused_recipient_fails_alone(app, database_url, tmp_path):
    sink = RefusingSink()
    from aiosmtpd.controller import Controller

    from tests.deconfliction.helpers import free_port

    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        put_in_outbox(app, "first@jpa.example", "one")
        refused = put_in_outbox(app, "nobody@refused.example", "two")
        put_in_outbox(app, "third@jpa.example", "three")
        with app.extensions["jpa.db"].transaction() as session:
            sent = notify.deliver_pending(session, host="127.0.0.1", port=controller.port,
                                          sender="jpa@jpa.example")
    finally:
        controller.stop()
    assert sent == 2
    assert sorted(sink.rcpt) == ["first@jpa.example", "third@jpa.example"]
    rows = {row.id: row for row in outbox(app)}
    assert rows[refused].sent_at is None and "550" in (rows[refused].last_error or "")
