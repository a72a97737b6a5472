"""Pages of the conflict workflow and of the dangerous acts: the conflicts inbox, one conflict
(acknowledge, resolve with an explicit choice and a note, reopen), and cancelling an operation
for a stated reason."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from core.db import transaction
from core.errors import ValidationFailed
from core.identity.forms import ConfirmForm
from core.identity.models import Role
from core.web import current_principal, role_required
from operations import list_pages, services
from operations.conflict_notices import RESOLUTION_LABELS
from operations.forms import CancelForm, ReopenForm, ResolveForm
from operations.views import _send_mail_now, _settings, bp


@bp.route("/operations/<int:oid>/cancel", methods=["GET", "POST"])
@role_required(Role.LIAISON_OFFICER)
def cancel_operation(oid: int) -> str | Response | tuple[str, int]:
    """Cancel an operation: a form asks why (required), and the reason is told to the other
    party of each of its conflicts."""
    principal = current_principal()
    assert principal is not None
    with transaction() as db:
        found, _ = services.get_operation(db, actor=principal, op_id=oid)
        if found.cancelled:
            flash(f"Operation #{oid} is already cancelled.", "info")
            return redirect(url_for("operations.operation", oid=oid))
        title = found.title
        live = sum(1 for view in services.operation_conflicts(db, actor=principal,
                                                               operation=found)
                   if view["status"] in ("open", "acknowledged"))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            with transaction() as db:
                services.cancel_operation(db, actor=principal, op_id=oid,
                                          reason=form.reason.data or "",
                                          base_url=_settings().base_url)
        except ValidationFailed as error:
            form.reason.errors = [*form.reason.errors, *error.fields.values()]
        else:
            _send_mail_now()
            flash(f"Operation #{oid} cancelled."
                  + (" The other party of each conflict has been told why." if live else ""),
                  "success")
            return redirect(url_for("operations.operation", oid=oid))
    status = 422 if form.errors else 200
    return render_template("operations/cancel.html", form=form, oid=oid, title=title,
                           live=live), status


@bp.get("/periods/<int:pid>/conflicts")
@role_required(Role.LIAISON_OFFICER, Role.CO_CHAIR, Role.ANALYST)
def conflicts(pid: int) -> str:
    """The conflicts inbox (NLO), the overview (co-chair) or the counts (analyst): sortable,
    filterable, paginated (operations.list_pages)."""
    principal = current_principal()
    assert principal is not None
    return list_pages.conflicts_list_page(pid, principal)


def _conflict_page(cid: int, *, resolve_form: ResolveForm | None = None,
                   reopen_form: ReopenForm | None = None) -> tuple[str, int]:
    principal = current_principal()
    assert principal is not None
    with transaction() as db:
        view = services.conflict_detail(db, actor=principal, conflict_id=cid)
    resolve_form = resolve_form or ResolveForm(formdata=None)
    reopen_form = reopen_form or ReopenForm(formdata=None)
    status = 422 if resolve_form.errors or reopen_form.errors else 200
    return render_template("operations/conflict.html", conflict=view, confirm=ConfirmForm(),
                           resolve_form=resolve_form, reopen_form=reopen_form,
                           resolution_labels=RESOLUTION_LABELS), status


@bp.get("/conflicts/<int:cid>")
@role_required(Role.LIAISON_OFFICER, Role.CO_CHAIR)
def conflict(cid: int) -> tuple[str, int]:
    """One conflict with its history, and the party's actions; opening it marks its
    notifications read."""
    return _conflict_page(cid)


@bp.post("/conflicts/<int:cid>/acknowledge")
@role_required(Role.LIAISON_OFFICER)
def acknowledge(cid: int) -> Response:
    """Acknowledge a conflict."""
    principal = current_principal()
    assert principal is not None
    if ConfirmForm().validate_on_submit():
        with transaction() as db:
            services.acknowledge_conflict(db, actor=principal, conflict_id=cid,
                                          base_url=_settings().base_url)
        _send_mail_now()
        flash(f"Conflict #{cid} acknowledged.", "success")
    return redirect(request.form.get("next") if request.form.get("next", "").startswith("/")
                    and not request.form.get("next", "").startswith("//")
                    else url_for("operations.conflict", cid=cid))


@bp.post("/conflicts/<int:cid>/resolve")
@role_required(Role.LIAISON_OFFICER)
def resolve(cid: int) -> Response | tuple[str, int]:
    """Resolve a conflict: an explicit choice and a note, or the page again with the errors."""
    principal = current_principal()
    assert principal is not None
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            with transaction() as db:
                services.resolve_conflict(db, actor=principal, conflict_id=cid,
                                          resolution=form.resolution.data or "",
                                          note=form.note.data or "",
                                          base_url=_settings().base_url)
        except ValidationFailed as error:
            for name, message in error.fields.items():
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*field.errors, message]
        else:
            _send_mail_now()
            flash(f"Conflict #{cid} resolved; the other party has been told.", "success")
            return redirect(url_for("operations.conflict", cid=cid))
    return _conflict_page(cid, resolve_form=form)


@bp.post("/conflicts/<int:cid>/reopen")
@role_required(Role.LIAISON_OFFICER)
def reopen(cid: int) -> Response | tuple[str, int]:
    """Reopen a resolved conflict (either party); the other party is told."""
    principal = current_principal()
    assert principal is not None
    form = ReopenForm()
    if form.validate_on_submit():
        with transaction() as db:
            services.reopen_conflict(db, actor=principal, conflict_id=cid,
                                     note=form.note.data or None,
                                     base_url=_settings().base_url)
        _send_mail_now()
        flash(f"Conflict #{cid} reopened; the other party has been told.", "success")
        return redirect(url_for("operations.conflict", cid=cid))
    return _conflict_page(cid, reopen_form=form)
