"""Fixtures of the page tests: a second browser, direct database access, HTML helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from core.audit import AuditEvent
from core.db import Database, utcnow
from core.identity.models import LoginSession, User
from operations.models import Period

PASSWORD = "correct horse battery staple"


@dataclass
class Store:
    """Reads and writes the test database behind the application's back."""

    database: Database

    def audit(self, action: str) -> list[AuditEvent]:
        """Every audit row with this action, oldest first."""
        with self.database.transaction(write=False) as session:
            return list(session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))

    def user(self, username: str) -> User:
        """A user as stored now."""
        with self.database.transaction(write=False) as session:
            user = session.scalar(select(User).where(User.username == username))
            assert user is not None, username
            return user

    def has_user(self, username: str) -> bool:
        """Whether an account of that name exists."""
        with self.database.transaction(write=False) as session:
            return session.scalar(select(User.id).where(User.username == username)) is not None

    def count(self, model: Any) -> int:
        """How many rows a table holds."""
        with self.database.transaction(write=False) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0

    def periods(self) -> list[Period]:
        """Every period, by id."""
        with self.database.transaction(write=False) as session:
            return list(session.scalars(select(Period).order_by(Period.id)))

    def login_sessions(self, username: str) -> list[LoginSession]:
        """The server-side sessions of a user."""
        user = self.user(username)
        with self.database.transaction(write=False) as session:
            return list(session.scalars(
                select(LoginSession).where(LoginSession.user_id == user.id)))

    def age_sessions(self, username: str, *, idle: timedelta | None = None,
                     age: timedelta | None = None) -> None:
        """Move a user's sessions into the past: last seen `idle` ago, created `age` ago."""
        user = self.user(username)
        values: dict[str, datetime] = {}
        now = utcnow()
        if idle is not None:
            values["last_seen_at"] = now - idle
        if age is not None:
            values["created_at"] = now - age
        with self.database.transaction() as session:
            session.execute(update(LoginSession).where(LoginSession.user_id == user.id)
                            .values(**values))

    def set_locked_until(self, username: str, moment: datetime | None) -> None:
        """Overwrite users.locked_until."""
        with self.database.transaction() as session:
            session.execute(update(User).where(User.username == username)
                            .values(locked_until=moment))


@pytest.fixture
def store(app: Flask) -> Store:
    """Direct access to the application's database."""
    return Store(app.extensions["jpa.db"])


@pytest.fixture
def browser(app: Flask, web: Any) -> Callable[[], Any]:
    """Open another browser: a new test client with its own cookie jar and login helper."""
    web_auth = type(web)

    def make() -> Any:
        return web_auth(app.test_client())

    return make


@pytest.fixture
def logged_in(accounts: Any, web: Any) -> Callable[..., Any]:
    """Create a user of a role and log the `web` client in as them."""

    def make(username: str, role: str, state: str | None = None, **fields: Any) -> User:
        user = accounts.create(username, role, state, **fields)
        response = web.login(username, PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return make


def field_block(html: str, field_id: str) -> str:
    """The `<div class="field ...">` that holds the input with this id (label, help, error)."""
    for match in re.finditer(r'<div class="field[^"]*">(.*?)</div>', html, re.DOTALL):
        if f'id="{field_id}"' in match.group(0):
            return match.group(0)
    raise AssertionError(f"no field {field_id!r} in the page")


@pytest.fixture
def field_of() -> Callable[[str, str], str]:
    """`field_of(html, id)`: the markup of one form field with its inline messages."""
    return field_block


def csrf_from(html: str) -> str:
    """The first CSRF token in a page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def csrf_of() -> Callable[[str], str]:
    """`csrf_of(html)`: the CSRF token of a rendered form."""
    return csrf_from
