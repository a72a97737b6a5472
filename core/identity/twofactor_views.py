"""Two-factor pages: the code step after the password, enrolment (at the first sign-in or
from the account page), recovery codes, and the administrator's reset button.

A correct password alone opens no session: the login page keeps only a signed, five-minute
"pending" marker in the cookie, and the login session (the only thing pages and the API
accept) starts once the second factor is right."""

from __future__ import annotations

import time
from typing import Any

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
from flask_login import login_user
from werkzeug.wrappers import Response

from core import notify
from core.db import transaction
from core.errors import ValidationFailed
from core.identity import services, twofactor
from core.identity.forms import ConfirmForm
from core.identity.models import Role, User
from core.identity.twofactor_forms import CodeForm, RecoveryCodeForm
from core.web import current_principal, role_required

bp = Blueprint("twofactor", __name__)

PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 5 * 60


def _policy() -> services.IdentityPolicy:
    return current_app.extensions["jpa.identity"]


def start_second_step(user: User, *, must_enrol: bool, next_url: str | None) -> Response:
    """After a right password: remember who is half-way (not logged in) and ask for more."""
    session.clear()  # nothing of an earlier visit crosses the login boundary
    session[PENDING_KEY] = {"uid": user.id, "since": int(time.time()), "enrol": must_enrol,
                            "next": next_url or ""}
    return redirect(url_for("twofactor.enrol_at_login" if must_enrol else "twofactor.code"))


def _pending(*, enrol: bool) -> dict[str, Any] | None:
    """The half-way sign-in of this browser, if recent and of the expected kind."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or bool(pending.get("enrol")) != enrol:
        return None
    if time.time() - float(pending.get("since", 0)) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    return pending


def _restart() -> Response:
    flash("Please log in with your password first (the second step lasts five minutes).",
          "info")
    return redirect(url_for("identity.login"))


def _log_in(principal: services.Principal) -> None:
    session.clear()  # the pending marker goes; a fresh session starts
    login_user(principal)


def _safe(next_url: str) -> str:
    from core.identity.views import _safe_next  # views import this module at load time

    return _safe_next(next_url or None)


def _finish(principal: services.Principal, next_url: str) -> Response:
    _log_in(principal)
    return redirect(_safe(next_url))


@bp.route("/login/code", methods=["GET", "POST"])
def code() -> str | Response:
    """The second step: a code from the app, or (with ?recovery=1) a recovery code."""
    if current_principal() is not None:
        return redirect(url_for("home"))
    pending = _pending(enrol=False)
    if pending is None:
        return _restart()
    recovery = request.args.get("recovery") == "1"
    form = RecoveryCodeForm() if recovery else CodeForm()
    refused = False
    if form.validate_on_submit():
        with transaction() as db:
            user = db.get(User, pending["uid"])
            kind = None
            if user is not None and not user.disabled:
                kind = twofactor.verify_code(db, policy=_policy(), user=user,
                                             code=form.code.data, channel="web")
            principal = None
            if kind is not None:
                token = services.start_login_session(db, user=user)
                principal = services.Principal.of(user, token)
                left = twofactor.remaining_recovery_codes(db, user_id=user.id)
        if principal is not None:
            response = _finish(principal, pending.get("next", ""))
            if kind == "recovery":
                flash(f"You signed in with a recovery code; {left} remain. Make new ones on "
                      "the Two-factor page if you are running low.", "info")
            return response
        form.code.errors = [twofactor.CODE_REFUSED_MESSAGE]
        refused = True
    status = 401 if refused else 200
    return render_template("core/two_factor_code.html", form=form, recovery=recovery,
                           ), status  # type: ignore[return-value]


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol_at_login() -> str | Response:
    """First sign-in of someone who must use two-factor sign-in: set it up now."""
    if current_principal() is not None:
        return redirect(url_for("home"))
    pending = _pending(enrol=True)
    if pending is None:
        return _restart()
    form = CodeForm()
    if form.validate_on_submit():
        refusal: ValidationFailed | None = None
        with transaction() as db:
            user = db.get(User, pending["uid"])
            if user is None or user.disabled:
                return _restart()
            try:
                codes = twofactor.confirm_enrolment(db, policy=_policy(), user=user,
                                                    code=form.code.data)
            except ValidationFailed as error:
                refusal = error  # committed all the same: the failed-attempt count must stay
            else:
                token = services.start_login_session(db, user=user)
                principal = services.Principal.of(user, token)
        if refusal is None:
            _log_in(principal)
            return render_template("core/two_factor_recovery_codes.html", codes=codes,
                                   next_url=_safe(pending.get("next", "")),
                                   first=True)  # type: ignore[return-value]
        form.code.errors = list(refusal.fields.values())
    with transaction() as db:
        user = db.get(User, pending["uid"])
        if user is None:
            return _restart()
        enrolment = twofactor.begin_enrolment(db, policy=_policy(), user=user)
    status = 422 if form.errors else 200
    return render_template("core/two_factor_enrol.html", form=form, enrolment=enrolment,
                           action=url_for("twofactor.enrol_at_login"),
                           at_login=True), status  # type: ignore[return-value]


@bp.route("/account/two-factor", methods=["GET", "POST"])
@role_required()
def account() -> str | Response:
    """Set up two-factor sign-in, or (once set up) make new recovery codes."""
    principal = current_principal()
    assert principal is not None
    form = CodeForm()
    with transaction(write=False) as db:
        user = db.get(User, principal.id)
        state = twofactor.status(db, policy=_policy(), user=user)
    if form.validate_on_submit():
        refusal: ValidationFailed | None = None
        with transaction() as db:
            user = db.get(User, principal.id)
            try:
                if state.enrolled:
                    codes = twofactor.regenerate_recovery_codes(db, policy=_policy(), user=user,
                                                                code=form.code.data)
                else:
                    codes = twofactor.confirm_enrolment(db, policy=_policy(), user=user,
                                                        code=form.code.data)
            except ValidationFailed as error:
                refusal = error  # committed all the same: the failed-attempt count must stay
        if refusal is None:
            return render_template("core/two_factor_recovery_codes.html", codes=codes,
                                   next_url=url_for("twofactor.account"),
                                   first=not state.enrolled)  # type: ignore[return-value]
        form.code.errors = list(refusal.fields.values())
    status = 422 if form.errors else 200
    if state.enrolled:
        with transaction(write=False) as db:
            left = twofactor.remaining_recovery_codes(db, user_id=principal.id)
        return render_template("core/two_factor_account.html", form=form,
                               remaining=left), status  # type: ignore[return-value]
    with transaction() as db:
        enrolment = twofactor.begin_enrolment(db, policy=_policy(),
                                              user=db.get(User, principal.id))
    return render_template("core/two_factor_enrol.html", form=form, enrolment=enrolment,
                           action=url_for("twofactor.account"),
                           at_login=False), status  # type: ignore[return-value]


@bp.post("/admin/users/<int:uid>/two-factor/reset")
@role_required(Role.ADMIN)
def reset(uid: int) -> Response:
    """Reset a user's two-factor sign-in (administrator)."""
    principal = current_principal()
    assert principal is not None
    if ConfirmForm().validate_on_submit():
        with transaction() as db:
            user = twofactor.reset_two_factor(db, actor=principal, user_id=uid)
        notify.send_queued_now(current_app.extensions["jpa.db"],
                               current_app.extensions["jpa.settings"])
        flash(f"Two-factor sign-in of {user.username} reset: their sessions and tokens have "
              "ended, and they set it up again at their next sign-in.", "success")
    return redirect(url_for("identity.users"))
