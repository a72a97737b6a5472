"""Pages of outcome reporting: the dashboard, the report form and the CSV export."""

from __future__ import annotations

import re
from datetime import date, datetime
from types import SimpleNamespace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from core.csvsafe import csv_document
from core.db import transaction, utcnow
from core.errors import AlreadyExists, DomainError, ValidationFailed
from core.identity.forms import ConfirmForm
from core.identity.models import Role
from core.identity.services import Principal
from core.web import current_principal, role_required
from operations import services as operation_services
from operations.models import Period
from operations.period_page import PageLink, PeriodPagePart
from outcomes import dashboard_data, dashboard_parts, figures, report_forms, report_pages
from outcomes import services as outcome_services
from outcomes.charts import bar_chart

bp = Blueprint("outcomes", __name__, template_folder="templates")
report_pages.add_routes(bp)


def period_page_part(db: Session, principal: Principal, period: Period) -> PeriodPagePart:
    """What outcomes adds to a period's page (operations.period_page): the Dashboard for
    co-chairs, analysts and the administrator; for an NLO, the state's own figures, the days
    not reported yet and its open conflicts."""
    links: tuple[PageLink, ...] = ()
    if principal.role in (Role.ADMIN, Role.CO_CHAIR, Role.ANALYST):
        links = (PageLink("Dashboard", url_for("outcomes.dashboard", pid=period.id)),)
    own = None
    if principal.role == Role.LIAISON_OFFICER:
        totals = figures.totals(db, actor=principal, period_id=period.id)
        grid = figures.completeness(db, actor=principal, period_id=period.id)
        days = grid["states"].get(principal.state, {})  # type: ignore[attr-defined]
        own = {
            "indicators": outcome_services.catalogue(db, period.id),
            "figures": totals["by_state"].get(principal.state, {}),  # type: ignore[attr-defined]
            "missing": [day for day, done in days.items() if not done],
            "open_conflicts": operation_services.open_conflict_count(
                db, actor=principal, period_id=period.id),
        }
    return PeriodPagePart(links=links, template="outcomes/_period_own.html" if own else None,
                          context={"own": own})


@bp.get("/periods/<int:pid>/dashboard")
@role_required(Role.CO_CHAIR, Role.ANALYST, Role.ADMIN)
def dashboard(pid: int) -> str:
    """Regional totals, the state-by-indicator table, completeness, series, operations and
    conflicts; `?fragment=1` returns only the part the page refreshes every minute."""
    principal = current_principal()
    assert principal is not None
    fragment = bool(request.args.get("fragment"))
    with transaction(write=False) as db:
        data = figures.dashboard(db, actor=principal, period_id=pid)
        parts = [] if fragment else dashboard_parts.parts(db, principal, data["period"])
    completeness = data["completeness"]
    totals = data["totals"]
    assert isinstance(completeness, dict) and isinstance(totals, dict)
    days = completeness["dates"]
    series = {key: {p["date"]: p["value"] for p in points}
              for key, points in totals["series"].items()}
    charts = {i.key: bar_chart(days, series.get(i.key, {}))
              for i in data["indicators"] if totals["totals"].get(i.key)}  # type: ignore[attr-defined,union-attr]
    template = "outcomes/_dashboard_body.html" if fragment else "outcomes/dashboard.html"
    period = data["period"]
    assert isinstance(period, Period)
    generated_at = data["generated_at"]
    assert isinstance(generated_at, datetime)
    # Rendered after the read transaction, as the period page's sections are.
    sections = [Markup(render_template(part.template, period=period,  # noqa: S704
                                       **part.context)) for part in parts]
    return render_template(template, charts=charts, sections=sections, series=series,
                           headers=[dashboard_data.day_header(d) for d in days],
                           grid_rows=dashboard_data.completeness_rows(
                               period, completeness, generated_at),
                           states=sorted(period.states), **data)


