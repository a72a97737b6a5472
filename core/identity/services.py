"""Identity use cases: accounts, login with lockout, revocable sessions, API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.errors import (
    AlreadyExists,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from core.identity.lockout import is_locked, register_failure, verify_password
from core.identity.models import LoginSession, Role, TwoFactor, User
from core.identity.principal import IdentityPolicy, Principal, _now
from core.identity.tokens import (  # noqa: F401 - re-exported
    _TOKEN_HOLDER,
    MAX_USER_ID,
    REQUIRED_CLAIMS,
    TOKEN_AUDIENCE,
    authenticate_token,
    issue_token,
    revoke_token,
)
from core.states import check_time_zone, get_state

PASSWORD_MIN = 12
PASSWORD_MAX = 128
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{3,150}$")
# Only touch last_seen_at this often, so that reading pages does not write on every request.
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)


def require_role(actor: Principal, *roles: Role) -> None:
    """Raise Forbidden unless the actor has one of `roles`."""
    if actor.role not in roles:
        raise Forbidden("Your role may not use this function.")


def check_password_policy(password: str, username: str, *, field: str = "password") -> None:
    """At least 12 and at most 128 characters, no composition rules, never the username."""
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed({field: f"use at least {PASSWORD_MIN} characters"})
    if len(password) > PASSWORD_MAX:
        raise ValidationFailed({field: f"use at most {PASSWORD_MAX} characters"})
    if username and username.casefold() in password.casefold():
        raise ValidationFailed({field: "the password must not contain the username"})



def create_user(
    session: Session,
    *,
    actor: Principal | None,
    policy: IdentityPolicy,
    username: str,
    password: str | None = None,
    role: str,
    state: str | None = None,
    full_name: str = "",
    email: str | None = None,
    phone: str | None = None,
    time_zone: str | None = None,
) -> User:
    """Create an account; `actor` None means the command line (trusted operator).

    Only the command line may set a password. Without one the account is `invited`: its hash
    is of a random secret, so it cannot log in until the user activates it (invitations)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    problems: dict[str, str] = {}
    if password is not None and actor is not None:
        problems["password"] = ("an administrator does not set passwords: the user "  # noqa: S105
                                "sets one from the invitation")
    if password is None and not email:
        problems["email"] = "required: the invitation is sent to it"
    if not USERNAME_PATTERN.match(username or ""):
        problems["username"] = "use 3 to 150 letters, digits or . _ @ -"
    try:
        role_value = Role(role)
    except ValueError:
        problems["role"] = f"must be one of {', '.join(r.value for r in Role)}"
        role_value = None
    if role_value is not None and role_value.needs_state and not state:
        problems["state"] = f"required for the role {role_value.value}"
    default_zone = "UTC"
    if state:
        try:
            default_zone = get_state(state).default_time_zone
        except ValidationFailed as error:
            problems.update(error.fields)
    if time_zone:
        try:
            check_time_zone(time_zone)
        except ValidationFailed as error:
            problems.update(error.fields)
    if password is not None and actor is None:
        try:
            check_password_policy(password, username)
        except ValidationFailed as error:
            problems.update(error.fields)
    if problems:
        raise ValidationFailed(problems)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AlreadyExists("That username is taken.", fields={"username": "already taken"})
    user = User(
        username=username,
        full_name=full_name or "",
        email=email or None,
        phone=phone or None,
        role=str(role_value),
        state=state or None,
        time_zone=time_zone or default_zone,
        password_hash=policy.hasher.hash(secrets.token_urlsafe(32) if password is None
                                         else password),
        invited=password is None,
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:  # a concurrent insert of the same username
        raise AlreadyExists("That username is taken.", fields={"username": "already taken"}) \
            from error
    audit.record(session, actor=actor, actor_username=None if actor else "cli",
                 action="user.created", object_type="user", object_id=user.id,
                 details={"role": user.role, "state": user.state, "invited": user.invited})
    return user


def list_users(session: Session, *, actor: Principal) -> list[User]:
    """Every account, for the administrator."""
    require_role(actor, Role.ADMIN)
    return list(session.scalars(select(User).order_by(User.username)))


def get_user(session: Session, *, actor: Principal, user_id: int) -> User:
    """One account, for the administrator."""
    require_role(actor, Role.ADMIN)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


def _revoke_all_login_sessions(session: Session, user_id: int, reason: str, now: datetime) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now, revoke_reason=reason)
    )


def disable_user(session: Session, *, actor: Principal, user_id: int,
                 now: datetime | None = None) -> User:
    """Disable an account: every session and token of it stops working at once."""
    user = get_user(session, actor=actor, user_id=user_id)
    if user.id == actor.id:
        raise InvalidTransition("You cannot disable your own account.")
    if user.disabled:
        return user
    moment = _now(now)
    user.disabled = True
    user.tokens_valid_after = moment
    _revoke_all_login_sessions(session, user.id, "disabled", moment)
    audit.record(session, actor=actor, action="user.disabled", object_type="user",
                 object_id=user.id)
    return user


