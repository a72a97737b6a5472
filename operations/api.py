"""Joint periods and the state reference list over the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from sqlalchemy.orm import Session

from core import notify
from core.api import current_api_principal, idempotent, json_response, make_api_blueprint
from core.db import transaction
from core.identity.models import Role
from core.schemas import ERROR_RESPONSES
from core.states import all_states
from deconfliction.services import CheckOutcome
from operations import services
from operations.models import Operation
from operations.schemas import (
    CancelIn,
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
    ReopenIn,
    ResolveIn,
    StateList,
    operation_full,
    operation_summary,
    registration_of,
)

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


def _blinding_key() -> bytes:
    return current_app.extensions["jpa.settings"].blinding_key.encode()


def _base_url() -> str:
    return current_app.extensions["jpa.settings"].base_url


def _after_commit_mail() -> None:
    notify.send_queued_now(current_app.extensions["jpa.db"],
                           current_app.extensions["jpa.settings"])


def _owner_view(session: Session, operation: Operation,
                outcome: CheckOutcome | None = None) -> dict[str, Any]:
    """The owner's full view of an operation with its conflicts as the owner sees them
    (`outcome`: the registration's check, whose records are all the operation has)."""
    payload = operation_full(operation)
    payload["conflicts"] = services.operation_conflicts(
        session, actor=current_api_principal(), operation=operation,
        records=outcome.current if outcome else None,
        contacts=outcome.contacts if outcome else None)
    return payload


@bp.post("/periods/<int:pid>/operations", responses={201: None, **ERROR_RESPONSES})
def register_operation(path: PeriodPath, body: OperationCreate) -> tuple[Response, int]:
    """Register an operation (NLO); the conflicts found come back in the body;
    `Idempotency-Key` honoured (a retry replays the first answer and registers nothing)."""
    actor = current_api_principal()
    # Resolved and blinded before the write transaction: it queues on the period's lock.
    prepared = services.prepare_registration(actor=actor, period_id=path.pid,
                                             registration=registration_of(body),
                                             blinding_key=_blinding_key())

    def handler(session: Session) -> tuple[dict[str, Any], int]:
        operation, outcome = services.record_registration(session, actor=actor,
                                                          prepared=prepared,
                                                          base_url=_base_url())
        # A new operation's conflicts are exactly those its check found.
        return _owner_view(session, operation, outcome), 201

    answer = idempotent(f"register:{path.pid}", handler)
    _after_commit_mail()
    return answer


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
            payload = _owner_view(session, operation)
        else:
            payload = operation_summary(operation)
    return json_response(payload)


@bp.patch("/operations/<int:oid>", responses={200: None, **ERROR_RESPONSES})
def update_operation(path: OperationPath, body: OperationPatch) -> tuple[Response, int]:
    """Edit an operation of the caller's state; it is re-checked at once."""
    actor = current_api_principal()
    with transaction() as session:
        operation, _ = services.update_operation(
            session, actor=actor, op_id=path.oid, registration=registration_of(body),
            blinding_key=_blinding_key(), base_url=_base_url())
        payload = _owner_view(session, operation)
    _after_commit_mail()
    return json_response(payload)


@bp.post("/operations/<int:oid>/cancel", responses={200: None, **ERROR_RESPONSES})
def cancel_operation(path: OperationPath, body: CancelIn) -> tuple[Response, int]:
    """Cancel an operation of the caller's state for a reason (required); its conflicts become
    cleared and the other party of each is told the reason."""
    actor = current_api_principal()
    with transaction() as session:
        operation = services.cancel_operation(session, actor=actor, op_id=path.oid,
                                              reason=body.reason, base_url=_base_url())
        payload = _owner_view(session, operation)
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
        payload = services.acknowledge_conflict(session, actor=actor, conflict_id=path.cid,
                                                base_url=_base_url())
    _after_commit_mail()
    return json_response(payload)


@bp.post("/conflicts/<int:cid>/resolve", responses={200: None, **ERROR_RESPONSES})
def resolve_conflict(path: ConflictPath, body: ResolveIn) -> tuple[Response, int]:
    """A party records the resolution: proceed, joint, delay or cancel, with a note."""
    actor = current_api_principal()
    with transaction() as session:
        payload = services.resolve_conflict(session, actor=actor, conflict_id=path.cid,
                                            resolution=body.resolution, note=body.note,
                                            base_url=_base_url())
    _after_commit_mail()
    return json_response(payload)


@bp.post("/conflicts/<int:cid>/reopen", responses={200: None, **ERROR_RESPONSES})
def reopen_conflict(path: ConflictPath, body: ReopenIn) -> tuple[Response, int]:
    """Either party reopens a resolved conflict (note optional); the other party is told."""
    actor = current_api_principal()
    with transaction() as session:
        payload = services.reopen_conflict(session, actor=actor, conflict_id=path.cid,
                                           note=body.note, base_url=_base_url())
    _after_commit_mail()
    return json_response(payload)
