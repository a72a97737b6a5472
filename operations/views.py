"""Pages: the home page of each role, the periods list and detail, creating a period."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from core.db import transaction
from core.errors import ValidationFailed
from core.identity.models import Role
from core.states import all_states, check_time_zone, known_time_zones
from core.web import current_principal, login_manager, role_required
from operations import services
from operations.forms import PeriodCreateForm, split_codes

bp = Blueprint("operations", __name__, template_folder="templates")


def home() -> str | Response:
    """The home page: what each role needs first."""
    principal = current_principal()
    if principal is None:
        return login_manager.unauthorized()
    with transaction(write=False) as db:
        periods = services.list_periods(db, actor=principal)
    return render_template("operations/home.html", periods=periods)


@bp.get("/periods")
@role_required()
def periods() -> str:
    """Every period the viewer may see."""
    principal = current_principal()
    assert principal is not None
    with transaction(write=False) as db:
        visible = services.list_periods(db, actor=principal)
    return render_template("operations/periods.html", periods=visible)


@bp.get("/periods/<int:pid>")
@role_required()
def period(pid: int) -> str:
    """One period: window in the viewer's zone, phase, participants."""
    principal = current_principal()
    assert principal is not None
    with transaction(write=False) as db:
        found = services.get_period(db, actor=principal, period_id=pid)
    return render_template("operations/period.html", period=found, states=all_states())


@bp.route("/admin/periods/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_period() -> str | Response | tuple[str, int]:
    """Create a period (administrator)."""
    principal = current_principal()
    assert principal is not None
    form = PeriodCreateForm()
    if not form.is_submitted():
        form.time_zone.data = principal.time_zone
    if form.validate_on_submit():
        try:
            zone = check_time_zone(form.time_zone.data)
            with transaction() as db:
                created = services.create_period(
                    db, actor=principal, name=form.name.data,
                    starts_at=form.starts_at.data.replace(tzinfo=zone),
                    ends_at=form.ends_at.data.replace(tzinfo=zone),
                    states=split_codes(form.states.data),
                    co_chairs=split_codes(form.co_chairs.data))
        except ValidationFailed as error:
            for name, message in error.fields.items():
                field = getattr(form, name.split("[")[0], None)
                if field is not None:
                    field.errors = [*list(field.errors), message]
        else:
            flash(f"Period “{created.name}” created.", "success")
            return redirect(url_for("operations.period", pid=created.id))
    status = 422 if form.errors else 200
    return render_template("operations/new_period.html", form=form,
                           zones=sorted(known_time_zones()),
                           states=all_states().values()), status
