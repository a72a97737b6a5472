"""Use cases of joint periods."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

import airportsdata
import pycountry
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from core import audit, notify
from core.db import insert_rows, utcnow
from core.errors import InvalidTransition, NotFound, ValidationFailed
from core.identity.models import Role, User
from core.identity.services import Principal, require_role
from core.states import get_state
from deconfliction import identifiers, matcher
from deconfliction import services as deconfliction
from deconfliction.models import ConflictRecord
from operations.conflict_notices import tell_other_party
from operations.models import Operation, OperationSite, OperationTarget, Period, PeriodState

SEES_EVERY_PERIOD = (Role.ADMIN, Role.ANALYST)
# Period windows are bounded so that every date derived from them (each state's local dates,
# reminders at 18:00 local, phase notices) stays far from the calendar's ends in any zone.
PERIOD_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
PERIOD_LATEST = datetime(2101, 1, 1, tzinfo=UTC)
PERIOD_RANGE_TEXT = "must be from 2000-01-01 00:00 to 2101-01-01 00:00 UTC (the end of 2100)"
# A JPA is a window of weeks; a year at most keeps each state's list of local dates (reports,
# completeness, daily reminders) short.
PERIOD_MAX_LENGTH = timedelta(days=366)


def _within_period_range(moment: datetime) -> bool:
    """Whether an aware time lies in the supported range (year 1 or 9999 in a far zone
    cannot even be converted to UTC)."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return False
    return PERIOD_EARLIEST <= utc <= PERIOD_LATEST


def validate_period_fields(*, name: str, starts_at: datetime, ends_at: datetime,
                           states: list[str], co_chairs: list[str]) -> None:
    """Check a period's fields together; every problem is reported at once, by field."""
    problems: dict[str, str] = {}
    if not name or not name.strip():
        problems["name"] = "required"
    for name_of_field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None:
            problems[name_of_field] = "give a time with an offset, e.g. 2015-09-28T00:00:00+07:00"
        elif not _within_period_range(value):
            problems[name_of_field] = PERIOD_RANGE_TEXT
    if "starts_at" not in problems and "ends_at" not in problems:
        if ends_at <= starts_at:
            problems["ends_at"] = "must be after starts_at"
        elif ends_at - starts_at > PERIOD_MAX_LENGTH:
            problems["ends_at"] = f"must be at most {PERIOD_MAX_LENGTH.days} days after starts_at"
    if not states:
        problems["states"] = "name at least one participating state"
    seen: set[str] = set()
    for index, code in enumerate(states):
        try:
            get_state(code, field=f"states[{index}]")
        except ValidationFailed as error:
            problems.update(error.fields)
        if code in seen:
            problems[f"states[{index}]"] = "this state is listed twice"
        seen.add(code)
    for index, code in enumerate(co_chairs):
        if code not in seen:
            problems[f"co_chairs[{index}]"] = "not among the participating states"
    if len(set(co_chairs)) != len(co_chairs):
        problems.setdefault("co_chairs", "a state is listed twice")
    if problems:
        raise ValidationFailed(problems)


def create_period(session: Session, *, actor: Principal, name: str, starts_at: datetime,
                  ends_at: datetime, states: list[str], co_chairs: list[str]) -> Period:
    """Set up a joint period (administrator)."""
    require_role(actor, Role.ADMIN)
    validate_period_fields(name=name, starts_at=starts_at, ends_at=ends_at, states=states,
                           co_chairs=co_chairs)
    period = Period(name=name.strip(), starts_at=starts_at, ends_at=ends_at, created_by=actor.id)
    period.participants = [PeriodState(state=code, is_co_chair=code in co_chairs)
                           for code in sorted(states)]
    session.add(period)
    session.flush()
    audit.record(session, action="period.created", actor=actor, object_type="period",
                 object_id=period.id, details={"states": sorted(states)})
    return period


def visible_periods(actor: Principal, *columns: Any) -> Any:
    """A select of `columns` (default: the Period) over the periods the actor may see."""
    query = select(*(columns or (Period,)))
    if actor.role in SEES_EVERY_PERIOD:
        return query
    return query.join(PeriodState, PeriodState.period_id == Period.id)\
        .where(PeriodState.state == actor.state)


def list_periods(session: Session, *, actor: Principal) -> list[Period]:
    """The periods the actor may see: all for admins and analysts, else their state's."""
    query = visible_periods(actor).order_by(Period.starts_at.desc(), Period.id.desc())
    return list(session.scalars(query))


def get_period(session: Session, *, actor: Principal, period_id: int) -> Period:
    """One period; a period the actor may not see is NotFound, like a missing one."""
    period = session.scalar(visible_periods(actor).where(Period.id == period_id))
    if period is None:
        raise NotFound("period")
    return period


