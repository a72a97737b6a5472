"""The improvement plan over the JSON API (DESIGN.md "Debrief packs")."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from sqlalchemy.orm import Session

from core.api import current_api_principal, json_response, make_api_blueprint
from core.db import transaction, utcnow
from core.schemas import ERROR_RESPONSES
from debrief import improvements
from debrief.improvements_schemas import ItemIn, ItemList, ItemOut, ItemPatch, ItemPath, ItemQuery
from debrief.models import ImprovementItem
from operations.schemas import PeriodPath

bp = make_api_blueprint("improvements_api", __name__, tag="debrief")


def item_payloads(session: Session, items: list[ImprovementItem]) -> list[dict[str, Any]]:
    """Items as the API shows them (with their period's name and whether overdue)."""
    names = improvements.period_names(session, items)
    now = utcnow()
    return [ItemOut.model_validate({
        "id": item.id, "period_id": item.period_id, "period_name": names[item.period_id],
        "objective_id": item.objective_id, "issue": item.issue,
        "corrective_action": item.corrective_action, "owner_state": item.owner_state,
        "owner": item.owner, "due_on": item.due_on, "status": item.status,
        "overdue": improvements.is_overdue(item, now), "created_at": item.created_at,
        "updated_at": item.updated_at}).model_dump(mode="json") for item in items]


def _base_url() -> str:
    return current_app.extensions["jpa.settings"].base_url


@bp.get("/periods/<int:pid>/improvements", responses={200: ItemList, **ERROR_RESPONSES})
def list_items(path: PeriodPath, query: ItemQuery) -> tuple[Response, int]:
    """The period's improvement plan (every participant reads it); filters: status,
    owner_state, overdue=true, include_earlier=true (open items of earlier periods)."""
    with transaction(write=False) as session:
        found = improvements.list_items(session, actor=current_api_principal(),
                                        period_id=path.pid, **query.model_dump())
        payload = {"items": item_payloads(session, found)}
    return json_response(payload)


@bp.post("/periods/<int:pid>/improvements", responses={201: ItemOut, **ERROR_RESPONSES})
def create_item(path: PeriodPath, body: ItemIn) -> tuple[Response, int]:
    """Add an item to the plan (the period's co-chairs); the owner state's NLOs are told."""
    with transaction() as session:
        item = improvements.create_item(session, actor=current_api_principal(),
                                        period_id=path.pid, base_url=_base_url(),
                                        **body.model_dump())
        payload = item_payloads(session, [item])[0]
    return json_response(payload, 201)


@bp.get("/improvements/<int:iid>", responses={200: ItemOut, **ERROR_RESPONSES})
def get_item(path: ItemPath) -> tuple[Response, int]:
    """One item (participants of its period, analysts)."""
    with transaction(write=False) as session:
        item = improvements.get_item(session, actor=current_api_principal(), item_id=path.iid)
        payload = item_payloads(session, [item])[0]
    return json_response(payload)


@bp.patch("/improvements/<int:iid>", responses={200: ItemOut, **ERROR_RESPONSES})
def update_item(path: ItemPath, body: ItemPatch) -> tuple[Response, int]:
    """Change an item: the period's co-chairs any field; the owner state's NLOs only
    `status` (another field is a 403 naming it); anyone else who sees the item: 403."""
    with transaction() as session:
        item = improvements.update_item(session, actor=current_api_principal(),
                                        item_id=path.iid, base_url=_base_url(),
                                        changes=body.model_dump(exclude_unset=True))
        payload = item_payloads(session, [item])[0]
    return json_response(payload)
