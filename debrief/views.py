"""Debrief pages: a period's objectives (co-chairs edit, everyone else reads with the totals
beside), the co-chairs' debrief page (who has submitted, the synthesis by question, the rating
matrix, the executive summary, then the sections other rooms add), and the wiring of the
debrief into the application (`register`). The questionnaire's pages are in
debrief.questionnaire_pages."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from core.db import transaction, utcnow
from core.errors import DomainError, ValidationFailed
from core.identity.forms import ConfirmForm
from core.identity.models import Role
from core.identity.services import Principal
from core.web import current_principal, role_required
from debrief import access, objectives, page_parts, questionnaire, schedule
from debrief.models import HANDLING_CODES
from operations.models import Period
from operations.period_page import PageLink, PeriodPagePart
from operations.period_page import register as register_period_part
from outcomes.services import catalogue

bp = Blueprint("debrief", __name__, template_folder="templates", static_folder="static",
               static_url_path="/debrief/static")
READERS = (Role.CO_CHAIR, Role.LIAISON_OFFICER, Role.ANALYST)
HANDLING_LABELS = {"H0": "H0: public", "H1": "H1: partners and the public on request",
                   "H2": "H2: participating states only", "H3": "H3: co-chairs only"}


def period_page_part(db: Session, principal: Principal, period: Period) -> PeriodPagePart:
    """The Debrief and Objectives links on a period's page (participants, co-chairs,
    analysts; never the administrator)."""
    if principal.role not in READERS:
        return PeriodPagePart()
    target = "debrief_questionnaire.questionnaire" if principal.role == Role.LIAISON_OFFICER \
        else "debrief.debrief_page"
    return PeriodPagePart(links=(
        PageLink("Debrief", url_for(target, pid=period.id), button=False),
        PageLink("Objectives", url_for("debrief.objectives_page", pid=period.id),
                 button=False)))


def field_errors(error: DomainError, prefix: str = "") -> dict[str, str]:
    """A domain error as inline messages keyed by form field (the error's own message when
    it names no field)."""
    if isinstance(error, ValidationFailed) and error.fields:
        return {f"{prefix}{name}": message for name, message in error.fields.items()}
    return {"": error.message}


# ---------------------------------------------------------------- objectives


def _grouped(errors: dict[str, str]) -> dict[str, str]:
    """Errors of single ticked indicators (x-indicator_keys[2]) under their group's name."""
    found: dict[str, str] = {}
    for name, message in errors.items():
        group = re.sub(r"indicator_keys\[\d+\]$", "indicator_keys", name)
        found[group] = f"{found[group]}; {message}" if group in found else message
    return found


def _objectives_page(pid: int, principal: Principal, *, errors: dict[str, str] | None = None,
                     entered: dict[str, Any] | None = None, status: int = 200,
                     ) -> tuple[str, int]:
    with transaction() as db:
        period, found = objectives.list_objectives(db, actor=principal, period_id=pid)
        totals = objectives.linked_totals(db, actor=principal, period=period, objectives=found)
        indicators = catalogue(db, period.id)
    ended = utcnow() >= period.ends_at
    may_edit = access.is_co_chair(principal, period) and not ended
    return render_template("debrief/objectives.html", period=period, objectives=found,
                           totals=totals, indicators=indicators, may_edit=may_edit,
                           ended=ended, errors=_grouped(errors or {}), entered=entered or {},
                           form=ConfirmForm()), status


def _objective_fields(prefix: str) -> dict[str, Any]:
    """What an objective form sent: title, description, position, ticked indicators."""
    position = request.form.get(f"{prefix}position", "").strip()
    return {"title": request.form.get(f"{prefix}title", ""),
            "description": request.form.get(f"{prefix}description", ""),
            "indicator_keys": request.form.getlist(f"{prefix}indicators"),
            "position": int(position) if position.isdigit() else (position or None)}


@bp.route("/periods/<int:pid>/objectives", methods=["GET", "POST"])
@role_required(*READERS)
def objectives_page(pid: int) -> str | Response | tuple[str, int]:
    """The objectives with their indicators' totals; co-chairs add one here."""
    principal = current_principal()
    assert principal is not None
    if request.method == "GET":
        return _objectives_page(pid, principal)
    if not ConfirmForm().validate_on_submit():
        return _objectives_page(pid, principal, errors={"": "The form expired; try again."},
                                status=400)
    entered = _objective_fields("new-")
    try:
        with transaction() as db:
            objectives.create_objective(db, actor=principal, period_id=pid, **entered)
    except DomainError as error:
        return _objectives_page(pid, principal, errors=field_errors(error, "new-"),
                                entered={"new": entered}, status=error.status)
    flash("Objective added.", "success")
    return redirect(url_for("debrief.objectives_page", pid=pid))


@bp.post("/periods/<int:pid>/objectives/<int:oid>")
@role_required(*READERS)
def objective_edit(pid: int, oid: int) -> str | Response | tuple[str, int]:
    """Save (or, with action=delete, remove) one objective (co-chairs, before the end)."""
    principal = current_principal()
    assert principal is not None
    if not ConfirmForm().validate_on_submit():
        return _objectives_page(pid, principal, errors={"": "The form expired; try again."},
                                status=400)
    prefix = f"objective-{oid}-"
    entered = _objective_fields(prefix)
    try:
        with transaction() as db:
            if request.form.get("action") == "delete":
                objectives.delete_objective(db, actor=principal, objective_id=oid)
            else:
                objectives.update_objective(db, actor=principal, objective_id=oid, **entered)
    except DomainError as error:
        return _objectives_page(pid, principal, errors=field_errors(error, prefix),
                                entered={oid: entered}, status=error.status)
    flash("Objective removed." if request.form.get("action") == "delete"
          else "Objective saved.", "success")
    return redirect(url_for("debrief.objectives_page", pid=pid) + f"#objective-{oid}")


