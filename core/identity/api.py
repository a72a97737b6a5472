"""Identity over the JSON API: tokens, the caller, and user administration."""

from __future__ import annotations

from flask import Response, current_app
from sqlalchemy.orm import Session

from core import audit, notify
from core.api import current_api_principal, json_response, make_api_blueprint, public
from core.db import transaction
from core.errors import Unauthenticated, ValidationFailed
from core.identity import accounts, invitations, services, twofactor
from core.identity.models import User
from core.identity.schemas import (
    Activation,
    Me,
    PasswordChange,
    TokenRequest,
    TokenResponse,
    UserChange,
    UserCreate,
    UserList,
    UserOut,
    UserPath,
)
from core.schemas import ERROR_RESPONSES

bp = make_api_blueprint("identity_api", __name__, tag="identity")


def _policy() -> services.IdentityPolicy:
    return current_app.extensions["jpa.identity"]


@bp.post("/auth/token", security=[], responses={200: TokenResponse, **ERROR_RESPONSES})
def issue_token(body: TokenRequest) -> tuple[Response, int]:
    """Exchange a username and password for a short-lived bearer token."""
    refusal: tuple[str, str] | None = None  # (reason, message)
    with transaction() as session:
        outcome = services.authenticate(session, policy=_policy(), username=body.username,
                                        password=body.password, channel="api")
        if outcome.user is None:
            refusal = (outcome.reason, services.LOGIN_REFUSED_MESSAGE)
        else:
            refusal = _second_factor_refusal(session, outcome.user, body.code)
        if refusal is not None:
            audit.record(session, action="token.refused", outcome="refused",
                         actor_username=body.username[:150], details={"reason": refusal[0]})
        else:
            token, lifetime = services.issue_token(session, policy=_policy(), user=outcome.user)
    if refusal is not None:
        raise Unauthenticated(refusal[1])
    return json_response(TokenResponse(access_token=token, expires_in=lifetime).model_dump())


public("identity_api.issue_token")


def _second_factor_refusal(session: Session, user: User,
                           code: str | None) -> tuple[str, str] | None:
    """Why no token may be issued yet after a right password; None once both factors hold."""
    state = twofactor.status(session, policy=_policy(), user=user)
    if state.must_enrol:
        return ("two_factor_not_enrolled",
                "Two-factor sign-in is required for this account: log in to the web "
                "interface first to set it up, then ask for a token with the code.")
    if not state.enrolled:
        return None
    if not code:
        return ("code_needed", "A two-factor code is needed: send `code` with the current "
                               "6-digit code of your authenticator app, or a recovery code.")
    if twofactor.verify_code(session, policy=_policy(), user=user, code=code,
                             channel="api") is None:
        return ("bad_code", twofactor.CODE_REFUSED_MESSAGE)
    return None


@bp.post("/auth/token/revoke", responses={204: None, **ERROR_RESPONSES})
def revoke_token() -> tuple[Response, int]:
    """Revoke the token this request was made with."""
    with transaction() as session:
        services.revoke_token(session, actor=current_api_principal(), policy=_policy())
    return Response(status=204), 204


@bp.get("/auth/me", responses={200: Me, **ERROR_RESPONSES})
def who_am_i() -> tuple[Response, int]:
    """The caller's own identity."""
    me = current_api_principal()
    return json_response(Me(id=me.id, username=me.username, full_name=me.full_name,
                            role=me.role.value, state=me.state,  # type: ignore[arg-type]
                            time_zone=me.time_zone).model_dump())


@bp.post("/auth/password", responses={204: None, **ERROR_RESPONSES})
def change_password(body: PasswordChange) -> tuple[Response, int]:
    """Change the caller's password; every session and token of the caller is revoked."""
    refusal: ValidationFailed | None = None
    with transaction() as session:
        try:
            services.change_password(session, actor=current_api_principal(), policy=_policy(),
                                     current_password=body.current_password,
                                     new_password=body.new_password)
        except ValidationFailed as error:
            refusal = error  # committed all the same: the failed-attempt count must stay
    if refusal is not None:
        raise refusal
    return Response(status=204), 204


def _base_url() -> str:
    return current_app.extensions["jpa.settings"].base_url


def _send_mail_now() -> None:
    notify.send_queued_now(current_app.extensions["jpa.db"],
                           current_app.extensions["jpa.settings"])


