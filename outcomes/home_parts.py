"""What outcomes shows inside each active period's card on the home page
(operations.home_page): an NLO's report of today (due or done, "today" in its state's zone)
and the days not reported yet; a co-chair's states that have not reported today."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from sqlalchemy.orm import Session

from core.db import utcnow
from core.identity.models import Role
from core.identity.services import Principal
from operations import home_page
from operations.models import Period
from outcomes import figures
from outcomes.services import state_zone


def home_period_part(db: Session, principal: Principal, period: Period,
                     now: datetime | None = None) -> home_page.HomePeriodPart | None:
    """Today's report and the missing days (NLO), or the states not reported today
    (co-chair), of one active period."""
    moment = now or utcnow()
    if principal.role == Role.LIAISON_OFFICER and principal.state in period.states:
        state = principal.state
        grid = figures.completeness(db, actor=principal, period_id=period.id, now=moment)
        days: dict[str, bool] = grid["states"].get(state, {})  # type: ignore[attr-defined]
        today = moment.astimezone(state_zone(state)).date().isoformat()
        missing = [day for day, done in days.items() if not done and day != today]
        return home_page.HomePeriodPart("outcomes/_home_reporting.html", {
            "today": today, "today_done": days.get(today, False),
            "today_in_window": today in days, "missing": missing,
            "day_labels": {day: _day_label(day) for day in [today, *missing]}})
    if principal.role == Role.CO_CHAIR:
        grid = figures.completeness(db, actor=principal, period_id=period.id, now=moment)
        states: dict[str, dict[str, bool]] = grid["states"]  # type: ignore[assignment]
        not_reported = [
            state for state, days in sorted(states.items())
            if days.get(moment.astimezone(state_zone(state)).date().isoformat()) is False]
        return home_page.HomePeriodPart("outcomes/_home_states_today.html", {
            "not_reported_today": not_reported, "state_count": len(states)})
    return None


def _day_label(iso_day: str) -> str:
    """A date in words with its weekday: 2015-09-28 -> Mon 28 Sep 2015."""
    return date.fromisoformat(iso_day).strftime("%a %d %b %Y")


def register(app: Flask) -> None:
    """Show the parts above in every active period's card of the home page."""
    home_page.register_period_part(app, home_period_part)
