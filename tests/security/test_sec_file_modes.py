"""Defect 13: the SQLite database files are readable by their owner only (0600), whatever the
umask, and the instance folder holding them and the secrets is 0700."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from core.cli import upgrade_database
from core.db import Database
from core.scheduler import LeaderLock
from tests.conftest import make_settings

JPA = str(Path(sys.executable).with_name("jpa"))


def mode(path: Path) -> int:
    """The permission bits of a file."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common umask 022, under which files are created world-readable by default."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _write_once(database: Database) -> None:
    with database.transaction() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)"))
        session.execute(text("INSERT INTO probe VALUES (1)"))


def test_jpa_db_upgrade_creates_a_private_database_in_a_private_folder(tmp_path):
    instance = tmp_path / "fresh-instance"
    database = instance / "jpa.sqlite3"
    environment = {**os.environ, "JPA_INSTANCE_PATH": str(instance),
                   "JPA_DATABASE_URL": f"sqlite:///{database}"}

    result = subprocess.run([JPA, "db", "upgrade"], env=environment, capture_output=True,
                            text=True, timeout=120, check=False)

    assert result.returncode == 0, result.stderr[-2000:]
    assert mode(instance) == 0o700
    assert mode(database) == 0o600
    for secret in ("secret_key", "blinding_key"):
        assert mode(instance / secret) == 0o600


def test_the_database_its_log_and_its_locks_are_private(tmp_path):
    path = tmp_path / "app.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    app = create_app(make_settings(tmp_path, f"sqlite:///{path}"))
    database = app.extensions["jpa.db"]
    try:
        _write_once(database)
        leader = LeaderLock.for_app(app)
        assert leader.try_acquire()
        try:
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm"),
                     Path(f"{path}-writers.lock"), leader.lock_path]
            assert all(file.exists() for file in files), [f for f in files if not f.exists()]
            assert {str(file.name): oct(mode(file)) for file in files} == {
                str(file.name): oct(0o600) for file in files}
        finally:
            leader.release()
        assert mode(tmp_path / "instance") == 0o700
    finally:
        database.dispose()


def test_a_world_readable_database_from_before_is_made_private_when_opened(tmp_path):
    path = tmp_path / "old.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    path.chmod(0o644)

    database = Database(f"sqlite:///{path}")
    try:
        _write_once(database)
    finally:
        database.dispose()

    assert mode(path) == 0o600
