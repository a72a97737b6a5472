"""The data of the debrief benchmark (bench/debrief.py): one big period and everything its
pack reads, inserted in bulk straight into the tables. Loaded by file path, as a sibling."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PASSWORD = "bench-password-long-enough"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
BLINDING = "bench-blinding-key-that-is-long-enough-01234567"
AUDIT_KEY = "bench-audit-key-that-is-long-enough-0123456789abcdef"
OPERATION_TYPES = ("airport_checks", "transit_hub_checks", "workplace_inspections",
                   "network_targeting", "other")


def settings_for(url: str, instance: Path) -> Any:
    """Settings of the benchmark's application (argon2 made cheap: users are seeded)."""
    from core.settings import load_settings

    return load_settings({"JPA_DATABASE_URL": url}, instance_path=instance, secret_key=SECRET,
                         blinding_key=BLINDING, audit_key=AUDIT_KEY, argon2_time_cost=1,
                         argon2_memory_kib=1024, argon2_parallelism=1, testing=True,
                         two_factor="optional")


def _chunks(rows: list[dict[str, Any]], size: int = 2000) -> Any:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def seed(app: Any, args: argparse.Namespace) -> tuple[int, list[str]]:
    """The period and everything the pack reads, inserted in bulk; (period id, states)."""
    from core.db import insert_rows, insert_rows_returning_ids
    from core.identity import services as identity
    from core.identity.services import Principal
    from debrief import models as debrief
    from deconfliction.models import ConflictRecord, RegisterEntry
    from operations import services as operations
    from operations.models import Operation, OperationSite, OperationTarget
    from outcomes.indicators import DEFAULT_INDICATORS
    from outcomes.models import DaySum, Report, ReportValue, ReportVersion, StateSum

    database, policy = app.extensions["jpa.db"], app.extensions["jpa.identity"]
    states = _states(args.states)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - \
        timedelta(days=2)
    start = end - timedelta(days=args.days)
    with database.transaction() as session:
        admin = identity.create_user(session, actor=None, policy=policy, username="bench.admin",
                                     password=PASSWORD, role="admin")
        identity.create_user(session, actor=None, policy=policy, username="bench.chair",
                             password=PASSWORD, role="co_chair", state=states[0])
        officers = {s: identity.create_user(session, actor=None, policy=policy,
                                            username=f"nlo.{s.lower()}", password=PASSWORD,
                                            role="liaison_officer", state=s).id
                    for s in states}
        pid = operations.create_period(
            session, actor=Principal.of(admin, "bench"), name="Debrief benchmark",
            starts_at=start, ends_at=end, states=states, co_chairs=states[:2]).id
    began = time.perf_counter()
    now = datetime.now(UTC)
    days = [start.date() + timedelta(days=n) for n in range(args.days)]
    with database.transaction() as session:
        connection = session.connection()
        # Outcomes: one report per state and day, with running sums as the service keeps them.
        reports = [{"period_id": pid, "state": s, "date": d, "operation_id": None,
                    "operation_key": 0, "created_by": officers[s], "created_at": now,
                    "updated_at": now, "version": 1} for s in states for d in days]
        report_ids: list[int] = []
        for chunk in _chunks(reports):
            report_ids += insert_rows_returning_ids(connection, Report.__table__, chunk)
        versions, values = [], []
        state_sums: dict[tuple[str, str, str], int] = {}
        day_sums: dict[tuple[date, str], int] = {}
        for number, (report, rid) in enumerate(zip(reports, report_ids, strict=True)):
            figures: dict[str, Any] = {}
            for k, indicator in enumerate(DEFAULT_INDICATORS):
                base = (number + k) % 7
                cells = {c: base for c in indicator.categories} if indicator.categories \
                    else {"": base}
                figures[indicator.key] = cells if indicator.categories else base
                for category, value in cells.items():
                    values.append({"report_id": rid, "key": indicator.key,
                                   "category": category, "period_id": pid, "value": value})
                    key = (report["state"], indicator.key, category)
                    state_sums[key] = state_sums.get(key, 0) + value
                    day = (report["date"], indicator.key)
                    day_sums[day] = day_sums.get(day, 0) + value
            versions.append({"report_id": rid, "version": 1, "values": figures,
                             "created_at": now, "created_by": report["created_by"],
                             "note": None})
        for chunk in _chunks(versions):
            insert_rows(connection, ReportVersion.__table__, chunk)
        for chunk in _chunks(values, 5000):
            insert_rows(connection, ReportValue.__table__, chunk)
        insert_rows(connection, StateSum.__table__, [
            {"period_id": pid, "state": s, "key": k, "category": c, "value": v}
            for (s, k, c), v in state_sums.items()])
        insert_rows(connection, DaySum.__table__, [
            {"period_id": pid, "date": d, "key": k, "value": v}
            for (d, k), v in day_sums.items()])
        # Operations, each with a site, a target label and its register entry.
        operations_rows = []
        for n in range(args.operations):
            state = states[n % len(states)]
            begins = start + timedelta(hours=(n * 7) % (24 * (args.days - 1)))
            operations_rows.append({
                "period_id": pid, "owner_state": state, "registered_by": officers[state],
                "title": f"Operation {n}", "type": OPERATION_TYPES[n % 5],
                "lead_agency": "National Police", "starts_at": begins,
                "ends_at": begins + timedelta(hours=8), "cancelled": n % 50 == 0,
                "contact_name": f"Officer {state}", "contact_email": None,
                "contact_phone": None, "created_at": now, "updated_at": now})
        op_ids: list[int] = []
        for chunk in _chunks(operations_rows):
            op_ids += insert_rows_returning_ids(connection, Operation.__table__, chunk)
        for chunk in _chunks(list(zip(op_ids, operations_rows, strict=True))):
            insert_rows(connection, OperationSite.__table__, [
                {"operation_id": oid, "position": 0, "name": f"Site {oid}", "iata": None,
                 "lat": (oid % 170) - 85.0, "lon": (oid % 350) - 175.0, "radius_m": 500.0}
                for oid, _row in chunk])
            insert_rows(connection, OperationTarget.__table__, [
                {"operation_id": oid, "position": 0, "kind": "phone", "label": f"Subject {oid}"}
                for oid, _row in chunk])
            insert_rows(connection, RegisterEntry.__table__, [
                {"op_id": oid, "period_id": pid, "state": row["owner_state"],
                 "starts_at": row["starts_at"], "ends_at": row["ends_at"],
                 "live": not row["cancelled"], "contact_name": row["contact_name"],
                 "contact_email": None, "contact_phone": None, "contact_user_id": None}
                for oid, row in chunk])
        owner_of = {oid: row["owner_state"]
                    for oid, row in zip(op_ids, operations_rows, strict=True)}
        conflicts = []
        for n in range(args.conflicts):
            a, b = op_ids[(2 * n) % len(op_ids)], op_ids[(2 * n + 7) % len(op_ids)]
            detected = start + timedelta(hours=n % (24 * args.days))
            target = n % 3 == 0
            conflicts.append({
                "period_id": pid, "op_a": min(a, b), "op_b": max(a, b),
                "state_a": owner_of[min(a, b)], "state_b": owner_of[max(a, b)],
                "status": ("resolved" if n % 5 == 0 else "acknowledged" if n % 3 == 0
                           else "open"),
                "severity": "high" if target else "medium",
                "reasons": [{"kind": "target", "target_kind": "phone"} if target
                            else {"kind": "location"}],
                "acknowledged_a": detected + timedelta(hours=3) if n % 3 == 0 else None,
                "acknowledged_b": detected + timedelta(hours=5) if n % 3 == 0 else None,
                "resolution": "proceed" if n % 5 == 0 else None, "resolution_note": None,
                "detected_at": detected, "updated_at": detected})
        for chunk in _chunks(conflicts, 500):
            insert_rows(connection, ConflictRecord.__table__, chunk)
        # The debrief: objectives, 30 submitted responses with ratings, 100 plan items.
        objective_ids = insert_rows_returning_ids(connection, debrief.Objective.__table__, [
            {"period_id": pid, "position": n, "title": f"Expected outcome {n + 1}",
             "description": "Strengthened cooperation among the participating states.",
             "indicator_keys": ["arrests"], "created_at": now, "updated_at": now,
             "updated_by": None} for n in range(10)])
        response_ids = insert_rows_returning_ids(connection, debrief.Response.__table__, [
            {"period_id": pid, "state": s, "status": "submitted",
             "worked": "Joint briefings **worked** well.\n\n- early contact\n- one template",
             "did_not_work": "Late registrations left little time to deconflict.",
             "do_differently": "Register operations a week earlier.",
             "next_steps": "A shared calendar of national operations.",
             "deconfliction_usefulness": 1 + n % 5, "good_practice": "Daily calls.",
             "created_at": now, "updated_at": now, "updated_by": officers[s],
             "submitted_at": now, "submitted_by": officers[s]}
            for n, s in enumerate(states)])
        insert_rows(connection, debrief.Rating.__table__, [
            {"response_id": rid, "objective_id": oid, "rating": "PSMU"[(i + j) % 4],
             "comment": "As planned."}
            for i, rid in enumerate(response_ids) for j, oid in enumerate(objective_ids)])
        insert_rows(connection, debrief.ImprovementItem.__table__, [
            {"period_id": pid, "objective_id": objective_ids[n % 10],
             "issue": f"Issue {n}: registrations came late", "corrective_action": "Train NLOs",
             "owner_state": states[n % len(states)], "owner": "NLO", "due_on": end.date(),
             "status": ("open", "in_progress", "done", "dropped")[n % 4], "created_at": now,
             "created_by": None, "updated_at": now, "updated_by": None} for n in range(100)])
    print(f"  seeded {len(states)} states x {args.days} days ({len(reports):,} reports, "
          f"{len(values):,} figures), {args.operations:,} operations, {args.conflicts:,} "
          f"conflicts, {len(states)} responses, 100 improvement items in "
          f"{time.perf_counter() - began:.1f} s", flush=True)
    return pid, states


def _states(count: int) -> list[str]:
    from core.states import all_states

    return sorted(all_states())[:count]