@bp.post("/users", responses={201: UserOut, **ERROR_RESPONSES})
def create_user(body: UserCreate) -> tuple[Response, int]:
    """Invite a new account (administrator): its user gets a single-use link by e-mail, valid
    72 hours, to set the password; a `password` field is refused."""
    with transaction() as session:
        user, invitation = invitations.invite_user(
            session, actor=current_api_principal(), policy=_policy(), base_url=_base_url(),
            **body.model_dump())
        payload = UserOut.of(user, invitation.expires_at).model_dump(mode="json")
    _send_mail_now()
    return json_response(payload, 201)


@bp.post("/users/<int:uid>/invitation", responses={200: UserOut, **ERROR_RESPONSES})
def resend_invitation(path: UserPath) -> tuple[Response, int]:
    """Mail a new activation link to an account not yet activated; the old link stops working
    (administrator)."""
    with transaction() as session:
        user, invitation = invitations.resend_invitation(
            session, actor=current_api_principal(), base_url=_base_url(), user_id=path.uid)
        payload = UserOut.of(user, invitation.expires_at).model_dump(mode="json")
    _send_mail_now()
    return json_response(payload)


@bp.patch("/users/<int:uid>", responses={200: UserOut, **ERROR_RESPONSES})
def change_user(path: UserPath, body: UserChange) -> tuple[Response, int]:
    """Change an account (administrator); a change of role or state ends its sessions and
    tokens and is told to the states concerned and the co-chairs."""
    with transaction() as session:
        user = accounts.update_user(session, actor=current_api_principal(), user_id=path.uid,
                                    changes=body.changes())
        expiry = invitations.pending_expiries(session, [user.id]).get(user.id)
        payload = UserOut.of(user, expiry).model_dump(mode="json")
    _send_mail_now()
    return json_response(payload)


@bp.post("/auth/activate", security=[], responses={204: None, **ERROR_RESPONSES})
def activate(body: Activation) -> tuple[Response, int]:
    """Set the password of an invited account from its activation link's token (public);
    an unknown, used, replaced or expired token is a 404."""
    with transaction() as session:
        invitations.activate(session, policy=_policy(), token=body.token,
                             password=body.password)
    return Response(status=204), 204


public("identity_api.activate")


@bp.get("/users", responses={200: UserList, **ERROR_RESPONSES})
def list_users() -> tuple[Response, int]:
    """Every account (administrator)."""
    with transaction(write=False) as session:
        users = services.list_users(session, actor=current_api_principal())
        expiries = invitations.pending_expiries(session, [u.id for u in users if u.invited])
        payload = UserList(users=[UserOut.of(u, expiries.get(u.id)) for u in users]) \
            .model_dump(mode="json")
    return json_response(payload)


@bp.get("/users/<int:uid>", responses={200: UserOut, **ERROR_RESPONSES})
def get_user(path: UserPath) -> tuple[Response, int]:
    """One account (administrator)."""
    with transaction(write=False) as session:
        user = services.get_user(session, actor=current_api_principal(), user_id=path.uid)
        expiry = invitations.pending_expiries(session, [user.id]).get(user.id)
        payload = UserOut.of(user, expiry).model_dump(mode="json")
    return json_response(payload)


@bp.post("/users/<int:uid>/disable", responses={200: UserOut, **ERROR_RESPONSES})
def disable_user(path: UserPath) -> tuple[Response, int]:
    """Disable an account: its sessions and tokens stop working at once (administrator)."""
    with transaction() as session:
        user = services.disable_user(session, actor=current_api_principal(), user_id=path.uid)
        payload = UserOut.of(user).model_dump(mode="json")
    return json_response(payload)


@bp.post("/users/<int:uid>/two-factor/reset", responses={204: None, **ERROR_RESPONSES})
def reset_two_factor(path: UserPath) -> tuple[Response, int]:
    """Clear a user's two-factor sign-in, end their sessions and tokens, require a new
    enrolment at the next sign-in, and notify them (administrator)."""
    with transaction() as session:
        twofactor.reset_two_factor(session, actor=current_api_principal(), user_id=path.uid)
    notify.send_queued_now(current_app.extensions["jpa.db"],
                           current_app.extensions["jpa.settings"])
    return Response(status=204), 204
