"""Invitations: the administrator creates an account, the user sets its password from a
single-use link mailed to them. The administrator never sees or sets a password."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import audit, notify
from core.errors import InvalidTransition, LinkInvalid
from core.identity import accounts, services
from core.identity.models import Invitation, Role, User

INVITATION_LIFETIME = timedelta(hours=72)
# A token longer than this was never issued (ours are 43 characters); no need to hash it.
TOKEN_MAX = 200

__all__ = ["INVITATION_LIFETIME", "Invitation", "activate", "check_link", "invite_user",
           "pending_expiries", "resend_invitation"]


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _issue(session: Session, *, user: User, actor: services.Principal | None, base_url: str,
           resent: bool, now: datetime | None = None) -> Invitation:
    """Replace any pending link of the user by a new one and queue the mail that carries it."""
    moment = _now(now)
    session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None),
               Invitation.revoked_at.is_(None))
        .values(revoked_at=moment).execution_options(synchronize_session=False))
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(user_id=user.id, token_hash=_hash(raw), created_at=moment,
                            expires_at=moment + INVITATION_LIFETIME,
                            created_by=actor.id if actor else None)
    session.add(invitation)
    session.flush()
    # Only by e-mail, never in the inbox or any answer: the link is the user's credential.
    notify.notify(session, user_id=None, email=user.email,
                  subject="Your JPA Coordinator account: set your password",
                  body=_mail_body(user, f"{base_url.rstrip('/')}/activate/{raw}"))
    audit.record(session, actor=actor, actor_username=None if actor else "cli",
                 action="user.invited", object_type="user", object_id=user.id,
                 details={"expires_at": invitation.expires_at.isoformat(), "resent": resent})
    return invitation


def _mail_body(user: User, link: str) -> str:
    return (
        f"An account has been created for you on the JPA Coordinator.\n\n"
        f"Username: {user.username}\nRole: {Role(user.role).label}\n"
        f"State: {user.state or '-'}\n\n"
        f"Open this link to choose your password (12 to 128 characters). It works once and "
        f"for 72 hours:\n\n{link}\n\n"
        f"If you did not expect this message, do not open the link and tell your "
        f"administrator.\n"
    )


def invite_user(session: Session, *, actor: services.Principal | None,
                policy: services.IdentityPolicy, base_url: str, username: str, role: str,
                email: str | None, state: str | None = None, full_name: str = "",
                phone: str | None = None, time_zone: str | None = None,
                now: datetime | None = None) -> tuple[User, Invitation]:
    """Create an invited account, mail its activation link and tell its state."""
    user = services.create_user(session, actor=actor, policy=policy, username=username,
                                role=role, state=state, full_name=full_name or "",
                                email=email, phone=phone, time_zone=time_zone)
    invitation = _issue(session, user=user, actor=actor, base_url=base_url, resent=False,
                        now=now)
    accounts.announce_created(session, user=user, actor=actor)
    return user, invitation


def resend_invitation(session: Session, *, actor: services.Principal, base_url: str,
                      user_id: int, now: datetime | None = None) -> tuple[User, Invitation]:
    """Mail a new link to an account not yet activated; the previous link stops working."""
    user = services.get_user(session, actor=actor, user_id=user_id)
    if user.disabled:
        raise InvalidTransition("The account is disabled.")
    if not user.invited:
        # A link for an active account would be a password reset in the administrator's hands.
        raise InvalidTransition("The account is active: its user already chose a password.")
    if not user.email:
        raise InvalidTransition("The account has no e-mail address to send the link to.")
    return user, _issue(session, user=user, actor=actor, base_url=base_url, resent=True,
                        now=now)


def pending_expiries(session: Session, user_ids: list[int]) -> dict[int, datetime]:
    """When each invited user's current link expires (absent: no pending link)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(Invitation.user_id, Invitation.expires_at)
        .where(Invitation.user_id.in_(user_ids), Invitation.used_at.is_(None),
               Invitation.revoked_at.is_(None)))
    return {user_id: expires for user_id, expires in rows}


def _valid(session: Session, token: str, moment: datetime) -> tuple[Invitation, User]:
    if not token or len(token) > TOKEN_MAX:
        raise LinkInvalid
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token)))
    if invitation is None or invitation.used_at is not None \
            or invitation.revoked_at is not None or invitation.expires_at <= moment:
        raise LinkInvalid
    user = session.get(User, invitation.user_id)
    if user is None or user.disabled or not user.invited:
        raise LinkInvalid
    return invitation, user


def check_link(session: Session, *, token: str, now: datetime | None = None) -> User:
    """The account a link activates, or LinkInvalid (unknown, used, replaced, expired)."""
    return _valid(session, token, _now(now))[1]


def activate(session: Session, *, policy: services.IdentityPolicy, token: str, password: str,
             now: datetime | None = None) -> User:
    """Set the password of an invited account from its link; the link is used up.

    A password the policy refuses leaves the link usable."""
    moment = _now(now)
    invitation, user = _valid(session, token, moment)
    services.check_password_policy(password, user.username)
    # Conditional on still being unused: of two simultaneous activations only one wins.
    used = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None),
               Invitation.revoked_at.is_(None))
        .values(used_at=moment).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        raise LinkInvalid
    user.password_hash = policy.hasher.hash(password)
    user.invited = False
    user.password_changed_at = moment
    user.tokens_valid_after = moment
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, action="user.activated", actor=user, object_type="user",
                 object_id=user.id)
    return user