# ---------------------------------------------------------------- operations

DEFAULT_RADIUS_M = 500.0


@dataclass(frozen=True)
class LocationData:
    """A site as submitted: coordinates or an IATA code."""

    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    site: str | None = None


@dataclass(frozen=True)
class TargetData:
    """A target as submitted; `value` is blinded and dropped within the same call."""

    kind: str
    value: str = field(repr=False)
    label: str
    dob: str | None = None
    # In an edit from the pages: the position of a target already registered whose blinded
    # value (and date of birth) stay as they are, under this label; `value` is then empty.
    keep: int | None = None


@dataclass(frozen=True)
class ContactData:
    """Whom to call about the operation."""

    name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Registration:
    """The registration fields of an operation; None in an edit means unchanged."""

    title: str | None = None
    type: str | None = None
    lead_agency: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    locations: list[LocationData] | None = None
    targets: list[TargetData] | None = None
    contact: ContactData | None = None


@cache
def _airports() -> dict[str, dict[str, object]]:
    return airportsdata.load("IATA")


def resolve_airport(code: str, *, field: str) -> tuple[str, float, float]:
    """Name and coordinates of an IATA airport, or a validation error naming `field`."""
    airport = _airports().get(code.strip().upper())
    if airport is None:
        raise ValidationFailed({field: "unknown IATA airport code"})
    return (f"{airport['name']} ({code.strip().upper()})", float(airport["lat"]),  # type: ignore[arg-type]
            float(airport["lon"]))  # type: ignore[arg-type]


def _region_of(state: str) -> str | None:
    country = pycountry.countries.get(alpha_3=state)
    return country.alpha_2 if country else None


def _build_sites(locations: list[LocationData]) -> list[OperationSite]:
    problems: dict[str, str] = {}
    sites: list[OperationSite] = []
    for index, location in enumerate(locations):
        radius = location.radius_m if location.radius_m is not None else DEFAULT_RADIUS_M
        if location.site:
            try:
                name, lat, lon = resolve_airport(location.site, field=f"locations[{index}].site")
            except ValidationFailed as error:
                problems.update(error.fields)
                continue
            sites.append(OperationSite(position=index, name=location.name or name,
                                       iata=location.site.strip().upper(), lat=lat, lon=lon,
                                       radius_m=radius))
        else:
            sites.append(OperationSite(position=index, name=location.name or "", iata=None,
                                       lat=float(location.lat or 0), lon=float(location.lon or 0),
                                       radius_m=radius))
    if problems:
        raise ValidationFailed(problems)
    return sites


def _blind_targets(targets: list[TargetData], *, key: bytes, state: str,
                   kept: Sequence[matcher.Target] = ()) -> list[identifiers.BlindedTarget]:
    problems: dict[str, str] = {}
    blinded: list[identifiers.BlindedTarget] = []
    region = _region_of(state)
    for index, target in enumerate(targets):
        if target.keep is not None:  # already blinded: only its label may change
            if not 0 <= target.keep < len(kept):
                problems[f"targets[{index}].keep"] = "no such target in this operation"
                continue
            old = kept[target.keep]
            blinded.append(identifiers.BlindedTarget(identifiers.Kind(old.kind), old.blind,
                                                     old.dob_blind, target.label))
            continue
        try:
            blinded.append(identifiers.blind_target(key, kind=target.kind, value=target.value,
                                                    label=target.label, dob=target.dob,
                                                    region=region))
        except identifiers.InvalidIdentifier as error:
            problems[f"targets[{index}].{error.field}"] = str(error)
        except ValueError:
            problems[f"targets[{index}].kind"] = "unknown kind of target"
    if problems:
        raise ValidationFailed(problems)
    return blinded


def _check_window(period: Period | PeriodWindow, starts_at: datetime, ends_at: datetime) -> None:
    problems: dict[str, str] = {}
    if ends_at <= starts_at:
        problems["ends_at"] = "must be after starts_at"
    if starts_at < period.starts_at:
        problems["starts_at"] = "must lie inside the period's window"
    if ends_at > period.ends_at:
        problems["ends_at"] = "must lie inside the period's window"
    if problems:
        raise ValidationFailed(problems)


def _validated_parts(
    period: Period | PeriodWindow, starts_at: datetime, ends_at: datetime,
    locations: list[LocationData] | None, targets: list[TargetData] | None, *, key: bytes,
    state: str, kept: Sequence[matcher.Target] = (),
) -> tuple[list[OperationSite] | None, list[identifiers.BlindedTarget] | None]:
    """Check the window, resolve the sites and blind the targets, reporting every problem."""
    problems: dict[str, str] = {}
    sites = blinded = None
    try:
        _check_window(period, starts_at, ends_at)
    except ValidationFailed as error:
        problems.update(error.fields)
    if locations is not None:
        try:
            sites = _build_sites(locations)
        except ValidationFailed as error:
            problems.update(error.fields)
    if targets is not None:
        try:
            blinded = _blind_targets(targets, key=key, state=state, kept=kept)
        except ValidationFailed as error:
            problems.update(error.fields)
    if problems:
        raise ValidationFailed(problems)
    return sites, blinded


