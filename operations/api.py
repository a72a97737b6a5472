"""Joint periods and the state reference list over the JSON API."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request
from sqlalchemy.orm import Session

from core import idempotency, notify
from core.api import current_api_principal, json_response, make_api_blueprint
from core.db import transaction
from core.identity.models import Role
from core.schemas import ERROR_RESPONSES
from core.states import all_states
from deconfliction.services import CheckOutcome
from operations import reporting, services
from operations.models import Operation
from operations.schemas import (
    AmendIn,
    ConflictPath,
    ConflictQuery,
    IndicatorIn,
    OperationCreate,
    OperationPatch,
    OperationPath,
    OperationQuery,
    PeriodCreate,
    PeriodList,
    PeriodOut,
    PeriodPath,
    ReportIn,
    ReportPath,
    ResolveIn,
    RetractIn,
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

    answer = _idempotent(f"register:{path.pid}", handler)
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
def cancel_operation(path: OperationPath) -> tuple[Response, int]:
    """Cancel an operation of the caller's state; its conflicts become cleared."""
    actor = current_api_principal()
    with transaction() as session:
        operation = services.cancel_operation(session, actor=actor, op_id=path.oid,
                                              base_url=_base_url())
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


# ---------------------------------------------------------------- outcomes


def _idempotent(endpoint: str, handler: Callable[[Session], tuple[dict[str, Any], int]],
                ) -> tuple[Response, int]:
    """Run a write once per Idempotency-Key: the same key and body again replays the first
    response and stores nothing; the same key with another body is a 422."""
    actor = current_api_principal()
    raw_key = request.headers.get("Idempotency-Key")
    key = idempotency.check_key(raw_key) if raw_key is not None else None
    payload = request.get_json(silent=True)
    secret = idempotency.secret_for(current_app.extensions["jpa.settings"].secret_key)
    with transaction() as session:
        if key:
            replay = idempotency.find_replay(session, user_id=actor.id, key=key,
                                             endpoint=endpoint, payload=payload, secret=secret)
            if replay is not None:
                return json_response(replay.body, replay.status)
        body, status = handler(session)
        if key:
            idempotency.remember(session, user_id=actor.id, key=key, endpoint=endpoint,
                                 payload=payload, status=status, body=body, secret=secret)
    return json_response(body, status)


@bp.get("/periods/<int:pid>/indicators", responses={200: None, **ERROR_RESPONSES})
def list_indicators(path: PeriodPath) -> tuple[Response, int]:
    """The period's indicators: the default catalogue and its own, with their definitions."""
    with transaction(write=False) as session:
        found = reporting.list_indicators(session, actor=current_api_principal(),
                                          period_id=path.pid)
    return json_response([i.as_json() for i in found])


@bp.post("/periods/<int:pid>/indicators", responses={201: None, **ERROR_RESPONSES})
def add_indicator(path: PeriodPath, body: IndicatorIn) -> tuple[Response, int]:
    """Add a period-specific indicator (administrator or one of the period's co-chairs)."""
    with transaction() as session:
        created = reporting.add_indicator(session, actor=current_api_principal(),
                                          period_id=path.pid, **body.model_dump())
    return json_response(created.as_json(), 201)


@bp.post("/periods/<int:pid>/reports", responses={201: None, **ERROR_RESPONSES})
def submit_report(path: PeriodPath, body: ReportIn) -> tuple[Response, int]:
    """Report the state's figures for a local date (NLO); no values makes a nil report."""
    actor = current_api_principal()

    def handler(session: Session) -> tuple[dict[str, Any], int]:
        report, values = reporting.submit_report(
            session, actor=actor, period_id=path.pid, on=body.date, values=body.values,
            operation_id=body.operation_id)
        return reporting.report_view(report, values), 201

    return _idempotent(f"submit:{path.pid}", handler)


@bp.get("/periods/<int:pid>/reports", responses={200: None, **ERROR_RESPONSES})
def list_reports(path: PeriodPath) -> tuple[Response, int]:
    """The caller's state's reports of the period (NLO)."""
    actor = current_api_principal()
    with transaction(write=False) as session:
        reports = reporting.list_reports(session, actor=actor, period_id=path.pid)
        payload = [reporting.report_view(r, reporting.current_values(session, r))
                   for r in reports]
    return json_response({"reports": payload})


