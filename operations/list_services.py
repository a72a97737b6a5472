"""The operations and conflicts of a period as pages of a list: filtered, sorted and counted
in the database (a period may hold 100,000 operations), with each operation's conflict count
and each row's age. Visibility is the same as the unpaged reads' (operations.services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, case, cast, func, or_, select, union_all
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.identity.models import Role
from core.identity.services import Principal, require_role
from deconfliction import services as deconfliction
from deconfliction.models import ConflictRecord
from operations.listing import PAGE_SIZE, ListQuery, Page, age_bounds, check_page
from operations.models import OPERATION_TYPES, Operation, Period
from operations.services import SEES_OPERATION_SUMMARIES, get_period

OPERATION_STATUSES = ("planned", "active", "completed", "cancelled")
CONFLICT_STATUSES = ("open", "acknowledged", "resolved", "cleared", "unresolved")
SEVERITIES = ("high", "medium")
REASON_KINDS = ("target", "location")
# Sort keys of each list, by who may use them (a column the viewer does not see is no key).
OPERATION_SORTS_OWN = ("starts", "ends", "id", "title", "type", "age", "conflicts")
OPERATION_SORTS_SUMMARY = ("starts", "ends", "id", "state", "type", "age", "conflicts")
OPERATION_SORTS_ANALYST = ("starts", "ends", "id", "state", "type", "age")
CONFLICT_SORTS = ("id", "severity", "status", "age")


@dataclass(frozen=True)
class OperationRow:
    """An operation on a page of the list, with its live conflicts counted (None where the
    viewer may not see conflicts)."""

    operation: Operation
    conflicts: int | None


def operation_sorts(actor: Principal) -> tuple[str, ...]:
    """The sort keys of the operations list for the actor's role."""
    if actor.role == Role.LIAISON_OFFICER:
        return OPERATION_SORTS_OWN
    return OPERATION_SORTS_ANALYST if actor.role == Role.ANALYST else OPERATION_SORTS_SUMMARY


def _live_conflicts_of(operation_id: Any) -> Any:
    """The conditions of the conflicts an operation is in that are not cleared."""
    return and_(or_(ConflictRecord.op_a == operation_id, ConflictRecord.op_b == operation_id),
                ConflictRecord.status != "cleared")


def _conflict_ends(period_id: int, *conditions: Any) -> Any:
    """A subquery of the operation ids (`op_id`, once per conflict they are in) of the
    period's live conflicts meeting `conditions`."""
    live = (ConflictRecord.period_id == period_id, ConflictRecord.status != "cleared",
            *conditions)
    return union_all(select(ConflictRecord.op_a.label("op_id")).where(*live),
                     select(ConflictRecord.op_b.label("op_id")).where(*live)).subquery()


def _status_condition(status: str, now: datetime) -> Any:
    """The derived status of Operation.status() as a condition."""
    live = Operation.cancelled.is_(False)
    return {
        "cancelled": Operation.cancelled.is_(True),
        "planned": and_(live, Operation.starts_at > now),
        "active": and_(live, Operation.starts_at <= now, Operation.ends_at > now),
        "completed": and_(live, Operation.ends_at <= now),
    }[status]


def operations_page(session: Session, *, actor: Principal, period_id: int, query: ListQuery,
                    now: datetime | None = None) -> tuple[Period, Page]:
    """One page of a period's operations as the actor may see them: NLOs their state's,
    co-chairs and analysts every state's as summaries; filters `status`, `type`, `state`,
    `severity` (of a live conflict; not for analysts), `age` (since registration)."""
    require_role(actor, Role.LIAISON_OFFICER, *SEES_OPERATION_SUMMARIES)
    period = get_period(session, actor=actor, period_id=period_id)
    moment = now or utcnow()
    conditions: list[Any] = [Operation.period_id == period.id]
    if actor.role == Role.LIAISON_OFFICER:
        conditions.append(Operation.owner_state == actor.state)
    filters = query.filters
    if "status" in filters:
        conditions.append(_status_condition(filters["status"], moment))
    if "type" in filters:
        conditions.append(Operation.type == filters["type"])
    if "state" in filters:
        conditions.append(Operation.owner_state == filters["state"])
    if "severity" in filters:
        # The operations of the period's live conflicts of that severity, read once (a
        # correlated EXISTS per operation took 0.4 s at 100,000 operations on SQLite).
        held = _conflict_ends(period.id, ConflictRecord.severity == filters["severity"])
        conditions.append(Operation.id.in_(select(held.c.op_id)))
    if "age" in filters:
        earliest, latest = age_bounds(filters["age"], moment)
        if earliest is not None:
            conditions.append(Operation.created_at > earliest)
        if latest is not None:
            conditions.append(Operation.created_at <= latest)
    total = session.scalar(select(func.count()).select_from(Operation).where(*conditions)) or 0
    check_page(query.page, total)
    sees_conflicts = actor.role != Role.ANALYST
    conflict_count = (select(func.count()).select_from(ConflictRecord)
                      .where(_live_conflicts_of(Operation.id)).scalar_subquery())
    # Ascending age is youngest first: the registration time descending.
    column, inverted = {
        "starts": (Operation.starts_at, False), "ends": (Operation.ends_at, False),
        "id": (Operation.id, False), "title": (Operation.title, False),
        "state": (Operation.owner_state, False), "type": (Operation.type, False),
        "age": (Operation.created_at, True), "conflicts": (conflict_count, False),
    }[query.sort]
    statement = select(Operation, conflict_count)
    if query.sort == "conflicts":
        # Every operation's count at once, joined (a correlated count per operation, as the
        # other sorts use for the 50 rows shown, took 0.9 s at 100,000 operations on SQLite).
        ends = _conflict_ends(period.id)
        counts = (select(ends.c.op_id, func.count().label("n")).group_by(ends.c.op_id)
                  .subquery())
        column = conflict_count = func.coalesce(counts.c.n, 0)
        statement = (select(Operation, conflict_count)
                     .outerjoin(counts, counts.c.op_id == Operation.id))
    statement = (statement.where(*conditions)
                 .order_by(_ordered(column, query.descending != inverted),
                           _ordered(Operation.id, query.descending))
                 .limit(PAGE_SIZE).offset((query.page - 1) * PAGE_SIZE))
    rows = [OperationRow(operation, int(count) if sees_conflicts else None)
            for operation, count in session.execute(statement)]
    audit.record(session, action="operation.listed", actor=actor, object_type="period",
                 object_id=period.id, details={"count": len(rows), "total": total,
                                               "page": query.page})
    return period, Page(rows, total, query.page)