@bp.route("/periods/<int:pid>/report", methods=["GET", "POST"])
@role_required(Role.LIAISON_OFFICER)
def report_form(pid: int) -> str | Response | tuple[str, int]:
    """Today's report form (or any date of the window), with each indicator's definition; a
    date already reported is refused with a link to amend that report."""
    principal = current_principal()
    assert principal is not None
    asked_day = _asked_date(request.args.get("date"))
    with transaction(write=False) as db:
        found = operation_services.get_period(db, actor=principal, period_id=pid)
        indicators = outcome_services.catalogue(db, pid)
        period_view = SimpleNamespace(id=found.id, name=found.name)
        own_operations = [(op.id, op.title) for op in operation_services.operations_of_state(
            db, period_id=pid, state=principal.state or "")]
    zone = outcome_services.state_zone(principal.state or "")
    errors: dict[str, str] = {}
    existing: dict[str, object] | None = None
    entered = request.form if request.method == "POST" else {}
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        values, errors = report_forms.figures_or_nil(request.form, indicators)
        day_text = request.form.get("date", "")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            errors["date"] = "Date: give a date as YYYY-MM-DD"
        operation_text = (request.form.get("operation_id") or "").strip()
        operation_id = None
        if operation_text:
            if re.fullmatch(r"[0-9]{1,10}", operation_text) and int(operation_text) < 2**31:
                operation_id = int(operation_text)
            else:
                errors["operation_id"] = "Operation: choose one of your state's operations"
        if not errors:
            try:
                with transaction() as db:
                    report, _ = outcome_services.submit_report(
                        db, actor=principal, period_id=pid, on=day, values=values,
                        operation_id=operation_id)
                    report_id, nil = report.id, not values
            except ValidationFailed as error:
                errors.update({path: report_forms.in_words(path, message, indicators)
                               for path, message in error.fields.items()})
            except AlreadyExists as error:
                errors.update({path: report_forms.in_words(path, message, indicators)
                               for path, message in error.fields.items()})
                existing = _existing_report(error, day)
            else:
                flash(f"Report #{report_id} for {day.isoformat()} saved"
                      + (" (nothing to report)." if nil else "."), "success")
                return redirect(url_for("operations.period", pid=pid))
    status = 409 if existing else 422 if errors or form.errors else 200
    today = datetime.now(zone).date().isoformat()
    if asked_day is not None:
        today = asked_day
    summary = [(report_forms.field_id(path, indicators), message)
               for path, message in errors.items()]
    return render_template("outcomes/report_form.html", period=period_view,
                           indicators=indicators, errors=errors, entered=entered,
                           today=today, form=form, operations=own_operations,
                           summary=summary, existing=existing), status


def _asked_date(text: str | None) -> str | None:
    """`?date=YYYY-MM-DD` (the home page's links to the days not reported) opens the report
    form on that date; anything else there is a 400 naming the parameter."""
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise DomainError("date: give a date as YYYY-MM-DD",
                          fields={"date": "give a date as YYYY-MM-DD"}) from None


def _existing_report(error: AlreadyExists, day: date) -> dict[str, object] | None:
    """Where the report that holds the day is amended and read (from the 409's pointer)."""
    rid = error.extra.get("existing_report_id")
    if not isinstance(rid, int):
        return None
    return {"id": rid, "date": day.isoformat(),
            "amend_url": url_for("outcomes.amend_report_page", rid=rid),
            "history_url": url_for("outcomes.report_history_page", rid=rid)}


@bp.get("/periods/<int:pid>/export.csv")
@role_required()
def export_csv(pid: int) -> Response:
    """The totals the viewer may see, as CSV, with units and definitions."""
    principal = current_principal()
    assert principal is not None
    with transaction() as db:
        rows = figures.export_rows(db, actor=principal, period_id=pid)
        period = operation_services.get_period(db, actor=principal, period_id=pid)
        name = dashboard_data.export_filename(period, "totals", utcnow())
    return _csv_response(rows, name)


@bp.get("/periods/<int:pid>/daily.csv")
@role_required()
def export_daily_csv(pid: int) -> Response:
    """The daily series the viewer may see, by date, state, indicator and category, as CSV."""
    principal = current_principal()
    assert principal is not None
    with transaction() as db:
        rows = dashboard_data.daily_rows(db, actor=principal, period_id=pid)
        period = operation_services.get_period(db, actor=principal, period_id=pid)
        name = dashboard_data.export_filename(period, "daily", utcnow())
    return _csv_response(rows, name)


def _csv_response(rows: list[list[str | int]], filename: str) -> Response:
    """A CSV download with a byte order mark (so spreadsheets read it as UTF-8)."""
    response = Response("\ufeff" + csv_document(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
