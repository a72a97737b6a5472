"""The pages of a period's press templates: the list, and one template's editor (textarea,
a server preview by the renderer publication uses, errors inline); co-chairs save."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from core.db import transaction
from core.errors import DomainError, ValidationFailed
from core.identity.forms import ConfirmForm
from core.identity.models import Role
from core.identity.services import Principal
from core.web import current_principal, role_required
from press import access, period_templates, services
from press.defaults import SCOPES
from press.i18n import LANGUAGES
from press.views import LANGUAGE_NAMES

bp = Blueprint("press_templates", __name__, template_folder="templates")

PageResult = str | Response | tuple[str, int]


def _principal() -> Principal:
    principal = current_principal()
    assert principal is not None
    return principal


@bp.get("/periods/<int:pid>/press/templates")
@role_required(Role.LIAISON_OFFICER, Role.CO_CHAIR)
def index(pid: int) -> PageResult:
    """The period's templates (the defaults are seeded on first view)."""
    principal = _principal()
    with transaction() as db:
        found = period_templates.list_templates(db, actor=principal, period_id=pid)
        period = access.readable_period(db, principal, pid)
        rows = [(t.scope, t.language, t.updated_by is not None, t.updated_at) for t in found]
    return render_template("press/templates.html", period=period, rows=rows,
                           languages=LANGUAGE_NAMES)


def _page(pid: int, scope: str, language: str, principal: Principal, *,
          body: str | None = None, error: str = "", status: int = 200) -> tuple[str, int]:
    with transaction() as db:
        template = period_templates.get_template(db, actor=principal, period_id=pid,
                                                 scope=scope, language=language)
        period = access.readable_period(db, principal, pid)
        text = template.body if body is None else body
        state = period_templates.example_state(principal, period) \
            if scope == "national" else None
        preview = services.preview_release(db, actor=principal, period_id=pid, scope=scope,
                                           language=language, body=text, state=state)
    editor = principal.role == Role.CO_CHAIR and principal.state in (period.co_chairs or [])
    return render_template("press/template_edit.html", period=period, scope=scope,
                           language=language, body=text, preview=preview, error=error,
                           editor=editor, form=ConfirmForm(),
                           languages=LANGUAGE_NAMES), status


@bp.route("/periods/<int:pid>/press/templates/<scope>/<language>", methods=["GET", "POST"])
@role_required(Role.LIAISON_OFFICER, Role.CO_CHAIR)
def edit(pid: int, scope: str, language: str) -> PageResult:
    """One template: Preview renders the text in the textarea, Save stores it (co-chairs)."""
    principal = _principal()
    if scope not in SCOPES or language not in LANGUAGES:
        abort(404)
    if request.method == "GET":
        return _page(pid, scope, language, principal)
    body = request.form.get("body", "")
    if not ConfirmForm().validate_on_submit():
        return _page(pid, scope, language, principal, body=body,
                     error="The form expired; submit it again.", status=400)
    if request.form.get("action", "preview") == "preview":
        return _page(pid, scope, language, principal, body=body)
    try:
        with transaction() as db:
            period_templates.put_template(db, actor=principal, period_id=pid, scope=scope,
                                          language=language, body=body)
    except DomainError as error:
        message = error.fields.get("body", error.message) \
            if isinstance(error, ValidationFailed) else error.message
        return _page(pid, scope, language, principal, body=body, error=message,
                     status=error.status)
    flash("Template saved: new releases start from it.", "success")
    return redirect(url_for("press_templates.edit", pid=pid, scope=scope, language=language))
