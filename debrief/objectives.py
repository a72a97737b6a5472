"""A period's objectives: seeded with the concept note's ten expected outcomes on first use,
edited by the period's co-chairs until the period ends (then 409), each optionally naming
indicators of the period whose regional totals are shown beside it. Services never commit."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import InvalidTransition, NotFound, ValidationFailed
from core.identity.services import Principal
from debrief import access
from debrief.models import DEFAULT_HANDLING, DebriefSettings, Objective
from operations.models import Period
from outcomes import figures
from outcomes.services import catalogue

TITLE_MAX = 300
DESCRIPTION_MAX = 2000
MAX_OBJECTIVES = 100

# The concept note's ten expected outcomes, each with the default indicators that speak to it.
DEFAULT_OBJECTIVES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Enhanced regional cooperation",
     "States ran their operations at the same time and supported each other's cases across "
     "borders.", ("parallel_investigations", "international_enquiries")),
    ("Intelligence gathering",
     "Operations produced intelligence on smuggling and trafficking networks and their routes.",
     ("intelligence_reports_shared",)),
    ("Facilitators identified",
     "Smugglers, traffickers and those who facilitate them were identified and, where the "
     "evidence allowed, arrested.", ("suspects_identified", "arrests")),
    ("Victims identified and rescued",
     "Presumed victims of trafficking and smuggled migrants were identified, rescued and "
     "assisted.", ("victims_assisted", "smuggled_migrants_detected")),
    ("Trust",
     "Agencies of the participating states came to trust each other's information and "
     "commitments.", ()),
    ("Information exchange",
     "Information flowed between the states quickly and through agreed channels.",
     ("international_enquiries", "intelligence_reports_shared")),
    ("Network of contacts",
     "Each state knows whom to call in the others, and the contacts were used.", ()),
    ("Gaps identified",
     "Gaps in law, practice, capability and cooperation were identified for follow-up.", ()),
    ("Further common operations",
     "The states agreed on further joint periods of action or common operations.", ()),
    ("Awareness",
     "The public, communities at risk and officials were made more aware of smuggling and "
     "trafficking.", ("awareness_activities", "training_sessions", "officers_trained")),
)


@dataclass(frozen=True)
class IndicatorTotal:
    """An indicator linked to an objective, with its regional total."""

    key: str
    label: str
    unit: str
    total: int


def _insert_settings(session: Session, period_id: int, when: datetime) -> bool:
    """Insert the period's debrief row unless it exists; True when this call inserted it
    (concurrent first uses: exactly one wins, the others wait for it and see its rows)."""
    dialect: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(DebriefSettings.__table__)
                 .values(period_id=period_id, summary="", handling=DEFAULT_HANDLING,
                         updated_at=when)
                 .on_conflict_do_nothing(index_elements=["period_id"])
                 .returning(DebriefSettings.__table__.c.period_id))
    return session.execute(statement).scalar_one_or_none() is not None


def ensure_debrief(session: Session, period: Period, *, actor: Principal | None = None,
                   now: datetime | None = None) -> DebriefSettings:
    """The period's debrief row; made on first use, together with the ten default
    objectives (seeded once: objectives deleted later stay deleted)."""
    when = now or utcnow()
    if session.get(DebriefSettings, period.id) is None and _insert_settings(session, period.id,
                                                                             when):
        known = {i.key for i in catalogue(session, period.id)}
        for position, (title, description, keys) in enumerate(DEFAULT_OBJECTIVES, start=1):
            session.add(Objective(period_id=period.id, position=position, title=title,
                                  description=description, created_at=when, updated_at=when,
                                  indicator_keys=[k for k in keys if k in known]))
        session.flush()
        audit.record(session, action="debrief.seeded", actor=actor,
                     actor_username=None if actor else "system", object_type="period",
                     object_id=period.id, details={"objectives": len(DEFAULT_OBJECTIVES)})
    found = session.get(DebriefSettings, period.id)
    assert found is not None  # inserted above, here or by a concurrent first use
    return found


def period_objectives(session: Session, period_id: int) -> list[Objective]:
    """The period's objectives in their order."""
    return list(session.scalars(select(Objective).where(Objective.period_id == period_id)
                                .order_by(Objective.position, Objective.id)))


def list_objectives(session: Session, *, actor: Principal, period_id: int,
                    now: datetime | None = None) -> tuple[Period, list[Objective]]:
    """The period and its objectives (seeded on first read) for any debrief reader."""
    period = access.readable_period(session, actor, period_id)
    ensure_debrief(session, period, actor=actor, now=now)
    return period, period_objectives(session, period.id)


def linked_totals(session: Session, *, actor: Principal, period: Period,
                  objectives: list[Objective]) -> dict[int, list[IndicatorTotal]]:
    """For each objective, its indicators with their regional totals (outcomes.figures)."""
    indicators = {i.key: i for i in catalogue(session, period.id)}
    regional = figures.totals(session, actor=actor, period_id=period.id)["totals"]
    assert isinstance(regional, dict)
    return {o.id: [IndicatorTotal(key, indicators[key].label, indicators[key].unit,
                                  int(regional.get(key, 0)))
                   for key in o.indicator_keys or [] if key in indicators]
            for o in objectives}