def _conflict_conditions(actor: Principal, period_id: int, query: ListQuery,
                         now: datetime) -> list[Any]:
    state = actor.state or ""
    conditions: list[Any] = [ConflictRecord.period_id == period_id]
    if actor.role == Role.LIAISON_OFFICER:
        conditions.append(or_(ConflictRecord.state_a == state, ConflictRecord.state_b == state))
    filters = query.filters
    status = filters.get("status")
    if status == "unresolved":
        conditions.append(ConflictRecord.status.in_(("open", "acknowledged")))
    elif status:
        conditions.append(ConflictRecord.status == status)
    if "severity" in filters:
        conditions.append(ConflictRecord.severity == filters["severity"])
    if filters.get("type") == "target":
        # A shared target is what makes a conflict high (DESIGN: severity).
        conditions.append(ConflictRecord.severity == "high")
    elif filters.get("type") == "location":
        # Reasons are stored as JSON text; a label's own quotes are escaped in it, so only a
        # reason's "kind" can read exactly like this.
        conditions.append(cast(ConflictRecord.reasons, Text)
                          .like('%"kind": "location"%'))
    other = filters.get("state")
    if other:
        if actor.role == Role.LIAISON_OFFICER and other == state:
            # The counterpart is the viewer's own state: a pair of its own operations.
            conditions.append(and_(ConflictRecord.state_a == state,
                                   ConflictRecord.state_b == state))
        else:
            conditions.append(or_(ConflictRecord.state_a == other,
                                  ConflictRecord.state_b == other))
    if "age" in filters:
        earliest, latest = age_bounds(filters["age"], now)
        if earliest is not None:
            conditions.append(ConflictRecord.detected_at > earliest)
        if latest is not None:
            conditions.append(ConflictRecord.detected_at <= latest)
    return conditions


def _ordered(column: Any, descending: bool) -> Any:
    """A column in the order asked."""
    return column.desc() if descending else column.asc()


def conflicts_page(session: Session, *, actor: Principal, period_id: int, query: ListQuery,
                   now: datetime | None = None) -> tuple[Period, Page]:
    """One page of a period's conflicts as the actor may see them: parties their side,
    co-chairs pointers (DESIGN: roles); analysts have counts only (operations.services)."""
    require_role(actor, Role.LIAISON_OFFICER, Role.CO_CHAIR)
    period = get_period(session, actor=actor, period_id=period_id)
    moment = now or utcnow()
    conditions = _conflict_conditions(actor, period.id, query, moment)
    total = session.scalar(select(func.count()).select_from(ConflictRecord)
                           .where(*conditions)) or 0
    check_page(query.page, total)
    column, inverted = {
        "id": (ConflictRecord.id, False),
        "severity": (case((ConflictRecord.severity == "high", 0), else_=1), False),
        "status": (case({"open": 0, "acknowledged": 1, "resolved": 2, "cleared": 3},
                        value=ConflictRecord.status, else_=4), False),
        "age": (ConflictRecord.detected_at, True),
    }[query.sort]
    records = list(session.scalars(
        select(ConflictRecord).where(*conditions)
        .order_by(_ordered(column, query.descending != inverted),
                  _ordered(ConflictRecord.id, query.descending))
        .limit(PAGE_SIZE).offset((query.page - 1) * PAGE_SIZE)))
    contacts = (deconfliction.contacts_for(session, records)
                if records and actor.role == Role.LIAISON_OFFICER else {})
    views = []
    for record in records:
        view = deconfliction.view_for(session, record, actor, contacts)
        view["detected"] = record.detected_at
        views.append(view)
    audit.record_many(session, [{"action": "conflict.seen", "actor": actor,
                                 "object_type": "conflict", "object_id": record.id}
                                for record in records])
    return period, Page(views, total, query.page)


__all__ = ["CONFLICT_SORTS", "CONFLICT_STATUSES", "OPERATION_STATUSES", "OPERATION_TYPES",
           "REASON_KINDS", "SEVERITIES", "OperationRow", "conflicts_page", "operation_sorts",
           "operations_page"]