def registration_problems(*, state: str, window: PeriodWindow | None,
                          starts_at: datetime | None, ends_at: datetime | None,
                          locations: list[LocationData],
                          targets: list[TargetData]) -> dict[str, str]:
    """Every problem the service would find in these parts (the window, the airport codes,
    the identifiers and dates of birth), without writing: lets a form report them in the same
    pass as the request model's. Paths index the lists given."""
    problems: dict[str, str] = {}
    if window is not None and starts_at is not None and ends_at is not None:
        try:
            _check_window(window, starts_at, ends_at)
        except ValidationFailed as error:
            problems.update(error.fields)
    try:
        _build_sites(locations)
    except ValidationFailed as error:
        problems.update(error.fields)
    fresh = [index for index, target in enumerate(targets) if target.keep is None]
    try:  # a throwaway key: only whether each value can be blinded matters here
        _blind_targets([targets[index] for index in fresh], key=b"check only", state=state)
    except ValidationFailed as error:
        problems.update(_renumbered(error.fields, fresh))
    return problems


def _renumbered(fields: dict[str, str], positions: list[int]) -> dict[str, str]:
    """targets[i].x of a sub-list -> targets[positions[i]].x of the whole list."""
    renumbered: dict[str, str] = {}
    for path, message in fields.items():
        head, _, rest = path.partition("].")
        index = int(head.removeprefix("targets["))
        renumbered[f"targets[{positions[index]}].{rest}"] = message
    return renumbered


def _contact_of(operation: Operation, registrant: Any) -> deconfliction.Contact:
    """Whom to call: the operation's named contact, else its registrant (a User, or the
    registering Principal)."""
    if operation.contact_name:
        return deconfliction.Contact(operation.contact_name, operation.contact_email,
                                     operation.contact_phone, operation.registered_by)
    if registrant is not None:
        return deconfliction.Contact(registrant.full_name or registrant.username,
                                     registrant.email, registrant.phone, registrant.id)
    return deconfliction.Contact("", None, None, None)


def _footprint(operation: Operation,
               targets: tuple[matcher.Target, ...]) -> matcher.Footprint:
    sites = tuple(matcher.Site(s.lat, s.lon, s.radius_m, s.name) for s in operation.sites)
    return matcher.Footprint(operation.id, operation.starts_at, operation.ends_at, sites, targets)


class PeriodWindow(NamedTuple):
    """What a registration needs of its period: the id and the window."""

    id: int
    starts_at: datetime
    ends_at: datetime


# Statements of the registration path, built once (see deconfliction.services).
_OWN_PERIOD_WINDOW = (
    select(Period.id, Period.starts_at, Period.ends_at)
    .join(PeriodState, PeriodState.period_id == Period.id)
    .where(Period.id == bindparam("period_id"), PeriodState.state == bindparam("state")))
_INSERT_OPERATION = Operation.__table__.insert().returning(Operation.__table__.c.id)


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
    """A registration with its sites resolved and its targets blinded: no clear target value
    is left in it. `problems` are kept for `record_registration` to report, after it has
    checked the period."""

    period_id: int
    registration: Registration
    sites: list[OperationSite] | None
    blinded: list[identifiers.BlindedTarget] | None
    problems: dict[str, str]


