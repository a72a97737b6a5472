"""Registering, editing and cancelling an operation, each checked against the register
at once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from core import audit
from core.db import insert_rows, utcnow
from core.errors import InvalidTransition, NotFound, ValidationFailed
from core.identity.models import Role, User
from core.identity.services import Principal, require_role
from deconfliction import identifiers, matcher
from deconfliction import services as deconfliction
from operations.conflict_notices import tell_other_party
from operations.models import Operation, OperationSite, OperationTarget, Period, PeriodState
from operations.registration_parts import (
    PeriodWindow,
    Registration,
    blind_targets,
    build_sites,
    check_window,
    contact_of,
    footprint_of,
    matcher_sites,
    validated_parts,
)

# Statements of the registration path, built once (see deconfliction.services).
_OWN_PERIOD_WINDOW = (
    select(Period.id, Period.starts_at, Period.ends_at)
    .join(PeriodState, PeriodState.period_id == Period.id)
    .where(Period.id == bindparam("period_id"), PeriodState.state == bindparam("state")))
_INSERT_OPERATION = Operation.__table__.insert().returning(Operation.__table__.c.id)
# The longest window whose place keys are computed before the period's window is checked.
_PREPARED_SPAN_MAX = timedelta(days=400)


def _own_period(session: Session, actor: Principal, period_id: int) -> PeriodWindow:
    """The window of a period of the actor's state (NLOs only), else NotFound."""
    require_role(actor, Role.LIAISON_OFFICER)
    row = session.connection().execute(
        _OWN_PERIOD_WINDOW, {"period_id": period_id, "state": actor.state}).first()
    if row is None:
        raise NotFound("period")
    return PeriodWindow(*row)


@dataclass(frozen=True)
class PreparedRegistration:
    """A registration with its sites resolved, its targets blinded and its place keys
    computed: no clear target value is left in it. `problems` are kept for
    `record_registration` to report, after it has checked the period."""

    period_id: int
    registration: Registration
    sites: list[OperationSite] | None
    blinded: list[identifiers.BlindedTarget] | None
    problems: dict[str, str]
    place_keys: matcher.PlaceKeys | None = None


def prepare_registration(*, actor: Principal, period_id: int, registration: Registration,
                         blinding_key: bytes) -> PreparedRegistration:
    """Resolve the sites, blind the targets and compute the place keys of a registration:
    pure work, done before the write transaction so that it does not hold the period's
    lock."""
    problems: dict[str, str] = {}
    sites = blinded = None
    if registration.locations:
        try:
            sites = build_sites(registration.locations)
        except ValidationFailed as error:
            problems.update(error.fields)
    try:
        blinded = blind_targets(registration.targets or [],
                                 key=identifiers.period_key(blinding_key, period_id),
                                 state=actor.state or "")
    except ValidationFailed as error:
        problems.update(error.fields)
    keys = None
    starts_at, ends_at = registration.starts_at, registration.ends_at
    # Only for a window that could pass the period's check, made after this: the keys of a
    # window of centuries would cost seconds.
    if sites and not problems and starts_at and ends_at and starts_at.tzinfo \
            and ends_at.tzinfo and timedelta(0) < ends_at - starts_at <= _PREPARED_SPAN_MAX:
        keys = matcher.place_keys(matcher.Footprint(0, starts_at, ends_at, matcher_sites(sites)))
    # The clear values are dropped here: only their blinded forms go on.
    return PreparedRegistration(period_id, replace(registration, targets=None), sites, blinded,
                                problems, keys)


def record_registration(session: Session, *, actor: Principal, prepared: PreparedRegistration,
                        base_url: str = "") -> tuple[Operation, deconfliction.CheckOutcome]:
    """Write a prepared registration and check it against the register at once (in the
    caller's write transaction). Never fails because of a conflict: conflicts come back with
    the operation."""
    period = _own_period(session, actor, prepared.period_id)
    data = prepared.registration
    problems = {name: "required" for name in ("title", "type", "lead_agency", "starts_at",
                                              "ends_at", "locations")
                if getattr(data, name) in (None, [], "")}
    if not problems:
        assert data.starts_at and data.ends_at
        try:
            check_window(period, data.starts_at, data.ends_at)
        except ValidationFailed as error:
            problems.update(error.fields)
        problems.update(prepared.problems)
    if problems:
        raise ValidationFailed(problems)
    sites, blinded = prepared.sites, prepared.blinded
    assert data.starts_at and data.ends_at and sites is not None and blinded is not None
    now = utcnow()
    operation = Operation(
        period_id=period.id, owner_state=actor.state, registered_by=actor.id,
        title=data.title, type=data.type, lead_agency=data.lead_agency,
        starts_at=data.starts_at, ends_at=data.ends_at, cancelled=False,
        contact_name=data.contact.name if data.contact else None,
        contact_email=data.contact.email if data.contact else None,
        contact_phone=data.contact.phone if data.contact else None,
        created_at=now, updated_at=now)
    # The operation, its sites and its targets as plain inserts on the session's connection
    # (one executemany each), then the object handed to the session as if loaded: the unit
    # of work would insert the children one row at a time to read back ids nobody needs.
    connection = session.connection()
    operation.id = connection.execute(_INSERT_OPERATION, _row_of(operation)).scalar_one()
    for site in sites:
        site.operation_id = operation.id
    children = [OperationTarget(operation_id=operation.id, position=i, kind=t.kind.value,
                                label=t.label) for i, t in enumerate(blinded)]
    insert_rows(connection, OperationSite.__table__, [_row_of(site) for site in sites])
    insert_rows(connection, OperationTarget.__table__, [_row_of(t) for t in children])
    make_transient_to_detached(operation)
    session.add(operation)
    set_committed_value(operation, "sites", sites)
    set_committed_value(operation, "targets", children)
    targets = tuple(matcher.Target(t.kind.value, t.blind, t.dob_blind, t.label) for t in blinded)
    outcome = deconfliction.record_and_check(
        session, period_id=period.id, state=operation.owner_state,
        footprint=footprint_of(operation, targets),
        contact=contact_of(operation, actor), new=True, keys=prepared.place_keys,
        event=lambda checked: {"action": "operation.created", "actor": actor,
                               "object_type": "operation", "object_id": operation.id,
                               "details": {"conflicts": len(checked.current)}})
    tell_other_party(session, outcome.changed, actor=actor, events=outcome.events,
                     base_url=base_url, contacts=outcome.contacts)
    return operation, outcome


