"""What the dashboard shows beyond the raw figures, worked out so that it tells the truth:
each completeness cell as reported, missed, due (today, not yet reported) or a part-day at the
window's edge (a report was possible there but not due), the rate over the days that were due,
date headers with weekday and month, and the daily series by state and category for the CSV
export. Reads what outcomes.figures computes; never writes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.identity.models import Role
from core.identity.services import Principal
from operations.models import Period
from operations.services import get_period
from outcomes.models import Report, ReportValue
from outcomes.services import catalogue, state_zone


@dataclass(frozen=True)
class DayHeader:
    """A column of the completeness grid: the ISO date and its label, e.g. 'Mon 28 Sep'."""

    iso: str
    label: str
    long: str  # 'Monday 28 September 2015'


@dataclass(frozen=True)
class Cell:
    """One state's day: `yes`, `no` (a whole day missed), `due` (today, not yet reported),
    `part` (a part-day at the window's edge, not reported: not held against the state) or
    `outside` (not a date of the state's window)."""

    kind: str
    iso: str


@dataclass(frozen=True)
class StateRow:
    """A state's row of the grid with its rate over the days that were due."""

    state: str
    cells: list[Cell]
    reported: int
    due_days: int

    @property
    def rate_text(self) -> str:
        """The share of due days reported, e.g. '50%', or '—' before any day was due."""
        return f"{round(100 * self.reported / self.due_days)}%" if self.due_days else "—"


def day_header(iso: str) -> DayHeader:
    """The header of one date column."""
    day = date.fromisoformat(iso)
    return DayHeader(iso, day.strftime("%a %d %b"), day.strftime("%A %d %B %Y"))


def part_days(period: Period, state: str) -> set[date]:
    """The state's local dates at the window's edges that the window covers only in part."""
    zone = state_zone(state)
    start = period.starts_at.astimezone(zone)
    end = period.ends_at.astimezone(zone)
    edges = set()
    if start.time() != time(0):
        edges.add(start.date())
    if end.time() != time(0):
        edges.add(end.date())
    return edges


def completeness_rows(period: Period, grid: dict[str, object], now: datetime) -> list[StateRow]:
    """The grid's rows as cells that say what each day was: reported, missed, due or a
    part-day; the rate counts whole past days and any day that was reported."""
    dates = grid["dates"]
    states = grid["states"]
    assert isinstance(dates, list) and isinstance(states, dict)
    rows = []
    for state, days in states.items():
        today = now.astimezone(state_zone(state)).date().isoformat()
        edges = {d.isoformat() for d in part_days(period, state)}
        cells = []
        reported = due = 0
        for iso in dates:
            if iso not in days:
                cells.append(Cell("outside", iso))
            elif days[iso]:
                cells.append(Cell("yes", iso))
                reported += 1
                due += 1
            elif iso == today:
                cells.append(Cell("due", iso))
            elif iso in edges:
                cells.append(Cell("part", iso))
            else:
                cells.append(Cell("no", iso))
                due += 1
        rows.append(StateRow(state, cells, reported, due))
    return rows


def slug(text: str, fallback: str) -> str:
    """ASCII words joined by hyphens, for a file name ('JPA 2015 Bali' -> 'jpa-2015-bali')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:60].strip("-") or fallback


def export_filename(period: Period, what: str, moment: datetime) -> str:
    """A descriptive CSV name: the period, what it holds and the UTC time of the export."""
    stamp = moment.astimezone(UTC).strftime("%Y%m%d-%H%M")
    return f"{slug(period.name, f'period-{period.id}')}-{what}-{stamp}Z.csv"


def daily_rows(session: Session, *, actor: Principal, period_id: int) -> list[list[str | int]]:
    """CSV rows of the daily series the actor may see: one row per local date, state,
    indicator and category (current versions of reports not retracted), with the unit."""
    period = get_period(session, actor=actor, period_id=period_id)
    indicators = {i.key: i for i in catalogue(session, period.id)}
    query = (select(Report.date, Report.state, ReportValue.key, ReportValue.category,
                    func.sum(ReportValue.value))
             .join(Report, Report.id == ReportValue.report_id)
             .where(Report.period_id == period.id, Report.retracted_at.is_(None))
             .group_by(Report.date, Report.state, ReportValue.key, ReportValue.category))
    if actor.role == Role.LIAISON_OFFICER:  # an NLO's own state only, as the totals
        query = query.where(Report.state == (actor.state or ""))
    order = {key: n for n, key in enumerate(indicators)}
    found = sorted(session.execute(query).all(),
                   key=lambda r: (r[0], r[1], order.get(r[2], len(order)), r[3]))
    rows: list[list[str | int]] = [
        ["period", "date", "state", "indicator", "label", "category", "unit", "value"]]
    for day, state, key, category, value in found:
        indicator = indicators.get(key)
        rows.append([period.name, day.isoformat(), state, key,
                     indicator.label if indicator else key, category or "",
                     indicator.unit if indicator else "", int(value)])
    audit.record(session, action="export.daily", actor=actor, object_type="period",
                 object_id=period.id, details={"rows": len(rows) - 1})
    return rows
