"""The NLO's pages of its state's reports: the list of a period's reports (date, operation,
version, status), the amend form (pre-filled with the current figures), the retraction (a
confirmation with a reason) and the history of versions (times in the user's zone)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from core.db import transaction
from core.errors import InvalidTransition, ValidationFailed
from core.identity.forms import ConfirmForm
from core.identity.models import Role, User
from core.identity.services import Principal
from core.web import current_principal, role_required
from operations import services as operation_services
from outcomes import report_forms
from outcomes import services as outcome_services
from outcomes.models import Report

REASON_MAX = 2000
NOTE_MAX = 2000


def add_routes(bp: Blueprint) -> None:
    """Add the report pages to the outcomes blueprint."""
    bp.add_url_rule("/periods/<int:pid>/reports", "reports_list",
                    role_required(Role.LIAISON_OFFICER)(reports_list))
    bp.add_url_rule("/reports/<int:rid>/amend", "amend_report_page",
                    role_required(Role.LIAISON_OFFICER)(amend_report_page),
                    methods=["GET", "POST"])
    bp.add_url_rule("/reports/<int:rid>/retract", "retract_report_page",
                    role_required(Role.LIAISON_OFFICER)(retract_report_page),
                    methods=["GET", "POST"])
    bp.add_url_rule("/reports/<int:rid>/history", "report_history_page",
                    role_required(Role.LIAISON_OFFICER)(report_history_page))


def _principal() -> Principal:
    principal = current_principal()
    assert principal is not None
    return principal


def _operation_titles(db: Session, principal: Principal, period_id: int) -> dict[int, str]:
    return {op.id: op.title for op in operation_services.operations_of_state(
        db, period_id=period_id, state=principal.state or "")}


def _report_view(db: Session, report: Report, titles: dict[int, str]) -> SimpleNamespace:
    """What the pages show of one report."""
    values = outcome_services.current_values(db, report)
    if report.operation_id is None:
        operation = "No operation"
    else:
        operation = f"#{report.operation_id} {titles.get(report.operation_id, '(cancelled)')}"
    if report.retracted_at is not None:
        status = "Retracted"
    elif not values:
        status = "Current · Nothing to report"
    else:
        status = "Current"
    return SimpleNamespace(id=report.id, date=report.date.isoformat(), operation=operation,
                           version=report.version, status=status, values=values,
                           retracted=report.retracted_at is not None,
                           retraction_reason=report.retraction_reason,
                           updated_at=report.updated_at, period_id=report.period_id)


def reports_list(pid: int) -> str:
    """The state's reports of a period, newest date first, with their actions."""
    principal = _principal()
    with transaction(write=False) as db:
        period = operation_services.get_period(db, actor=principal, period_id=pid)
        titles = _operation_titles(db, principal, pid)
        reports = [_report_view(db, r, titles) for r in outcome_services.list_reports(
            db, actor=principal, period_id=pid)]
        period_view = SimpleNamespace(id=period.id, name=period.name)
    return render_template("outcomes/reports_list.html", period=period_view, reports=reports)


def _owned(db: Session, principal: Principal, rid: int) -> tuple[Report, SimpleNamespace, Any]:
    """The report (404 unless the actor's state's), its view and its period."""
    report = outcome_services.get_report(db, actor=principal, report_id=rid)
    period = operation_services.get_period(db, actor=principal, period_id=report.period_id)
    view = _report_view(db, report, _operation_titles(db, principal, report.period_id))
    return report, view, SimpleNamespace(id=period.id, name=period.name)


