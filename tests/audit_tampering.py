"""Tampering with the audit table as an intruder with the database file (or DDL rights)
would: the append-only triggers dropped for the duration, then put back on PostgreSQL, whose
database is shared by the whole test run. Imported as `tests.audit_tampering`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from core.db import Database

RESTORE_POSTGRES_TRIGGER = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
)


@contextmanager
def append_only_triggers_dropped(database: Database) -> Iterator[None]:
    """Drop the triggers that refuse UPDATE and DELETE on audit_events; PostgreSQL's comes back
    afterwards (each SQLite test has a copy of its own)."""
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
