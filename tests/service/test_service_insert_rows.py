"""core.db.insert_rows: every row arrives intact, on both databases and on both sides of the
PostgreSQL array threshold (NULLs, offset-aware times, floats and JSON included)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import JSON, Column, Float, Integer, MetaData, String, Table, select

from core.db import (
    ARRAY_INSERT_FROM,
    Database,
    UTCDateTime,
    insert_rows,
    insert_rows_returning_ids,
)

METADATA = MetaData()
SAMPLES = Table("insert_rows_samples", METADATA,
                Column("id", Integer, primary_key=True),
                Column("label", String(40)),
                Column("at", UTCDateTime()),
                Column("weight", Float),
                Column("tags", JSON))


@pytest.fixture
def samples(database: Database) -> Iterator[Table]:
    """The sample table, made for the test and dropped after it."""
    METADATA.create_all(database.engine)
    yield SAMPLES
    METADATA.drop_all(database.engine)


def _rows(count: int) -> list[dict[str, object]]:
    bangkok = timezone(timedelta(hours=7))
    return [{"label": None if i % 3 == 0 else f"row {i}",
             "at": datetime(2015, 9, 28, 9, 0, i, 250, tzinfo=bangkok),
             "weight": None if i % 4 == 0 else i / 8,
             "tags": [{"kind": "target", "n": i}] if i % 2 else []} for i in range(count)]


@pytest.mark.parametrize("count", [1, ARRAY_INSERT_FROM - 1, ARRAY_INSERT_FROM, 60])
def test_rows_arrive_as_given_in_order(database, samples, count):
    rows = _rows(count)
    with database.transaction() as session:
        insert_rows(session.connection(), samples, rows)
    with database.transaction(write=False) as session:
        stored = session.connection().execute(
            samples.select().order_by(samples.c.id)).mappings().all()
    assert [{key: row[key] for key in ("label", "at", "weight", "tags")}
            for row in stored] == rows
    assert all(row["at"].tzinfo == UTC for row in stored)


def test_no_rows_is_no_statement(database, samples):
    with database.transaction() as session:
        insert_rows(session.connection(), samples, [])
    with database.transaction(write=False) as session:
        assert session.connection().execute(samples.select()).first() is None


@pytest.mark.parametrize("count", [1, 3, 25])
def test_new_ids_come_back_in_the_order_of_the_rows(database, samples, count):
    with database.transaction() as session:
        insert_rows(session.connection(), samples, _rows(2))  # ids already taken
        rows = _rows(count)
        for number, row in enumerate(rows):
            row["label"] = f"returned {number}"
        ids = insert_rows_returning_ids(session.connection(), samples, rows)
    with database.transaction(write=False) as session:
        labels = dict(session.connection().execute(
            select(samples.c.id, samples.c.label).where(samples.c.id.in_(ids))).all())
    assert len(set(ids)) == count
    assert [labels[i] for i in ids] == [f"returned {n}" for n in range(count)]


def test_no_rows_returns_no_ids(database, samples):
    with database.transaction() as session:
        assert insert_rows_returning_ids(session.connection(), samples, []) == []
