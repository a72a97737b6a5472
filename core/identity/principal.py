"""The authenticated caller and the knobs of authentication, shared by the identity modules."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher

from core.identity.models import Role, User


@dataclass(frozen=True)
class IdentityPolicy:
    """The knobs of authentication, built once from the settings."""

    hasher: PasswordHasher
    token_key: str
    token_issuer: str
    token_lifetime: timedelta
    session_idle: timedelta
    session_absolute: timedelta
    lockout_threshold: int
    lockout_duration: timedelta
    # "required": NLOs and co-chairs must enrol in two-factor sign-in; "optional": each chooses.
    two_factor: str = "required"

    def __post_init__(self) -> None:
        # Hashing a throwaway value lets an unknown username cost as much as a known one.
        object.__setattr__(self, "_dummy_hash", self.hasher.hash(secrets.token_hex(16)))

    @property
    def dummy_hash(self) -> str:
        """A hash no password matches, verified when the username is unknown."""
        return self._dummy_hash  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller as every layer sees it; also flask-login's user object."""

    id: int
    username: str
    full_name: str
    role: Role
    state: str | None
    time_zone: str
    credential: str
    # How others reach the caller (the contact of what the caller registers).
    email: str | None = None
    phone: str | None = None

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """flask-login stores this in the cookie: the login session's random token."""
        return self.credential

    @classmethod
    def of(cls, user: User, credential: str) -> Principal:
        """The principal for a user authenticated by `credential`."""
        return cls(user.id, user.username, user.full_name, Role(user.role), user.state,
                   user.time_zone, credential, user.email, user.phone)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)