def prepare_registration(*, actor: Principal, period_id: int, registration: Registration,
                         blinding_key: bytes) -> PreparedRegistration:
    """Resolve the sites and blind the targets of a registration: pure work, done before the
    write transaction so that it does not hold the period's lock."""
    problems: dict[str, str] = {}
    sites = blinded = None
    if registration.locations:
        try:
            sites = _build_sites(registration.locations)
        except ValidationFailed as error:
            problems.update(error.fields)
    try:
        blinded = _blind_targets(registration.targets or [],
                                 key=identifiers.period_key(blinding_key, period_id),
                                 state=actor.state or "")
    except ValidationFailed as error:
        problems.update(error.fields)
    # The clear values are dropped here: only their blinded forms go on.
    return PreparedRegistration(period_id, replace(registration, targets=None), sites, blinded,
                                problems)


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
            _check_window(period, data.starts_at, data.ends_at)
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
        footprint=_footprint(operation, targets),
        contact=_contact_of(operation, actor), new=True,
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
    sites, blinded = _validated_parts(
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
        footprint=_footprint(operation, targets), contact=_contact_of(operation, registrant),
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


# ---------------------------------------------------------------- conflicts


def conflicts_for(session: Session, *, actor: Principal, period_id: int,
                  status: str | None = None) -> dict[str, object]:
    """A period's conflicts as the actor's role may see them: parties their side, co-chairs
    pointers, analysts counts; administrators may not use this (403)."""
    require_role(actor, Role.LIAISON_OFFICER, Role.CO_CHAIR, Role.ANALYST)
    get_period(session, actor=actor, period_id=period_id)
    if actor.role == Role.ANALYST:
        return {"counts": deconfliction.conflict_counts(session, period_id=period_id)}
    records = deconfliction.visible_conflicts(session, actor=actor, period_id=period_id,
                                              status=status)
    audit.record_many(session, [{"action": "conflict.seen", "actor": actor,
                                 "object_type": "conflict", "object_id": record.id}
                                for record in records])
    contacts = (deconfliction.contacts_for(session, records)
                if records and actor.role == Role.LIAISON_OFFICER else {})
    return {"conflicts": [deconfliction.view_for(session, r, actor, contacts) for r in records]}


def open_conflict_count(session: Session, *, actor: Principal, period_id: int) -> int:
    """How many conflicts involving the actor's state still need attention."""
    return sum(1 for record in deconfliction.visible_conflicts(
        session, actor=actor, period_id=period_id) if record.status in ("open", "acknowledged"))


def _visible_conflict(session: Session, actor: Principal, conflict_id: int) -> ConflictRecord:
    record = deconfliction.get_conflict(session, actor=actor, conflict_id=conflict_id)
    if actor.role == Role.CO_CHAIR:
        try:
            get_period(session, actor=actor, period_id=record.period_id)
        except NotFound:  # the same answer as a missing id, so that ids cannot be probed
            raise NotFound("conflict") from None
    return record


def conflict_detail(session: Session, *, actor: Principal, conflict_id: int) -> dict[str, object]:
    """One conflict with its history (who changed what, when)."""
    record = _visible_conflict(session, actor, conflict_id)
    view = deconfliction.view_for(session, record, actor)
    # Notes are the parties' own words: only an NLO of one of the two states reads them.
    party = actor.role == Role.LIAISON_OFFICER and actor.state in (record.state_a,
                                                                   record.state_b)
    view["history"] = [
        {"at": event.at.isoformat(), "action": event.action, "status": event.status,
         "state": event.actor_state, **({"note": event.note} if event.note and party else {})}
        for event in deconfliction.history(session, record)]
    audit.record(session, action="conflict.seen", actor=actor, object_type="conflict",
                 object_id=record.id)
    # Opening a conflict is reading what was said about it.
    notify.mark_read_by_link(session, user_id=actor.id, link=f"/conflicts/{record.id}")
    return view


def acknowledge_conflict(session: Session, *, actor: Principal, conflict_id: int,
                         base_url: str = "") -> dict[str, object]:
    """A party acknowledges; both parties are told of the change."""
    record = deconfliction.acknowledge(session, actor=actor, conflict_id=conflict_id)
    return _tell_other_and_view(session, record, actor, base_url, "acknowledged")


def resolve_conflict(session: Session, *, actor: Principal, conflict_id: int,
                     resolution: str, note: str, base_url: str = "") -> dict[str, object]:
    """A party resolves with an explicit choice and a note; the other party is told."""
    record = deconfliction.resolve(session, actor=actor, conflict_id=conflict_id,
                                   resolution=resolution, note=note)
    return _tell_other_and_view(session, record, actor, base_url, "resolved",
                                note=record.resolution_note)


def reopen_conflict(session: Session, *, actor: Principal, conflict_id: int,
                    note: str | None = None, base_url: str = "") -> dict[str, object]:
    """A party reopens a resolved conflict (with an optional note); the other party is told."""
    record = deconfliction.reopen(session, actor=actor, conflict_id=conflict_id, note=note)
    return _tell_other_and_view(session, record, actor, base_url, "reopened_by_party",
                                note=(note or "").strip() or None)


def _tell_other_and_view(session: Session, record: ConflictRecord, actor: Principal,
                         base_url: str, event: str, *,
                         note: str | None = None) -> dict[str, object]:
    """Tell the other party of a party's act and answer with the actor's view: the contacts
    of the pair are read once for both."""
    contacts = deconfliction.contacts_for(session, [record])
    tell_other_party(session, [record], actor=actor, events=event, base_url=base_url,
                     contacts=contacts, note=note)
    return deconfliction.party_view(session, record, actor.state or "", contacts,
                                    viewer_id=actor.id)
