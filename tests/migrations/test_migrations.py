"""Migrations on both backends: empty -> head matches the models, head -> base -> head works,
and the audit table is append-only after an upgrade.

PostgreSQL runs in a database of its own (created empty here, dropped after) when
JPA_TEST_POSTGRES_URL is set; JPA_REQUIRE_POSTGRES=1 turns a missing server into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app import load_models
from core.cli import alembic_config, downgrade_database, upgrade_database
from core.db import make_engine

APPEND_ONLY = "audit_events is append-only"


def _required(variable: str) -> bool:
    return os.environ.get(variable, "") not in ("", "0", "false")


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A brand-new, empty PostgreSQL database of this test, dropped afterwards."""
    server = os.environ.get("JPA_TEST_POSTGRES_URL")
    if not server:
        if _required("JPA_REQUIRE_POSTGRES"):
            pytest.fail("JPA_REQUIRE_POSTGRES=1 but JPA_TEST_POSTGRES_URL is not set")
        pytest.skip("JPA_TEST_POSTGRES_URL not set")
    name = f"jpa_migrations_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database (no tables at all) on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    return request.getfixturevalue("empty_postgres_url")


@pytest.fixture
def engine(empty_url: str) -> Iterator[Engine]:
    """The application's own engine for that database."""
    made = make_engine(empty_url)
    yield made
    made.dispose()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), load_models())


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def audit_triggers(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            query = ("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                     "AND tgrelid = 'audit_events'::regclass")
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        return set(connection.execute(text(query)).scalars())


def insert_audit_row(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_events (seq, at, action, outcome, details, prev_hash, hash) "
            "VALUES (1, :at, 'test.event', 'success', '{}', :zero, :zero)"),
            {"at": "2015-09-28 00:00:00", "zero": "0" * 64})


def test_upgrade_from_empty_matches_the_models(engine, empty_url):
    assert tables(engine) == set()
    upgrade_database(empty_url)
    assert current_revision(engine) == head_revision()
    assert set(load_models().tables) <= tables(engine)
    assert schema_differences(engine) == []


def test_downgrade_to_base_and_upgrade_again(engine, empty_url):
    upgrade_database(empty_url)
    insert_audit_row(engine)  # a populated audit table must not block the downgrade

    downgrade_database(empty_url, "base")
    assert tables(engine) == {"alembic_version"}
    assert current_revision(engine) is None
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            leftovers = connection.execute(text(
                "SELECT proname FROM pg_proc WHERE proname = 'audit_events_append_only'"))
        else:
            leftovers = connection.execute(text(
                "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index', 'view') "
                "AND name NOT LIKE 'sqlite_autoindex_alembic_version%'"))
        assert leftovers.scalars().all() == []

    upgrade_database(empty_url)
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    assert audit_triggers(engine)


def test_audit_events_are_append_only_after_upgrade(engine, empty_url):
    upgrade_database(empty_url)
    assert audit_triggers(engine)
    insert_audit_row(engine)

    with pytest.raises(DBAPIError, match=APPEND_ONLY), engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'tampered' WHERE seq = 1"))
    with pytest.raises(DBAPIError, match=APPEND_ONLY), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 1"))

    with engine.connect() as connection:
        row = connection.execute(text("SELECT action FROM audit_events")).scalars().all()
    assert row == ["test.event"]
