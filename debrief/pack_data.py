"""Read everything a debrief pack shows from the database into `pack_facts` data.

Aggregates only, grouped in SQL where the database can: 10,000 operations and 2,000
conflicts become a few dozen counts. The figures are read as `GET /periods/{pid}/totals`
reads them (the same sums), so the pack's totals equal the API's.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.scheduler import JobRun
from debrief import pack_facts as facts
from debrief.models import DebriefSettings, ImprovementItem, Objective, Rating, Response
from deconfliction.models import ConflictRecord
from operations.jobs import ESCALATION_JOB
from operations.models import Period
from outcomes.figures import operations_by_type_and_state
from outcomes.models import DaySum, Report, StateSum
from outcomes.services import catalogue, local_dates
from press.models import Release, ReleaseVersion


def iso_day(moment: datetime | date | None) -> str:
    """The UTC date of a moment (or a date) as YYYY-MM-DD; "" for none."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.date().isoformat()
    return moment.isoformat()


def iso_minute(moment: datetime | None) -> str:
    """A UTC moment as YYYY-MM-DDTHH:MMZ; "" for none."""
    return moment.strftime("%Y-%m-%dT%H:%MZ") if moment else ""


def get_period(session: Session, period_id: int) -> Period:
    """The period, or NotFound."""
    period = session.get(Period, period_id)
    if period is None:
        raise NotFound("period")
    return period


def read_outcomes(session: Session, *, period: Period, until: datetime) -> facts.Outcomes:
    """Totals, by state, breakdown, daily series and completeness up to `until`."""
    indicators = tuple(facts.Indicator(i.key, i.label, i.unit, i.definition,
                                       tuple(i.categories or ()))
                       for i in catalogue(session, period.id))
    totals = {i.key: 0 for i in indicators}
    by_state = {s: {i.key: 0 for i in indicators} for s in period.states}
    breakdown: dict[str, dict[str, int]] = {i.key: {c: 0 for c in i.categories}
                                            for i in indicators if i.categories}
    for state, key, category, value in session.execute(
            select(StateSum.state, StateSum.key, StateSum.category, func.sum(StateSum.value))
            .where(StateSum.period_id == period.id)
            .group_by(StateSum.state, StateSum.key, StateSum.category)):
        value = int(value or 0)
        totals[key] = totals.get(key, 0) + value
        by_state.setdefault(state, {}).setdefault(key, 0)
        by_state[state][key] += value
        if category:
            breakdown.setdefault(key, {}).setdefault(category, 0)
            breakdown[key][category] += value
    # As the API shows a co-chair: the participating states only.
    by_state = {s: by_state.get(s, {}) for s in period.states}
    daily: dict[str, dict[str, int]] = defaultdict(dict)
    days: set[str] = set()
    for day, key, value in session.execute(
            select(DaySum.date, DaySum.key, DaySum.value).where(DaySum.period_id == period.id)):
        if value:
            daily[key][day.isoformat()] = int(value)
            days.add(day.isoformat())
    reported: dict[str, set[date]] = defaultdict(set)
    for state, day in session.execute(
            select(Report.state, Report.date).where(
                Report.period_id == period.id, Report.retracted_at.is_(None)).distinct()):
        reported[state].add(day)
    rows = []
    for state in period.states:
        days.update(day.isoformat() for day in local_dates(period, state))
        due = [] if until < period.starts_at else local_dates(period, state, until=until)
        rows.append(facts.Completeness(state, sum(1 for d in due if d in reported[state]),
                                       len(due)))
    return facts.Outcomes(indicators=indicators, totals=totals, by_state=by_state,
                          breakdown=breakdown, days=tuple(sorted(days)), daily=dict(daily),
                          completeness=tuple(rows))


