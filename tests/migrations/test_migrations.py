"""Migrations on both backends: empty -> head matches the models, head -> base -> head works,
the audit table is append-only after an upgrade, and 0004 rebuilds the location index.

PostgreSQL runs in a database of its own (created empty here, dropped after) when
JPA_TEST_POSTGRES_URL is set; JPA_REQUIRE_POSTGRES=1 turns a missing server into a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import load_models
from core.cli import alembic_config, downgrade_database, upgrade_database
from core.db import make_engine
from deconfliction.matcher import (
    DEFAULT_BUFFER,
    Footprint,
    Site,
    place_keys,
    reasons_between,
    stored_place_keys,
)
from deconfliction.services import _candidates, full_rescan
from tests.postgres import throwaway_database

APPEND_ONLY = "audit_events is append-only"


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A brand-new, empty PostgreSQL database of this test, dropped afterwards."""
    with throwaway_database("jpa_migrations") as url:
        yield url


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


# ---------------------------------------------------------------- 0004: multi-level place keys

DAY = (date(2031, 3, 2) - date(1970, 1, 1)).days  # the UTC day bucket of 2 March 2031
# (op_id, live, starts_at, ends_at, (lat, lon, radius_m) or None): two airport gates 130 m
# apart and a 3 km area over them on 2 March (three pairs, across grid levels), a cancelled
# gate beside them, and a Sydney site weeks later.
REGISTER = [
    (1, True, "2031-03-02 08:00:00", "2031-03-02 20:00:00", (13.6811, 100.747, 100.0)),
    (2, True, "2031-03-02 10:00:00", "2031-03-02 12:00:00", (13.6811, 100.7482, 120.0)),
    (3, True, "2031-03-02 00:00:00", "2031-03-03 00:00:00", (13.70, 100.76, 3000.0)),
    (4, False, "2031-03-02 09:00:00", "2031-03-02 10:00:00", (13.6811, 100.747, 100.0)),
    (5, True, "2031-03-20 10:00:00", "2031-03-20 11:00:00", (-33.9461, 151.177, 200.0)),
]
# The single-level keys 'row:column:bucket' (0.2-degree cells, one-day buckets over the window
# plus the 2-hour buffer) that the code of 0002-0003 wrote for the live ones: worked out by
# hand, each site well inside one cell (op 3's window plus buffer reaches 3 March).
OLD_KEYS = {1: {f"518:1403:{DAY}"}, 2: {f"518:1403:{DAY}"},
            3: {f"518:1403:{DAY}", f"518:1403:{DAY + 1}"}, 5: {f"280:1655:{DAY + 18}"}}


def populate_register_at_0003(engine: Engine) -> None:
    """A period with the register above, written with plain SQL as revision 0003 knew it."""
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO periods (id, name, starts_at, ends_at, created_at) "
            "VALUES (1, 'JPA 2031', :start, :end, :start)"),
            {"start": "2031-03-01 00:00:00", "end": "2031-04-01 00:00:00"})
        for op_id, live, starts_at, ends_at, site in REGISTER:
            times = {"id": op_id, "starts": starts_at, "ends": ends_at, "live": live}
            connection.execute(text(
                "INSERT INTO operations (id, period_id, owner_state, title, type, lead_agency, "
                "starts_at, ends_at, cancelled, created_at, updated_at) VALUES (:id, 1, 'THA', "
                "'Operation', 'other', 'Police', :starts, :ends, :cancelled, :starts, :starts)"),
                {**times, "cancelled": not live})
            connection.execute(text(
                "INSERT INTO register_entries (op_id, period_id, state, starts_at, ends_at, "
                "live, contact_name) VALUES (:id, 1, 'THA', :starts, :ends, :live, 'NLO')"),
                times)
            lat, lon, radius_m = site
            connection.execute(text(
                "INSERT INTO register_sites (op_id, position, label, lat, lon, radius_m) "
                "VALUES (:id, 0, 'site', :lat, :lon, :radius_m)"),
                {"id": op_id, "lat": lat, "lon": lon, "radius_m": radius_m})
            for key in OLD_KEYS.get(op_id, ()):
                connection.execute(text(
                    "INSERT INTO register_place_keys (op_id, key, period_id) "
                    "VALUES (:id, :key, 1)"), {"id": op_id, "key": key})


def place_keys_by_op(engine: Engine) -> dict[int, set[str]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT op_id, key FROM register_place_keys")).all()
    found: dict[int, set[str]] = {}
    for op_id, key in rows:
        found.setdefault(op_id, set()).add(key)
    return found


def footprint_of(op_id: int) -> Footprint:
    _, _, starts_at, ends_at, (lat, lon, radius_m) = next(r for r in REGISTER if r[0] == op_id)
    return Footprint(op_id, datetime.fromisoformat(starts_at).replace(tzinfo=UTC),
                     datetime.fromisoformat(ends_at).replace(tzinfo=UTC),
                     (Site(lat, lon, radius_m),))


def test_0004_rebuilds_the_location_index_on_multiple_levels_and_back(engine, empty_url):
    upgrade_database(empty_url, "0003")
    populate_register_at_0003(engine)
    assert place_keys_by_op(engine) == OLD_KEYS
    # A new gate beside op 1, as the single-level index found its neighbours before 0004.
    probe = Footprint(99, datetime(2031, 3, 2, 9, tzinfo=UTC), datetime(2031, 3, 2, 10, tzinfo=UTC),
                      (Site(13.6812, 100.7471, 50.0),))
    with engine.connect() as connection:
        before = set(connection.execute(text(
            "SELECT DISTINCT op_id FROM register_place_keys WHERE key = :key"),
            {"key": f"518:1403:{DAY}"}).scalars())
    assert before == {1, 2, 3}

    upgrade_database(empty_url, "0004")
    assert current_revision(engine) == "0004"
    # Every live entry holds exactly the keys the application now stores; the cancelled none.
    assert place_keys_by_op(engine) == {op_id: stored_place_keys(footprint_of(op_id))
                                        for op_id in OLD_KEYS}
    assert all(key[0] in "oa" for keys in place_keys_by_op(engine).values() for key in keys)
    with Session(engine) as session:
        found = {fp.op_id for _, fp in _candidates(
            session, 1, probe, place_keys(probe, DEFAULT_BUFFER).probe)}
        assert found == {1, 2, 3}
        assert {op_id for op_id in found
                if reasons_between(probe, footprint_of(op_id), DEFAULT_BUFFER)} == {1, 2, 3}
        assert full_rescan(session, period_id=1) == {(1, 2), (1, 3), (2, 3)}

    downgrade_database(empty_url, "0003")
    assert current_revision(engine) == "0003"
    assert place_keys_by_op(engine) == OLD_KEYS
