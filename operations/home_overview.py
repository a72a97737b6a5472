"""The task-first home page: the viewer's periods by phase and, for each active one, what waits
for the viewer (an NLO's conflicts to acknowledge or resolve; a co-chair's open counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.identity.models import Role
from core.identity.services import Principal
from deconfliction import services as deconfliction
from deconfliction.models import ConflictRecord
from operations.models import Period
from operations.phase import Phase
from operations.services import list_periods

UNRESOLVED = ("open", "acknowledged")
# An NLO's card lists this many conflicts at most; the rest are one link away.
TASKS_SHOWN = 10


@dataclass(frozen=True)
class ConflictTask:
    """A conflict waiting for the viewer's state: the party's view and what to do next."""

    view: dict[str, Any]
    action: str  # "acknowledge" (the state has not yet) or "resolve"


@dataclass
class ActivePeriod:
    """One active period's card: the NLO's conflict tasks, or the co-chair's counts."""

    period: Period
    tasks: list[ConflictTask] = field(default_factory=list)
    tasks_total: int = 0
    unresolved: int = 0
    unacknowledged: int = 0


@dataclass
class HomeOverview:
    """The viewer's periods: active ones as cards, upcoming and closed ones apart."""

    active: list[ActivePeriod]
    upcoming: list[Period]
    closed: list[Period]


def home_overview(session: Session, *, actor: Principal,
                  now: datetime | None = None) -> HomeOverview:
    """The viewer's periods by phase, with what waits for the viewer in each active one."""
    moment = now or utcnow()
    periods = list_periods(session, actor=actor)
    by_phase: dict[Phase, list[Period]] = {phase: [] for phase in Phase}
    for period in periods:
        by_phase[period.phase(moment)].append(period)
    active = [ActivePeriod(period) for period in by_phase[Phase.ACTIVE]]
    if actor.role == Role.LIAISON_OFFICER:
        for card in active:
            card.tasks, card.tasks_total = _conflict_tasks(session, actor, card.period.id)
    elif actor.role == Role.CO_CHAIR:
        for card in active:
            card.unresolved, card.unacknowledged = _unresolved_counts(session, card.period.id)
    return HomeOverview(active, by_phase[Phase.PLANNING], by_phase[Phase.CLOSED])


def _conflict_tasks(session: Session, actor: Principal,
                    period_id: int) -> tuple[list[ConflictTask], int]:
    """The unresolved conflicts involving the actor's state, those it has not acknowledged
    first, then by severity (high first) and age (oldest first); at most TASKS_SHOWN."""
    state = actor.state or ""
    waiting = (ConflictRecord.period_id == period_id,
               or_(ConflictRecord.state_a == state, ConflictRecord.state_b == state),
               ConflictRecord.status.in_(UNRESOLVED))
    total = session.scalar(select(func.count()).select_from(ConflictRecord).where(*waiting)) or 0
    if not total:
        return [], 0
    acknowledged_by_me = case(
        (and_(ConflictRecord.state_a == state, ConflictRecord.acknowledged_a.is_not(None)), 1),
        (and_(ConflictRecord.state_b == state, ConflictRecord.acknowledged_b.is_not(None)), 1),
        else_=0)
    rows = session.execute(
        select(ConflictRecord, acknowledged_by_me).where(*waiting)
        .order_by(acknowledged_by_me, case((ConflictRecord.severity == "high", 0), else_=1),
                  ConflictRecord.detected_at, ConflictRecord.id)
        .limit(TASKS_SHOWN)).all()
    shown = [record for record, _ in rows]
    contacts = deconfliction.contacts_for(session, shown)
    tasks = [ConflictTask(deconfliction.party_view(session, record, state, contacts,
                                                   viewer_id=actor.id),
                          "resolve" if done else "acknowledge")
             for record, done in rows]
    audit.record_many(session, [{"action": "conflict.seen", "actor": actor,
                                 "object_type": "conflict", "object_id": record.id}
                                for record in shown])
    return tasks, total


def _unresolved_counts(session: Session, period_id: int) -> tuple[int, int]:
    """A period's unresolved conflicts, and how many of them both parties have not yet
    acknowledged (status open)."""
    counts = dict(session.execute(
        select(ConflictRecord.status, func.count())
        .where(ConflictRecord.period_id == period_id, ConflictRecord.status.in_(UNRESOLVED))
        .group_by(ConflictRecord.status)).all())
    return sum(counts.values()), counts.get("open", 0)
