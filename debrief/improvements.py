"""The improvement plan (DESIGN.md "Debrief packs"): corrective actions with an owner state,
an owner and a due date. The period's co-chairs create and edit items; the owner state's NLOs
change the status (and only the status); every participant of the period reads the whole plan
(it is the period's plan); analysts read every plan; administrators none (403).

Who may change what, and what a refusal says:
- an item of a period the caller cannot see (or no item at all): 404;
- a visible item changed by anyone but the period's co-chairs or the owner state's NLOs
  (an NLO of another participating state, a non-co-chairing co-chair, an analyst): 403;
- the owner state's NLO sending any field but `status`: 403 naming that field.

Items outlive their period: a later period lists the open items of the periods before it whose
owner state takes part in it too. Services flush, never commit; the edge owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import Forbidden, NotFound, ValidationFailed
from core.identity.models import Role
from core.identity.services import Principal
from debrief import improvements_notices as notices
from debrief.models import ITEM_STATUSES, ImprovementItem, Objective
from operations.models import Period, PeriodState
from operations.services import get_period, visible_periods
from outcomes.services import state_zone

READERS = (Role.CO_CHAIR, Role.LIAISON_OFFICER, Role.ANALYST)
ACTIVE = ("open", "in_progress")
EDITABLE = ("objective_id", "issue", "corrective_action", "owner_state", "owner", "due_on",
            "status")
TEXT_LIMITS = {"issue": 2000, "corrective_action": 2000, "owner": 200}
LATEST_DUE = date(2100, 12, 31)
NOBODY = "Your role may not use the improvement plan."


# ---------------------------------------------------------------- who and when


def readable_period(session: Session, actor: Principal, period_id: int) -> Period:
    """The period, if the actor may read its plan (administrators: 403; unseen: 404)."""
    if actor.role not in READERS:
        raise Forbidden(NOBODY)
    return get_period(session, actor=actor, period_id=period_id)


def is_editor(actor: Principal, period: Period) -> bool:
    """Whether the actor co-chairs the period (and so may change everything)."""
    return actor.role == Role.CO_CHAIR and actor.state in period.co_chairs


def is_owner(actor: Principal, item: ImprovementItem) -> bool:
    """Whether the actor is an NLO of the item's owner state (and may change its status)."""
    return actor.role == Role.LIAISON_OFFICER and actor.state == item.owner_state


def local_today(state: str, now: datetime | None = None) -> date:
    """The date in the state's own zone at `now`."""
    return (now or utcnow()).astimezone(state_zone(state)).date()


def is_overdue(item: ImprovementItem, now: datetime | None = None) -> bool:
    """Still open or in progress after its due date (in the owner state's zone)."""
    return item.status in ACTIVE and item.due_on < local_today(item.owner_state, now)


def first_day(period: Period, state: str) -> date:
    """The date on which the period started, in the state's zone."""
    return period.starts_at.astimezone(state_zone(state)).date()


# ---------------------------------------------------------------- reading


def visible_item(session: Session, actor: Principal, item_id: int,
                 ) -> tuple[ImprovementItem, Period]:
    """An item the actor may read, with its period; 404 otherwise (administrators: 403)."""
    if actor.role not in READERS:
        raise Forbidden(NOBODY)
    item = session.get(ImprovementItem, item_id)
    if item is None:
        raise NotFound("improvement item")
    try:
        period = get_period(session, actor=actor, period_id=item.period_id)
    except NotFound:
        raise NotFound("improvement item") from None
    return item, period


def get_item(session: Session, *, actor: Principal, item_id: int) -> ImprovementItem:
    """One item of a period the actor takes part in (analysts: any)."""
    return visible_item(session, actor, item_id)[0]


def _filtered(items: list[ImprovementItem], *, status: str | None, owner_state: str | None,
              overdue: bool, now: datetime) -> list[ImprovementItem]:
    return [item for item in items
            if (status is None or item.status == status)
            and (owner_state is None or item.owner_state == owner_state)
            and (not overdue or is_overdue(item, now))]


