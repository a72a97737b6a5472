"""The audit trail: hash-chained, append-only in the database, tamper-evident, concurrency-safe."""

from __future__ import annotations

import itertools
import json
import threading
from datetime import UTC

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from core import audit
from core.audit import GENESIS_HASH, AuditEvent


def _append(database, count: int, prefix: str = "test.event") -> None:
    for index in range(count):
        with database.transaction() as session:
            audit.record(session, action=f"{prefix}.{index}", actor_username="tester",
                         object_type="thing", object_id=index, details={"n": index})


def _rows(database) -> list[AuditEvent]:
    with database.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def _verify(database) -> audit.ChainReport:
    with database.transaction(write=False) as session:
        return audit.verify_chain(session)


def test_rows_are_numbered_and_chained(database):
    _append(database, 5)
    rows = _rows(database)
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    assert len({row.hash for row in rows}) == 5
    assert all(len(row.hash) == 64 for row in rows)


def test_a_row_keeps_what_was_recorded(database, accounts):
    user = accounts.create("nlo.nzl", "liaison_officer", "NZL")
    token = audit.current_request_id.set("req-123")
    try:
        with database.transaction() as session:
            audit.record(session, action="operation.read", outcome="success", actor=user,
                         object_type="operation", object_id=42, details={"b": 2, "a": 1})
    finally:
        audit.current_request_id.reset(token)
    row = _rows(database)[-1]
    assert row.action == "operation.read"
    assert row.actor_id == user.id
    assert row.actor_username == "nlo.nzl"
    assert row.actor_state == "NZL"
    assert row.object_type == "operation"
    assert row.object_id == "42"
    assert row.outcome == "success"
    assert row.request_id == "req-123"
    assert json.loads(row.details) == {"a": 1, "b": 2}
    assert row.at.tzinfo == UTC


def test_verify_reports_an_intact_chain(database):
    _append(database, 4)
    report = _verify(database)
    assert report.problem is None
    assert report.first_bad_seq is None
    assert report.rows == 4


def test_verify_on_an_empty_trail(database):
    report = _verify(database)
    assert report.problem is None
    assert report.rows == 0


def test_a_rolled_back_transaction_leaves_no_row_and_no_gap(database):
    _append(database, 2)
    with pytest.raises(RuntimeError), database.transaction() as session:
        audit.record(session, action="doomed")
        raise RuntimeError("roll back")
    _append(database, 1, prefix="after")
    assert [row.seq for row in _rows(database)] == [1, 2, 3]
    assert "doomed" not in {row.action for row in _rows(database)}
    assert _verify(database).problem is None


def test_many_rows_in_one_transaction_and_a_rolled_back_savepoint_keep_the_chain(database):
    """The chain's head is followed in memory within a transaction; a savepoint that rolls back
    its rows must not leave that head pointing at a row that no longer exists."""
    _append(database, 2, prefix="before")
    with database.transaction() as session:
        for index in range(3):
            audit.record(session, action=f"outer.{index}", actor_username="tester")
        savepoint = session.begin_nested()
        audit.record(session, action="inner.dropped", actor_username="tester")
        savepoint.rollback()
        audit.record(session, action="outer.after", actor_username="tester")
        with session.begin_nested():
            audit.record(session, action="inner.kept", actor_username="tester")
        audit.record(session, action="outer.last", actor_username="tester")
    _append(database, 1, prefix="after")
    rows = _rows(database)
    assert [row.action for row in rows] == [
        "before.0", "before.1", "outer.0", "outer.1", "outer.2", "outer.after", "inner.kept",
        "outer.last", "after.0"]
    assert [row.seq for row in rows] == list(range(1, 10))
    assert _verify(database).problem is None


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'forged' WHERE seq = 2",
    "UPDATE audit_events SET outcome = 'success'",
    "DELETE FROM audit_events WHERE seq = 2",
    "DELETE FROM audit_events",
])
def test_the_database_refuses_to_change_audit_rows(database, statement):
    _append(database, 3)
    with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as connection:
        connection.execute(text(statement))
    rows = _rows(database)
    assert [row.seq for row in rows] == [1, 2, 3]
    assert rows[1].action == "test.event.1"
    assert _verify(database).problem is None


def test_the_orm_cannot_change_audit_rows_either(database):
    _append(database, 2)
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        row = session.get(AuditEvent, 1)
        assert row is not None
        row.action = "forged"
        session.flush()
    assert _rows(database)[0].action == "test.event.0"


def test_verify_names_an_altered_row(database, without_append_only_triggers):
    _append(database, 5)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'forged' WHERE seq = 3"))
    report = _verify(database)
    assert report.first_bad_seq == 3
    assert report.problem == "row 3 was altered"


def test_verify_names_a_row_whose_details_were_altered(database, without_append_only_triggers):
    _append(database, 3)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET details = '{}' WHERE seq = 2"))
    report = _verify(database)
    assert report.first_bad_seq == 2
    assert "row 2" in report.problem


def test_verify_names_a_row_rehashed_to_hide_an_edit(database, without_append_only_triggers):
    """Recomputing the altered row's own hash, even with the audit key, breaks the link to the
    next row."""
    _append(database, 4)
    with database.transaction() as session:
        row = session.get(AuditEvent, 2)
        assert row is not None
        row.action = "forged"
        row.hash = audit._digest({name: getattr(row, name) for name in audit._COLUMNS},
                                 audit.audit_key(session))
    report = _verify(database)
    assert report.first_bad_seq == 3
    assert report.problem == "row 3 does not follow row 2"


def test_verify_reports_a_deleted_middle_row_as_missing(database, without_append_only_triggers):
    _append(database, 5)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    report = _verify(database)
    assert report.first_bad_seq == 3
    assert report.problem == "row 3 is missing"


def test_verify_reports_a_deleted_first_row_as_missing(database, without_append_only_triggers):
    _append(database, 3)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 1"))
    report = _verify(database)
    assert report.first_bad_seq == 1
    assert report.problem == "row 1 is missing"


def test_a_deleted_last_row_cannot_be_seen_but_the_rest_verifies(
        database, without_append_only_triggers):
    _append(database, 3)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    assert _verify(database).problem is None
    assert _verify(database).rows == 2


@pytest.mark.parametrize("threads, each", [(8, 5)])
def test_concurrent_appends_keep_the_chain_valid(database, threads, each):
    _append(database, 1, prefix="before")
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            for index in range(each):
                with database.transaction() as session:
                    audit.record(session, action=f"thread.{number}.{index}",
                                 actor_username=f"worker{number}")
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in workers)
    assert errors == []

    rows = _rows(database)
    assert [row.seq for row in rows] == list(range(1, threads * each + 2))
    assert len({row.action for row in rows}) == threads * each + 1
    report = _verify(database)
    assert report.problem is None
    assert report.rows == threads * each + 1


def test_concurrent_transactions_with_several_rows_each(database):
    """A transaction appending several rows keeps them contiguous in the chain."""
    threads, rows_per_transaction = 6, 3
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            with database.transaction() as session:
                for index in range(rows_per_transaction):
                    audit.record(session, action=f"batch.{number}.{index}")
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    assert errors == []
    rows = _rows(database)
    assert len(rows) == threads * rows_per_transaction
    assert _verify(database).problem is None
    for start in range(0, len(rows), rows_per_transaction):
        batch = {row.action.split(".")[1] for row in rows[start:start + rows_per_transaction]}
        assert len(batch) == 1