def amend_report_page(rid: int) -> str | Response | tuple[str, int]:
    """A new version of a report, its form pre-filled with the current figures."""
    principal = _principal()
    with transaction(write=False) as db:
        _report, view, period = _owned(db, principal, rid)
        indicators = outcome_services.catalogue(db, period.id)
    if view.retracted:
        flash(f"Report #{rid} is retracted: it cannot be amended. Report the day again "
              "instead.", "error")
        return redirect(url_for("outcomes.reports_list", pid=period.id))
    form = ConfirmForm()
    errors: dict[str, str] = {}
    entered: Any = report_forms.inputs_of(view.values)
    if request.method == "POST" and form.validate_on_submit():
        entered = request.form
        values, errors = report_forms.figures_or_nil(request.form, indicators)
        note = (request.form.get("note") or "").strip()
        if len(note) > NOTE_MAX:
            errors["note"] = report_forms.in_words(
                "note", f"at most {NOTE_MAX:,} characters", indicators)
        if not errors:
            try:
                with transaction() as db:
                    report, _ = outcome_services.amend_report(
                        db, actor=principal, report_id=rid, values=values, note=note or None)
                    version = report.version
            except ValidationFailed as error:
                errors.update({path: report_forms.in_words(path, message, indicators)
                               for path, message in error.fields.items()})
            except InvalidTransition as error:
                flash(error.message, "error")
                return redirect(url_for("outcomes.reports_list", pid=period.id))
            else:
                flash(f"Report #{rid} for {view.date} amended: now version {version}"
                      + (" (nothing to report)." if not values else "."), "success")
                return redirect(url_for("outcomes.reports_list", pid=period.id))
    summary = [(report_forms.field_id(path, indicators), message)
               for path, message in errors.items()]
    status = 422 if errors or form.errors else 200
    return render_template("outcomes/report_amend.html", period=period, report=view,
                           indicators=indicators, errors=errors, entered=entered, form=form,
                           summary=summary), status


def retract_report_page(rid: int) -> str | Response | tuple[str, int]:
    """Withdraw a report from the totals, after confirming, with a reason."""
    principal = _principal()
    with transaction(write=False) as db:
        _report, view, period = _owned(db, principal, rid)
        indicators = outcome_services.catalogue(db, period.id)
    if view.retracted:
        flash(f"Report #{rid} is already retracted.", "info")
        return redirect(url_for("outcomes.reports_list", pid=period.id))
    form = ConfirmForm()
    errors: dict[str, str] = {}
    reason = ""
    if request.method == "POST" and form.validate_on_submit():
        reason = (request.form.get("reason") or "").strip()
        if not reason:
            errors["reason"] = "Reason: say why the report is retracted"
        elif len(reason) > REASON_MAX:
            errors["reason"] = f"Reason: at most {REASON_MAX:,} characters"
        if not errors:
            try:
                with transaction() as db:
                    outcome_services.retract_report(db, actor=principal, report_id=rid,
                                                    reason=reason)
            except ValidationFailed as error:
                errors.update({path: report_forms.in_words(path, message, indicators)
                               for path, message in error.fields.items()})
            except InvalidTransition as error:
                flash(error.message, "error")
                return redirect(url_for("outcomes.reports_list", pid=period.id))
            else:
                flash(f"Report #{rid} for {view.date} retracted: it no longer counts in the "
                      "totals, and the day can be reported again.", "success")
                return redirect(url_for("outcomes.reports_list", pid=period.id))
    summary = [(path, message) for path, message in errors.items()]
    status = 422 if errors or form.errors else 200
    return render_template("outcomes/report_retract.html", period=period, report=view,
                           figures=report_forms.described(view.values, indicators),
                           errors=errors, reason=reason, form=form, summary=summary), status


def report_history_page(rid: int) -> str:
    """Every version of a report, oldest first, with who saved it, when and why."""
    principal = _principal()
    with transaction(write=False) as db:
        _report, view, period = _owned(db, principal, rid)
        indicators = outcome_services.catalogue(db, period.id)
        _, versions = outcome_services.report_history(db, actor=principal, report_id=rid)
        authors = {user.id: user.full_name or user.username for user in db.scalars(
            select(User).where(User.id.in_({v.created_by for v in versions if v.created_by})))}
        rows = [SimpleNamespace(
            version=v.version, created_at=v.created_at, note=v.note,
            author=authors.get(v.created_by or 0, "—"),
            figures=report_forms.described(dict(v.values), indicators)) for v in versions]
    return render_template("outcomes/report_history.html", period=period, report=view,
                           versions=rows)