def period_items(session: Session, period_id: int) -> list[ImprovementItem]:
    """A period's items, soonest due first (no access check: callers have made it)."""
    return list(session.scalars(select(ImprovementItem)
                                .where(ImprovementItem.period_id == period_id)
                                .order_by(ImprovementItem.due_on, ImprovementItem.id)))


def earlier_open_items(session: Session, actor: Principal, period: Period,
                       ) -> list[ImprovementItem]:
    """Open and in-progress items of periods that started before this one, owned by a state
    that takes part in this one, from periods the actor may see."""
    seen = visible_periods(actor, Period.id).where(Period.starts_at < period.starts_at)
    query = (select(ImprovementItem)
             .where(ImprovementItem.period_id.in_(seen.scalar_subquery()),
                    ImprovementItem.status.in_(ACTIVE),
                    ImprovementItem.owner_state.in_(period.states))
             .order_by(ImprovementItem.due_on, ImprovementItem.id))
    return list(session.scalars(query))


def list_items(session: Session, *, actor: Principal, period_id: int,
               status: str | None = None, owner_state: str | None = None,
               overdue: bool = False, include_earlier: bool = False,
               now: datetime | None = None) -> list[ImprovementItem]:
    """The period's plan (and, with `include_earlier`, the open items of earlier periods for
    its states), filtered by status, owner state and being overdue."""
    now = now or utcnow()
    period = readable_period(session, actor, period_id)
    if status is not None and status not in ITEM_STATUSES:
        raise ValidationFailed({"status": "status must be one of " + ", ".join(ITEM_STATUSES)})
    if owner_state is not None and owner_state not in period.states:
        raise ValidationFailed({"owner_state": "the state does not take part in the period"})
    found = period_items(session, period.id)
    if include_earlier:
        found += earlier_open_items(session, actor, period)
    return _filtered(found, status=status, owner_state=owner_state, overdue=overdue, now=now)


def period_names(session: Session, items: list[ImprovementItem]) -> dict[int, str]:
    """The names of the items' periods, by id."""
    ids = {item.period_id for item in items}
    if not ids:
        return {}
    return dict(session.execute(select(Period.id, Period.name).where(Period.id.in_(ids))).all())


def objectives_of(session: Session, period_id: int) -> list[Objective]:
    """A period's objectives in their order (what an item may refer to)."""
    return list(session.scalars(select(Objective).where(Objective.period_id == period_id)
                                .order_by(Objective.position, Objective.id)))


def items_of_state(session: Session, *, state: str, now: datetime | None = None,
                   ) -> list[ImprovementItem]:
    """Open and in-progress items owned by a state, in periods it takes part in, soonest first
    (an NLO's home page)."""
    taking_part = select(PeriodState.period_id).where(PeriodState.state == state)
    return list(session.scalars(
        select(ImprovementItem).where(ImprovementItem.owner_state == state,
                                      ImprovementItem.status.in_(ACTIVE),
                                      ImprovementItem.period_id.in_(taking_part))
        .order_by(ImprovementItem.due_on, ImprovementItem.id)))


# ---------------------------------------------------------------- checking input


