"""Figures as they are read: totals, completeness, the dashboard and the CSV export, and the
period's figures version that tells a reader whether its totals are current."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import NotFound
from core.identity.models import Role
from core.identity.services import Principal, require_role
from deconfliction.services import conflicts_by_status_and_age
from operations.models import Operation, Period
from operations.services import get_period, visible_periods
from outcomes.models import DaySum, Report, StateSum
from outcomes.services import catalogue, local_dates


def figures_version(session: Session, *, actor: Principal, period_id: int) -> int:
    """The period's figures version in one lookup; NotFound when the actor may not see it."""
    version = session.scalar(visible_periods(actor, Period.figures_version)
                             .where(Period.id == period_id))
    if version is None:
        raise NotFound("period")
    return version



def _visible_states(actor: Principal, period: Period) -> list[str]:
    if actor.role == Role.LIAISON_OFFICER:
        return [actor.state] if actor.state in period.states else []
    return list(period.states)


def totals(session: Session, *, actor: Principal, period_id: int) -> dict[str, object]:
    """Sums of the current version of every report: regional, by state (as visible), by
    category, and a daily series per indicator. A regional total is the sum of the states."""
    period = get_period(session, actor=actor, period_id=period_id)
    indicators = catalogue(session, period.id)
    regional: dict[str, int] = {i.key: 0 for i in indicators}
    by_state_all: dict[str, dict[str, int]] = {s: {i.key: 0 for i in indicators}
                                               for s in period.states}
    breakdown: dict[str, dict[str, int]] = {i.key: {c: 0 for c in i.categories}
                                            for i in indicators if i.categories}
    for state, key, category, value in session.execute(
            select(StateSum.state, StateSum.key, StateSum.category, StateSum.value)
            .where(StateSum.period_id == period.id)):
        regional[key] = regional.get(key, 0) + value
        by_state_all.setdefault(state, {}).setdefault(key, 0)
        by_state_all[state][key] += value
        if category:
            breakdown.setdefault(key, {}).setdefault(category, 0)
            breakdown[key][category] += value
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for day, key, value in session.execute(
            select(DaySum.date, DaySum.key, DaySum.value).where(DaySum.period_id == period.id)):
        if value:
            series[key][day.isoformat()] = value
    visible = _visible_states(actor, period)
    last = session.scalar(select(func.max(Report.updated_at)).where(
        Report.period_id == period.id))
    return {
        "totals": regional,
        "by_state": {s: by_state_all.get(s, {}) for s in visible},
        "breakdown": breakdown,
        "series": {key: [{"date": d, "value": v} for d, v in sorted(days.items())]
                   for key, days in series.items()},
        "updated_at": last.isoformat() if last else None,
    }


def completeness(session: Session, *, actor: Principal, period_id: int,
                 now: datetime | None = None) -> dict[str, object]:
    """For each visible state and each of its local dates so far: reported or not (a nil
    report counts; a retracted one does not), and the rate per state."""
    period = get_period(session, actor=actor, period_id=period_id)
    moment = now or utcnow()
    visible = _visible_states(actor, period)
    query = select(Report.state, Report.date).where(
        Report.period_id == period.id, Report.retracted_at.is_(None)).distinct()
    if len(visible) == 1:
        query = query.where(Report.state == visible[0])
    reported: dict[str, set[date]] = defaultdict(set)
    # Plain rows, not ORM ones: a period of 100 states x 60 days has 6,000 of them.
    for state, day in session.connection().execute(query):
        reported[state].add(day)
    text_of: dict[date, str] = {}  # each date's ISO text, made once for every state
    states: dict[str, dict[str, bool]] = {}
    rates: dict[str, float] = {}
    for state in visible:
        days = [] if moment < period.starts_at else local_dates(period, state, until=moment)
        done_days = reported.get(state, set())
        for day in days:
            if day not in text_of:
                text_of[day] = day.isoformat()
        states[state] = grid = {text_of[day]: day in done_days for day in days}
        rates[state] = round(sum(grid.values()) / len(days), 4) if days else 0.0
    return {"dates": [text_of[day] for day in sorted(text_of)], "states": states,
            "rate": rates}


def states_without_report(session: Session, *, period: Period, on_date: date,
                          states: list[str]) -> list[str]:
    """Which of `states` have no (non-retracted) report for a local date."""
    reported = set(session.scalars(select(Report.state).where(
        Report.period_id == period.id, Report.date == on_date,
        Report.retracted_at.is_(None))))
    return [s for s in states if s not in reported]


def operations_by_type_and_state(session: Session, *, period: Period) -> dict[str, dict[str, int]]:
    """Live operations counted per state and type (summary level: no titles, no targets)."""
    counts: dict[str, dict[str, int]] = {}
    for state, kind, number in session.execute(
            select(Operation.owner_state, Operation.type, func.count())
            .where(Operation.period_id == period.id, Operation.cancelled.is_(False))
            .group_by(Operation.owner_state, Operation.type)):
        counts.setdefault(state, {})[kind] = int(number)
    return counts


def dashboard(session: Session, *, actor: Principal, period_id: int,
              now: datetime | None = None) -> dict[str, object]:
    """Everything the co-chairs' and analysts' dashboard shows, in one read."""
    require_role(actor, Role.CO_CHAIR, Role.ANALYST, Role.ADMIN)
    period = get_period(session, actor=actor, period_id=period_id)
    moment = now or utcnow()
    return {
        "period": period,
        "indicators": catalogue(session, period.id),
        "totals": totals(session, actor=actor, period_id=period.id),
        "completeness": completeness(session, actor=actor, period_id=period.id, now=moment),
        "operations": operations_by_type_and_state(session, period=period),
        "conflicts": conflicts_by_status_and_age(session, period_id=period.id, now=moment),
        "generated_at": moment,
        "last_report_at": session.scalar(select(func.max(Report.updated_at)).where(
            Report.period_id == period.id)),
    }


def export_rows(session: Session, *, actor: Principal,
                period_id: int) -> list[list[str | int]]:
    """CSV rows of the totals the actor may see: one row per state and indicator, then the
    regional total, each with the indicator's unit and definition (figures as numbers;
    `core.csvsafe` writes them)."""
    period = get_period(session, actor=actor, period_id=period_id)
    figures = totals(session, actor=actor, period_id=period.id)
    indicators = catalogue(session, period.id)
    rows: list[list[str | int]] = [
        ["period", "scope", "indicator", "label", "unit", "value", "definition"]]
    by_state = figures["by_state"]
    assert isinstance(by_state, dict)
    regional = figures["totals"]
    assert isinstance(regional, dict)
    for state in sorted(by_state):
        for indicator in indicators:
            rows.append([period.name, state, indicator.key, indicator.label, indicator.unit,
                         int(by_state[state].get(indicator.key, 0)), indicator.definition])
    for indicator in indicators:
        rows.append([period.name, "regional", indicator.key, indicator.label, indicator.unit,
                     int(regional.get(indicator.key, 0)), indicator.definition])
    audit.record(session, action="export.totals", actor=actor, object_type="period",
                 object_id=period.id, details={"rows": len(rows) - 1})
    return rows
