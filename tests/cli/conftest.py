"""Fixtures of the command-line tests: the in-process runner's database and, for the real
`jpa` executable, a fresh SQLite instance folder and an environment pointing at it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from core.db import Database
from tests.audit_tampering import append_only_triggers_dropped

JPA = Path(sys.prefix) / "bin" / "jpa"


@pytest.fixture
def database(app: Flask) -> Database:
    """The database the runner's application uses."""
    return app.extensions["jpa.db"]


@pytest.fixture
def without_append_only_triggers(database: Database) -> Iterator[None]:
    """Drop the audit table's append-only triggers; put PostgreSQL's back afterwards (its
    database is shared by the whole run)."""
    with append_only_triggers_dropped(database):
        yield


@dataclass
class Instance:
    """A deployment on SQLite in a temporary instance folder."""

    path: Path
    database_file: Path
    env: dict[str, str]


@pytest.fixture
def instance(tmp_path: Path) -> Instance:
    """An empty instance folder and the environment `jpa` reads its settings from."""
    folder = tmp_path / "instance"
    folder.mkdir()
    database_file = folder / "jpa.sqlite3"
    env = {name: value for name, value in os.environ.items() if not name.startswith("JPA_")}
    env.update({"JPA_DATABASE_URL": f"sqlite:///{database_file}",
                "JPA_INSTANCE_PATH": str(folder)})
    return Instance(folder, database_file, env)


@pytest.fixture
def jpa(instance: Instance) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed `jpa` executable against the instance."""
    assert JPA.exists(), f"{JPA} is not installed"

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(JPA), *args], input=stdin, capture_output=True, text=True,
                              env=instance.env, cwd=instance.path, timeout=180, check=False)

    return run
