"""Two-factor sign-in: TOTP (RFC 6238) enrolment, codes, recovery codes, administrator reset.

The TOTP secret is stored encrypted with AES-GCM (the `cryptography` package, maintained by
the Python Cryptographic Authority, authenticated encryption in one call) under a key derived
from the secret key, with the user id as associated data: a database dump alone neither yields
codes nor lets a row be moved to another account. Recovery codes carry 80 random bits and are
kept as HMAC-SHA256 under another derived key, so the table alone does not reveal them either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from core import audit
from core.errors import InvalidTransition, ValidationFailed
from core.identity.lockout import register_failure
from core.identity.models import LoginSession, RecoveryCode, Role, TwoFactor, User
from core.identity.services import IdentityPolicy, Principal, get_user
from core.notify import notify

ISSUER = "JPA Coordinator"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# Roles that must enrol when two_factor is "required": they register and see operations.
REQUIRED_ROLES = frozenset({Role.LIAISON_OFFICER, Role.CO_CHAIR})
CODE_REFUSED_MESSAGE = (
    "Sign-in refused: the code is wrong or was already used, or the account is locked "
    "for 10 minutes after 5 failed attempts."
)
_TOTP_PATTERN = re.compile(r"^[0-9]{6}$")
_SEPARATORS = re.compile(r"[\s-]+")


def _derived_key(policy: IdentityPolicy, purpose: str) -> bytes:
    """A 256-bit key for one purpose, derived from the deployment's secret key."""
    return hmac.new(policy.token_key.encode(), f"jpa two-factor {purpose} v1".encode(),
                    hashlib.sha256).digest()


def _associated_data(user_id: int) -> bytes:
    return f"jpa-totp-user:{user_id}".encode()


