"""The `jpa` commands through Flask's CLI runner, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from core.audit import AuditEvent
from core.identity.models import User
from operations.demo import DEMO_PASSWORD, DEMO_PERIOD_NAME, DEMO_USERS
from operations.models import Period

PASSWORD = "a long enough password 1"


def _count(database, model) -> int:
    with database.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _user(database, username: str) -> User | None:
    with database.transaction(write=False) as session:
        return session.scalar(select(User).where(User.username == username))


def _audit(database, action: str) -> list[AuditEvent]:
    with database.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# ---------------------------------------------------------------- users create


def test_users_create_reads_the_password_from_stdin(runner, database, accounts):
    result = runner.invoke(args=["users", "create", "first.admin", "--role", "admin",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = _user(database, "first.admin")
    assert user is not None
    assert f"created user first.admin (admin) with id {user.id}" in result.stdout
    assert user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in result.output
    [event] = _audit(database, "user.created")
    assert event.actor_username == "cli"
    # The password read from stdin is the one that works.
    assert accounts.token("first.admin", PASSWORD)


def test_users_create_with_state_and_contact_details(runner, database):
    result = runner.invoke(args=[
        "users", "create", "nlo.mys", "--role", "liaison_officer", "--state", "MYS",
        "--email", "nlo@example.org", "--full-name", "Aisyah Rahman", "--phone", "+60 3 1234",
        "--password-stdin"], input=PASSWORD + "\r\n")
    assert result.exit_code == 0, result.output
    user = _user(database, "nlo.mys")
    assert user is not None
    assert (user.state, user.email, user.full_name, user.phone, user.time_zone) == (
        "MYS", "nlo@example.org", "Aisyah Rahman", "+60 3 1234", "Asia/Kuala_Lumpur")


def test_users_create_prompts_for_the_password_twice(runner, database):
    result = runner.invoke(args=["users", "create", "analyst", "--role", "analyst"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert _user(database, "analyst") is not None


@pytest.mark.parametrize("args, field, message", [
    (["--role", "liaison_officer", "--state", "ZZZ"], "state", "unknown state code"),
    (["--role", "co_chair"], "state", "required for the role co_chair"),
    (["--role", "analyst", "--time-zone", "Mars/Base"], "time_zone", "unknown time zone"),
])
def test_users_create_names_the_bad_field(runner, database, args, field, message):
    result = runner.invoke(args=["users", "create", "bad.user", *args, "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert f"error: {field}: " in result.stderr
    assert message in result.stderr
    assert "created user" not in result.stdout
    assert _count(database, User) == 0
    assert _count(database, AuditEvent) == 0


def test_users_create_refuses_a_short_password(runner, database):
    result = runner.invoke(args=["users", "create", "someone", "--role", "admin",
                                 "--password-stdin"], input="short\n")
    assert result.exit_code != 0
    assert "error: password: use at least 12 characters" in result.stderr
    assert _count(database, User) == 0


def test_users_create_refuses_a_taken_username(runner, database, accounts):
    accounts.create("taken", "analyst")
    result = runner.invoke(args=["users", "create", "taken", "--role", "admin",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert "error: username: already taken" in result.stderr
    assert _user(database, "taken").role == "analyst"


def test_users_create_refuses_an_unknown_role(runner, database):
    result = runner.invoke(args=["users", "create", "someone", "--role", "root",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 2
    assert "--role" in result.stderr
    assert _count(database, User) == 0


# ---------------------------------------------------------------- demo


def test_demo_is_idempotent(runner, database):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert f"{len(DEMO_USERS)} new users" in first.stdout
    users, periods = _count(database, User), _count(database, Period)
    assert users == len(DEMO_USERS)
    assert periods == 1

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "0 new users" in second.stdout
    assert (_count(database, User), _count(database, Period)) == (users, periods)

    for result in (first, second):
        assert DEMO_PERIOD_NAME in result.stdout
        assert DEMO_PASSWORD in result.stdout
        for username, role, state, _name in DEMO_USERS:
            assert username in result.stdout
            assert role in result.stdout
            if state:
                assert state in result.stdout


def test_demo_period_is_the_first_bali_process_jpa(runner, database):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with database.transaction(write=False) as session:
        period = session.scalar(select(Period))
        assert period is not None
        assert period.states == ["AUS", "IDN", "LKA", "MDV", "MYS", "NZL", "PHL", "THA"]
        assert period.co_chairs == ["LKA", "NZL"]
        assert period.starts_at.isoformat() == "2015-09-27T17:00:00+00:00"


def test_demo_logins_work(runner, accounts):
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert accounts.token("nlo.tha", DEMO_PASSWORD)
    assert accounts.token("admin", DEMO_PASSWORD)


def test_demo_keeps_existing_users(runner, database, accounts):
    accounts.create("admin", "admin")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert f"{len(DEMO_USERS) - 1} new users" in result.stdout
    assert _count(database, User) == len(DEMO_USERS)


# ---------------------------------------------------------------- audit verify and db


def test_audit_verify_on_an_intact_chain(runner, accounts):
    accounts.create("a.user", "analyst")
    accounts.create("b.user", "analyst")
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 2 rows" in result.stdout


def test_audit_verify_names_the_altered_row(runner, database, accounts,
                                            without_append_only_triggers):
    for name in ("a.user", "b.user", "c.user"):
        accounts.create(name, "analyst")
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'forged' WHERE seq = 2"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "audit chain BROKEN: row 2 was altered" in result.stderr


def test_audit_verify_names_a_missing_row(runner, database, accounts,
                                          without_append_only_triggers):
    for name in ("a.user", "b.user", "c.user"):
        accounts.create(name, "analyst")
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "row 2 is missing" in result.stderr


def test_db_upgrade_on_a_current_database_changes_nothing(runner, database, accounts):
    accounts.create("a.user", "analyst")
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "database at head" in result.stdout
    assert _count(database, User) == 1
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_help_lists_the_documented_commands(runner):
    result = runner.invoke(args=["--help"])
    assert result.exit_code == 0
    for command in ("db", "users", "demo", "serve", "audit"):
        assert command in result.stdout
