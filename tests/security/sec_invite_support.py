"""Support of the invitation tests (slice B, issue 11 defect 15): a real SMTP server
(aiosmtpd) wired into the application's settings, people of every role, and direct reads of
the database the way an auditor would make them.

Imported as `tests.security.sec_invite_support` (a unique name; the fixtures are imported by
the test modules that use them)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from core.audit import AuditEvent
from core.identity.models import User
from core.notify import Notification, OutboxMail
from core.settings import Settings
from tests.conftest import make_settings
from tests.deconfliction.helpers import SmtpServer, body_text

USERS = "/api/v1/users"
ACTIVATE = "/api/v1/auth/activate"
BASE_URL = "http://jpa.test"  # make_settings' base URL
NEW_PASSWORD = "  a passphrase the user chose  "  # leading/trailing spaces kept as typed
LINK = re.compile(r"http://jpa\.test/activate/([A-Za-z0-9_-]{20,})")
INVALID_LINK = "this link is invalid or has expired - ask your administrator for a new one"

# The people already there when an account is created: two NLOs of THA, one of MYS, two
# co-chairs and a disabled one, an analyst and the administrator.
PEOPLE: dict[str, dict[str, Any]] = {
    "nlo.tha": {"role": "liaison_officer", "state": "THA", "email": "somchai@tha.example"},
    "nlo2.tha": {"role": "liaison_officer", "state": "THA", "email": "malee@tha.example"},
    "nlo.mys": {"role": "liaison_officer", "state": "MYS", "email": "aminah@mys.example"},
    "chair.nzl": {"role": "co_chair", "state": "NZL", "email": "chair@nzl.example"},
    "chair.lka": {"role": "co_chair", "state": "LKA", "email": "chair@lka.example"},
    "chair.old": {"role": "co_chair", "state": "AUS", "email": "old@aus.example"},
    "analyst": {"role": "analyst", "email": "analyst@jpa.example"},
    "root.admin": {"role": "admin", "email": "root@jpa.example"},
}


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp_server: SmtpServer) -> Settings:
    """The test settings with SMTP pointing at the local aiosmtpd server."""
    return make_settings(tmp_path, database_url, smtp_host=smtp_server.host,
                         smtp_port=smtp_server.port)


def _check_envelope(response: Any, status: int, code: str | None = None,
                    fields: tuple[str, ...] = ()) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    if code is not None:
        assert error["code"] == code, error
    for name in fields:
        assert name in error["fields"], (name, error["fields"])
    return error


@pytest.fixture
def expect_error() -> Callable[..., dict[str, Any]]:
    """`expect_error(response, status, code=None, fields=())`: the JSON error envelope."""
    return _check_envelope


@dataclass
class Probe:
    """Reads rows straight from the database, outside any request."""

    app: Flask

    def _read(self, query: Any) -> list[Any]:
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return list(session.scalars(query))

    def audit(self, action: str | None = None) -> list[AuditEvent]:
        """Audit rows, oldest first, optionally of one action."""
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return self._read(query)

    def user(self, username: str) -> User:
        """A user row by name."""
        return self._read(select(User).where(User.username == username))[0]

    def has_user(self, username: str) -> bool:
        """Whether the account exists."""
        return bool(self._read(select(User.id).where(User.username == username)))

    def inbox(self, username: str) -> list[Notification]:
        """A user's in-app notifications, oldest first."""
        return self._read(select(Notification).join(User, User.id == Notification.user_id)
                          .where(User.username == username).order_by(Notification.id))

    def inbox_owners(self) -> set[str]:
        """Who has at least one in-app notification."""
        return set(self._read(select(User.username).join(
            Notification, Notification.user_id == User.id)))

    def outbox(self) -> list[OutboxMail]:
        """Every queued or sent e-mail."""
        return self._read(select(OutboxMail).order_by(OutboxMail.id))


@pytest.fixture
def probe(app: Flask) -> Probe:
    """Direct reads of the test database."""
    return Probe(app)


@pytest.fixture
def people(accounts: Any, probe: Probe) -> dict[str, int]:
    """Everyone in PEOPLE (chair.old disabled); returns their ids."""
    ids = {name: accounts.create(name, fields["role"], fields.get("state"),
                                 email=fields["email"]).id
           for name, fields in PEOPLE.items()}
    with accounts.app.extensions["jpa.db"].transaction() as session:
        session.get(User, ids["chair.old"]).disabled = True
    return ids


def mails_to(server: SmtpServer, address: str) -> list[str]:
    """The plain-text bodies of the messages the SMTP server received for `address`."""
    return [body_text(message) for message in server.sink.to(address)]


def link_token(server: SmtpServer, address: str) -> str:
    """The token of the newest activation link mailed to `address`."""
    tokens = [m.group(1) for body in mails_to(server, address) for m in LINK.finditer(body)]
    assert tokens, f"no activation link mailed to {address}"
    return tokens[-1]


def invite(api: Any, username: str = "new.nlo", **fields: Any) -> Any:
    """POST /api/v1/users for an NLO of THA (overridable), without a password."""
    body = {"username": username, "role": "liaison_officer", "state": "THA",
            "email": f"{username}@tha.example", **fields}
    return api.post(USERS, json={k: v for k, v in body.items() if v is not None})