def change_password(session: Session, *, actor: Principal, policy: IdentityPolicy,
                    current_password: str, new_password: str,
                    now: datetime | None = None) -> User:
    """Change one's own password; every session and token of the user is revoked.

    A wrong current password counts toward the lockout like a failed login. Nothing but that
    count is written before a ValidationFailed is raised, so the edge commits the transaction
    even then (the count must survive the refusal)."""
    user = session.get(User, actor.id)
    if user is None:
        raise NotFound("user")
    moment = _now(now)
    locked = is_locked(user, moment)
    matches = verify_password(policy, user.password_hash, current_password)
    if locked:
        audit.record(session, action="password.change_refused", outcome="failure", actor=actor,
                     details={"reason": "locked"})
        raise ValidationFailed({"current_password": "the account is locked for 10 minutes "
                                                    "after 5 failed attempts"})
    if not matches:
        register_failure(session, policy=policy, user=user, reason="bad_password",
                         channel="password_change", now=moment)
        raise ValidationFailed({"current_password": "does not match"})
    check_password_policy(new_password, user.username, field="new_password")
    user.password_hash = policy.hasher.hash(new_password)
    user.password_changed_at = moment
    user.tokens_valid_after = moment
    _revoke_all_login_sessions(session, user.id, "password_changed", moment)
    audit.record(session, actor=actor, action="password.changed", object_type="user",
                 object_id=user.id)
    return user


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login attempt; `user` is None when refused."""

    user: User | None
    reason: str


LOGIN_REFUSED_MESSAGE = (
    "Login refused: wrong username or password, or the account is locked "
    "for 10 minutes after 5 failed attempts."
)


def authenticate(session: Session, *, policy: IdentityPolicy, username: str, password: str,
                 channel: str, now: datetime | None = None) -> LoginOutcome:
    """Check a password with lockout; returns (never raises) so the counters are committed.

    Every refusal costs one argon2 verification (unknown, wrong, locked, disabled), so that
    the time of the answer does not tell whether an account exists or is locked."""
    moment = _now(now)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(policy, policy.dummy_hash, password)
        audit.record(session, action="login.failure", outcome="failure",
                     actor_username=username[:150], details={"reason": "unknown_user",
                                                             "channel": channel})
        return LoginOutcome(None, "unknown_user")
    matches = verify_password(policy, user.password_hash, password)
    if is_locked(user, moment):
        audit.record(session, action="login.failure", outcome="failure", actor=user,
                     details={"reason": "locked", "channel": channel})
        return LoginOutcome(None, "locked")
    if not matches:
        register_failure(session, policy=policy, user=user, reason="bad_password",
                         channel=channel, now=moment)
        return LoginOutcome(None, "bad_password")
    if user.disabled:
        audit.record(session, action="login.failure", outcome="failure", actor=user,
                     details={"reason": "disabled", "channel": channel})
        return LoginOutcome(None, "disabled")
    # With a second factor to come, the count runs on until the code is right: otherwise the
    # password alone would reset it, and codes could be guessed four at a time for ever.
    if session.scalar(select(TwoFactor.confirmed_at).where(TwoFactor.user_id == user.id)) \
            is None:
        user.failed_logins = 0
        user.locked_until = None
    if policy.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = policy.hasher.hash(password)
    return LoginOutcome(user, "ok")


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def start_login_session(session: Session, *, user: User, now: datetime | None = None) -> str:
    """Open a server-side session for a browser; returns the token for the cookie."""
    raw = secrets.token_urlsafe(32)
    moment = _now(now)
    session.add(LoginSession(token_hash=_hash_token(raw), user_id=user.id, created_at=moment,
                             last_seen_at=moment))
    audit.record(session, action="login.success", actor=user, details={"channel": "web"})
    return raw


@dataclass(frozen=True)
class SessionCheck:
    """What a session cookie resolves to, and what the edge must write about it."""

    principal: Principal | None
    needs_touch: bool = False
    expired_reason: str | None = None


def check_login_session(session: Session, *, policy: IdentityPolicy, raw_token: str,
                        now: datetime | None = None) -> SessionCheck:
    """Resolve a cookie's token to a principal without writing anything."""
    moment = _now(now)
    login = session.get(LoginSession, _hash_token(raw_token))
    if login is None or login.revoked_at is not None:
        return SessionCheck(None)
    user = session.get(User, login.user_id)
    if user is None or user.disabled:
        return SessionCheck(None)
    if moment - login.created_at >= policy.session_absolute:
        return SessionCheck(None, expired_reason="absolute")
    if moment - login.last_seen_at >= policy.session_idle:
        return SessionCheck(None, expired_reason="idle")
    return SessionCheck(Principal.of(user, raw_token),
                        needs_touch=moment - login.last_seen_at >= SESSION_TOUCH_INTERVAL)


def touch_login_session(session: Session, *, raw_token: str, now: datetime | None = None) -> None:
    """Record activity on a session (restarts its idle clock)."""
    login = session.get(LoginSession, _hash_token(raw_token))
    if login is not None and login.revoked_at is None:
        login.last_seen_at = _now(now)


def expire_login_session(session: Session, *, raw_token: str, reason: str,
                         now: datetime | None = None) -> None:
    """Mark a session ended by the clock and audit it once."""
    login = session.get(LoginSession, _hash_token(raw_token))
    if login is None or login.revoked_at is not None:
        return
    login.revoked_at = _now(now)
    login.revoke_reason = f"expired_{reason}"
    user = session.get(User, login.user_id)
    audit.record(session, action="session.expired", actor=user, details={"reason": reason})


def end_login_session(session: Session, *, actor: Principal, now: datetime | None = None) -> None:
    """Log out: revoke every session of the user on the server, not only this cookie."""
    _revoke_all_login_sessions(session, actor.id, "logout", _now(now))
    audit.record(session, action="logout", actor=actor)
