"""Reading operations and their conflicts, as each role may see them."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import NotFound
from core.identity.models import Role
from core.identity.services import Principal, require_role
from deconfliction import services as deconfliction
from deconfliction.models import ConflictRecord
from operations.models import Operation
from operations.periods import get_period

SEES_OPERATION_SUMMARIES = (Role.CO_CHAIR, Role.ANALYST)


def operations_of_state(session: Session, *, period_id: int, state: str) -> list[Operation]:
    """A state's live operations of a period (for its own forms; callers check the role)."""
    return list(session.scalars(select(Operation).where(
        Operation.period_id == period_id, Operation.owner_state == state,
        Operation.cancelled.is_(False)).order_by(Operation.starts_at)))


def list_operations(session: Session, *, actor: Principal, period_id: int,
                    status: str | None = None) -> list[Operation]:
    """Operations of a period the actor may see: NLOs their state's, co-chairs and analysts
    every state's (as summaries); administrators none (403)."""
    require_role(actor, Role.LIAISON_OFFICER, *SEES_OPERATION_SUMMARIES)
    get_period(session, actor=actor, period_id=period_id)
    query = select(Operation).where(Operation.period_id == period_id)
    if actor.role == Role.LIAISON_OFFICER:
        query = query.where(Operation.owner_state == actor.state)
    operations = list(session.scalars(query.order_by(Operation.starts_at, Operation.id)))
    if status:
        operations = [op for op in operations if op.status() == status]
    audit.record(session, action="operation.listed", actor=actor, object_type="period",
                 object_id=period_id, details={"count": len(operations)})
    return operations


def get_operation(session: Session, *, actor: Principal, op_id: int) -> tuple[Operation, bool]:
    """One operation and whether the actor sees it in full (owner) or as a summary."""
    operation = session.get(Operation, op_id)
    if operation is None:
        raise NotFound("operation")
    if actor.role == Role.LIAISON_OFFICER and operation.owner_state == actor.state:
        full = True
    elif actor.role in SEES_OPERATION_SUMMARIES:
        try:
            get_period(session, actor=actor, period_id=operation.period_id)
        except NotFound:  # the same answer as a missing id, so that ids cannot be probed
            raise NotFound("operation") from None
        full = False
    else:
        raise NotFound("operation")
    audit.record(session, action="operation.read", actor=actor, object_type="operation",
                 object_id=operation.id, details={"view": "full" if full else "summary"})
    return operation, full


def operation_conflicts(session: Session, *, actor: Principal, operation: Operation,
                        records: list[ConflictRecord] | None = None,
                        contacts: Mapping[int, deconfliction.PartyContact] | None = None,
                        ) -> list[dict[str, object]]:
    """The conflicts of one of the actor's operations, as the actor's state sees them.

    `records`: every conflict record of the operation when the caller holds them already (a
    registration's outcome); otherwise they are read. `contacts`: those it holds already.
    """
    if records is None:
        records = deconfliction.conflicts_of_operation(session, op_id=operation.id)
    else:
        records = sorted(records, key=lambda record: record.id)
    known = deconfliction.contacts_for(session, records, contacts) if records else {}
    views = [deconfliction.party_view(session, r, actor.state or "", known,
                                      perspective=operation.id) for r in records]
    audit.record_many(session, [{"action": "conflict.seen", "actor": actor,
                                 "object_type": "conflict", "object_id": record.id}
                                for record in records])
    return views
