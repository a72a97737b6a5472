"""Joint periods: their rules, who sees which, and setting one up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import NotFound, ValidationFailed
from core.identity.models import Role
from core.identity.services import Principal, require_role
from core.states import get_state
from operations.models import Period, PeriodState

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
