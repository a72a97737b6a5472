"""The running sums of reported figures: one row per state and indicator (and category), one
per date and indicator, moved by the difference on every submit, amendment and retraction,
and the bound on what one state's figures may add up to."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.errors import ValidationFailed
from operations.models import Period
from outcomes.models import DaySum, Report, ReportValue, StateSum

# A state's total of one indicator over a period, all categories (defect 6). With at most 250
# states a day's or the region's sum stays below 2.5e11: far inside the 64-bit columns, and
# exact for JSON readers that hold numbers as doubles (2**53).
MAX_STATE_TOTAL = 1_000_000_000
ValueMap = dict[str, int | dict[str, int]]


def flatten(values: ValueMap) -> dict[tuple[str, str], int]:
    """{(key, category): value}; category "" for an indicator without categories."""
    flat: dict[tuple[str, str], int] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            for category, count in value.items():
                flat[(key, category)] = count
        else:
            flat[(key, "")] = value
    return flat


def _upsert_add(session: Session, model: type[StateSum] | type[DaySum],
                rows: list[dict[str, object]], keys: list[str]) -> None:
    """Add each row's value to the stored one (insert when absent), atomically per row."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={"value": model.value + statement.excluded.value})
    session.execute(statement, rows)


def bump_figures(session: Session, period_id: int) -> None:
    """Mark the period's figures as changed (readers compare versions to reuse their totals)."""
    session.execute(update(Period).where(Period.id == period_id)
                    .values(figures_version=Period.figures_version + 1)
                    .execution_options(synchronize_session=False))


def store_values(session: Session, report: Report, old: ValueMap, new: ValueMap) -> None:
    """Replace a report's current figures and move the running sums by the difference."""
    bump_figures(session, report.period_id)
    session.execute(delete(ReportValue).where(ReportValue.report_id == report.id))
    flat_new = flatten(new)
    if flat_new:
        session.execute(ReportValue.__table__.insert(), [
            {"report_id": report.id, "key": key, "category": category,
             "period_id": report.period_id, "value": value}
            for (key, category), value in flat_new.items()])
    flat_old = flatten(old)
    deltas = {k: flat_new.get(k, 0) - flat_old.get(k, 0) for k in set(flat_new) | set(flat_old)}
    deltas = {k: d for k, d in deltas.items() if d}
    state_rows = [{"period_id": report.period_id, "state": report.state, "key": key,
                   "category": category, "value": delta}
                  for (key, category), delta in sorted(deltas.items())]
    per_day: dict[str, int] = defaultdict(int)
    for (key, _category), delta in deltas.items():
        per_day[key] += delta
    day_rows = [{"period_id": report.period_id, "date": report.date, "key": key, "value": d}
                for key, d in sorted(per_day.items()) if d]
    _upsert_add(session, StateSum, state_rows, ["period_id", "state", "key", "category"])
    _upsert_add(session, DaySum, day_rows, ["period_id", "date", "key"])
    _check_state_totals(session, report, [key for key, d in per_day.items() if d > 0])


def _check_state_totals(session: Session, report: Report, raised: list[str]) -> None:
    """Refuse a change that takes the state's total of an indicator past MAX_STATE_TOTAL.

    Checked after the upsert, in the same transaction: the upsert holds the rows' locks, so
    simultaneous reports of one state are counted together; the caller's rollback undoes it."""
    if not raised:
        return
    over = session.execute(
        select(StateSum.key, func.sum(StateSum.value))
        .where(StateSum.period_id == report.period_id, StateSum.state == report.state,
               StateSum.key.in_(raised))
        .group_by(StateSum.key)
        .having(func.sum(StateSum.value) > MAX_STATE_TOTAL)).all()
    if over:
        raise ValidationFailed({
            f"values.{key}": (f"{report.state}'s total of this indicator for the period would "
                              f"be {int(total):,}, above the limit of {MAX_STATE_TOTAL:,}")
            for key, total in sorted(over)})