def encrypt_secret(policy: IdentityPolicy, user_id: int, secret: str) -> str:
    """The TOTP secret as stored: base64(nonce + AES-GCM ciphertext)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_derived_key(policy, "secret")).encrypt(
        nonce, secret.encode(), _associated_data(user_id))
    return base64.b64encode(nonce + sealed).decode()


def decrypt_secret(policy: IdentityPolicy, user_id: int, stored: str) -> str | None:
    """The TOTP secret, or None when the stored value was not sealed for this user and key."""
    raw = base64.b64decode(stored)
    try:
        return AESGCM(_derived_key(policy, "secret")).decrypt(
            raw[:12], raw[12:], _associated_data(user_id)).decode()
    except (InvalidTag, ValueError):
        return None


def normalise_code(code: str) -> str:
    """A code as typed, without spaces or hyphens, in lower case."""
    return _SEPARATORS.sub("", code or "").lower()


def hash_recovery_code(policy: IdentityPolicy, code: str) -> str:
    """The keyed hash a recovery code is stored as."""
    return hmac.new(_derived_key(policy, "recovery"), normalise_code(code).encode(),
                    hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 16 characters
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class TwoFactorStatus:
    """Whether a user has enrolled, and whether they must before signing in."""

    enrolled: bool
    must_enrol: bool


def status(session: Session, *, policy: IdentityPolicy, user: User) -> TwoFactorStatus:
    """The user's two-factor state under the deployment's setting."""
    return statuses(session, policy=policy, users=[user])[user.id]


def statuses(session: Session, *, policy: IdentityPolicy,
             users: list[User]) -> dict[int, TwoFactorStatus]:
    """`status` of many users in one query (the administrator's list)."""
    rows = {row.user_id: row for row in session.scalars(
        select(TwoFactor).where(TwoFactor.user_id.in_([u.id for u in users])))}
    result = {}
    for user in users:
        row = rows.get(user.id)
        enrolled = row is not None and row.confirmed_at is not None \
            and row.secret_encrypted is not None
        required = (policy.two_factor == "required" and Role(user.role) in REQUIRED_ROLES) \
            or (row is not None and row.enrol_required)
        result[user.id] = TwoFactorStatus(enrolled=enrolled, must_enrol=required and not enrolled)
    return result


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret for manual entry, its URI and QR code."""

    secret: str
    uri: str
    qr_svg: str


def begin_enrolment(session: Session, *, policy: IdentityPolicy, user: User) -> Enrolment:
    """Generate (once) the pending secret of a user who has not enrolled yet."""
    row = session.get(TwoFactor, user.id)
    if row is None:
        row = TwoFactor(user_id=user.id, enrol_required=False)
        session.add(row)
    elif row.confirmed_at is not None and row.secret_encrypted is not None:
        raise InvalidTransition("Two-factor sign-in is already set up for this account.")
    secret = decrypt_secret(policy, user.id, row.secret_encrypted) \
        if row.secret_encrypted else None
    if secret is None:
        secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
        row.secret_encrypted = encrypt_secret(policy, user.id, secret)
        row.last_used_step = None
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title="QR code for your authenticator app")
    return Enrolment(secret=secret, uri=uri, qr_svg=svg)


def _matching_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step (the current one, or one either side for clock drift) the code is of."""
    if not _TOTP_PATTERN.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(moment.timestamp()) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _take_step(session: Session, user_id: int, step: int) -> bool:
    """Record the step as used, atomically; False when it (or a later one) was used before."""
    taken = session.execute(
        update(TwoFactor)
        .where(TwoFactor.user_id == user_id,
               or_(TwoFactor.last_used_step.is_(None), TwoFactor.last_used_step < step))
        .values(last_used_step=step)
        .returning(TwoFactor.user_id)
        .execution_options(synchronize_session=False)
    ).first()
    return taken is not None


def _check_totp(session: Session, policy: IdentityPolicy, user: User, code: str,
                moment: datetime) -> bool:
    row = session.get(TwoFactor, user.id)
    if row is None or row.secret_encrypted is None:
        return False
    secret = decrypt_secret(policy, user.id, row.secret_encrypted)
    step = _matching_step(secret, code, moment) if secret else None
    return step is not None and _take_step(session, user.id, step)


def _use_recovery_code(session: Session, policy: IdentityPolicy, user: User, code: str,
                       moment: datetime) -> bool:
    used = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id,
               RecoveryCode.code_hash == hash_recovery_code(policy, code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=moment)
        .returning(RecoveryCode.id)
        .execution_options(synchronize_session=False)
    ).first()
    return used is not None


def _replace_recovery_codes(session: Session, policy: IdentityPolicy, user_id: int) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all([RecoveryCode(user_id=user_id, code_hash=hash_recovery_code(policy, code))
                     for code in codes])
    return codes


def _refuse(session: Session, policy: IdentityPolicy, user: User, channel: str,
            moment: datetime) -> None:
    audit.record(session, action="two_factor.code_failed", outcome="failure", actor=user,
                 details={"channel": channel})
    register_failure(session, policy=policy, user=user, reason="bad_code", channel=channel,
                     now=moment)


def verify_code(session: Session, *, policy: IdentityPolicy, user: User, code: str,
                channel: str, now: datetime | None = None) -> str | None:
    """The second factor: "totp" or "recovery" when accepted, None when refused.

    Refusals count toward the lockout like wrong passwords; the edge commits even then."""
    moment = now or datetime.now(UTC)
    typed = normalise_code(code)
    if user.locked_until is not None and user.locked_until > moment:
        audit.record(session, action="two_factor.code_failed", outcome="failure", actor=user,
                     details={"channel": channel, "reason": "locked"})
        return None
    if _TOTP_PATTERN.match(typed):
        kind = "totp" if _check_totp(session, policy, user, typed, moment) else None
    else:
        kind = "recovery" if _use_recovery_code(session, policy, user, typed, moment) else None
    if kind is None:
        _refuse(session, policy, user, channel, moment)
        return None
    user.failed_logins = 0
    user.locked_until = None
    action = "two_factor.code_ok" if kind == "totp" else "two_factor.recovery_code_used"
    audit.record(session, action=action, actor=user, details={"channel": channel})
    return kind


