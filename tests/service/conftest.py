"""Fixtures of the service tests: the database and identity policy of the test application,
and a way to take the audit table's append-only triggers away (and put them back)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from core.db import Database
from core.identity.services import IdentityPolicy, Principal
from tests.audit_tampering import append_only_triggers_dropped


@pytest.fixture
def database(app: Flask) -> Database:
    """The application's database (SQLite or PostgreSQL, by parameter)."""
    return app.extensions["jpa.db"]


@pytest.fixture
def policy(app: Flask) -> IdentityPolicy:
    """The identity policy built from the test settings (cheap argon2)."""
    return app.extensions["jpa.identity"]


@pytest.fixture
def without_append_only_triggers(database: Database) -> Iterator[None]:
    """Drop the triggers that refuse UPDATE and DELETE on audit_events, as an intruder with
    DDL rights would; the PostgreSQL database is shared by the run, so the trigger comes back."""
    with append_only_triggers_dropped(database):
        yield


@pytest.fixture
def admin(accounts) -> Principal:
    """An administrator as the services see one."""
    return Principal.of(accounts.create("svc.admin", "admin"), "test-credential")
