"""Users, their server-side login sessions, and revoked API token ids."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Role(StrEnum):
    """The four roles; a user has exactly one."""

    ADMIN = "admin"
    CO_CHAIR = "co_chair"
    LIAISON_OFFICER = "liaison_officer"
    ANALYST = "analyst"

    @property
    def needs_state(self) -> bool:
        """Co-chairs and NLOs act for one state."""
        return self in (Role.CO_CHAIR, Role.LIAISON_OFFICER)

    @property
    def label(self) -> str:
        """The role's name as people say it."""
        return {
            Role.ADMIN: "Administrator",
            Role.CO_CHAIR: "Co-chair",
            Role.LIAISON_OFFICER: "National liaison officer",
            Role.ANALYST: "Analyst",
        }[self]


class User(Base):
    """A person who may log in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    state: Mapped[str | None] = mapped_column(String(3), index=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Created by the administrator and not yet activated: the password hash is of a random
    # secret no one knows, so a login fails exactly like a wrong password.
    invited: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Tokens issued before this instant are refused (password change, disabling).
    tokens_valid_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LoginSession(Base):
    """A browser session held on the server, so that it can be revoked."""

    __tablename__ = "login_sessions"

    # SHA-256 of the random token in the cookie: a stolen table cannot be replayed.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str | None] = mapped_column(String(32))


class RevokedToken(Base):
    """An API token id that must no longer be accepted."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Invitation(Base):
    """A single-use activation link mailed to an invited user."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the random token in the link: the table alone cannot activate anyone.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when a newer invitation replaces this one.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TwoFactor(Base):
    """A user's TOTP enrolment (RFC 6238): pending until confirmed with a first code."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    # AES-GCM ciphertext (base64) under a key derived from the secret key: a database dump
    # alone cannot produce codes. NULL after an administrator's reset.
    secret_encrypted: Mapped[str | None] = mapped_column(String(200))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last 30-second step accepted: the same code (or an older one) is never taken twice.
    last_used_step: Mapped[int | None] = mapped_column(Integer)
    # Set by an administrator's reset: the user must enrol again at the next sign-in.
    enrol_required: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecoveryCode(Base):
    """A single-use recovery code, stored as a keyed hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
