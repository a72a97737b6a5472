"""The demo period's outcome reports: the first Bali Process JPA's published tally, sent day
by day by each state's demo NLO (`jpa demo`, through operations.demo's report seeder)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.identity.models import User
from core.identity.services import Principal
from operations.demo import DEMO_STATES
from operations.models import Period
from outcomes import services
from outcomes.models import Report

# The first Bali Process JPA's published tally; the demo's reports add up to exactly this.
DEMO_TALLY: dict[str, int] = {
    "victims_assisted": 59, "suspects_identified": 63, "arrests": 32, "search_warrants": 7,
    "new_investigations": 8, "international_enquiries": 70, "awareness_activities": 68,
    "training_sessions": 12, "officers_trained": 485,
}

# Victims assisted by sex and age, per state. The published tally gives only the total (59);
# this breakdown is invented for the demo.
DEMO_VICTIMS: dict[str, dict[str, int]] = {
    "AUS": {"female_adult": 2, "male_adult": 1},
    "IDN": {"female_adult": 5, "male_adult": 2, "female_child": 3, "male_child": 1, "unknown": 1},
    "LKA": {"female_adult": 2, "male_adult": 1, "female_child": 1},
    "MDV": {"male_adult": 1, "unknown": 1},
    "MYS": {"female_adult": 5, "male_adult": 3, "female_child": 3, "male_child": 2, "unknown": 1},
    "NZL": {"male_adult": 1},
    "PHL": {"female_adult": 4, "female_child": 3, "male_child": 2},
    "THA": {"female_adult": 6, "female_child": 5, "male_child": 2, "unknown": 1},
}

# The other figures per state, in this order; each column adds up to DEMO_TALLY.
DEMO_FIGURE_KEYS = ("suspects_identified", "arrests", "search_warrants", "new_investigations",
                    "international_enquiries", "awareness_activities", "training_sessions",
                    "officers_trained")
DEMO_FIGURES: dict[str, tuple[int, ...]] = {
    #       suspects arrests warrants invest. enquiries awareness training officers
    "AUS": (6, 3, 2, 1, 14, 5, 2, 45),
    "IDN": (14, 7, 1, 2, 9, 12, 2, 80),
    "LKA": (5, 3, 0, 1, 8, 9, 1, 40),
    "MDV": (3, 1, 0, 0, 4, 6, 1, 25),
    "MYS": (12, 6, 1, 1, 10, 8, 2, 75),
    "NZL": (2, 1, 1, 1, 9, 4, 1, 30),
    "PHL": (8, 4, 1, 1, 6, 14, 1, 60),
    "THA": (13, 7, 1, 1, 10, 10, 2, 130),
}

# Local dates on which a state sent nothing, so that the completeness grid shows gaps. LKA's
# and MDV's 27 September is the two hours of the window before their midnight.
DEMO_MISSING_DAYS: dict[str, tuple[str, ...]] = {
    "AUS": ("2015-10-04", "2015-10-18"),
    "IDN": ("2015-10-11", "2015-10-25"),
    "LKA": ("2015-09-27", "2015-10-10"),
    "MDV": ("2015-09-27", "2015-10-09", "2015-10-23"),
    "MYS": ("2015-10-17",),
    "NZL": ("2015-10-05", "2015-10-26"),
    "PHL": ("2015-10-01", "2015-10-19"),
    "THA": ("2015-10-23",),
}
# The n-th day with figures on which a state first sent a wrong figure and then amended it.
DEMO_AMENDED: dict[str, int] = {"AUS": 2, "IDN": 5, "MYS": 9, "PHL": 12, "THA": 4}
# The n-th day with figures on which a state retracted its report and sent it again.
DEMO_DUPLICATED: dict[str, int] = {"LKA": 6, "MYS": 3}
# When the demo's reports are stamped: after the window, so that every date of it is past.
DEMO_REPORTED_AT = datetime(2015, 10, 29, 12, tzinfo=UTC)


@dataclass
class DemoDay:
    """What one state sent for one local date: nothing (`values` None), a nil report ({}), or
    figures; perhaps first a wrong draft amended later, perhaps a copy retracted later."""

    on: date
    values: dict[str, Any] | None
    draft: dict[str, Any] | None = None
    duplicate: bool = False


def _spread(total: int, slots: int, offset: int) -> list[int]:
    """`total` split as evenly as possible over `slots`, the remainders placed from `offset`."""
    if slots == 0:
        if total:
            raise ValueError("no day to report a figure on")
        return []
    even = [(j + 1) * total // slots - j * total // slots for j in range(slots)]
    return [even[(j - offset) % slots] for j in range(slots)]


def _interleaved(counts: dict[str, int]) -> list[str]:
    """Categories taken in turn, so that each day's few victims mix sexes and ages."""
    left = dict(counts)
    order: list[str] = []
    while any(left.values()):
        for category in counts:
            if left[category]:
                order.append(category)
                left[category] -= 1
    return order


