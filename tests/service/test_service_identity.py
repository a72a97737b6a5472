"""Identity use cases against the database: password policy, accounts, login with lockout,
server-side sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.errors import AlreadyExists, Forbidden, InvalidTransition, ValidationFailed
from core.identity import services
from core.identity.models import LoginSession, User
from core.identity.services import Principal, check_password_policy

PASSWORD = "correct horse battery staple"
WRONG = "definitely not the password"
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def _audit(database, action: str) -> list[AuditEvent]:
    with database.transaction(write=False) as session:
        return list(session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def _user(database, username: str) -> User:
    with database.transaction(write=False) as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user


def _count_users(database) -> int:
    with database.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(User)) or 0


def _create(database, policy, **fields):
    values = {"actor": None, "policy": policy, "username": "new.user", "password": PASSWORD,
              "role": "analyst"}
    values.update(fields)
    with database.transaction() as session:
        return services.create_user(session, **values)


def _login(database, policy, username: str, password: str, now: datetime = T0):
    with database.transaction() as session:
        outcome = services.authenticate(session, policy=policy, username=username,
                                        password=password, channel="test", now=now)
        return outcome.reason


# ---------------------------------------------------------------- password policy


@pytest.mark.parametrize("password", [
    "a" * 12, "twelve chars", "x" * 128, "pässwörd ünïcode 😀", "           .",
])
def test_password_policy_accepts(password):
    check_password_policy(password, "someone")


@pytest.mark.parametrize("password, message", [
    ("", "at least 12"),
    ("a" * 11, "at least 12"),
    ("x" * 129, "at most 128"),
    ("my someone password", "must not contain the username"),
    ("my SomeOne password", "must not contain the username"),
])
def test_password_policy_refuses(password, message):
    with pytest.raises(ValidationFailed) as caught:
        check_password_policy(password, "someone")
    assert list(caught.value.fields) == ["password"]
    assert message in caught.value.fields["password"]


def test_password_policy_names_the_given_field():
    with pytest.raises(ValidationFailed) as caught:
        check_password_policy("short", "x", field="new_password")
    assert set(caught.value.fields) == {"new_password"}


# ---------------------------------------------------------------- accounts


def test_create_user_hashes_with_argon2id_and_audits(database, policy):
    user = _create(database, policy, role="liaison_officer", state="NZL", email="a@b.example")
    stored = _user(database, "new.user")
    assert stored.id == user.id
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert stored.time_zone == "Pacific/Auckland"
    assert stored.state == "NZL"
    assert not stored.disabled
    [event] = _audit(database, "user.created")
    assert event.actor_username == "cli"
    assert event.object_id == str(user.id)
    assert '"state":"NZL"' in event.details
    assert PASSWORD not in event.details


def test_create_user_keeps_an_explicit_time_zone(database, policy):
    _create(database, policy, role="co_chair", state="LKA", time_zone="Europe/London")
    assert _user(database, "new.user").time_zone == "Europe/London"


def test_create_user_defaults_to_utc_without_a_state(database, policy):
    _create(database, policy, role="analyst")
    assert _user(database, "new.user").time_zone == "UTC"


@pytest.mark.parametrize("fields, field, message", [
    ({"username": "ab"}, "username", "use 3 to 150"),
    ({"username": "with space"}, "username", "use 3 to 150"),
    ({"username": "x" * 151}, "username", "use 3 to 150"),
    ({"role": "root"}, "role", "must be one of"),
    ({"role": "liaison_officer"}, "state", "required for the role liaison_officer"),
    ({"role": "co_chair", "state": None}, "state", "required for the role co_chair"),
    ({"role": "liaison_officer", "state": "ZZZ"}, "state", "unknown state code"),
    ({"role": "liaison_officer", "state": "nzl"}, "state", "unknown state code"),
    ({"role": "liaison_officer", "state": "NZ"}, "state", "unknown state code"),
    ({"time_zone": "Nowhere/City"}, "time_zone", "unknown time zone"),
    ({"password": "short"}, "password", "at least 12"),
    ({"password": "new.user is my password"}, "password", "must not contain the username"),
])
def test_create_user_validation(database, policy, fields, field, message):
    with pytest.raises(ValidationFailed) as caught:
        _create(database, policy, **fields)
    assert field in caught.value.fields
    assert message in caught.value.fields[field]
    assert _count_users(database) == 0
    assert _audit(database, "user.created") == []


def test_create_user_reports_every_problem_at_once(database, policy):
    with pytest.raises(ValidationFailed) as caught:
        _create(database, policy, username="?", role="liaison_officer", password="short",
                time_zone="Bad/Zone")
    assert set(caught.value.fields) == {"username", "state", "password", "time_zone"}


def test_create_user_refuses_a_taken_username(database, policy):
    _create(database, policy)
    with pytest.raises(AlreadyExists) as caught:
        _create(database, policy, role="admin")
    assert caught.value.fields == {"username": "already taken"}
    assert _count_users(database) == 1


@pytest.mark.parametrize("role, state", [
    ("co_chair", "NZL"), ("liaison_officer", "NZL"), ("analyst", None),
])
def test_only_admins_create_users(database, policy, accounts, role, state):
    actor = Principal.of(accounts.create("actor", role, state), "cred")
    with pytest.raises(Forbidden):
        _create(database, policy, actor=actor)
    assert _count_users(database) == 1


def test_admin_creates_users_and_is_named_in_the_audit(database, policy, admin):
    # An administrator sets no password: the account is invited (tests/security/).
    user = _create(database, policy, actor=admin, password=None, email="new.user@example.org")
    event = _audit(database, "user.created")[-1]
    assert event.actor_username == "svc.admin"
    assert event.object_id == str(user.id)
    assert user.invited


def test_an_administrator_may_not_set_a_password(database, policy, admin):
    with pytest.raises(ValidationFailed) as caught:
        _create(database, policy, actor=admin, email="new.user@example.org")
    assert set(caught.value.fields) == {"password"}
    assert _count_users(database) == 1


def test_disable_user_revokes_sessions(database, policy, admin, accounts):
    target = accounts.create("target", "analyst")
    with database.transaction() as session:
        raw = services.start_login_session(session, user=session.get(User, target.id))
    with database.transaction() as session:
        services.disable_user(session, actor=admin, user_id=target.id)
    with database.transaction(write=False) as session:
        check = services.check_login_session(session, policy=policy, raw_token=raw)
        login = session.scalar(select(LoginSession))
    assert check.principal is None
    assert login.revoke_reason == "disabled"
    assert _user(database, "target").disabled
    assert _login(database, policy, "target", PASSWORD) == "disabled"


def test_admin_cannot_disable_themselves(database, admin):
    with pytest.raises(InvalidTransition), database.transaction() as session:
        services.disable_user(session, actor=admin, user_id=admin.id)
    assert not _user(database, "svc.admin").disabled


# ---------------------------------------------------------------- login and lockout


def test_failed_logins_are_counted_and_committed(database, policy, accounts):
    accounts.create("alice", "analyst")
    for attempt in range(1, 5):
        assert _login(database, policy, "alice", WRONG) == "bad_password"
        assert _user(database, "alice").failed_logins == attempt
    assert _user(database, "alice").locked_until is None
    assert len(_audit(database, "login.failure")) == 4


def test_fifth_failure_locks_for_ten_minutes(database, policy, accounts):
    accounts.create("alice", "analyst")
    for _ in range(5):
        assert _login(database, policy, "alice", WRONG) == "bad_password"
    user = _user(database, "alice")
    assert user.locked_until == T0 + timedelta(minutes=10)
    assert user.failed_logins == 0
    [lockout] = _audit(database, "login.lockout")
    assert lockout.object_id == str(user.id)

    # Refused while locked, even with the right password, and nothing more is counted.
    assert _login(database, policy, "alice", PASSWORD, T0 + timedelta(minutes=9)) == "locked"
    assert _login(database, policy, "alice", WRONG, T0 + timedelta(minutes=9)) == "locked"
    assert _user(database, "alice").locked_until == T0 + timedelta(minutes=10)
    assert len(_audit(database, "login.lockout")) == 1

    # From the end of the lockout the right password works and clears it.
    assert _login(database, policy, "alice", PASSWORD, T0 + timedelta(minutes=10)) == "ok"
    user = _user(database, "alice")
    assert user.locked_until is None
    assert user.failed_logins == 0


def test_a_success_resets_the_failure_count(database, policy, accounts):
    accounts.create("alice", "analyst")
    for _ in range(3):
        _login(database, policy, "alice", WRONG)
    assert _login(database, policy, "alice", PASSWORD) == "ok"
    assert _user(database, "alice").failed_logins == 0
    for _ in range(4):
        _login(database, policy, "alice", WRONG)
    assert _user(database, "alice").locked_until is None


def test_unknown_user_is_refused_and_audited(database, policy):
    assert _login(database, policy, "ghost", WRONG) == "unknown_user"
    [failure] = _audit(database, "login.failure")
    assert failure.actor_username == "ghost"
    assert failure.actor_id is None
    assert '"reason":"unknown_user"' in failure.details
    assert WRONG not in failure.details


def test_disabled_user_with_the_right_password_is_refused(database, policy, accounts, admin):
    target = accounts.create("alice", "analyst")
    with database.transaction() as session:
        services.disable_user(session, actor=admin, user_id=target.id)
    assert _login(database, policy, "alice", PASSWORD) == "disabled"


# ---------------------------------------------------------------- sessions


def _session_for(database, accounts, moment: datetime) -> str:
    user = accounts.create("alice", "analyst")
    with database.transaction() as session:
        return services.start_login_session(session, user=session.get(User, user.id), now=moment)


@pytest.mark.parametrize("elapsed, expired", [
    (timedelta(minutes=29, seconds=59), None),
    (timedelta(minutes=30), "idle"),
    (timedelta(minutes=31), "idle"),
])
def test_session_idle_limit(database, policy, accounts, elapsed, expired):
    raw = _session_for(database, accounts, T0)
    with database.transaction(write=False) as session:
        check = services.check_login_session(session, policy=policy, raw_token=raw,
                                             now=T0 + elapsed)
    assert check.expired_reason == expired
    assert (check.principal is None) == (expired is not None)


def test_session_absolute_limit_beats_activity(database, policy, accounts):
    raw = _session_for(database, accounts, T0)
    moment = T0
    while moment < T0 + timedelta(hours=12):
        with database.transaction() as session:
            services.touch_login_session(session, raw_token=raw, now=moment)
        moment += timedelta(minutes=25)
    with database.transaction(write=False) as session:
        check = services.check_login_session(session, policy=policy, raw_token=raw,
                                             now=T0 + timedelta(hours=12, minutes=1))
    assert check.expired_reason == "absolute"


def test_expiring_a_session_is_audited_once(database, policy, accounts):
    raw = _session_for(database, accounts, T0)
    for _ in range(2):
        with database.transaction() as session:
            services.expire_login_session(session, raw_token=raw, reason="idle")
    assert len(_audit(database, "session.expired")) == 1


def test_the_cookie_token_is_not_stored(database, accounts):
    raw = _session_for(database, accounts, T0)
    with database.transaction(write=False) as session:
        login = session.scalar(select(LoginSession))
    assert login.token_hash != raw
    assert raw not in login.token_hash


def test_logout_revokes_every_session_of_the_user(database, policy, accounts):
    user = accounts.create("alice", "analyst")
    with database.transaction() as session:
        first = services.start_login_session(session, user=session.get(User, user.id))
        second = services.start_login_session(session, user=session.get(User, user.id))
    with database.transaction() as session:
        services.end_login_session(session, actor=Principal.of(user, first))
    with database.transaction(write=False) as session:
        for raw in (first, second):
            assert services.check_login_session(session, policy=policy,
                                                raw_token=raw).principal is None


def test_password_change_requires_the_current_password(database, policy, accounts):
    user = accounts.create("alice", "analyst")
    actor = Principal.of(user, "cred")
    with pytest.raises(ValidationFailed) as caught, database.transaction() as session:
        services.change_password(session, actor=actor, policy=policy,
                                 current_password=WRONG, new_password="a new long passphrase")
    assert set(caught.value.fields) == {"current_password"}
    assert _login(database, policy, "alice", PASSWORD) == "ok"