def objective_view(objective: Objective, totals: list[IndicatorTotal]) -> dict[str, Any]:
    """An objective as the API shows it."""
    return {"id": objective.id, "period_id": objective.period_id,
            "position": objective.position, "title": objective.title,
            "description": objective.description,
            "indicator_keys": list(objective.indicator_keys or []),
            "indicators": [asdict(t) for t in totals],
            "updated_at": objective.updated_at}


# ---------------------------------------------------------------- writes


def _checked_fields(session: Session, period: Period, *, title: str | None,
                    description: str | None, indicator_keys: list[str] | None,
                    position: int | None) -> dict[str, Any]:
    """The given fields, checked; a 422 naming every bad one (nothing is stored)."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = title.strip()
        if not values["title"]:
            problems["title"] = "give the objective a title"
        elif len(values["title"]) > TITLE_MAX:
            problems["title"] = f"at most {TITLE_MAX} characters"
    if description is not None:
        values["description"] = description.strip()
        if len(values["description"]) > DESCRIPTION_MAX:
            problems["description"] = f"at most {DESCRIPTION_MAX:,} characters"
    if indicator_keys is not None:
        known = {i.key for i in catalogue(session, period.id)}
        for index, key in enumerate(indicator_keys):
            if key not in known:
                problems[f"indicator_keys[{index}]"] = "not an indicator of this period"
        values["indicator_keys"] = list(dict.fromkeys(indicator_keys))
    if position is not None:
        if isinstance(position, bool) or not isinstance(position, int) or position < 1:
            problems["position"] = "give a whole number from 1"
        values["position"] = position
    if problems:
        raise ValidationFailed(problems)
    return values


def _require_open(period: Period, when: datetime) -> None:
    if when >= period.ends_at:
        raise InvalidTransition("The period has ended: its objectives can no longer change.",
                                fields={"period": "ended"})


def _renumber(session: Session, period_id: int, moved: Objective | None = None,
              to: int | None = None) -> None:
    """Positions 1..n in order; `moved` goes to position `to` (clamped), the rest follow."""
    others = [o for o in period_objectives(session, period_id) if o is not moved]
    if moved is not None and to is not None:
        others.insert(max(0, min(to - 1, len(others))), moved)
    for number, objective in enumerate(others, start=1):
        objective.position = number
    session.flush()


def create_objective(session: Session, *, actor: Principal, period_id: int, title: str,
                     description: str = "", indicator_keys: list[str] | None = None,
                     position: int | None = None, now: datetime | None = None) -> Objective:
    """A new objective (the period's co-chairs, before its end); at the end unless a
    position is given."""
    when = now or utcnow()
    period = access.readable_period(session, actor, period_id)
    access.require_co_chair(actor, period)
    _require_open(period, when)
    ensure_debrief(session, period, actor=actor, now=when)
    values = _checked_fields(session, period, title=title, description=description,
                             indicator_keys=indicator_keys or [], position=position)
    existing = period_objectives(session, period.id)
    if len(existing) >= MAX_OBJECTIVES:
        raise ValidationFailed({"title": f"a period has at most {MAX_OBJECTIVES} objectives"})
    objective = Objective(period_id=period.id, position=len(existing) + 1,
                          title=values["title"], description=values["description"],
                          indicator_keys=values["indicator_keys"], created_at=when,
                          updated_at=when, updated_by=actor.id)
    session.add(objective)
    session.flush()
    _renumber(session, period.id, objective, values.get("position", len(existing) + 1))
    audit.record(session, action="debrief.objective.created", actor=actor,
                 object_type="objective", object_id=objective.id,
                 details={"period_id": period.id, "position": objective.position})
    return objective


def _editable(session: Session, actor: Principal, objective_id: int,
              when: datetime) -> tuple[Objective, Period]:
    access.require_reader(actor)
    objective = session.get(Objective, objective_id, with_for_update=True)
    if objective is None:
        raise NotFound("objective")
    period = access.readable_period(session, actor, objective.period_id)
    access.require_co_chair(actor, period)
    _require_open(period, when)
    return objective, period


def update_objective(session: Session, *, actor: Principal, objective_id: int,
                     title: str | None = None, description: str | None = None,
                     indicator_keys: list[str] | None = None, position: int | None = None,
                     now: datetime | None = None) -> Objective:
    """Change an objective's given fields (None: unchanged); `position` moves it."""
    when = now or utcnow()
    objective, period = _editable(session, actor, objective_id, when)
    values = _checked_fields(session, period, title=title, description=description,
                             indicator_keys=indicator_keys, position=position)
    for name in ("title", "description", "indicator_keys"):
        if name in values:
            setattr(objective, name, values[name])
    objective.updated_at, objective.updated_by = when, actor.id
    session.flush()
    if "position" in values:
        _renumber(session, period.id, objective, values["position"])
    audit.record(session, action="debrief.objective.updated", actor=actor,
                 object_type="objective", object_id=objective.id,
                 details={"period_id": period.id, "fields": sorted(values)})
    return objective


def delete_objective(session: Session, *, actor: Principal, objective_id: int,
                     now: datetime | None = None) -> None:
    """Remove an objective (its ratings go with it); the others close up."""
    when = now or utcnow()
    objective, period = _editable(session, actor, objective_id, when)
    title = objective.title
    session.delete(objective)
    session.flush()
    _renumber(session, period.id)
    audit.record(session, action="debrief.objective.deleted", actor=actor,
                 object_type="objective", object_id=objective_id,
                 details={"period_id": period.id, "title": title[:100]})
