"""The failed-attempt counter and lockout shared by passwords and two-factor codes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlalchemy.orm import Session

from core import audit
from core.identity.models import User

if TYPE_CHECKING:  # the policy's module imports this one
    from core.identity.services import IdentityPolicy


def verify_password(policy: IdentityPolicy, password_hash: str, password: str) -> bool:
    """One argon2 verification, whatever the outcome (every answer costs the same)."""
    try:
        return policy.hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def is_locked(user: User, moment: datetime) -> bool:
    """Whether the account is locked at `moment`."""
    return user.locked_until is not None and user.locked_until > moment


def register_failure(session: Session, *, policy: IdentityPolicy, user: User, reason: str,
                     channel: str, now: datetime | None = None) -> bool:
    """Count one failed attempt atomically and lock at the threshold; True when it locked.

    One UPDATE ... RETURNING: parallel attempts cannot read the same count and lose
    increments (PostgreSQL holds the row lock until commit; SQLite writers are serialised)."""
    moment = now or datetime.now(UTC)
    audit.record(session, action="login.failure", outcome="failure", actor=user,
                 details={"reason": reason, "channel": channel})
    count = session.execute(
        update(User).where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if count < policy.lockout_threshold:
        return False
    until = moment + policy.lockout_duration
    locked = session.execute(
        update(User).where(User.id == user.id, User.failed_logins >= policy.lockout_threshold)
        .values(locked_until=until, failed_logins=0)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    ).first()
    if locked is None:
        return False
    audit.record(session, action="login.lockout", outcome="failure", actor=user,
                 object_type="user", object_id=user.id, details={"until": until.isoformat()})
    return True
