"""Sign-off of figures: an NLO signs its state's current figures; any later report, amendment
or retraction by that state makes the sign-off stale. Released figures are the sum of the
states' current, non-stale sign-offs. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import Forbidden
from core.identity.models import Role
from core.identity.services import Principal, require_role
from operations.models import Period
from operations.services import get_period
from outcomes.models import Report, ReportVersion, StateSum
from outcomes.services import catalogue
from press.models import SignOff

# {indicator: total} or {indicator: {category: value}} (press.context.Figures).
FigureMap = dict[str, object]


@dataclass(frozen=True)
class SignOffStatus:
    """A sign-off with its computed staleness."""

    signoff: SignOff
    stale: bool

    def as_dict(self, signer: str | None = None) -> dict[str, object]:
        """The API shape `{id, state, signed_at, signed_by, figures, stale}`."""
        return {"id": self.signoff.id, "state": self.signoff.state,
                "signed_at": self.signoff.signed_at.isoformat(),
                "signed_by": signer, "figures": self.signoff.figures, "stale": self.stale}


@dataclass(frozen=True)
class ReleasedFigures:
    """The figures a release may publish: sums of current, non-stale sign-offs."""

    figures: FigureMap  # regional (every signed state)
    by_state: dict[str, FigureMap]  # each signed state's own
    signed_states: tuple[str, ...]  # states with a current, non-stale sign-off
    as_at: datetime | None  # the newest of those sign-offs
    complete: bool  # every participating state has a current, non-stale sign-off


def reporting_stamp(session: Session, period_id: int, state: str) -> str:
    """A fingerprint of the state's reporting in the period: report versions (count and
    newest id, so a new report or an amendment changes it) and retractions (count)."""
    versions, newest = session.execute(
        select(func.count(ReportVersion.id), func.max(ReportVersion.id))
        .join(Report, Report.id == ReportVersion.report_id)
        .where(Report.period_id == period_id, Report.state == state)).one()
    retracted = session.scalar(select(func.count(Report.id)).where(
        Report.period_id == period_id, Report.state == state,
        Report.retracted_at.is_not(None))) or 0
    return f"v{versions}:{newest or 0}:r{retracted}"


def state_figures(session: Session, period: Period, state: str) -> FigureMap:
    """The state's current figures by indicator (with categories where it has them)."""
    indicators = catalogue(session, period.id)
    sums: dict[tuple[str, str], int] = {
        (key, category): value for key, category, value in session.execute(
            select(StateSum.key, StateSum.category, StateSum.value)
            .where(StateSum.period_id == period.id, StateSum.state == state))}
    figures: FigureMap = {}
    for indicator in indicators:
        if indicator.categories:
            figures[indicator.key] = {c: int(sums.get((indicator.key, c), 0))
                                      for c in indicator.categories}
        else:
            figures[indicator.key] = int(sums.get((indicator.key, ""), 0))
    return figures


def _nlo_period(session: Session, actor: Principal, period_id: int) -> Period:
    require_role(actor, Role.LIAISON_OFFICER)
    return get_period(session, actor=actor, period_id=period_id)


def preview_signoff(session: Session, *, actor: Principal, period_id: int) -> FigureMap:
    """What the NLO would sign now: its state's current figures (NotFound / Forbidden)."""
    period = _nlo_period(session, actor, period_id)
    return state_figures(session, period, actor.state or "")


def sign_off(session: Session, *, actor: Principal, period_id: int,
             now: datetime | None = None) -> SignOffStatus:
    """Sign off the actor's state's current figures (NLO of a participating state)."""
    period = _nlo_period(session, actor, period_id)
    state = actor.state or ""
    signoff = SignOff(period_id=period.id, state=state, signed_at=now or utcnow(),
                      signed_by=actor.id, figures=state_figures(session, period, state),
                      stamp=reporting_stamp(session, period.id, state))
    session.add(signoff)
    session.flush()
    audit.record(session, action="press.signoff", actor=actor, object_type="signoff",
                 object_id=signoff.id, details={"period_id": period.id, "state": state,
                                                "stamp": signoff.stamp})
    return SignOffStatus(signoff, stale=False)


def current_signoffs(session: Session, period: Period) -> dict[str, SignOffStatus]:
    """Each participating state's newest sign-off, with its staleness."""
    newest = (select(SignOff.state, func.max(SignOff.id).label("id"))
              .where(SignOff.period_id == period.id).group_by(SignOff.state).subquery())
    rows = session.scalars(select(SignOff).join(newest, newest.c.id == SignOff.id))
    result: dict[str, SignOffStatus] = {}
    for signoff in rows:
        if signoff.state not in period.states:
            continue
        stale = reporting_stamp(session, period.id, signoff.state) != signoff.stamp
        result[signoff.state] = SignOffStatus(signoff, stale)
    return result


def list_signoffs(session: Session, *, actor: Principal,
                  period_id: int) -> list[SignOffStatus]:
    """Co-chairs: every state's current sign-off; an NLO: its own; others Forbidden."""
    if actor.role not in (Role.CO_CHAIR, Role.LIAISON_OFFICER):
        raise Forbidden("Your role may not use this function.")
    period = get_period(session, actor=actor, period_id=period_id)
    current = current_signoffs(session, period)
    if actor.role == Role.LIAISON_OFFICER:
        return [current[actor.state]] if actor.state in current else []
    return [current[state] for state in sorted(current)]


def _add(total: FigureMap, figures: FigureMap) -> None:
    for key, value in figures.items():
        if isinstance(value, dict):
            into = total.setdefault(key, {})
            if isinstance(into, dict):
                for category, number in value.items():
                    into[category] = int(into.get(category, 0)) + int(number)
        else:
            total[key] = int(total.get(key, 0)) + int(value)  # type: ignore[call-overload]


def released_figures(session: Session, period: Period) -> ReleasedFigures:
    """The sum of the states' current, non-stale sign-offs, and when they were made."""
    current = current_signoffs(session, period)
    fresh = {state: status.signoff for state, status in current.items() if not status.stale}
    total: FigureMap = {}
    for state in sorted(fresh):
        _add(total, fresh[state].figures)
    as_at = max((s.signed_at for s in fresh.values()), default=None)
    return ReleasedFigures(figures=total,
                           by_state={state: s.figures for state, s in fresh.items()},
                           signed_states=tuple(sorted(fresh)), as_at=as_at,
                           complete=set(fresh) >= set(period.states))