@bp.get("/reports/<int:rid>", responses={200: None, **ERROR_RESPONSES})
def get_report(path: ReportPath) -> tuple[Response, int]:
    """One of the caller's state's reports."""
    with transaction(write=False) as session:
        report = reporting.get_report(session, actor=current_api_principal(), report_id=path.rid)
        payload = reporting.report_view(report, reporting.current_values(session, report))
    return json_response(payload)


@bp.post("/reports/<int:rid>/amend", responses={201: None, **ERROR_RESPONSES})
def amend_report(path: ReportPath, body: AmendIn) -> tuple[Response, int]:
    """A new version of a report (owner); the old one is kept."""
    actor = current_api_principal()

    def handler(session: Session) -> tuple[dict[str, Any], int]:
        report, values = reporting.amend_report(session, actor=actor, report_id=path.rid,
                                                values=body.values, note=body.note)
        return reporting.report_view(report, values), 201

    return _idempotent(f"amend:{path.rid}", handler)


@bp.post("/reports/<int:rid>/retract", responses={200: None, **ERROR_RESPONSES})
def retract_report(path: ReportPath, body: RetractIn) -> tuple[Response, int]:
    """Withdraw a report from the totals (owner); it is kept with the reason."""
    with transaction() as session:
        report = reporting.retract_report(session, actor=current_api_principal(),
                                          report_id=path.rid, reason=body.reason)
        payload = reporting.report_view(report, reporting.current_values(session, report))
    return json_response(payload)


@bp.get("/reports/<int:rid>/history", responses={200: None, **ERROR_RESPONSES})
def report_history(path: ReportPath) -> tuple[Response, int]:
    """Every version of a report, oldest first (owner)."""
    with transaction(write=False) as session:
        report, versions = reporting.report_history(session, actor=current_api_principal(),
                                                    report_id=path.rid)
        payload = {
            "report_id": report.id, "retracted": report.retracted_at is not None,
            "retraction_reason": report.retraction_reason,
            "versions": [{"version": v.version, "values": v.values, "nil": not v.values,
                          "note": v.note, "created_at": v.created_at.isoformat()}
                         for v in versions]}
    return json_response(payload)


class RenderedTotals:
    """The last rendered totals documents of this process, by (period, scope, figures
    version): an unchanged period is answered without summing or serialising again."""

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._documents: OrderedDict[tuple[int, str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str, int]) -> bytes | None:
        """The document stored under `key`, if any."""
        with self._lock:
            document = self._documents.get(key)
            if document is not None:
                self._documents.move_to_end(key)
            return document

    def put(self, key: tuple[int, str, int], document: bytes) -> None:
        """Keep a document, dropping the least recently used beyond the capacity."""
        with self._lock:
            self._documents[key] = document
            self._documents.move_to_end(key)
            while len(self._documents) > self.capacity:
                self._documents.popitem(last=False)


def _rendered_totals() -> RenderedTotals:
    # One per application: two apps in one process (tests) have different databases.
    return current_app.extensions.setdefault("jpa.rendered_totals", RenderedTotals())


@bp.get("/periods/<int:pid>/totals", responses={200: None, 304: None, **ERROR_RESPONSES})
def totals(path: PeriodPath) -> Response:
    """Totals of the current versions: regional, by state as visible, by category, daily.

    The ETag names the period's figures version and the caller's scope: `If-None-Match` with it
    is answered 304 while no report or indicator of the period has changed.
    """
    actor = current_api_principal()
    scope = actor.state or "" if actor.role == Role.LIAISON_OFFICER else "*"
    with transaction(write=False) as session:
        version = services.figures_version(session, actor=actor, period_id=path.pid)
        key = (path.pid, scope, version)
        etag = f"totals-{path.pid}-{version}-{scope.replace('*', 'all')}"
        if etag in request.if_none_match:
            response = Response(status=304)
        else:
            cache = _rendered_totals()
            document = cache.get(key)
            if document is None:
                payload = reporting.totals(session, actor=actor, period_id=path.pid)
                document = current_app.json.dumps(payload).encode()
                cache.put(key, document)
            response = Response(document, status=200, mimetype="application/json")
    response.set_etag(etag)
    return response


@bp.get("/periods/<int:pid>/completeness", responses={200: None, **ERROR_RESPONSES})
def completeness(path: PeriodPath) -> tuple[Response, int]:
    """Which state reported on which of its local dates so far (a nil report counts)."""
    with transaction(write=False) as session:
        payload = reporting.completeness(session, actor=current_api_principal(),
                                         period_id=path.pid)
    return json_response(payload)