def register_operation(session: Session, *, actor: Principal, period_id: int,
                       registration: Registration, blinding_key: bytes,
                       base_url: str = "") -> tuple[Operation, deconfliction.CheckOutcome]:
    """Register an operation of the actor's state and check it against the register at once:
    `prepare_registration` and `record_registration` in one go."""
    prepared = prepare_registration(actor=actor, period_id=period_id,
                                    registration=registration, blinding_key=blinding_key)
    return record_registration(session, actor=actor, prepared=prepared, base_url=base_url)


def _row_of(child: Operation | OperationSite | OperationTarget) -> dict[str, Any]:
    """The column values of a new (unsaved) object, for a plain insert."""
    return {column.key: getattr(child, column.key)
            for column in child.__table__.columns if column.key != "id"}


def _owned(session: Session, actor: Principal, op_id: int) -> Operation:
    operation = session.get(Operation, op_id)
    if operation is None or actor.role != Role.LIAISON_OFFICER or \
            operation.owner_state != actor.state:
        raise NotFound("operation")
    return operation


def update_operation(session: Session, *, actor: Principal, op_id: int,
                     registration: Registration, blinding_key: bytes,
                     base_url: str = "") -> tuple[Operation, deconfliction.CheckOutcome]:
    """Edit an operation of the actor's state and re-check it."""
    operation = _owned(session, actor, op_id)
    if operation.cancelled:
        raise InvalidTransition("A cancelled operation cannot be edited.")
    period = session.get(Period, operation.period_id)
    assert period is not None
    data = registration
    starts_at = data.starts_at or operation.starts_at
    ends_at = data.ends_at or operation.ends_at
    kept = deconfliction.current_targets(session, op_id=operation.id) if any(
        target.keep is not None for target in data.targets or []) else ()
    sites, blinded = validated_parts(
        period, starts_at, ends_at, data.locations, data.targets,
        key=identifiers.period_key(blinding_key, period.id), state=operation.owner_state,
        kept=kept)
    for name in ("title", "type", "lead_agency"):
        value = getattr(data, name)
        if value is not None:
            setattr(operation, name, value)
    operation.starts_at, operation.ends_at = starts_at, ends_at
    if data.contact is not None:
        operation.contact_name = data.contact.name
        operation.contact_email, operation.contact_phone = data.contact.email, data.contact.phone
    if sites is not None:
        operation.sites = sites
    if blinded is not None:
        operation.targets = [OperationTarget(position=i, kind=t.kind, label=t.label)
                             for i, t in enumerate(blinded)]
        targets = tuple(matcher.Target(t.kind.value, t.blind, t.dob_blind, t.label)
                        for t in blinded)
    else:
        targets = deconfliction.current_targets(session, op_id=operation.id)
    operation.updated_at = utcnow()
    session.flush()
    registrant = session.get(User, operation.registered_by) if operation.registered_by else None
    outcome = deconfliction.record_and_check(
        session, period_id=period.id, state=operation.owner_state,
        footprint=footprint_of(operation, targets), contact=contact_of(operation, registrant),
        event=lambda _: {"action": "operation.updated", "actor": actor,
                         "object_type": "operation", "object_id": operation.id})
    # A conflict an edit creates is worded as the edit's, not as a registration's.
    events = {rid: "detected_by_edit" if event == "detected" else event
              for rid, event in outcome.events.items()}
    tell_other_party(session, outcome.changed, actor=actor, events=events, base_url=base_url,
                     contacts=outcome.contacts)
    return operation, outcome


CANCEL_REASON_MAX_LENGTH = 2000


def cancel_operation(session: Session, *, actor: Principal, op_id: int, reason: str,
                     base_url: str = "") -> Operation:
    """Cancel an operation of the actor's state for a stated reason; its conflicts become
    cleared and the other party of each live one is told the reason."""
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed({"reason": "Say why the operation is cancelled: the other "
                                          "party of each conflict is told."})
    if len(text) > CANCEL_REASON_MAX_LENGTH:
        raise ValidationFailed({"reason": f"Write at most {CANCEL_REASON_MAX_LENGTH} "
                                          "characters."})
    operation = _owned(session, actor, op_id)
    if operation.cancelled:
        return operation
    operation.cancelled = True
    operation.updated_at = utcnow()
    outcome = deconfliction.withdraw(session, period_id=operation.period_id, op_id=operation.id,
                                     actor=actor, reason=text)
    audit.record(session, action="operation.cancelled", actor=actor, object_type="operation",
                 object_id=operation.id)
    tell_other_party(session, outcome.changed, actor=actor, events="cancelled",
                     base_url=base_url, note=text, note_label="Reason given")
    return operation
