"""Joint periods and the state reference list over the JSON API."""

from __future__ import annotations

from flask import Response, current_app

from core import notify
from core.api import current_api_principal, json_response, make_api_blueprint
from core.db import transaction
from core.identity.models import Role
from core.schemas import ERROR_RESPONSES
from core.states import all_states
from operations import services
from operations.schemas import (
    ConflictPath,
    ConflictQuery,
    OperationCreate,
    OperationPatch,
    OperationPath,
    OperationQuery,
    PeriodCreate,
    PeriodList,
    PeriodOut,
    PeriodPath,
    ResolveIn,
    StateList,
    operation_full,
    operation_summary,
)
from operations.services import ContactData, LocationData, Registration, TargetData

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


def _registration(body: OperationCreate | OperationPatch) -> Registration:
    return Registration(
        title=body.title, type=body.type, lead_agency=body.lead_agency,
        starts_at=body.starts_at, ends_at=body.ends_at,
        locations=None if body.locations is None else [
            LocationData(name=loc.name, lat=loc.lat, lon=loc.lon, radius_m=loc.radius_m,
                         site=loc.site) for loc in body.locations],
        targets=None if body.targets is None else [
            TargetData(kind=t.kind, value=t.value, label=t.label, dob=t.dob)
            for t in body.targets],
        contact=None if body.contact is None else ContactData(
            name=body.contact.name, email=body.contact.email, phone=body.contact.phone),
    )


def _blinding_key() -> bytes:
    return current_app.extensions["jpa.settings"].blinding_key.encode()


def _base_url() -> str:
    return current_app.extensions["jpa.settings"].base_url


def _after_commit_mail() -> None:
    """Try to send queued e-mail now; what fails stays queued for the scheduler."""
    settings = current_app.extensions["jpa.settings"]
    if not settings.smtp_host:
        return
    with current_app.extensions["jpa.db"].transaction() as session:
        notify.deliver_pending(session, host=settings.smtp_host, port=settings.smtp_port,
                               sender=settings.mail_from)


@bp.post("/periods/<int:pid>/operations", responses={201: None, **ERROR_RESPONSES})
def register_operation(path: PeriodPath, body: OperationCreate) -> tuple[Response, int]:
    """Register an operation (NLO); the conflicts found come back in the body."""
    actor = current_api_principal()
    with transaction() as session:
        operation, _ = services.register_operation(
            session, actor=actor, period_id=path.pid, registration=_registration(body),
            blinding_key=_blinding_key(), base_url=_base_url())
        payload = operation_full(operation)
        payload["conflicts"] = services.operation_conflicts(session, actor=actor,
                                                            operation=operation)
    _after_commit_mail()
    return json_response(payload, 201)


@bp.get("/periods/<int:pid>/operations", responses={200: None, **ERROR_RESPONSES})
def list_operations(path: PeriodPath, query: OperationQuery) -> tuple[Response, int]:
    """Operations of a period: the caller's state's in full, or every state's as summaries."""
    actor = current_api_principal()
    with transaction() as session:
        operations = services.list_operations(session, actor=actor, period_id=path.pid,
                                              status=query.status)
        full = actor.role == Role.LIAISON_OFFICER
        payload = [operation_full(o) if full else operation_summary(o) for o in operations]
    return json_response({"operations": payload})


@bp.get("/operations/<int:oid>", responses={200: None, **ERROR_RESPONSES})
def get_operation(path: OperationPath) -> tuple[Response, int]:
    """One operation: full for its own state, a summary for co-chairs and analysts, else 404."""
    actor = current_api_principal()
    with transaction() as session:
        operation, full = services.get_operation(session, actor=actor, op_id=path.oid)
        if full:
            payload = operation_full(operation)
            payload["conflicts"] = services.operation_conflicts(session, actor=actor,
                                                                operation=operation)
        else:
            payload = operation_summary(operation)
    return json_response(payload)


@bp.patch("/operations/<int:oid>", responses={200: None, **ERROR_RESPONSES})
def update_operation(path: OperationPath, body: OperationPatch) -> tuple[Response, int]:
    """Edit an operation of the caller's state; it is re-checked at once."""
    actor = current_api_principal()
    with transaction() as session:
        operation, _ = services.update_operation(
            session, actor=actor, op_id=path.oid, registration=_registration(body),
            blinding_key=_blinding_key(), base_url=_base_url())
        payload = operation_full(operation)
        payload["conflicts"] = services.operation_conflicts(session, actor=actor,
                                                            operation=operation)
    _after_commit_mail()
    return json_response(payload)


@bp.post("/operations/<int:oid>/cancel", responses={200: None, **ERROR_RESPONSES})
def cancel_operation(path: OperationPath) -> tuple[Response, int]:
    """Cancel an operation of the caller's state; its conflicts become cleared."""
    actor = current_api_principal()
    with transaction() as session:
        operation = services.cancel_operation(session, actor=actor, op_id=path.oid,
                                              base_url=_base_url())
        payload = operation_full(operation)
        payload["conflicts"] = services.operation_conflicts(session, actor=actor,
                                                            operation=operation)
    _after_commit_mail()
    return json_response(payload)


@bp.get("/periods/<int:pid>/conflicts", responses={200: None, **ERROR_RESPONSES})
def list_conflicts(path: PeriodPath, query: ConflictQuery) -> tuple[Response, int]:
    """Conflicts of a period: parties see their side, co-chairs pointers, analysts counts."""
    actor = current_api_principal()
    with transaction() as session:
        payload = services.conflicts_for(session, actor=actor, period_id=path.pid,
                                         status=query.status)
    return json_response(payload)


@bp.get("/conflicts/<int:cid>", responses={200: None, **ERROR_RESPONSES})
def get_conflict(path: ConflictPath) -> tuple[Response, int]:
    """One conflict as the caller may see it, with its history of status changes."""
    actor = current_api_principal()
    with transaction() as session:
        payload = services.conflict_detail(session, actor=actor, conflict_id=path.cid)
    return json_response(payload)


@bp.post("/conflicts/<int:cid>/acknowledge", responses={200: None, **ERROR_RESPONSES})
def acknowledge_conflict(path: ConflictPath) -> tuple[Response, int]:
    """A party acknowledges the conflict."""
    actor = current_api_principal()
    with transaction() as session:
        payload = services.acknowledge_conflict(session, actor=actor, conflict_id=path.cid)
    return json_response(payload)


@bp.post("/conflicts/<int:cid>/resolve", responses={200: None, **ERROR_RESPONSES})
def resolve_conflict(path: ConflictPath, body: ResolveIn) -> tuple[Response, int]:
    """A party records the resolution: proceed, joint, delay or cancel, with a note."""
    actor = current_api_principal()
    with transaction() as session:
        payload = services.resolve_conflict(session, actor=actor, conflict_id=path.cid,
                                            resolution=body.resolution, note=body.note)
    return json_response(payload)
