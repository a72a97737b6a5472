"""Identity pages: login with the system-use notice, logout, password, user administration."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_user, logout_user
from pydantic import ValidationError
from werkzeug.wrappers import Response

from core import notify
from core.api import field_path
from core.db import transaction
from core.errors import DomainError, LinkInvalid, ValidationFailed
from core.identity import accounts, invitations, services, twofactor, twofactor_views
from core.identity.forms import (
    ActivationForm,
    ConfirmForm,
    LoginForm,
    PasswordChangeForm,
    UserCreateForm,
    UserEditForm,
)
from core.identity.models import Role
from core.identity.schemas import UserChange, UserCreate
from core.states import all_states, known_time_zones
from core.web import current_principal, role_required

bp = Blueprint("identity", __name__)


def _policy() -> services.IdentityPolicy:
    return current_app.extensions["jpa.identity"]


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("home")


def _apply_errors(form: object, error: DomainError) -> None:
    """Show a service's field errors inline beside the form's fields."""
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*list(field.errors), message]
    if not error.fields:
        flash(error.message, "error")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """The login page, with the system-use notice."""
    if current_principal() is not None:
        return redirect(url_for("home"))
    form = LoginForm()
    refused = False
    if form.validate_on_submit():
        with transaction() as db:
            outcome = services.authenticate(db, policy=_policy(), username=form.username.data,
                                            password=form.password.data, channel="web")
            second = twofactor.status(db, policy=_policy(), user=outcome.user) \
                if outcome.user else None
            if second is not None and (second.enrolled or second.must_enrol):
                # Half-way: no login session until the second factor is right.
                return twofactor_views.start_second_step(
                    outcome.user, must_enrol=second.must_enrol,
                    next_url=request.args.get("next"))
            token = services.start_login_session(db, user=outcome.user) if outcome.user else None
            principal = services.Principal.of(outcome.user, token) if outcome.user else None
        if principal is not None:
            session.clear()  # a fresh session: no fixation across the login boundary
            login_user(principal)
            return redirect(_safe_next(request.args.get("next")))
        refused = True
    status = 401 if refused else 200
    return render_template("core/login.html", form=form, refused=refused,
                           message=services.LOGIN_REFUSED_MESSAGE), status  # type: ignore[return-value]


@bp.post("/logout")
@role_required()
def logout() -> Response:
    """End every session of the user on the server."""
    principal = current_principal()
    assert principal is not None
    with transaction() as db:
        services.end_login_session(db, actor=principal)
    logout_user()
    session.clear()
    flash("You have logged out.", "info")
    return redirect(url_for("identity.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@role_required()
def change_password() -> str | Response:
    """Change one's own password; every session ends and the user logs in again."""
    principal = current_principal()
    assert principal is not None
    form = PasswordChangeForm()
    if form.validate_on_submit():
        refusal: ValidationFailed | None = None
        with transaction() as db:
            try:
                services.change_password(db, actor=principal, policy=_policy(),
                                         current_password=form.current_password.data,
                                         new_password=form.new_password.data)
            except ValidationFailed as error:
                refusal = error  # committed all the same: the failed-attempt count must stay
        if refusal is not None:
            _apply_errors(form, refusal)
        else:
            logout_user()
            session.clear()
            flash("Password changed. Every session has ended: log in with the new password.",
                  "info")
            return redirect(url_for("identity.login"))
    status = 422 if form.errors else 200
    return render_template("core/password.html", form=form), status  # type: ignore[return-value]


def _send_mail_now() -> None:
    notify.send_queued_now(current_app.extensions["jpa.db"],
                           current_app.extensions["jpa.settings"])


def _base_url() -> str:
    return current_app.extensions["jpa.settings"].base_url


def _checked(model: type[UserCreate] | type[UserChange], data: dict[str, object]) -> dict[
        str, object]:
    """The API's own validation of a form's values (one rule for both); ValidationFailed
    names each field, never echoing a value."""
    try:
        return model.model_validate(data).model_dump(exclude_unset=True)
    except ValidationError as error:
        raise ValidationFailed({field_path(tuple(item["loc"])): item["msg"]
                                for item in error.errors(include_input=False,
                                                         include_url=False)}) from error


