"""Pages of the improvement plan: the plan of a period (list with status, owner, due date,
overdue said in words; the co-chairs' form to add an item; the owner NLO's status form; open
items of earlier periods), the co-chairs' edit page, and the wiring of the plan into the
application (`register`): API, job, and the sections it adds to other pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from core.db import transaction, utcnow
from core.errors import Forbidden, ValidationFailed
from core.identity.forms import ConfirmForm
from core.identity.models import Role
from core.identity.services import Principal
from core.web import current_principal, role_required
from debrief import improvements
from debrief.improvements_notices import STATUS_LABELS
from debrief.models import ITEM_STATUSES, ImprovementItem

bp = Blueprint("improvements", __name__, template_folder="templates")

READERS = improvements.READERS
LABELS = {"objective_id": "Objective", "issue": "Issue", "corrective_action": "Corrective action",
          "owner_state": "Owner state", "owner": "Owner", "due_on": "Due date",
          "status": "Status", "body": "Change"}
FORM_FIELDS = ("objective_id", "issue", "corrective_action", "owner_state", "owner", "due_on",
               "status")


def _base_url() -> str:
    return current_app.extensions["jpa.settings"].base_url


def labelled(errors: dict[str, str]) -> dict[str, str]:
    """Error messages prefixed with the label of their field, as the form shows them."""
    return {name: f"{LABELS.get(name, name)}: {message}" for name, message in errors.items()}


def values_from_form(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The item fields typed into the form, converted; and the errors of conversion."""
    values: dict[str, Any] = {name: (form.get(name) or "").strip() for name in FORM_FIELDS}
    errors: dict[str, str] = {}
    objective = values["objective_id"]
    if not objective:
        values["objective_id"] = None
    elif objective.isascii() and objective.isdigit() and len(objective) < 10:
        values["objective_id"] = int(objective)
    else:
        errors["objective_id"] = "choose one of the listed objectives"
    try:
        values["due_on"] = date.fromisoformat(values["due_on"])
    except ValueError:
        errors["due_on"] = "give the due date as YYYY-MM-DD"
    return values, errors


def _page(pid: int, principal: Principal, *, errors: dict[str, str] | None = None,
          entered: dict[str, Any] | None = None, status_errors: dict[int, str] | None = None,
          status: int = 200) -> tuple[str, int]:
    """The plan page of a period as the viewer may see it."""
    wanted = request.args.get("status") or None
    overdue_only = request.args.get("overdue") == "1"
    now = utcnow()
    with transaction(write=False) as db:
        period = improvements.readable_period(db, principal, pid)
        items = improvements.period_items(db, period.id)
        earlier = improvements.earlier_open_items(db, principal, period)
        names = improvements.period_names(db, earlier)
        objectives = improvements.objectives_of(db, period.id)
    overdue = {i.id for i in items + earlier if improvements.is_overdue(i, now)}
    shown = [i for i in items if (wanted is None or i.status == wanted)
             and (not overdue_only or i.id in overdue)]
    return render_template(
        "debrief/improvements.html", period=period, items=shown, all_count=len(items),
        earlier=earlier, names=names, overdue=overdue, objectives={o.id: o for o in objectives},
        statuses=STATUS_LABELS, editor=improvements.is_editor(principal, period),
        errors=labelled(errors or {}), entered=entered or {}, status_errors=status_errors or {},
        filter_status=wanted, overdue_only=overdue_only), status


@bp.route("/periods/<int:pid>/improvements", methods=["GET", "POST"])
@role_required(*READERS)
def plan(pid: int) -> str | Response | tuple[str, int]:
    """The period's improvement plan; co-chairs add items through the form below it."""
    principal = current_principal()
    assert principal is not None
    if request.method == "GET":
        return _page(pid, principal)
    form = ConfirmForm()
    values, errors = values_from_form(request.form)
    if not form.validate_on_submit():
        errors = {"body": "the form expired; submit it again"}
    if not errors:
        try:
            with transaction() as db:
                item = improvements.create_item(db, actor=principal, period_id=pid,
                                                base_url=_base_url(), **values)
                iid = item.id
        except ValidationFailed as error:
            errors = dict(error.fields)
        else:
            flash("Improvement item added; the owner state's NLOs are told.", "success")
            return redirect(url_for("improvements.plan", pid=pid, _anchor=f"item-{iid}"))
    return _page(pid, principal, errors=errors, entered=dict(request.form), status=422)