def check_demo_figures() -> None:
    """The per-state tables must add up to the published tally."""
    sums = dict.fromkeys(DEMO_TALLY, 0)
    for state in DEMO_STATES:
        sums["victims_assisted"] += sum(DEMO_VICTIMS[state].values())
        for key, value in zip(DEMO_FIGURE_KEYS, DEMO_FIGURES[state], strict=True):
            sums[key] += value
    if sums != DEMO_TALLY:
        raise ValueError(f"demo figures do not add up to the tally: {sums}")


def demo_report_plan(state: str, dates: list[date]) -> list[DemoDay]:
    """The state's demo reports, one entry per local date: deterministic, no randomness."""
    position = DEMO_STATES.index(state)
    missing = {date.fromisoformat(d) for d in DEMO_MISSING_DAYS.get(state, ())}
    present = [d for d in dates if d not in missing]
    # Sundays and every ninth day (shifted per state) were quiet: a nil report.
    nil = {d for i, d in enumerate(present) if d.weekday() == 6 or (i + position) % 9 == 0}
    busy = [d for d in present if d not in nil]
    per_day: dict[date, dict[str, Any]] = {d: {} for d in busy}
    figures = dict(zip(DEMO_FIGURE_KEYS, DEMO_FIGURES[state], strict=True))
    for index, key in enumerate(DEMO_FIGURE_KEYS[:-1]):
        for day, count in zip(busy, _spread(figures[key], len(busy), index * 7 + position * 3),
                              strict=True):
            if count:
                per_day[day][key] = count
    # Officers trained are reported on the days of the training sessions.
    sessions = [day for day in busy for _ in range(per_day[day].get("training_sessions", 0))]
    for day, trained in zip(sessions, _spread(figures["officers_trained"], len(sessions), 0),
                            strict=True):
        per_day[day]["officers_trained"] = per_day[day].get("officers_trained", 0) + trained
    victims = _interleaved(DEMO_VICTIMS[state])
    taken = 0
    for day, count in zip(busy, _spread(len(victims), len(busy), 5 + position), strict=True):
        if count:
            breakdown: dict[str, int] = {}
            for category in victims[taken:taken + count]:
                breakdown[category] = breakdown.get(category, 0) + 1
            per_day[day]["victims_assisted"] = breakdown
            taken += count
    with_figures = [d for d in busy if per_day[d]]
    amended = with_figures[DEMO_AMENDED[state]] if state in DEMO_AMENDED else None
    duplicated = with_figures[DEMO_DUPLICATED[state]] if state in DEMO_DUPLICATED else None
    plan: list[DemoDay] = []
    for day in dates:
        if day in missing:
            plan.append(DemoDay(day, None))
        elif day in nil:
            plan.append(DemoDay(day, {}))
        else:
            values = per_day[day]
            draft = None
            if day == amended:
                first = min((k for k in values if k != "victims_assisted"),
                            default="international_enquiries")
                draft = {**values, first: values.get(first, 0) + 1}
            plan.append(DemoDay(day, values, draft=draft, duplicate=day == duplicated))
    return plan


def seed_demo_reports(session: Session, period: Period) -> int:
    """Send every state's daily reports once, through the reporting service, as the state's
    demo NLO; their totals are the published tally. Returns how many reports were made."""

    if session.scalar(select(Report.id).where(Report.period_id == period.id).limit(1)):
        return 0
    check_demo_figures()
    count = 0
    for state in DEMO_STATES:
        officer = session.scalar(select(User).where(User.username == f"nlo.{state.lower()}"))
        if officer is None or officer.role != "liaison_officer" or officer.state != state \
                or state not in period.states:
            continue
        actor = Principal.of(officer, "demo")
        for day in demo_report_plan(state, services.local_dates(period, state)):
            if day.values is None:
                continue
            report, _ = services.submit_report(
                session, actor=actor, period_id=period.id, on=day.on,
                values=day.draft if day.draft is not None else day.values,
                now=DEMO_REPORTED_AT)
            count += 1
            if day.draft is not None:
                services.amend_report(session, actor=actor, report_id=report.id,
                                      values=day.values,
                                      note="corrected: figure confirmed by the case officer")
            if day.duplicate:
                # One report per state, date and operation: retracting it frees the day for
                # a new report.
                services.retract_report(session, actor=actor, report_id=report.id,
                                        reason="sent before the figures were confirmed")
                services.submit_report(
                    session, actor=actor, period_id=period.id, on=day.on, values=day.values,
                    now=DEMO_REPORTED_AT)
                count += 1
    return count
