"""The installed `jpa` executable end to end, on SQLite in a temporary instance folder, configured
only through JPA_DATABASE_URL and JPA_INSTANCE_PATH."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from operations.demo import DEMO_PASSWORD, DEMO_USERS

PASSWORD = "the first admin's long passphrase"


def _counts(database_file) -> tuple[int, int]:
    with closing(sqlite3.connect(database_file)) as connection:
        users = connection.execute("SELECT count(*) FROM users").fetchone()[0]
        periods = connection.execute("SELECT count(*) FROM periods").fetchone()[0]
    return users, periods


def _ok(result) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_jpa_executable_lifecycle(jpa, instance):
    assert "database at head" in _ok(jpa("db", "upgrade"))
    assert instance.database_file.exists()
    # Secrets were generated once into the instance folder, readable by the owner only.
    for secret in ("secret_key", "blinding_key"):
        path = instance.path / secret
        assert path.exists()
        assert path.stat().st_mode & 0o077 == 0

    first = _ok(jpa("demo"))
    counts = _counts(instance.database_file)
    assert counts == (len(DEMO_USERS), 1)
    second = _ok(jpa("demo"))
    assert _counts(instance.database_file) == counts
    assert f"{len(DEMO_USERS)} new users" in first
    assert "0 new users" in second
    for output in (first, second):
        assert "Demo logins" in output
        assert DEMO_PASSWORD in output
        for username, _role, _state, _name in DEMO_USERS:
            assert username in output

    created = _ok(jpa("users", "create", "ops.admin", "--role", "admin", "--password-stdin",
                      stdin=PASSWORD + "\n"))
    assert "created user ops.admin (admin)" in created
    assert PASSWORD not in created
    assert _counts(instance.database_file)[0] == len(DEMO_USERS) + 1

    assert "anchored row" in _ok(jpa("audit", "anchor"))
    intact = _ok(jpa("audit", "verify"))
    assert "audit chain intact" in intact

    # An intruder with write access to the file removes the guard and rewrites a row.
    with closing(sqlite3.connect(instance.database_file)) as connection:
        rows = connection.execute("SELECT count(*) FROM audit_events").fetchone()[0]
        assert rows > 3
        try:
            connection.execute("UPDATE audit_events SET action = 'forged' WHERE seq = 3")
        except sqlite3.DatabaseError as error:
            assert "append-only" in str(error)
        else:
            raise AssertionError("the append-only trigger did not fire")
        connection.execute("DROP TRIGGER audit_events_no_update")
        connection.execute("UPDATE audit_events SET action = 'forged' WHERE seq = 3")
        connection.commit()

    broken = jpa("audit", "verify")
    assert broken.returncode != 0
    assert "row 3" in broken.stderr
    assert "altered" in broken.stderr

    downgraded = _ok(jpa("db", "downgrade", "base"))
    assert "database at base" in downgraded
    with closing(sqlite3.connect(instance.database_file)) as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "users" not in tables
    assert "audit_events" not in tables

    assert "database at head" in _ok(jpa("db", "upgrade"))
    assert _counts(instance.database_file) == (0, 0)
    # The old trail's checkpoints name rows the new database never had: starting afresh is
    # the operator's decision, made by setting the old anchor file aside.
    assert "rows 1 to" in jpa("audit", "verify").stderr
    (instance.path / "audit-anchors.jsonl").rename(instance.path / "audit-anchors.old")
    assert "audit chain intact: 0 rows" in _ok(jpa("audit", "verify"))
    with closing(sqlite3.connect(instance.database_file)) as connection:
        triggers = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"audit_events_no_update", "audit_events_no_delete"} <= triggers


def test_users_create_with_a_bad_state_names_the_field(jpa, instance):
    _ok(jpa("db", "upgrade"))
    refused = jpa("users", "create", "nlo.bad", "--role", "liaison_officer", "--state", "ZZZ",
                  "--password-stdin", stdin=PASSWORD + "\n")
    assert refused.returncode != 0
    assert "error: state: unknown state code" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _counts(instance.database_file) == (0, 0)


def test_nothing_creates_the_schema_at_boot(jpa, instance):
    result = jpa("audit", "verify")
    assert result.returncode == 2
    assert "audit chain intact" not in result.stdout
    # What to do, not a traceback from the first missing table.
    assert "has no schema yet" in result.stderr
    assert "Run `jpa db upgrade` first." in result.stderr
    assert "Traceback" not in result.stderr
    if instance.database_file.exists():
        with closing(sqlite3.connect(instance.database_file)) as connection:
            tables = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        assert tables == []


def test_commands_refuse_a_database_behind_the_code(jpa, instance):
    _ok(jpa("db", "upgrade"))
    _ok(jpa("db", "downgrade", "0006"))
    result = jpa("demo")
    assert result.returncode == 2
    assert "is at revision 0006" in result.stderr
    assert "Run `jpa db upgrade` first." in result.stderr
    assert _counts(instance.database_file) == (0, 0)
    assert "database at head" in _ok(jpa("db", "upgrade"))
    assert f"{len(DEMO_USERS)} new users" in _ok(jpa("demo"))