def confirm_enrolment(session: Session, *, policy: IdentityPolicy, user: User, code: str,
                      now: datetime | None = None) -> list[str]:
    """Confirm the pending secret with a current code; returns the ten recovery codes.

    A wrong code counts toward the lockout and raises ValidationFailed after nothing but
    that count was written, so the edge commits even then."""
    moment = now or datetime.now(UTC)
    row = session.get(TwoFactor, user.id)
    if row is None or row.secret_encrypted is None:
        raise InvalidTransition("Start the enrolment again: no secret is pending.")
    if row.confirmed_at is not None:
        raise InvalidTransition("Two-factor sign-in is already set up for this account.")
    if user.locked_until is not None and user.locked_until > moment:
        raise ValidationFailed({"code": CODE_REFUSED_MESSAGE})
    if not _check_totp(session, policy, user, normalise_code(code), moment):
        _refuse(session, policy, user, "enrolment", moment)
        raise ValidationFailed({"code": "the code is wrong; enter the current 6-digit code "
                                        "your app shows"})
    row.confirmed_at = moment
    row.enrol_required = False
    codes = _replace_recovery_codes(session, policy, user.id)
    audit.record(session, action="two_factor.enrolled", actor=user, object_type="user",
                 object_id=user.id)
    return codes


def regenerate_recovery_codes(session: Session, *, policy: IdentityPolicy, user: User,
                              code: str, now: datetime | None = None) -> list[str]:
    """New recovery codes (the old ones stop working), confirmed with a current TOTP code."""
    moment = now or datetime.now(UTC)
    if not status(session, policy=policy, user=user).enrolled:
        raise InvalidTransition("Set up two-factor sign-in first.")
    typed = normalise_code(code)
    if user.locked_until is not None and user.locked_until > moment:
        raise ValidationFailed({"code": CODE_REFUSED_MESSAGE})
    if not _TOTP_PATTERN.match(typed) or not _check_totp(session, policy, user, typed, moment):
        _refuse(session, policy, user, "recovery_codes", moment)
        raise ValidationFailed({"code": "the code is wrong or was already used; enter the "
                                        "current 6-digit code your app shows"})
    codes = _replace_recovery_codes(session, policy, user.id)
    audit.record(session, action="two_factor.recovery_codes_regenerated", actor=user,
                 object_type="user", object_id=user.id)
    return codes


def remaining_recovery_codes(session: Session, *, user_id: int) -> int:
    """How many unused recovery codes the user has."""
    return len(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).all())


def reset_two_factor(session: Session, *, actor: Principal, user_id: int,
                     now: datetime | None = None) -> User:
    """Administrator: clear the secret and recovery codes, end every session and token of
    the user, require a new enrolment at the next sign-in, and tell the user."""
    user = get_user(session, actor=actor, user_id=user_id)
    moment = now or datetime.now(UTC)
    row = session.get(TwoFactor, user.id)
    if row is None:
        row = TwoFactor(user_id=user.id)
        session.add(row)
    row.secret_encrypted = None
    row.confirmed_at = None
    row.last_used_step = None
    row.enrol_required = True
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=moment, revoke_reason="two_factor_reset")
    )
    user.tokens_valid_after = moment
    notify(session, user_id=user.id, email=user.email,
           subject="Your two-factor sign-in was reset",
           body=("An administrator reset the two-factor sign-in of your JPA Coordinator "
                 "account. Every session and API token of yours has ended. At your next "
                 "sign-in you will set up your authenticator app again. If you did not ask "
                 "for this, tell your administrator at once."))
    audit.record(session, action="two_factor.reset", actor=actor, object_type="user",
                 object_id=user.id)
    return user
