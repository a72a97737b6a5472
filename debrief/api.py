"""The debrief's objectives, settings and questionnaire over the JSON API (DESIGN.md
"Debrief packs"). Every handler opens one transaction; the services never commit."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from sqlalchemy.orm import Session

from core import notify
from core.api import current_api_principal, json_response, make_api_blueprint
from core.db import transaction
from core.identity.services import Principal
from core.schemas import ERROR_RESPONSES
from debrief import objectives, questionnaire, schedule
from debrief.models import Objective
from debrief.schemas import (
    DebriefOut,
    DebriefPatch,
    ObjectiveIn,
    ObjectiveList,
    ObjectiveOut,
    ObjectivePatch,
    ObjectivePath,
    ResponseIn,
    ResponseList,
    ResponseOut,
    ResponsePath,
)
from operations.models import Period
from operations.schemas import PeriodPath

bp = make_api_blueprint("debrief_api", __name__, tag="debrief")


def _objectives(session: Session, actor: Principal, period: Period,
                found: list[Objective]) -> list[dict[str, Any]]:
    totals = objectives.linked_totals(session, actor=actor, period=period, objectives=found)
    return [ObjectiveOut.model_validate(objectives.objective_view(o, totals[o.id]))
            .model_dump(mode="json") for o in found]


def _objective(session: Session, actor: Principal, objective: Objective) -> dict[str, Any]:
    period = session.get(Period, objective.period_id)
    assert period is not None
    return _objectives(session, actor, period, [objective])[0]


def _response(session: Session, response: Any, ratings: list[Any]) -> dict[str, Any]:
    return ResponseOut.model_validate(questionnaire.response_view(response, ratings)) \
        .model_dump(mode="json")


def _debrief(view: schedule.DebriefView) -> dict[str, Any]:
    return DebriefOut.model_validate(view.as_dict()).model_dump(mode="json")


@bp.get("/periods/<int:pid>/objectives", responses={200: ObjectiveList, **ERROR_RESPONSES})
def list_objectives(path: PeriodPath) -> tuple[Response, int]:
    """The period's objectives with their indicators' regional totals (seeded with the
    concept note's ten expected outcomes on first read)."""
    actor = current_api_principal()
    with transaction() as session:
        period, found = objectives.list_objectives(session, actor=actor, period_id=path.pid)
        payload = {"objectives": _objectives(session, actor, period, found)}
    return json_response(payload)


@bp.post("/periods/<int:pid>/objectives", responses={201: ObjectiveOut, **ERROR_RESPONSES})
def create_objective(path: PeriodPath, body: ObjectiveIn) -> tuple[Response, int]:
    """A new objective (the period's co-chairs, until the period ends: then 409)."""
    actor = current_api_principal()
    with transaction() as session:
        found = objectives.create_objective(session, actor=actor, period_id=path.pid,
                                            **body.model_dump())
        payload = _objective(session, actor, found)
    return json_response(payload, 201)


@bp.patch("/objectives/<int:oid>", responses={200: ObjectiveOut, **ERROR_RESPONSES})
def update_objective(path: ObjectivePath, body: ObjectivePatch) -> tuple[Response, int]:
    """Edit or move an objective (the period's co-chairs, until the period ends)."""
    actor = current_api_principal()
    with transaction() as session:
        found = objectives.update_objective(session, actor=actor, objective_id=path.oid,
                                            **body.model_dump(exclude_unset=True))
        payload = _objective(session, actor, found)
    return json_response(payload)


@bp.delete("/objectives/<int:oid>", responses={204: None, **ERROR_RESPONSES})
def delete_objective(path: ObjectivePath) -> tuple[Response, int]:
    """Remove an objective and its ratings (the period's co-chairs, until the period ends)."""
    with transaction() as session:
        objectives.delete_objective(session, actor=current_api_principal(),
                                    objective_id=path.oid)
    return Response(status=204), 204


@bp.get("/periods/<int:pid>/debrief", responses={200: DebriefOut, **ERROR_RESPONSES})
def get_debrief(path: PeriodPath) -> tuple[Response, int]:
    """When the questionnaire opens and is due, the summary, the handling code, who has
    submitted."""
    with transaction() as session:
        payload = _debrief(schedule.get_debrief(session, actor=current_api_principal(),
                                                period_id=path.pid))
    return json_response(payload)


@bp.patch("/periods/<int:pid>/debrief", responses={200: DebriefOut, **ERROR_RESPONSES})
def update_debrief(path: PeriodPath, body: DebriefPatch) -> tuple[Response, int]:
    """Co-chairs: opens_at (at the latest the period's end), due_on, summary, handling."""
    with transaction() as session:
        view = schedule.update_debrief(session, actor=current_api_principal(),
                                       period_id=path.pid,
                                       **body.model_dump(exclude_unset=True))
        payload = _debrief(view)
    return json_response(payload)


@bp.get("/periods/<int:pid>/debrief/responses",
        responses={200: ResponseList, **ERROR_RESPONSES})
def list_responses(path: PeriodPath) -> tuple[Response, int]:
    """Co-chairs and analysts: every submitted response. An NLO: its own, and the others'
    once its state has submitted."""
    with transaction(write=False) as session:
        _, found = questionnaire.visible_responses(session, actor=current_api_principal(),
                                                   period_id=path.pid)
        ratings = questionnaire.ratings_of(session, [r.id for r in found])
        payload = {"responses": [_response(session, r, ratings[r.id]) for r in found]}
    return json_response(payload)


@bp.put("/periods/<int:pid>/debrief/responses/<state>",
        responses={200: ResponseOut, **ERROR_RESPONSES})
def save_response(path: ResponsePath, body: ResponseIn) -> tuple[Response, int]:
    """Save the state's draft (its NLO, once the questionnaire is open: else 409 naming
    opens_at); replaces the draft whole; 409 after submission."""
    values = body.model_dump()
    with transaction() as session:
        response, ratings = questionnaire.save_draft(
            session, actor=current_api_principal(), period_id=path.pid, state=path.state,
            **values)
        payload = _response(session, response, ratings)
    return json_response(payload)


@bp.post("/periods/<int:pid>/debrief/responses/<state>/submit",
         responses={200: ResponseOut, **ERROR_RESPONSES})
def submit_response(path: ResponsePath) -> tuple[Response, int]:
    """Submit and lock the state's answers (every question, usefulness and every objective
    rated, else 422); a second submission is a 409. The co-chairs are told."""
    base_url = current_app.extensions["jpa.settings"].base_url
    with transaction() as session:
        response, ratings = questionnaire.submit_response(
            session, actor=current_api_principal(), period_id=path.pid, state=path.state,
            base_url=base_url)
        payload = _response(session, response, ratings)
    notify.send_queued_now(current_app.extensions["jpa.db"], current_app.extensions["jpa.settings"])
    return json_response(payload)
