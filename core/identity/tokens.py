"""API tokens: issuing, verifying and revoking short-lived HS256 bearer tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

import jwt
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from core import audit
from core.errors import Unauthenticated
from core.identity.models import RevokedToken, Role, User
from core.identity.principal import IdentityPolicy, Principal, _now

TOKEN_AUDIENCE = "jpa-api"  # noqa: S105 - a claim value, not a secret
REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss", "jti"]
# Ids are 32-bit INTEGER columns: a token subject beyond this is no account at all.
MAX_USER_ID = 2**31 - 1


def issue_token(session: Session, *, policy: IdentityPolicy, user: User,
                now: datetime | None = None) -> tuple[str, int]:
    """Sign a short-lived HS256 API token for an authenticated user."""
    moment = _now(now)
    lifetime = int(policy.token_lifetime.total_seconds())
    jti = uuid.uuid4().hex
    claims = {
        "sub": str(user.id),
        # Sub-second `iat` (a NumericDate may be fractional, RFC 7519 §2): a token issued in
        # the same second as, but before, a password change must still be refused.
        "iat": moment.timestamp(),
        "exp": int(moment.timestamp()) + lifetime,
        "aud": TOKEN_AUDIENCE,
        "iss": policy.token_issuer,
        "jti": jti,
    }
    token = jwt.encode(claims, policy.token_key, algorithm="HS256")
    audit.record(session, action="token.issued", actor=user, object_type="token", object_id=jti)
    return token, lifetime


# One statement, built once, for the account and the revocation list: it runs on every API
# request.
_TOKEN_HOLDER = select(
    User.id, User.username, User.full_name, User.role, User.state, User.time_zone,
    User.email, User.phone, User.disabled, User.tokens_valid_after,
    select(RevokedToken.jti).where(RevokedToken.jti == bindparam("jti")).exists()
    .label("revoked")).where(User.id == bindparam("user_id"))


def authenticate_token(connection: Connection, *, policy: IdentityPolicy,
                       token: str) -> Principal:
    """Verify a bearer token (one read on `connection`); every refusal is Unauthenticated
    with the reason."""
    try:
        claims = jwt.decode(
            token,
            policy.token_key,
            algorithms=["HS256"],
            audience=TOKEN_AUDIENCE,
            issuer=policy.token_issuer,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.InvalidTokenError as error:
        raise Unauthenticated(f"Invalid token: {error}.") from error
    subject = claims["sub"]
    # A positive 32-bit id in decimal, or no account at all (a larger number would make the
    # database fail instead of refusing).
    if not isinstance(subject, str) or not subject.isascii() or not subject.isdigit() \
            or len(subject) > 10 or not 0 < int(subject) <= MAX_USER_ID:
        raise Unauthenticated("Invalid token: bad subject.")
    user_id = int(subject)
    jti = str(claims["jti"])
    user = connection.execute(_TOKEN_HOLDER, {"user_id": user_id, "jti": jti}).first()
    if user is None or user.disabled:
        raise Unauthenticated("Invalid token: the account is disabled.")
    issued_at = claims["iat"]
    if isinstance(issued_at, bool) or not isinstance(issued_at, int | float):
        raise Unauthenticated("Invalid token: bad issued-at time.")
    if issued_at < user.tokens_valid_after.timestamp():
        raise Unauthenticated("Invalid token: it was issued before a password change.")
    if user.revoked:
        raise Unauthenticated("Invalid token: it was revoked.")
    return Principal(user.id, user.username, user.full_name, Role(user.role), user.state,
                     user.time_zone, jti, user.email, user.phone)


def revoke_token(session: Session, *, actor: Principal, policy: IdentityPolicy,
                 now: datetime | None = None) -> None:
    """Revoke the token the caller authenticated with (an API logout)."""
    moment = _now(now)
    if session.get(RevokedToken, actor.credential) is None:
        session.add(RevokedToken(jti=actor.credential, user_id=actor.id, revoked_at=moment,
                                 expires_at=moment + policy.token_lifetime))
    audit.record(session, action="token.revoked", actor=actor, object_type="token",
                 object_id=actor.credential)