def _text(field: str, value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationFailed({field: "this field is required"})
    if len(text) > TEXT_LIMITS[field]:
        raise ValidationFailed({field: f"at most {TEXT_LIMITS[field]} characters"})
    return text


def _checked(session: Session, period: Period, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every rule an item's fields must keep, on the item as it would be after the change;
    raises ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for field in ("issue", "corrective_action", "owner"):
        try:
            clean[field] = _text(field, values.get(field))
        except ValidationFailed as error:
            errors.update(error.fields)
    owner_state = values.get("owner_state")
    if owner_state not in period.states:
        errors["owner_state"] = "the owner state must take part in the period"
    clean["owner_state"] = owner_state
    due_on = values.get("due_on")
    if not isinstance(due_on, date) or isinstance(due_on, datetime):
        errors["due_on"] = "give the due date as YYYY-MM-DD"
    elif due_on > LATEST_DUE:
        errors["due_on"] = "the due date must be before 2101"
    elif due_on < _start(period, owner_state):
        errors["due_on"] = "the due date may not be before the period started"
    clean["due_on"] = due_on
    status = values.get("status")
    if status not in ITEM_STATUSES:
        errors["status"] = "status must be one of " + ", ".join(ITEM_STATUSES)
    clean["status"] = status
    objective_id = values.get("objective_id")
    if objective_id is not None:
        objective = session.get(Objective, objective_id) if isinstance(objective_id, int) \
            and not isinstance(objective_id, bool) else None
        if objective is None or objective.period_id != period.id:
            errors["objective_id"] = "no such objective in this period"
    clean["objective_id"] = objective_id
    if errors:
        raise ValidationFailed(errors)
    return clean


def _start(period: Period, owner_state: Any) -> date:
    zone_of = owner_state if owner_state in period.states else None
    if zone_of is None:
        return period.starts_at.date()
    return first_day(period, zone_of)


# ---------------------------------------------------------------- writing


def _audit(session: Session, actor: Principal, action: str, item: ImprovementItem,
           **details: object) -> None:
    audit.record(session, action=f"debrief.improvement.{action}", actor=actor,
                 object_type="improvement_item", object_id=item.id,
                 details={"period_id": item.period_id, "status": item.status,
                          "owner_state": item.owner_state, **details})


def create_item(session: Session, *, actor: Principal, period_id: int, issue: str,
                corrective_action: str, owner_state: str, owner: str, due_on: date,
                objective_id: int | None = None, status: str = "open",
                now: datetime | None = None, base_url: str = "") -> ImprovementItem:
    """A new item of the period's plan (its co-chairs); the owner state's NLOs are told."""
    now = now or utcnow()
    period = readable_period(session, actor, period_id)
    if not is_editor(actor, period):
        raise Forbidden("Only the period's co-chairs add items to its improvement plan.")
    clean = _checked(session, period, {
        "issue": issue, "corrective_action": corrective_action, "owner_state": owner_state,
        "owner": owner, "due_on": due_on, "objective_id": objective_id, "status": status})
    item = ImprovementItem(period_id=period.id, created_by=actor.id, created_at=now,
                           updated_by=actor.id, updated_at=now, **clean)
    session.add(item)
    session.flush()
    _audit(session, actor, "created", item, due_on=item.due_on.isoformat())
    notices.assigned(session, item, period, actor_id=actor.id, base_url=base_url)
    return item


def _refuse_change(actor: Principal, item: ImprovementItem, changes: Mapping[str, Any]) -> None:
    if is_owner(actor, item):
        others = sorted(set(changes) - {"status"})
        if others:
            raise Forbidden(f"The owner state's NLO may change only the status, not {others[0]}.",
                            fields={name: "only the period's co-chairs may change this"
                                    for name in others})
        return
    raise Forbidden("Only the period's co-chairs and the owner state's NLOs may change this "
                    "item.")


def update_item(session: Session, *, actor: Principal, item_id: int,
                changes: Mapping[str, Any], now: datetime | None = None,
                base_url: str = "") -> ImprovementItem:
    """Change an item: co-chairs any field, the owner state's NLOs only the status. A new
    owner state's NLOs are told; so are the owner's when a co-chair moves the due date."""
    now = now or utcnow()
    item, period = visible_item(session, actor, item_id)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed({name: "no such field" for name in unknown})
    if not is_editor(actor, period):
        _refuse_change(actor, item, changes)
    if not changes:
        raise ValidationFailed({"body": "give at least one field to change"})
    before = {name: getattr(item, name) for name in EDITABLE}
    clean = _checked(session, period, {**before, **changes})
    changed = {name: value for name, value in clean.items() if before[name] != value}
    if not changed:
        return item
    for name, value in changed.items():
        setattr(item, name, value)
    item.updated_by, item.updated_at = actor.id, now
    session.flush()
    _audit(session, actor, "updated", item, changed={
        name: [_shown(before[name]), _shown(value)] if name not in TEXT_LIMITS else "changed"
        for name, value in changed.items()})
    if "owner_state" in changed:
        notices.assigned(session, item, period, actor_id=actor.id, base_url=base_url)
    elif "due_on" in changed:
        notices.due_date_moved(session, item, period, actor_id=actor.id, base_url=base_url)
    return item


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
