"""The database: declarative base, engine made by the app factory, and transactions at the edge."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from flask import current_app, g
from sqlalchemy import (
    ARRAY,
    JSON,
    DateTime,
    MetaData,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "jpa_begin_immediate"
_NO_BEGIN = "jpa_no_begin"
_WRITER_FD = "jpa_writer_lock_fd"


class Base(DeclarativeBase):
    """Declarative base of every model; the naming convention keeps migrations stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, offset-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always read back offset-aware in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive values and store the UTC wall time."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes cannot be stored; give an offset")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to what the database returns."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class WriterQueue:
    """A lock file beside a SQLite database that writers queue on before BEGIN IMMEDIATE.

    SQLite's own busy handler waits for the write lock by sleeping 1, 2, 5, 10 ... 100 ms
    between tries: with a few processes writing, most of their time went to sleeping while the
    lock stood free. Here a waiter retries every half millisecond, so the lock passes on
    almost as soon as it is released. The lock is released when the connection goes back to
    the pool, which is after its transaction ended; SQLite's own lock still guards the data.
    """

    POLL_SECONDS = 0.0005

    def __init__(self, path: str, timeout_seconds: float) -> None:
        self.path = path
        self.timeout_seconds = timeout_seconds

    def acquire(self, info: dict[Any, Any]) -> None:
        """Take the lock for the pooled connection whose `info` this is (until `release`)."""
        if info.get(_WRITER_FD) is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise TimeoutError(f"no turn to write to the database in "
                                       f"{self.timeout_seconds:.0f} s") from None
                time.sleep(self.POLL_SECONDS)
        info[_WRITER_FD] = fd

    @staticmethod
    def release(info: dict[Any, Any]) -> None:
        """Give the lock back, if the pooled connection whose `info` this is holds it."""
        fd = info.pop(_WRITER_FD, None)
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the flock


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for write transactions (queued
    on a WriterQueue when the database is a file)."""
    database = engine.url.database
    queue = (WriterQueue(f"{database}-writers.lock", SQLITE_BUSY_TIMEOUT_MS / 1000)
             if database and database != ":memory:" and not database.startswith("file:")
             else None)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # Hand transaction control to SQLAlchemy's begin event below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get(_NO_BEGIN):  # Database.single_reads: each statement on its own
            return
        # A writer that starts deferred can fail with "database is locked" when it upgrades;
        # taking the write lock up front makes it wait its turn instead.
        if options.get(_IMMEDIATE):
            if queue is not None:
                queue.acquire(connection.connection.info)
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    if queue is not None:
        @event.listens_for(engine, "checkin")
        def _on_checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
            WriterQueue.release(record.info)

        @event.listens_for(engine, "close")
        def _on_close(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
            WriterQueue.release(record.info)


def _private_sqlite_file(database: str) -> None:
    """Create the database file 0600 before SQLite does (SQLite uses 0644 less the umask, and
    its -wal and -shm files copy the database file's mode); a file made before loses its
    group and world access, and so do its -wal and -shm.

    An existing file is changed with chmod only, never opened: closing a descriptor of a
    database file would drop the POSIX locks that this process's SQLite connections hold."""
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:  # it exists, or its folder does not (SQLite then says so itself)
        pass
    for path in (database, f"{database}-wal", f"{database}-shm"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except OSError:  # absent, or not ours to change: SQLite's access checks still apply
            continue


def make_engine(url: str) -> Engine:
    """Create the engine for a database URL (SQLite file or PostgreSQL through psycopg 3).

    Its errors never carry the statement's parameters (`hide_parameters`): they are the
    operational details (titles, contacts) that must not reach the error log."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            _private_sqlite_file(database)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        raise ValueError("PostgreSQL URLs must use psycopg 3: postgresql+psycopg://...")
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


ARRAY_INSERT_FROM = 10
_INSERTS: dict[tuple[Table, tuple[str, ...], str], Any] = {}


@dataclass(frozen=True)
class _DriverInsert:
    """An INSERT as the driver takes it: its text, and each column's bind processor."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def parameters(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """Each row as a tuple in parameter order, through the columns' bind processors."""
        names = self.names
        processors = list(zip(names, self.processors, strict=True))
        if not any(process for _, process in processors):
            return [tuple(row[name] for name in names) for row in rows]
        return [tuple(row[name] if process is None or row[name] is None
                      else process(row[name]) for name, process in processors)
                for row in rows]


def _insert_statement(connection: Connection, table: Table, names: tuple[str, ...],
                      as_arrays: bool) -> Any:
    """The statement of `insert_rows` for one table, columns and form, built once."""
    dialect = connection.dialect
    key = (table, names, "arrays" if as_arrays else dialect.name)
    statement = _INSERTS.get(key)
    if statement is not None:
        return statement
    if as_arrays:
        statement = table.insert().from_select(names, select(*(
            func.unnest(bindparam(name, type_=ARRAY(table.c[name].type))).label(name)
            for name in names)))
    elif dialect.name == "sqlite":
        compiled = table.insert().compile(dialect=dialect, column_keys=list(names))
        # qmark parameters, in the order of the compiled text (the columns' order).
        order = tuple(compiled.positiontup or ())
        statement = _DriverInsert(
            compiled.string, order,
            tuple(table.c[name].type._cached_bind_processor(dialect) for name in order))
    else:
        statement = table.insert()
    _INSERTS[key] = statement
    return statement


@cache
def _has_json(table: Table, names: tuple[str, ...]) -> bool:
    """Whether a JSON column is among `names`: an array of JSON values would be encoded twice."""
    return any(isinstance(table.c[name].type, JSON) for name in names)


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert plain rows (dicts with the same keys) in one statement, built once per table.

    On PostgreSQL, from `ARRAY_INSERT_FROM` rows on, they go as one array per column through
    `unnest`: one statement whose text is the same whatever the number of rows (psycopg
    prepares it once), where an executemany has the server run one INSERT per row. Measured on
    the development machine: 48 rows 2.1 → 1.2 ms; below about 10 rows the arrays cost more
    than they save. On SQLite the rows go to the driver's executemany as tuples, through the
    columns' own bind processors: SQLAlchemy's executemany built its parameters row by row,
    about 10 µs a row (the 48 place keys of a registration: 0.47 → 0.1 ms).
    """
    if not rows:
        return
    names = tuple(rows[0])
    as_arrays = (connection.dialect.name == "postgresql" and len(rows) >= ARRAY_INSERT_FROM
                 and not _has_json(table, names))
    statement = _insert_statement(connection, table, names, as_arrays)
    if as_arrays:
        connection.execute(statement, {name: [row[name] for row in rows] for name in names})
    elif isinstance(statement, _DriverInsert):
        connection.exec_driver_sql(statement.sql, statement.parameters(rows))
    else:
        connection.execute(statement, rows)


# Ids taken from the table's own sequence (serial or identity), as its default would.
_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                 "FROM generate_series(1, :count)")


def insert_rows_returning_ids(connection: Connection, table: Table,
                              rows: list[dict[str, Any]]) -> list[int]:
    """Insert plain rows (dicts with the same keys) and return their new `id`s in row order.

    On SQLite each row goes to the driver and its id is the cursor's lastrowid. On PostgreSQL
    the ids are drawn from the table's sequence first and the rows inserted with them
    (`insert_rows`): two statements whose text never changes, where SQLAlchemy's ordered
    INSERT ... RETURNING is new text for every number of rows, planned afresh each time
    (0.8 ms for a handful of conflict records). Either way, SQLAlchemy could not keep RETURNING
    rows in order without a sentinel column and ran one statement per row on SQLite.
    """
    if not rows:
        return []
    if connection.dialect.name == "sqlite":
        statement = _insert_statement(connection, table, tuple(rows[0]), False)
        return [connection.exec_driver_sql(statement.sql, parameters).lastrowid
                for parameters in statement.parameters(rows)]
    ids = list(connection.execute(_NEXT_IDS, {"table": table.name, "count": len(rows)})
               .scalars())
    insert_rows(connection, table, [{"id": new_id, **row} for new_id, row in zip(ids, rows,
                                                                                    strict=True)])
    return ids


class Database:
    """The engine and session factory of one application."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(
            self.engine, expire_on_commit=False, autobegin=False
        )

    @property
    def is_postgresql(self) -> bool:
        """Whether the backend is PostgreSQL."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(
        self, session: Session | None = None, *, write: bool = True
    ) -> Iterator[Session]:
        """Open one transaction: commit when the block succeeds, roll back when it raises."""
        owned = session is None
        active = session if session is not None else self.session_factory()
        try:
            with active.begin():
                if write:
                    active.connection(execution_options={_IMMEDIATE: True})
                yield active
        finally:
            if owned:
                active.close()

    @contextmanager
    def single_reads(self) -> Iterator[Connection]:
        """A connection whose statements each run on their own, with no BEGIN or COMMIT around
        them: for a lone read that shares no snapshot with another (the bearer token's check,
        on every API request, where the transaction's statements were a third of its cost)."""
        with self.engine.connect() as connection:
            if self.is_postgresql:
                connection.execution_options(isolation_level="AUTOCOMMIT")
            else:  # the driver is in autocommit already (see _configure_sqlite)
                connection.execution_options(**{_NO_BEGIN: True})
            yield connection

    def checkpoint(self) -> tuple[int, int] | None:
        """Copy what SQLite's write-ahead log holds into the database file, waiting for no
        one (PASSIVE); returns (frames in the log, frames copied), None on PostgreSQL.

        Run by the scheduler every few seconds (`jpa scheduler`), so that the copying and its
        fsync, which SQLite otherwise does in whichever commit finds 1,000 pages in the log,
        stay out of the requests (at 100,000 operations such a commit took up to 0.7 s)."""
        if self.engine.dialect.name != "sqlite":
            return None
        # The raw connection is in autocommit (see _configure_sqlite): a checkpoint cannot run
        # inside a transaction of its own connection.
        with closing(self.engine.raw_connection()) as connection, \
                closing(connection.cursor()) as cursor:
            _busy, log, copied = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return log, copied

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def get_database() -> Database:
    """The database of the current application."""
    return current_app.extensions["jpa.db"]


def request_session() -> Session:
    """The one session of the current request, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = get_database().session_factory()
    return g.db_session


@contextmanager
def transaction(*, write: bool = True) -> Iterator[Session]:
    """The edge's transaction: `with transaction() as session:` commits on success."""
    with get_database().transaction(request_session(), write=write) as session:
        yield session


def close_request_session(_exc: BaseException | None = None) -> None:
    """Teardown hook: close the request's session if one was opened."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
