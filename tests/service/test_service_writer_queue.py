"""SQLite writers queue on a lock file beside the database (core.db.WriterQueue): it is held
for exactly the write transactions, read transactions never take it, and a writer that never
gets its turn gives up after the timeout instead of hanging."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from core.db import Database, WriterQueue


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A SQLite file database with one table."""
    database = Database(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    with database.transaction() as session:
        session.execute(text("CREATE TABLE marks (who TEXT)"))
    yield database
    database.dispose()


def _lock_path(database: Database) -> str:
    return f"{database.engine.url.database}-writers.lock"


def _taken(path: str) -> bool:
    """Whether someone holds the lock file (tried from a descriptor of our own)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_the_lock_is_held_for_a_write_transaction_and_given_back_at_its_end(database):
    path = _lock_path(database)
    with database.transaction() as session:
        session.execute(text("INSERT INTO marks VALUES ('a')"))
        assert _taken(path)
    assert not _taken(path)


def test_a_read_transaction_does_not_take_the_lock(database):
    with database.transaction(write=False) as session:
        session.execute(text("SELECT count(*) FROM marks"))
        assert not _taken(_lock_path(database))


def test_a_failed_write_transaction_gives_the_lock_back(database):
    with pytest.raises(RuntimeError), database.transaction() as session:
        session.execute(text("INSERT INTO marks VALUES ('a')"))
        raise RuntimeError("the use case failed")
    assert not _taken(_lock_path(database))
    with database.transaction(write=False) as session:
        assert session.execute(text("SELECT count(*) FROM marks")).scalar() == 0


def test_a_second_writer_goes_in_turn_after_the_first_commits(database, tmp_path):
    other = Database(str(database.engine.url))  # another engine: as another worker would
    holding, order = threading.Event(), []

    def second() -> None:
        holding.wait()
        with other.transaction() as session:
            order.append("second begins")
            session.execute(text("INSERT INTO marks VALUES ('second')"))

    worker = threading.Thread(target=second)
    worker.start()
    try:
        with database.transaction() as session:
            session.execute(text("INSERT INTO marks VALUES ('first')"))
            holding.set()
            worker.join(timeout=0.2)  # the second writer is queued, not inside
            assert worker.is_alive()
            order.append("first commits")
        worker.join(timeout=10)
        assert order == ["first commits", "second begins"]
        with database.transaction(write=False) as session:
            rows = session.execute(text("SELECT who FROM marks ORDER BY rowid")).scalars()
            assert list(rows) == ["first", "second"]
    finally:
        worker.join(timeout=10)
        other.dispose()


def test_a_writer_that_gets_no_turn_gives_up_after_the_timeout(tmp_path):
    path = str(tmp_path / "db.sqlite3-writers.lock")
    holder = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        info: dict[str, int] = {}
        with pytest.raises(TimeoutError, match="no turn to write"):
            WriterQueue(path, timeout_seconds=0.05).acquire(info)
        assert info == {}  # nothing held, nothing to release
    finally:
        os.close(holder)
    info = {}
    queue = WriterQueue(path, timeout_seconds=0.05)
    queue.acquire(info)
    assert _taken(path)
    WriterQueue.release(info)
    assert not _taken(path)