# ---------------------------------------------------------------- the debrief page


def _zone(principal: Principal) -> ZoneInfo:
    return ZoneInfo(principal.time_zone or "UTC")


def local_input(moment: datetime, principal: Principal) -> str:
    """A moment as the value of a datetime-local input, in the viewer's zone."""
    return moment.astimezone(_zone(principal)).strftime("%Y-%m-%dT%H:%M")


def _comments(db: Session, responses: list[Any]) -> dict[int, list[tuple[str, str, str]]]:
    """{objective_id: [(state, rating, comment as sanitised HTML)]} of the given responses."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    states = {r.id: r.state for r in responses}
    for rid, ratings in questionnaire.ratings_of(db, list(states)).items():
        for rating in ratings:
            if rating.comment.strip():
                found.setdefault(rating.objective_id, []).append(
                    (states[rid], rating.rating, questionnaire.render_markdown(rating.comment)))
    return {oid: sorted(items) for oid, items in found.items()}


def _debrief_page(pid: int, principal: Principal, *, errors: dict[str, str] | None = None,
                  entered: dict[str, Any] | None = None, status: int = 200,
                  ) -> tuple[str, int]:
    with transaction() as db:
        view = schedule.get_debrief(db, actor=principal, period_id=pid)
        period = view.period
        found = objectives.period_objectives(db, period.id)
        _, responses = questionnaire.visible_responses(db, actor=principal, period_id=pid)
        matrix = questionnaire.rating_matrix(db, period.id)
        comments = _comments(db, responses)
        parts = page_parts.parts(db, principal, period)
    submitted = dict(view.submitted)
    sections = [(part.heading, Markup(render_template(  # noqa: S704 - autoescaped Jinja
        part.template, period=period, **part.context))) for part in parts]
    return render_template(
        "debrief/debrief.html", period=period, view=view, objectives=found,
        responses=responses, submitted=submitted, matrix=matrix, comments=comments,
        sections=sections,
        questions=questionnaire.QUESTIONS, ratings=questionnaire.RATING_LABELS,
        usefulness=questionnaire.USEFULNESS_LABELS, render=questionnaire.render_markdown,
        may_edit=access.is_co_chair(principal, period),
        handling_labels={code: HANDLING_LABELS[code] for code in HANDLING_CODES},
        errors=errors or {}, entered=entered or {}, form=ConfirmForm(),
        opens_value=local_input(view.opens_at, principal)), status


@bp.get("/periods/<int:pid>/debrief")
@role_required(*READERS)
def debrief_page(pid: int) -> str | Response | tuple[str, int]:
    """Co-chairs and analysts: the whole debrief; an NLO is sent to its questionnaire."""
    principal = current_principal()
    assert principal is not None
    if principal.role == Role.LIAISON_OFFICER:
        return redirect(url_for("debrief_questionnaire.questionnaire", pid=pid))
    return _debrief_page(pid, principal)


def _parse_settings(principal: Principal) -> tuple[dict[str, Any], dict[str, str]]:
    """The settings form's fields as the service takes them, and unreadable ones."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    opens = request.form.get("opens_at", "").strip()
    try:
        values["opens_at"] = datetime.fromisoformat(opens).replace(
            tzinfo=_zone(principal)) if opens else None
    except ValueError:
        problems["opens_at"] = "give a date and time"
    due = request.form.get("due_on", "").strip()
    try:
        values["due_on"] = date.fromisoformat(due) if due else None
    except ValueError:
        problems["due_on"] = "give a date (YYYY-MM-DD)"
    values["handling"] = request.form.get("handling", "")
    return values, problems


@bp.post("/periods/<int:pid>/debrief")
@role_required(Role.CO_CHAIR)
def debrief_update(pid: int) -> str | Response | tuple[str, int]:
    """The co-chairs' forms: the executive summary (form=summary) or the settings."""
    principal = current_principal()
    assert principal is not None
    entered = dict(request.form)
    if not ConfirmForm().validate_on_submit():
        return _debrief_page(pid, principal, errors={"": "The form expired; try again."},
                             entered=entered, status=400)
    if request.form.get("form") == "summary":
        values: dict[str, Any] = {"summary": request.form.get("summary", "")}
        problems: dict[str, str] = {}
    else:
        values, problems = _parse_settings(principal)
    if problems:
        return _debrief_page(pid, principal, errors=problems, entered=entered, status=422)
    try:
        with transaction() as db:
            schedule.update_debrief(db, actor=principal, period_id=pid, **values)
    except DomainError as error:
        return _debrief_page(pid, principal, errors=field_errors(error), entered=entered,
                             status=error.status)
    flash("Executive summary saved." if "summary" in values else "Debrief settings saved.",
          "success")
    return redirect(url_for("debrief.debrief_page", pid=pid))


def register(app: Flask) -> None:
    """Add the debrief pages, the period-page links and the demo's debrief."""
    from debrief import questionnaire_pages
    from debrief.demo import register as register_demo

    app.register_blueprint(bp)
    app.register_blueprint(questionnaire_pages.bp)
    register_period_part(app, period_page_part)
    register_demo(app)
