"""A period's debrief settings: when the questionnaire opens (the period's end unless its
co-chairs open it earlier), when it is due (14 days after the end unless set), the co-chairs'
executive summary and the handling code of what the debrief produces. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import InvalidTransition, ValidationFailed
from core.identity.models import Role
from core.identity.services import Principal
from debrief import access
from debrief.models import HANDLING_CODES, DebriefSettings, Response
from debrief.objectives import ensure_debrief
from debrief.text import TEXT_MAX, render_markdown
from operations.models import Period

DUE_AFTER_END = timedelta(days=14)
SUMMARY_MAX = TEXT_MAX


class _Unset:
    """Marks a field a PATCH did not name (None there means: back to the default)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final[Any] = _Unset()


def default_due_on(period: Period) -> date:
    """14 days after the period's end (the UTC date)."""
    return (period.ends_at + DUE_AFTER_END).date()


def opens_at(settings: DebriefSettings | None, period: Period) -> datetime:
    """When the questionnaire opens: the co-chairs' setting, else the period's end."""
    return settings.opens_at if settings and settings.opens_at else period.ends_at


def due_on(settings: DebriefSettings | None, period: Period) -> date:
    """When the questionnaire is due: the co-chairs' setting, else 14 days after the end."""
    return settings.due_on if settings and settings.due_on else default_due_on(period)


def require_open(settings: DebriefSettings | None, period: Period, when: datetime) -> None:
    """InvalidTransition (409 naming opens_at) before the questionnaire opens."""
    opening = opens_at(settings, period)
    if when < opening:
        raise InvalidTransition(
            f"The questionnaire is not open yet: it opens at {opening.isoformat()}.",
            fields={"opens_at": f"the questionnaire opens at {opening.isoformat()}"})


def submissions(session: Session, period_id: int) -> list[tuple[str, datetime]]:
    """(state, submitted_at) of every submitted response of the period, by state."""
    return [(state, at) for state, at in session.execute(
        select(Response.state, Response.submitted_at).where(
            Response.period_id == period_id, Response.status == "submitted")
        .order_by(Response.state)) if at is not None]


@dataclass(frozen=True)
class DebriefView:
    """A period's debrief as its reader sees it."""

    period: Period
    settings: DebriefSettings
    opens_at: datetime
    due_on: date
    is_open: bool
    submitted: list[tuple[str, datetime]]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape (the summary stays Markdown; `summary_html` is sanitised)."""
        return {"period_id": self.period.id, "opens_at": self.opens_at,
                "due_on": self.due_on, "is_open": self.is_open,
                "summary": self.settings.summary or "",
                "summary_html": render_markdown(self.settings.summary or ""),
                "handling": self.settings.handling,
                "states_submitted": [state for state, _ in self.submitted],
                "submissions": [{"state": s, "submitted_at": at} for s, at in self.submitted],
                "updated_at": self.settings.updated_at}


def _visible_submissions(actor: Principal, found: list[tuple[str, datetime]],
                         ) -> list[tuple[str, datetime]]:
    """Co-chairs and analysts see who has submitted; an NLO its own state until it has
    submitted, then everyone (whose answers it then reads anyway)."""
    if actor.role != Role.LIAISON_OFFICER:
        return found
    if any(state == actor.state for state, _ in found):
        return found
    return []


def get_debrief(session: Session, *, actor: Principal, period_id: int,
                now: datetime | None = None) -> DebriefView:
    """The period's debrief settings and who has submitted (any debrief reader)."""
    when = now or utcnow()
    period = access.readable_period(session, actor, period_id)
    settings = ensure_debrief(session, period, actor=actor, now=when)
    opening = opens_at(settings, period)
    return DebriefView(period, settings, opening, due_on(settings, period), when >= opening,
                       _visible_submissions(actor, submissions(session, period.id)))


def _checked(period: Period, settings: DebriefSettings, *, opens: Any, due: Any,
             summary: Any, handling: Any) -> dict[str, Any]:
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    if opens is not UNSET:
        if opens is not None and (not isinstance(opens, datetime) or opens.tzinfo is None):
            problems["opens_at"] = "give a time with an offset"
        elif opens is not None and opens > period.ends_at:
            problems["opens_at"] = (f"at the latest the period's end "
                                    f"({period.ends_at.isoformat()})")
        else:
            values["opens_at"] = opens
    if due is not UNSET:
        if due is not None and (not isinstance(due, date) or isinstance(due, datetime)):
            problems["due_on"] = "give a date (YYYY-MM-DD)"
        else:
            values["due_on"] = due
    if summary is not UNSET:
        if not isinstance(summary, str):
            problems["summary"] = "give the summary as text"
        elif len(summary) > SUMMARY_MAX:
            problems["summary"] = f"at most {SUMMARY_MAX:,} characters"
        else:
            values["summary"] = summary
    if handling is not UNSET and handling not in HANDLING_CODES:
        problems["handling"] = f"one of {', '.join(HANDLING_CODES)}"
    elif handling is not UNSET:
        values["handling"] = handling
    if not problems:
        opening = values.get("opens_at", settings.opens_at) or period.ends_at
        due_date = values.get("due_on", settings.due_on) or default_due_on(period)
        if due_date < opening.date():
            name = "due_on" if "due_on" in values else "opens_at"
            problems[name] = (f"the due date ({due_date.isoformat()}) may not come before "
                              f"the questionnaire opens ({opening.date().isoformat()})")
    if problems:
        raise ValidationFailed(problems)
    return values


def update_debrief(session: Session, *, actor: Principal, period_id: int,
                   opens_at: Any = UNSET, due_on: Any = UNSET, summary: Any = UNSET,
                   handling: Any = UNSET, now: datetime | None = None) -> DebriefView:
    """Change the given settings (the period's co-chairs); None for opens_at or due_on goes
    back to the default. Audited with the names of the fields changed."""
    when = now or utcnow()
    period = access.readable_period(session, actor, period_id)
    access.require_co_chair(actor, period)
    ensure_debrief(session, period, actor=actor, now=when)
    settings = session.get(DebriefSettings, period.id, with_for_update=True,
                           populate_existing=True)
    assert settings is not None  # ensured above
    values = _checked(period, settings, opens=opens_at, due=due_on, summary=summary,
                      handling=handling)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.updated_at, settings.updated_by = when, actor.id
    session.flush()
    details: dict[str, Any] = {"fields": sorted(values)}
    for name in ("opens_at", "due_on", "handling"):
        if name in values:
            value = values[name]
            details[name] = value.isoformat() if isinstance(value, date) else value
    audit.record(session, action="debrief.settings", actor=actor, object_type="period",
                 object_id=period.id, details=details)
    return get_debrief(session, actor=actor, period_id=period.id, now=when)
