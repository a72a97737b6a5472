"""Fixtures of the service tests: the database and identity policy of the test application,
and a way to take the audit table's append-only triggers away (and put them back)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text

from core.db import Database
from core.identity.services import IdentityPolicy, Principal

RESTORE_POSTGRES_TRIGGER = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
)


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
    with database.engine.begin() as connection:
        if database.is_postgresql:
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
    try:
        yield
    finally:
        if database.is_postgresql:
            with database.engine.begin() as connection:
                connection.execute(text(RESTORE_POSTGRES_TRIGGER))


@pytest.fixture
def admin(accounts) -> Principal:
    """An administrator as the services see one."""
    return Principal.of(accounts.create("svc.admin", "admin"), "test-credential")