@bp.route("/improvements/<int:iid>/edit", methods=["GET", "POST"])
@role_required(Role.CO_CHAIR)
def edit(iid: int) -> str | Response | tuple[str, int]:
    """Change every field of an item (the period's co-chairs)."""
    principal = current_principal()
    assert principal is not None
    form = ConfirmForm()
    errors: dict[str, str] = {}
    entered: dict[str, Any] | None = None
    if request.method == "POST":
        values, errors = values_from_form(request.form)
        entered = dict(request.form)
        if not form.validate_on_submit():
            errors = {"body": "the form expired; submit it again"}
        if not errors:
            try:
                with transaction() as db:
                    item = improvements.update_item(db, actor=principal, item_id=iid,
                                                    changes=values, base_url=_base_url())
                    pid = item.period_id
            except ValidationFailed as error:
                errors = dict(error.fields)
            else:
                flash("Improvement item saved.", "success")
                return redirect(url_for("improvements.plan", pid=pid, _anchor=f"item-{iid}"))
    with transaction(write=False) as db:
        item, period = improvements.visible_item(db, principal, iid)
        if not improvements.is_editor(principal, period):
            raise Forbidden("Only the period's co-chairs edit its improvement plan.")
        objectives = improvements.objectives_of(db, period.id)
    return render_template("debrief/improvements_edit.html", period=period, item=item,
                           objectives={o.id: o for o in objectives}, statuses=STATUS_LABELS,
                           errors=labelled(errors),
                           entered=entered or _as_entered(item)), 422 if errors else 200


def _as_entered(item: ImprovementItem) -> dict[str, str]:
    return {"objective_id": str(item.objective_id or ""), "issue": item.issue,
            "corrective_action": item.corrective_action, "owner_state": item.owner_state,
            "owner": item.owner, "due_on": item.due_on.isoformat(), "status": item.status}


@bp.post("/improvements/<int:iid>/status")
@role_required(*READERS)
def set_status(iid: int) -> str | Response | tuple[str, int]:
    """The owner state's NLO (or a co-chair) sets an item's status; back to the plan page."""
    principal = current_principal()
    assert principal is not None
    form = ConfirmForm()
    wanted = request.form.get("status", "")
    back = request.form.get("back", "")
    with transaction(write=False) as db:
        pid = improvements.get_item(db, actor=principal, item_id=iid).period_id
    page = int(back) if back.isascii() and back.isdigit() and len(back) < 10 else pid
    if not form.validate_on_submit():
        return _page(page, principal, status_errors={iid: "The form expired; submit it again."},
                     status=400)
    if wanted not in ITEM_STATUSES:
        return _page(page, principal, status=422, status_errors={
            iid: "Status: choose open, in progress, done or dropped."})
    with transaction() as db:
        improvements.update_item(db, actor=principal, item_id=iid, changes={"status": wanted},
                                 base_url=_base_url())
    flash(f"Status set to {STATUS_LABELS[wanted].lower()}.", "success")
    return redirect(url_for("improvements.plan", pid=page, _anchor=f"item-{iid}"))


def register(app: Flask) -> None:
    """Add the plan's pages, API and reminder job, its sections on the period page, the
    dashboard, the home page and the debrief page, and its demo items to `jpa demo`."""
    from debrief import (
        improvements_api,
        improvements_demo,
        improvements_jobs,
        improvements_parts,
    )

    app.register_blueprint(bp)
    app.register_api(improvements_api.bp)
    improvements_jobs.register(app)
    improvements_parts.register(app)
    improvements_demo.register(app)  # last: it wraps the demo seeders registered before
