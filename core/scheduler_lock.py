"""The scheduler's leader lock: a PostgreSQL advisory lock, or a flock on SQLite."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path
from typing import IO

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from core.db import Database
from core.settings import Settings

# The scheduler's logger, as before the lock moved here.
log = logging.getLogger("core.scheduler")

# How often a waiting copy asks for the leader lock again.
LOCK_POLL_SECONDS = 1.0
# The PostgreSQL advisory lock of the leader (one bigint key: "JPAS"); advisory locks are local
# to a database, so two deployments on one server do not exclude each other.
LEADER_LOCK_KEY = 0x4A504153


class LeaderLock:
    """Leadership of the scheduler: a PostgreSQL session advisory lock held on a dedicated
    connection for the life of the process, or an exclusive flock on a lock file for SQLite.
    Either is released by the operating system or the server when the process dies."""

    def __init__(self, database: Database, lock_path: Path) -> None:
        self.database = database
        self.lock_path = lock_path
        self._connection: Connection | None = None
        self._file: IO[str] | None = None

    @classmethod
    def for_app(cls, app: Flask) -> LeaderLock:
        """The lock of the application's database."""
        database: Database = app.extensions["jpa.db"]
        settings: Settings = app.extensions["jpa.settings"]
        return cls(database, lock_file_path(settings))

    @property
    def held(self) -> bool:
        """Whether this process holds the lock (as far as it knows)."""
        return self._connection is not None or self._file is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if self.held:
            return True
        if self.database.is_postgresql:
            return self._try_postgres()
        return self._try_file()

    def _try_postgres(self) -> bool:
        connection = self.database.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT")
        try:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                     {"key": LEADER_LOCK_KEY}).scalar()
        except Exception:
            connection.close()
            raise
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    def _try_file(self) -> bool:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        # 0600 like the database beside it; the mode of an existing lock file is tightened.
        descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(descriptor).st_mode & 0o077:
            os.fchmod(descriptor, 0o600)
        handle = os.fdopen(descriptor, "r+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def acquire(self, timeout: float | None = None, poll: float = LOCK_POLL_SECONDS) -> bool:
        """Wait until this process is the leader; False if `timeout` seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        told = False
        while not self.try_acquire():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            if not told:
                log.info("another scheduler is the leader; waiting for the lock")
                told = True
            pause = poll if deadline is None else min(poll, max(0.0, deadline - time.monotonic()))
            time.sleep(pause)
        return True

    def still_held(self) -> bool:
        """Whether the lock is still ours (a PostgreSQL lock dies with its connection)."""
        if self._file is not None:
            return True
        if self._connection is None:
            return False
        try:
            return bool(self._connection.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND classid = 0 AND objid::bigint = :key "
                "AND objsubid = 1"),
                {"key": LEADER_LOCK_KEY}).scalar())
        except Exception:  # a dead connection means the lock is gone
            log.exception("the leader lock's connection failed")
            return False

    def release(self) -> None:
        """Give the lock up (also done by the OS or the server when the process ends)."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                         {"key": LEADER_LOCK_KEY})
            except SQLAlchemyError:  # closing the connection releases it anyway
                log.warning("could not unlock explicitly; closing the connection")
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lock_file_path(settings: Settings) -> Path:
    """The SQLite leader lock: beside the database file (in the instance folder by default),
    so every process using that file shares one lock; the instance folder for :memory:."""
    database = make_url(settings.database_url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        return Path(database).resolve().with_name(Path(database).name + ".scheduler.lock")
    return Path(settings.instance_path) / "scheduler.lock"
