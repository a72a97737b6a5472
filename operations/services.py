"""Use cases of joint periods."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import NotFound, ValidationFailed
from core.identity.models import Role
from core.identity.services import Principal, require_role
from core.states import get_state
from operations.models import Period, PeriodState

SEES_EVERY_PERIOD = (Role.ADMIN, Role.ANALYST)


def validate_period_fields(*, name: str, starts_at: datetime, ends_at: datetime,
                           states: list[str], co_chairs: list[str]) -> None:
    """Check a period's fields together; every problem is reported at once, by field."""
    problems: dict[str, str] = {}
    if not name or not name.strip():
        problems["name"] = "required"
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None:
            problems[field] = "give a time with an offset, e.g. 2015-09-28T00:00:00+07:00"
    if "starts_at" not in problems and "ends_at" not in problems and ends_at <= starts_at:
        problems["ends_at"] = "must be after starts_at"
    if not states:
        problems["states"] = "name at least one participating state"
    seen: set[str] = set()
    for index, code in enumerate(states):
        try:
            get_state(code, field=f"states[{index}]")
        except ValidationFailed as error:
            problems.update(error.fields)
        if code in seen:
            problems[f"states[{index}]"] = f"{code} is listed twice"
        seen.add(code)
    for index, code in enumerate(co_chairs):
        if code not in seen:
            problems[f"co_chairs[{index}]"] = f"{code} is not among the participating states"
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


def _visible(actor: Principal) -> object:
    if actor.role in SEES_EVERY_PERIOD:
        return select(Period)
    return select(Period).join(PeriodState).where(PeriodState.state == actor.state)


def list_periods(session: Session, *, actor: Principal) -> list[Period]:
    """The periods the actor may see: all for admins and analysts, else their state's."""
    query = _visible(actor).order_by(Period.starts_at.desc(), Period.id.desc())  # type: ignore[attr-defined]
    return list(session.scalars(query))


def get_period(session: Session, *, actor: Principal, period_id: int) -> Period:
    """One period; a period the actor may not see is NotFound, like a missing one."""
    period = session.scalar(_visible(actor).where(Period.id == period_id))  # type: ignore[attr-defined]
    if period is None:
        raise NotFound("period")
    return period
