"""Pages: the home page of each role, the periods list and detail, creating a period."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

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
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from core import notify
from core.db import transaction
from core.errors import ValidationFailed
from core.identity.forms import ConfirmForm
from core.identity.models import Role
from core.settings import Settings
from core.states import all_states, check_time_zone, known_time_zones
from core.web import current_principal, role_required
from deconfliction.models import ConflictRecord
from operations import (
    form_rows,
    home_view,
    list_pages,
    operation_form,
    period_page,
    services,
)
from operations.conflict_banners import LIVE, conflict_banners
from operations.forms import (
    MAX_SITES,
    MAX_TARGETS,
    TARGET_KIND_CHOICES,
    OperationForm,
    PeriodCreateForm,
    split_codes,
)
from operations.services import Registration

bp = Blueprint("operations", __name__, template_folder="templates")


def home() -> str | Response:
    """The home page: what each role needs first (operations.home_view)."""
    return home_view.render_home()


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
    """One period: window in the viewer's zone, phase, participants, and what the higher
    layers add to it (operations.period_page: outcomes' dashboard link and own figures)."""
    principal = current_principal()
    assert principal is not None
    with transaction(write=False) as db:
        found = services.get_period(db, actor=principal, period_id=pid)
        parts = period_page.parts(db, principal, found)
    # Rendered by Jinja with autoescaping, as the page itself: markup, not text to escape.
    sections = [Markup(render_template(part.template, period=found,  # noqa: S704
                                       **part.context))
                for part in parts if part.template]
    return render_template("operations/period.html", period=found, states=all_states(),
                           links=[link for part in parts for link in part.links],
                           sections=sections)


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


# ---------------------------------------------------------------- operations and conflicts


def _settings() -> Settings:
    return current_app.extensions["jpa.settings"]


def _save_from_form(form: OperationForm,
                    save: Callable[[Registration], Callable[[Session], tuple[int, int]]], *,
                    editing: bool, context: operation_form.FormContext) -> tuple[int, int] | None:
    """Read the form through the API's request model and the service's checks (every problem
    in one pass), let `save` prepare the registration (outside any transaction) and run the
    writer it returns in one transaction, then send the mail it queued; on any problem, put
    the errors beside their fields and return None."""
    form.validate()  # CSRF, and dates or numbers that do not parse (kept beside their fields)
    if form.csrf_token.errors:
        return None
    too_many = form_rows.too_many_rows(request.form)
    try:
        registration = operation_form.read_form(form, editing=editing, context=context)
        if too_many:
            raise ValidationFailed(too_many)
        write = save(registration)
        with transaction() as db:
            result = write(db)
    except ValidationFailed as error:
        operation_form.show_errors(form, {**too_many, **error.fields})
        return None
    _send_mail_now()
    return result


# The session key that marks the operation a registration or edit just checked.
_JUST_CHECKED = "jpa.just_checked"


def _live(records: list[ConflictRecord]) -> int:
    """How many of a check's conflicts still need the officer (open or acknowledged)."""
    return sum(1 for record in records if record.status in LIVE)


def _after_check(oid: int, live: int, calm: str) -> Response:
    """After a registration or edit: with live conflicts the operation's page opens on their
    banners (announced once), never on a green "saved"; without, a plain confirmation."""
    if live:
        session[_JUST_CHECKED] = oid
    else:
        flash(calm, "success")
    return redirect(url_for("operations.operation", oid=oid))


def _operation_page(form: OperationForm, context: operation_form.FormContext,
                    **page: object) -> tuple[str, int]:
    summary = form_rows.error_summary(form)
    operation_form.forget_target_values(form)
    return render_template("operations/operation_form.html", form=form, summary=summary,
                           zones=sorted(known_time_zones()), window=context.window_text(),
                           limits=context.limits(), existing=context.existing,
                           max_sites=MAX_SITES, max_targets=MAX_TARGETS,
                           kind_words={c.value: c.label for c in TARGET_KIND_CHOICES},
                           **form_rows.blank_rows(), **page), 422 if summary else 200


@bp.get("/periods/<int:pid>/operations")
@role_required(Role.LIAISON_OFFICER, Role.CO_CHAIR, Role.ANALYST)
def operations_list(pid: int) -> str:
    """My state's operations (NLO) or every state's summaries (co-chairs, analysts): sortable,
    filterable, paginated (operations.list_pages)."""
    principal = current_principal()
    assert principal is not None
    return list_pages.operations_list_page(pid, principal)


@bp.route("/periods/<int:pid>/operations/new", methods=["GET", "POST"])
@role_required(Role.LIAISON_OFFICER)
def register_operation(pid: int) -> str | Response | tuple[str, int]:
    """Register an operation; conflicts are shown at once on its page."""
    principal = current_principal()
    assert principal is not None
    with transaction(write=False) as db:
        found = services.get_period(db, actor=principal, period_id=pid)
        period_name = found.name
        context = operation_form.FormContext(
            state=principal.state or "", zone=principal.time_zone,
            window=services.PeriodWindow(found.id, found.starts_at, found.ends_at))
    form = OperationForm()
    if not form.is_submitted():
        form.time_zone.data = principal.time_zone
    elif not form_rows.apply_row_action(form, request.form):
        def register(registration: Registration) -> Callable[[Session], tuple[int, int]]:
            # Resolved and blinded first, as the API does: the write transaction holds the
            # period's lock (SQLite's only writer), and this part needs no database.
            prepared = services.prepare_registration(
                actor=principal, period_id=pid, registration=registration,
                blinding_key=_settings().blinding_key.encode())

            def write(db: Session) -> tuple[int, int]:
                operation, outcome = services.record_registration(
                    db, actor=principal, prepared=prepared, base_url=_settings().base_url)
                return operation.id, _live(outcome.current)

            return write

        saved = _save_from_form(form, register, editing=False, context=context)
        if saved is not None:
            oid, live = saved
            return _after_check(oid, live, f"Operation #{oid} registered: no conflict found.")
    # Plain values: a failed save rolls back the session, which expires loaded objects.
    return _operation_page(form, context, period=SimpleNamespace(id=pid, name=period_name),
                           operation=None)


@bp.get("/operations/<int:oid>")
@role_required(Role.LIAISON_OFFICER, Role.CO_CHAIR, Role.ANALYST)
def operation(oid: int) -> str:
    """One operation: in full with its conflicts for its own state, else a summary."""
    principal = current_principal()
    assert principal is not None
    with transaction() as db:
        found, full = services.get_operation(db, actor=principal, op_id=oid)
        conflicts = services.operation_conflicts(db, actor=principal, operation=found) \
            if full else []
        banners = conflict_banners(db, operation_id=oid, views=conflicts) if full else []
    # Announced (role="alert") only on the page the registration or edit led to.
    just_checked = session.pop(_JUST_CHECKED, None) == oid
    return render_template("operations/operation.html", operation=found, full=full,
                           conflicts=conflicts, banners=banners, just_checked=just_checked,
                           confirm=ConfirmForm())


@bp.route("/operations/<int:oid>/edit", methods=["GET", "POST"])
@role_required(Role.LIAISON_OFFICER)
def edit_operation(oid: int) -> str | Response | tuple[str, int]:
    """Edit an operation; it is re-checked on saving."""
    principal = current_principal()
    assert principal is not None
    with transaction() as db:
        found, _ = services.get_operation(db, actor=principal, op_id=oid)
        period_found = services.get_period(db, actor=principal, period_id=found.period_id)
        existing = tuple((t.kind, t.label) for t in found.targets)
        context = operation_form.FormContext(
            state=principal.state or "", zone=principal.time_zone, existing=existing,
            window=services.PeriodWindow(period_found.id, period_found.starts_at,
                                         period_found.ends_at))
    snapshot = SimpleNamespace(id=found.id, targets=[
        SimpleNamespace(kind=t.kind, label=t.label) for t in found.targets])
    form = OperationForm()
    if not form.is_submitted():
        zone = principal.time_zone
        form.title.data, form.type.data = found.title, found.type
        form.lead_agency.data = found.lead_agency
        form.starts_at.data = operation_form.local(found.starts_at, zone)
        form.ends_at.data = operation_form.local(found.ends_at, zone)
        form.time_zone.data = zone
        form.sites.entries, form.sites.last_index = [], -1
        for site in found.sites:
            form.sites.append_entry({
                "airport": site.iata, "name": None if site.iata else site.name,
                "lat": None if site.iata else site.lat, "lon": None if site.iata else site.lon,
                "radius_m": site.radius_m})
        if not form.sites.entries:
            form.sites.append_entry()
        form_rows.list_existing_targets(form, list(existing))
        form.contact_name.data = found.contact_name
        form.contact_email.data = found.contact_email
        form.contact_phone.data = found.contact_phone
    elif not form_rows.apply_row_action(form, request.form):
        def update(registration: Registration) -> Callable[[Session], tuple[int, int]]:
            def write(db: Session) -> tuple[int, int]:
                operation, outcome = services.update_operation(
                    db, actor=principal, op_id=oid, registration=registration,
                    blinding_key=_settings().blinding_key.encode(),
                    base_url=_settings().base_url)
                return operation.id, _live(outcome.current)

            return write

        saved = _save_from_form(form, update, editing=True, context=context)
        if saved is not None:
            return _after_check(oid, saved[1], "Operation saved and re-checked: no conflict.")
    return _operation_page(form, context, period=None, operation=snapshot)


def _send_mail_now() -> None:
    """Try to send queued e-mail after the commit; failures stay queued."""
    notify.send_queued_now(current_app.extensions["jpa.db"], _settings())


# The conflict pages and the cancel form register on this blueprint (kept apart by concern).
from operations import conflict_views  # noqa: E402,F401