def _percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of sorted `values` (None when empty)."""
    if not values:
        return None
    rank = max(1, math.ceil(share * len(values)))
    return round(values[rank - 1], 1)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return round(values[middle], 1)
    return round((values[middle - 1] + values[middle]) / 2, 1)


def _counts(pairs: dict[tuple[str, str], int]) -> tuple[facts.Count, ...]:
    return tuple(facts.Count(a, b, n) for (a, b), n in sorted(pairs.items()))


def read_deconfliction(session: Session, *, period: Period) -> facts.Deconfliction:
    """Operations by state and type, conflicts by reason kind and severity, status,
    resolutions, escalations and time to acknowledgement (hours since detection)."""
    operations = {(state, kind): n for state, by_type in
                  operations_by_type_and_state(session, period=period).items()
                  for kind, n in by_type.items()}
    by_reason: dict[tuple[str, str], int] = defaultdict(int)
    by_severity: dict[tuple[str, str], int] = defaultdict(int)
    by_status: dict[tuple[str, str], int] = defaultdict(int)
    resolutions: dict[tuple[str, str], int] = defaultdict(int)
    waits: list[float] = []
    ids: set[int] = set()
    # Only the columns that count: never the labels inside `reasons` beyond their kinds.
    for cid, severity, status, resolution, reasons, detected, ack_a, ack_b in session.execute(
            select(ConflictRecord.id, ConflictRecord.severity, ConflictRecord.status,
                   ConflictRecord.resolution, ConflictRecord.reasons,
                   ConflictRecord.detected_at, ConflictRecord.acknowledged_a,
                   ConflictRecord.acknowledged_b)
            .where(ConflictRecord.period_id == period.id)):
        ids.add(cid)
        by_severity[(severity, "")] += 1
        by_status[(status, "")] += 1
        if resolution:
            resolutions[(resolution, "")] += 1
        for kind in sorted({_reason_kind(r) for r in reasons or []}):
            by_reason[(kind, severity)] += 1
        for acknowledged in (ack_a, ack_b):
            if acknowledged is not None:
                waits.append(max(0.0, (acknowledged - detected).total_seconds() / 3600))
    waits.sort()
    return facts.Deconfliction(
        operations=_counts(operations), conflicts=_counts(by_reason), conflicts_total=len(ids),
        by_severity=_counts(by_severity), by_status=_counts(by_status),
        resolutions=_counts(resolutions), escalations=_escalations(session, ids),
        acknowledgements=len(waits), acknowledgement_median_hours=_median(waits),
        acknowledgement_p90_hours=_percentile(waits, 0.9))


def _reason_kind(reason: dict[str, str]) -> str:
    """"location", or "target" with its kind (e.g. "target: phone"): never a label."""
    kind = str(reason.get("kind", ""))
    if kind == "target" and reason.get("target_kind"):
        return f"target: {reason['target_kind']}"
    return kind


def _escalations(session: Session, conflict_ids: set[int]) -> int:
    """Escalations the scheduler sent for these conflicts: its ledger's rows of the job
    (slot "conflict {id} opened ...") whose run did send."""
    if not conflict_ids:
        return 0
    count = 0
    for slot, detail in session.execute(
            select(JobRun.slot, JobRun.detail).where(JobRun.job_id == ESCALATION_JOB,
                                                     JobRun.outcome == "ok")):
        parts = slot.split()
        if (len(parts) > 1 and parts[1].isdigit() and int(parts[1]) in conflict_ids
                and str(detail or "").startswith("escalated")):
            count += 1
    return count


def read_press(session: Session, *, period: Period) -> tuple[facts.PressRelease, ...]:
    """The period's releases with a published version: current title, first publication."""
    releases = session.scalars(select(Release).where(
        Release.period_id == period.id, Release.version >= 1).order_by(Release.id)).all()
    if not releases:
        return ()
    first: dict[int, datetime] = {}
    titles: dict[int, str] = {}
    current = {r.id: r.version for r in releases}
    for release_id, number, title, published_at in session.execute(
            select(ReleaseVersion.release_id, ReleaseVersion.number, ReleaseVersion.title,
                   ReleaseVersion.published_at)
            .where(ReleaseVersion.release_id.in_(list(current)))):
        if number == 1:
            first[release_id] = published_at
        if number == current[release_id]:
            titles[release_id] = title
    rows = [facts.PressRelease(
        title=titles.get(r.id, r.title), language=r.language, scope=r.scope,
        state=r.state or "", published_on=iso_day(first.get(r.id)),
        public_path=f"/press/{r.slug}", versions=r.version,
        withdrawn=r.withdrawn_at is not None) for r in releases]
    return tuple(sorted(rows, key=lambda p: (p.published_on, p.public_path)))


def read_debrief(session: Session, *, period: Period) -> tuple[
        str, tuple[facts.Objective, ...], tuple[facts.Answer, ...], tuple[facts.Rating, ...],
        tuple[facts.Improvement, ...]]:
    """The summary, objectives, submitted responses with their ratings, and the plan."""
    settings = session.get(DebriefSettings, period.id)
    summary = settings.summary if settings else ""
    objectives = session.scalars(select(Objective).where(Objective.period_id == period.id)
                                 .order_by(Objective.position, Objective.id)).all()
    number = {o.id: n for n, o in enumerate(objectives, start=1)}
    responses = session.scalars(select(Response).where(
        Response.period_id == period.id, Response.status == "submitted")
        .order_by(Response.state)).all()
    answers = tuple(facts.Answer(
        state=r.state, submitted_on=iso_day(r.submitted_at),
        answers={key: getattr(r, key) or "" for key, _ in facts.QUESTIONS},
        usefulness=r.deconfliction_usefulness) for r in responses)
    state_of = {r.id: r.state for r in responses}
    ratings: list[facts.Rating] = []
    if state_of:
        for response_id, objective_id, rating, comment in session.execute(
                select(Rating.response_id, Rating.objective_id, Rating.rating, Rating.comment)
                .where(Rating.response_id.in_(list(state_of)))):
            if objective_id in number:
                ratings.append(facts.Rating(number[objective_id], state_of[response_id],
                                            rating, comment or ""))
    items = session.scalars(select(ImprovementItem).where(
        ImprovementItem.period_id == period.id)
        .order_by(ImprovementItem.due_on, ImprovementItem.id)).all()
    plan = tuple(facts.Improvement(
        number=n, objective=number.get(i.objective_id) if i.objective_id else None,
        issue=i.issue, corrective_action=i.corrective_action, owner_state=i.owner_state,
        owner=i.owner, due_on=iso_day(i.due_on), status=i.status)
        for n, i in enumerate(items, start=1))
    return (summary,
            tuple(facts.Objective(number[o.id], o.title, o.description or "")
                  for o in objectives),
            answers, tuple(sorted(ratings, key=lambda r: (r.objective, r.state))), plan)
