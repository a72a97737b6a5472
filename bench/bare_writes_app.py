"""A bare Flask endpoint that does the same writes as the HTTP registration: the yardstick for
the HTTP target of bench/deconfliction.py (the application at >= 60 % of it).

For each POST it writes, in one transaction on the application's own engine (`core.db`: same
driver, same pragmas, SQLite's queued BEGIN IMMEDIATE) holding the same per-period lock
(PostgreSQL's advisory lock, `deconfliction.register.lock_period`), the rows a registration
that meets nothing writes: the operation, its sites and targets, its register entry with its
targets, sites and place keys (`core.db.insert_rows`, as the service does), and one chained
audit row (`core.audit.record_many`). It leaves out what the application adds around the
writes: the bearer token, validation, normalising and blinding (a target's stored hash here is
a plain SHA-256), the conflict look-ups and their records and messages, and the answer's
conflicts. Registrations alternate between the seeded NLOs' states.

Served by gunicorn exactly like the real application (bench/deconfliction_http.py, with the
same JPA_* environment). Run alone (`make bench` runs every bench/*.py) it only says so.
"""

from __future__ import annotations

import hashlib
import itertools
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy import select

# Run as a script (`make bench`), bench/ comes first on the path, where "deconfliction" is
# bench/deconfliction.py: the project's folder must come before it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import audit
from core.db import Database, insert_rows, utcnow
from core.identity.models import User
from deconfliction import matcher
from deconfliction.models import (
    RegisterEntry,
    RegisterPlaceKey,
    RegisterSite,
    RegisterTarget,
)
from deconfliction.register import lock_period
from operations.models import Operation, OperationSite, OperationTarget
from operations.services import DEFAULT_RADIUS_M, resolve_airport

_INSERT_OPERATION = Operation.__table__.insert().returning(Operation.__table__.c.id)
_INSERT_ENTRY = RegisterEntry.__table__.insert()

app = Flask(__name__)
_database: Database | None = None
_officers: list[tuple[int, str, str]] = []  # (user id, username, state) of the seeded NLOs
_turn = itertools.count()


def _db() -> Database:
    """The application's engine and sessions, keyed for the audit chain (built once)."""
    global _database
    if _database is None:
        from core.settings import load_settings

        settings = load_settings()
        _database = Database(settings.database_url)
        audit.use_key(_database.session_factory, settings.audit_key)
        with _database.transaction(write=False) as session:
            _officers.extend(session.execute(select(User.id, User.username, User.state).where(
                User.role == "liaison_officer").order_by(User.id)).tuples())
    return _database


def _sites(locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for index, location in enumerate(locations):
        radius = location.get("radius_m") or DEFAULT_RADIUS_M
        if location.get("site"):
            name, lat, lon = resolve_airport(location["site"], field="site")
            rows.append({"position": index, "name": location.get("name") or name,
                         "iata": location["site"].strip().upper(), "lat": lat, "lon": lon,
                         "radius_m": radius})
        else:
            rows.append({"position": index, "name": location.get("name") or "", "iata": None,
                         "lat": float(location["lat"]), "lon": float(location["lon"]),
                         "radius_m": radius})
    return rows


def _digest(value: str | None) -> str | None:
    return None if value is None else hashlib.sha256(value.encode()).hexdigest()


@app.get("/healthz")
def healthz():
    """Readiness, like the real application's."""
    return jsonify(status="ok")


@app.post("/api/v1/periods/<int:pid>/operations")
def register(pid: int):
    """Write what a registration that meets nothing writes, and answer 201."""
    body = request.get_json()
    database = _db()
    user_id, username, state = _officers[next(_turn) % len(_officers)]
    starts_at = datetime.fromisoformat(body["starts_at"])
    ends_at = datetime.fromisoformat(body["ends_at"])
    sites = _sites(body.get("locations") or [])
    targets = [matcher.Target(t["kind"], _digest(t["value"]) or "", _digest(t.get("dob")),
                              t.get("label") or "") for t in body.get("targets") or []]
    now = utcnow()
    with database.transaction() as session:
        connection = session.connection()
        op_id = connection.execute(_INSERT_OPERATION, {
            "period_id": pid, "owner_state": state, "registered_by": user_id,
            "title": body["title"], "type": body["type"], "lead_agency": body["lead_agency"],
            "starts_at": starts_at, "ends_at": ends_at, "cancelled": False,
            "contact_name": None, "contact_email": None, "contact_phone": None,
            "created_at": now, "updated_at": now}).scalar_one()
        insert_rows(connection, OperationSite.__table__,
                    [{"operation_id": op_id, **site} for site in sites])
        insert_rows(connection, OperationTarget.__table__, [
            {"operation_id": op_id, "position": i, "kind": t.kind, "label": t.label}
            for i, t in enumerate(targets)])
        lock_period(session, pid)
        footprint = matcher.Footprint(op_id, starts_at, ends_at, tuple(
            matcher.Site(s["lat"], s["lon"], s["radius_m"], s["name"]) for s in sites),
            tuple(targets))
        connection.execute(_INSERT_ENTRY, {
            "op_id": op_id, "period_id": pid, "state": state, "starts_at": starts_at,
            "ends_at": ends_at, "live": True, "contact_name": username, "contact_email": None,
            "contact_phone": None, "contact_user_id": user_id})
        insert_rows(connection, RegisterTarget.__table__, [
            {"op_id": op_id, "period_id": pid, "position": i, "kind": t.kind, "blind": t.blind,
             "dob_blind": t.dob_blind, "label": t.label} for i, t in enumerate(targets)])
        insert_rows(connection, RegisterSite.__table__, [
            {"op_id": op_id, "position": i, "label": s["name"], "lat": s["lat"],
             "lon": s["lon"], "radius_m": s["radius_m"]} for i, s in enumerate(sites)])
        insert_rows(connection, RegisterPlaceKey.__table__, [
            {"op_id": op_id, "key": key, "period_id": pid}
            for key in sorted(matcher.stored_place_keys(footprint))])
        audit.record_many(session, [{
            "action": "operation.created", "actor_username": username,
            "object_type": "operation", "object_id": op_id, "details": {"conflicts": 0}}])
    return jsonify(id=op_id, period_id=pid, title=body["title"], conflicts=[]), 201


if __name__ == "__main__":
    print("bench/bare_writes_app.py: the bare endpoint with the registration's writes that "
          "bench/deconfliction.py serves with gunicorn (nothing to measure on its own)")
