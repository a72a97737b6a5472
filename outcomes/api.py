"""Outcome reporting over the JSON API: indicators, reports and their versions, totals and
completeness. The routes keep the paths and the "periods" tag they had under operations/."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import Response, current_app, request
from sqlalchemy.orm import Session

from core.api import current_api_principal, idempotent, json_response, make_api_blueprint
from core.db import transaction
from core.identity.models import Role
from core.schemas import ERROR_RESPONSES
from operations.schemas import PeriodPath
from outcomes import figures, services
from outcomes.schemas import AmendIn, IndicatorIn, ReportIn, ReportPath, RetractIn

# The operationIds stay those the routes had under operations_api: generated clients name
# their methods after them.
bp = make_api_blueprint("outcomes_api", __name__, tag="periods",
                        operation_ids_of="operations_api")


@bp.get("/periods/<int:pid>/indicators", responses={200: None, **ERROR_RESPONSES})
def list_indicators(path: PeriodPath) -> tuple[Response, int]:
    """The period's indicators: the default catalogue and its own, with their definitions."""
    with transaction(write=False) as session:
        found = services.list_indicators(session, actor=current_api_principal(),
                                         period_id=path.pid)
    return json_response([i.as_json() for i in found])


@bp.post("/periods/<int:pid>/indicators", responses={201: None, **ERROR_RESPONSES})
def add_indicator(path: PeriodPath, body: IndicatorIn) -> tuple[Response, int]:
    """Add a period-specific indicator (administrator or one of the period's co-chairs)."""
    with transaction() as session:
        created = services.add_indicator(session, actor=current_api_principal(),
                                         period_id=path.pid, **body.model_dump())
    return json_response(created.as_json(), 201)


@bp.post("/periods/<int:pid>/reports", responses={201: None, **ERROR_RESPONSES})
def submit_report(path: PeriodPath, body: ReportIn) -> tuple[Response, int]:
    """Report the state's figures for a local date (NLO); no values makes a nil report."""
    actor = current_api_principal()

    def handler(session: Session) -> tuple[dict[str, Any], int]:
        report, values = services.submit_report(
            session, actor=actor, period_id=path.pid, on=body.date, values=body.values,
            operation_id=body.operation_id)
        return services.report_view(report, values), 201

    return idempotent(f"submit:{path.pid}", handler)


@bp.get("/periods/<int:pid>/reports", responses={200: None, **ERROR_RESPONSES})
def list_reports(path: PeriodPath) -> tuple[Response, int]:
    """The caller's state's reports of the period (NLO)."""
    actor = current_api_principal()
    with transaction(write=False) as session:
        reports = services.list_reports(session, actor=actor, period_id=path.pid)
        payload = [services.report_view(r, services.current_values(session, r))
                   for r in reports]
    return json_response({"reports": payload})


@bp.get("/reports/<int:rid>", responses={200: None, **ERROR_RESPONSES})
def get_report(path: ReportPath) -> tuple[Response, int]:
    """One of the caller's state's reports."""
    with transaction(write=False) as session:
        report = services.get_report(session, actor=current_api_principal(), report_id=path.rid)
        payload = services.report_view(report, services.current_values(session, report))
    return json_response(payload)


@bp.post("/reports/<int:rid>/amend", responses={201: None, **ERROR_RESPONSES})
def amend_report(path: ReportPath, body: AmendIn) -> tuple[Response, int]:
    """A new version of a report (owner); the old one is kept."""
    actor = current_api_principal()

    def handler(session: Session) -> tuple[dict[str, Any], int]:
        report, values = services.amend_report(session, actor=actor, report_id=path.rid,
                                               values=body.values, note=body.note)
        return services.report_view(report, values), 201

    return idempotent(f"amend:{path.rid}", handler)


@bp.post("/reports/<int:rid>/retract", responses={200: None, **ERROR_RESPONSES})
def retract_report(path: ReportPath, body: RetractIn) -> tuple[Response, int]:
    """Withdraw a report from the totals (owner); it is kept with the reason."""
    with transaction() as session:
        report = services.retract_report(session, actor=current_api_principal(),
                                         report_id=path.rid, reason=body.reason)
        payload = services.report_view(report, services.current_values(session, report))
    return json_response(payload)


@bp.get("/reports/<int:rid>/history", responses={200: None, **ERROR_RESPONSES})
def report_history(path: ReportPath) -> tuple[Response, int]:
    """Every version of a report, oldest first (owner)."""
    with transaction(write=False) as session:
        report, versions = services.report_history(session, actor=current_api_principal(),
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
        version = figures.figures_version(session, actor=actor, period_id=path.pid)
        key = (path.pid, scope, version)
        etag = f"totals-{path.pid}-{version}-{scope.replace('*', 'all')}"
        if etag in request.if_none_match:
            response = Response(status=304)
        else:
            cache = _rendered_totals()
            document = cache.get(key)
            if document is None:
                payload = figures.totals(session, actor=actor, period_id=path.pid)
                document = current_app.json.dumps(payload).encode()
                cache.put(key, document)
            response = Response(document, status=200, mimetype="application/json")
    response.set_etag(etag)
    return response


@bp.get("/periods/<int:pid>/completeness", responses={200: None, **ERROR_RESPONSES})
def completeness(path: PeriodPath) -> tuple[Response, int]:
    """Which state reported on which of its local dates so far (a nil report counts)."""
    with transaction(write=False) as session:
        payload = figures.completeness(session, actor=current_api_principal(),
                                       period_id=path.pid)
    return json_response(payload)
