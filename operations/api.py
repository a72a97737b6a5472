"""Joint periods and the state reference list over the JSON API."""

from __future__ import annotations

from flask import Response

from core.api import current_api_principal, json_response, make_api_blueprint
from core.db import transaction
from core.schemas import ERROR_RESPONSES
from core.states import all_states
from operations import services
from operations.schemas import PeriodCreate, PeriodList, PeriodOut, PeriodPath, StateList

bp = make_api_blueprint("operations_api", __name__, tag="periods")


@bp.post("/periods", responses={201: PeriodOut, **ERROR_RESPONSES})
def create_period(body: PeriodCreate) -> tuple[Response, int]:
    """Set up a joint period (administrator)."""
    with transaction() as session:
        period = services.create_period(session, actor=current_api_principal(), **body.model_dump())
        payload = PeriodOut.of(period).model_dump(mode="json")
    return json_response(payload, 201)


@bp.get("/periods", responses={200: PeriodList, **ERROR_RESPONSES})
def list_periods() -> tuple[Response, int]:
    """The periods the caller may see."""
    with transaction(write=False) as session:
        periods = services.list_periods(session, actor=current_api_principal())
        payload = PeriodList(periods=[PeriodOut.of(p) for p in periods]).model_dump(mode="json")
    return json_response(payload)


@bp.get("/periods/<int:pid>", responses={200: PeriodOut, **ERROR_RESPONSES})
def get_period(path: PeriodPath) -> tuple[Response, int]:
    """One period, if the caller may see it (else 404, as for a missing id)."""
    with transaction(write=False) as session:
        period = services.get_period(session, actor=current_api_principal(), period_id=path.pid)
        payload = PeriodOut.of(period).model_dump(mode="json")
    return json_response(payload)


@bp.get("/states", responses={200: StateList, **ERROR_RESPONSES})
def list_states() -> tuple[Response, int]:
    """Every state (ISO 3166-1 alpha-3) with its default time zone."""
    states = [{"code": s.code, "name": s.name, "default_time_zone": s.default_time_zone}
              for s in all_states().values()]
    return json_response({"states": sorted(states, key=lambda s: s["code"])})