@bp.route("/admin/users", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def users() -> str | Response:
    """List accounts with their status and invite a new one (no password: the user sets it
    from the link mailed to them)."""
    principal = current_principal()
    assert principal is not None
    form = UserCreateForm()
    if form.validate_on_submit():
        values = {"username": form.username.data, "role": form.role.data,
                  "state": (form.state.data or "").strip().upper() or None,
                  "full_name": form.full_name.data or None, "email": form.email.data,
                  "phone": form.phone.data or None, "time_zone": form.time_zone.data or None}
        try:
            with transaction() as db:
                user, _ = invitations.invite_user(
                    db, actor=principal, policy=_policy(), base_url=_base_url(),
                    **_checked(UserCreate, {k: v for k, v in values.items() if v is not None}))
        except DomainError as error:
            _apply_errors(form, error)
        else:
            _send_mail_now()
            flash(f"User {user.username} invited: the activation link was sent to "
                  f"{user.email} and works once, for 72 hours.", "success")
            return redirect(url_for("identity.users"))
    with transaction(write=False) as db:
        people = services.list_users(db, actor=principal)
        expiries = invitations.pending_expiries(db, [u.id for u in people if u.invited])
        second = twofactor.statuses(db, policy=_policy(), users=people)
    status = 422 if form.errors else 200
    return render_template("core/users.html", form=form, users=people, expiries=expiries,
                           second=second,
                           confirm=ConfirmForm(), states=all_states().values(),
                           zones=sorted(known_time_zones())), status  # type: ignore[return-value]


@bp.post("/admin/users/<int:uid>/invitation")
@role_required(Role.ADMIN)
def resend(uid: int) -> Response:
    """Mail a new activation link; the previous one stops working."""
    principal = current_principal()
    assert principal is not None
    if ConfirmForm().validate_on_submit():
        with transaction() as db:
            user, _ = invitations.resend_invitation(db, actor=principal, base_url=_base_url(),
                                                    user_id=uid)
        _send_mail_now()
        flash(f"A new activation link was sent to {user.email}; the previous one no longer "
              f"works.", "success")
    return redirect(url_for("identity.users"))


@bp.route("/admin/users/<int:uid>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(uid: int) -> str | Response:
    """Change an account; a change of role or state ends its sessions and is announced."""
    principal = current_principal()
    assert principal is not None
    with transaction(write=False) as db:
        user = services.get_user(db, actor=principal, user_id=uid)
        username = user.username  # a failed save expires the loaded row
        form = UserEditForm(obj=user)
    if form.validate_on_submit():
        values = {"role": form.role.data,
                  "state": (form.state.data or "").strip().upper() or None,
                  "full_name": form.full_name.data or "", "email": form.email.data or None,
                  "phone": form.phone.data or None, "time_zone": form.time_zone.data}
        try:
            with transaction() as db:
                accounts.update_user(db, actor=principal, user_id=uid,
                                     changes=_checked(UserChange, values))
        except DomainError as error:
            if not isinstance(error, ValidationFailed) and not error.fields:
                raise
            _apply_errors(form, error)
        else:
            _send_mail_now()
            flash(f"User {username} saved.", "success")
            return redirect(url_for("identity.users"))
    status = 422 if form.errors else 200
    return render_template("core/user_edit.html", form=form, username=username,
                           states=all_states().values(),
                           zones=sorted(known_time_zones())), status  # type: ignore[return-value]


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str) -> tuple[str, int] | Response:
    """The page of an activation link: choose a password once. Unknown, used, replaced and
    expired links all get the same 404 page."""
    form = ActivationForm()
    try:
        with transaction(write=False) as db:
            username = invitations.check_link(db, token=token).username
        if form.validate_on_submit():
            try:
                with transaction() as db:
                    invitations.activate(db, policy=_policy(), token=token,
                                         password=form.password.data)
            except ValidationFailed as error:
                _apply_errors(form, error)
            else:
                flash("Your password is set: log in with it.", "success")
                return redirect(url_for("identity.login"))
    except LinkInvalid as error:
        return render_template("core/activate.html", form=None, invalid=error.message), 404
    status = 422 if form.errors else 200
    return render_template("core/activate.html", form=form, username=username,
                           invalid=None), status


@bp.route("/admin/users/<int:uid>/disable", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def disable(uid: int) -> str | Response:
    """Disable an account, after a confirmation page that says what it does."""
    principal = current_principal()
    assert principal is not None
    form = ConfirmForm()
    if request.method == "GET":
        with transaction(write=False) as db:
            user = services.get_user(db, actor=principal, user_id=uid)
            shown = {"id": user.id, "username": user.username, "full_name": user.full_name,
                     "state": user.state, "disabled": user.disabled}
        if shown["disabled"] or shown["id"] == principal.id:
            return redirect(url_for("identity.users"))
        return render_template("core/user_disable.html", user=shown, confirm=form)
    if form.validate_on_submit():
        with transaction() as db:
            user = services.disable_user(db, actor=principal, user_id=uid)
        flash(f"User {user.username} disabled: their sessions and tokens no longer work.",
              "success")
    return redirect(url_for("identity.users"))
