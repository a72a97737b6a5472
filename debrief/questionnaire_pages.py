"""The questionnaire's pages for a state's NLO: the form (each question explained, P/S/M/U in
plain words, Save draft and Submit), a confirmation before submitting, and after submission
the state's answers read-only with the other states' answers beside them (reciprocity)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from core import notify
from core.db import transaction
from core.errors import DomainError
from core.identity.forms import ConfirmForm
from core.identity.models import Role
from core.identity.services import Principal
from core.web import current_principal, role_required
from debrief import objectives, questionnaire, schedule
from debrief.views import READERS, field_errors

bp = Blueprint("debrief_questionnaire", __name__, template_folder="templates")
_RATING_ERROR = re.compile(r"ratings\[(\d+)\]\.(objective_id|rating|comment)")


def _page_data(pid: int, principal: Principal) -> dict[str, Any]:
    """Everything the questionnaire and its confirmation show, in one transaction."""
    with transaction() as db:
        view = schedule.get_debrief(db, actor=principal, period_id=pid)
        period = view.period
        found = objectives.period_objectives(db, period.id)
        totals = objectives.linked_totals(db, actor=principal, period=period, objectives=found)
        _, responses = questionnaire.visible_responses(db, actor=principal, period_id=pid)
        ratings = questionnaire.ratings_of(db, [r.id for r in responses])
    own = next((r for r in responses if r.state == principal.state), None)
    own_ratings = {r.objective_id: r for r in ratings.get(own.id, [])} if own else {}
    others = [r for r in responses if r.state != principal.state]
    missing = questionnaire.missing_for_submission(
        own, {oid: r.rating for oid, r in own_ratings.items()}, [o.id for o in found])
    return {"period": period, "view": view, "objectives": found, "totals": totals,
            "own": own, "own_ratings": own_ratings, "others": others,
            "other_ratings": {r.id: {x.objective_id: x for x in ratings[r.id]}
                              for r in others},
            "missing": missing, "questions": questionnaire.QUESTIONS,
            "ratings": questionnaire.RATING_LABELS,
            "usefulness": questionnaire.USEFULNESS_LABELS,
            "render": questionnaire.render_markdown, "form": ConfirmForm()}


def _render(template: str, pid: int, principal: Principal, *, status: int = 200,
            errors: dict[str, str] | None = None,
            entered: dict[str, Any] | None = None) -> tuple[str, int]:
    data = _page_data(pid, principal)
    values = _form_values(data["own"], data["own_ratings"], entered)
    return render_template(template, errors=errors or {}, values=values, **data), status


def _form_values(own: Any, own_ratings: dict[int, Any],
                 entered: dict[str, Any] | None) -> dict[str, Any]:
    """What the form shows: what was just sent (after an error), else the stored draft."""
    if entered is not None:
        return {"texts": {n: entered.get(n, "") for n in questionnaire.TEXT_FIELDS},
                "usefulness": str(entered.get("deconfliction_usefulness") or ""),
                "ratings": {r["objective_id"]: (r["rating"], r["comment"])
                            for r in entered["ratings"]}}
    return {"texts": {n: getattr(own, n) if own else "" for n in questionnaire.TEXT_FIELDS},
            "usefulness": str(own.deconfliction_usefulness or "") if own else "",
            "ratings": {oid: (r.rating, r.comment) for oid, r in own_ratings.items()}}


def _entered() -> dict[str, Any]:
    """The form as the service takes it; ratings in the order of their objective ids."""
    usefulness = request.form.get("deconfliction_usefulness", "").strip()
    ratings: list[dict[str, Any]] = []
    ids = sorted({int(m.group(1)) for key in request.form
                  if (m := re.fullmatch(r"(?:rating|comment)-(\d{1,9})", key))})
    for oid in ids:
        rating = request.form.get(f"rating-{oid}", "")
        comment = request.form.get(f"comment-{oid}", "")
        if rating or comment.strip():
            ratings.append({"objective_id": oid, "rating": rating, "comment": comment})
    texts = {name: request.form.get(name, "") for name in questionnaire.TEXT_FIELDS}
    return {**texts, "ratings": ratings,
            "deconfliction_usefulness": int(usefulness) if usefulness.isdigit()
            else (usefulness or None)}


def _form_errors(error: DomainError, ratings: list[dict[str, Any]]) -> dict[str, str]:
    """The service's field names as the form's: ratings[i].rating -> rating-<objective id>."""
    found: dict[str, str] = {}
    for name, message in field_errors(error).items():
        match = _RATING_ERROR.fullmatch(name)
        if match and int(match.group(1)) < len(ratings):
            oid = ratings[int(match.group(1))]["objective_id"]
            kind = "comment" if match.group(2) == "comment" else "rating"
            found[f"{kind}-{oid}"] = message
        elif name.startswith("ratings."):
            found[f"rating-{name.removeprefix('ratings.')}"] = message
        else:
            found[name] = message
    return found


@bp.route("/periods/<int:pid>/debrief/questionnaire", methods=["GET", "POST"],
          endpoint="questionnaire")
@role_required(*READERS)
def questionnaire_page(pid: int) -> str | Response | tuple[str, int]:
    """NLO: the state's questionnaire (Save draft; Submit asks for confirmation first);
    after submission the answers read-only and the other states' answers."""
    principal = current_principal()
    assert principal is not None
    if principal.role != Role.LIAISON_OFFICER:
        return redirect(url_for("debrief.debrief_page", pid=pid))
    template = "debrief/questionnaire.html"
    if request.method == "GET":
        return _render(template, pid, principal)
    entered = _entered()
    if not ConfirmForm().validate_on_submit():
        return _render(template, pid, principal, status=400, entered=entered,
                       errors={"": "The form expired; your answers are below: save again."})
    try:
        with transaction() as db:
            questionnaire.save_draft(db, actor=principal, period_id=pid,
                                     state=principal.state or "", **entered)
    except DomainError as error:
        return _render(template, pid, principal, status=error.status, entered=entered,
                       errors=_form_errors(error, entered["ratings"]))
    if request.form.get("action") == "submit":
        return redirect(url_for("debrief_questionnaire.confirm", pid=pid))
    flash("Draft saved. You can come back and change it until you submit.", "success")
    return redirect(url_for("debrief_questionnaire.questionnaire", pid=pid))


@bp.route("/periods/<int:pid>/debrief/questionnaire/confirm", methods=["GET", "POST"])
@role_required(Role.LIAISON_OFFICER)
def confirm(pid: int) -> str | Response | tuple[str, int]:
    """The last step: what will be submitted (or what is still missing), and the button
    that submits and locks it."""
    principal = current_principal()
    assert principal is not None
    template = "debrief/confirm.html"
    if request.method == "GET":
        return _render(template, pid, principal)
    if not ConfirmForm().validate_on_submit():
        return _render(template, pid, principal, status=400,
                       errors={"": "The form expired; submit again."})
    try:
        with transaction() as db:
            questionnaire.submit_response(
                db, actor=principal, period_id=pid, state=principal.state or "",
                base_url=current_app.extensions["jpa.settings"].base_url)
    except DomainError as error:
        return _render(template, pid, principal, status=error.status,
                       errors=_form_errors(error, []))
    notify.send_queued_now(current_app.extensions["jpa.db"],
                           current_app.extensions["jpa.settings"])
    flash(f"{principal.state}'s answers are submitted; the co-chairs have been told. "
          "The other states' answers are shown below as they come in.", "success")
    return redirect(url_for("debrief_questionnaire.questionnaire", pid=pid))
