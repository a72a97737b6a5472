"""Outcome reporting: indicators and daily reports with their versions (submit, amend,
retract, read). Totals, completeness, the dashboard and the export are in outcomes.figures."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import AlreadyExists, Forbidden, InvalidTransition, NotFound, ValidationFailed
from core.identity.models import Role
from core.identity.services import Principal, require_role
from core.states import get_state
from operations.models import Operation, Period
from operations.services import get_period
from outcomes.indicators import DEFAULT_INDICATORS, IndicatorDef
from outcomes.models import PeriodIndicator, Report, ReportVersion
from outcomes.sums import ValueMap, bump_figures, store_values

# The largest figure of one indicator (or category) in one report; a state's total over the
# period is bounded too (outcomes.sums.MAX_STATE_TOTAL).
MAX_VALUE = 1_000_000
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
CATEGORY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,31}")
UNITS = ("persons", "cases", "items", "activities")


def catalogue(session: Session, period_id: int) -> list[IndicatorDef]:
    """The default indicators followed by the period's own."""
    extra = session.scalars(select(PeriodIndicator).where(
        PeriodIndicator.period_id == period_id).order_by(PeriodIndicator.id))
    return [*DEFAULT_INDICATORS, *(
        IndicatorDef(i.key, i.label, i.unit, i.definition,
                     tuple(i.categories) if i.categories else None) for i in extra)]


def list_indicators(session: Session, *, actor: Principal, period_id: int) -> list[IndicatorDef]:
    """The indicators of a period the actor may see."""
    get_period(session, actor=actor, period_id=period_id)
    return catalogue(session, period_id)


def add_indicator(session: Session, *, actor: Principal, period_id: int, key: str, label: str,
                  unit: str, definition: str = "",
                  categories: list[str] | None = None) -> IndicatorDef:
    """A period-specific indicator, added by an administrator or a co-chair of the period."""
    require_role(actor, Role.ADMIN, Role.CO_CHAIR)
    period = get_period(session, actor=actor, period_id=period_id)
    if actor.role == Role.CO_CHAIR and actor.state not in period.co_chairs:
        raise Forbidden("Only the period's co-chairs may add indicators.")
    problems: dict[str, str] = {}
    if not KEY_PATTERN.fullmatch(key or ""):
        problems["key"] = "start with a letter; use a-z, digits and underscores (at most 64)"
    if unit not in UNITS:
        problems["unit"] = f"one of {', '.join(UNITS)}"
    if categories is not None and (not categories or len(set(categories)) != len(categories)
                                   or not all(CATEGORY_PATTERN.fullmatch(c) for c in categories)):
        problems["categories"] = "give distinct names of a-z, digits and underscores, or none"
    if problems:
        raise ValidationFailed(problems)
    if any(i.key == key for i in catalogue(session, period_id)):
        raise AlreadyExists("That indicator exists.", fields={"key": "already exists"})
    session.add(PeriodIndicator(period_id=period_id, key=key, label=label, unit=unit,
                                definition=definition, categories=categories))
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:  # the same key added by a concurrent request
        raise AlreadyExists("That indicator exists.", fields={"key": "already exists"}) \
            from error
    bump_figures(session, period_id)
    audit.record(session, action="indicator.added", actor=actor, object_type="period",
                 object_id=period_id, details={"key": key})
    return IndicatorDef(key, label, unit, definition, tuple(categories) if categories else None)


@cache
def state_zone(state: str) -> ZoneInfo:
    """The default zone of a state, in which its local dates are counted."""
    # Cached: ZoneInfo keeps only the last few zones, and a period may have a hundred states.
    return ZoneInfo(get_state(state).default_time_zone)


def local_dates(period: Period, state: str, *, until: datetime | None = None) -> list[date]:
    """The state's local dates touched by the period's window (up to `until`, if given)."""
    zone = state_zone(state)
    first = period.starts_at.astimezone(zone).date()
    end = period.ends_at - timedelta(microseconds=1)
    if until is not None:
        end = min(end, until)
    last = end.astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def normalise_values(values: object, indicators: list[IndicatorDef]) -> ValueMap:
    """Known keys with non-negative whole numbers, or category objects; 422 naming the field."""
    if not isinstance(values, dict):
        raise ValidationFailed({"values": "give an object of indicator keys"})
    by_key = {i.key: i for i in indicators}
    problems: dict[str, str] = {}
    clean: ValueMap = {}

    def number(value: object, path: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            problems[path] = "give a whole number"
            return None
        if value < 0:
            problems[path] = "must not be negative"
            return None
        if value > MAX_VALUE:
            problems[path] = f"at most {MAX_VALUE}"
            return None
        return value

    for key, value in values.items():
        path = f"values.{key}"
        indicator = by_key.get(key)
        if indicator is None:
            problems[path] = "unknown indicator"
            continue
        if isinstance(value, dict):
            if not indicator.categories:
                problems[path] = "this indicator has no categories: give a number"
                continue
            breakdown: dict[str, int] = {}
            for category, count in value.items():
                if category not in indicator.categories:
                    problems[f"{path}.{category}"] = "unknown category"
                    continue
                checked = number(count, f"{path}.{category}")
                if checked is not None:
                    breakdown[category] = checked
            if breakdown:  # an empty breakdown reports nothing for this indicator
                clean[key] = breakdown
        else:
            checked = number(value, path)
            if checked is None:
                continue
            if indicator.categories:
                if "unknown" not in indicator.categories:
                    problems[path] = "give a breakdown by category"
                    continue
                clean[key] = {"unknown": checked}
            else:
                clean[key] = checked
    if problems:
        raise ValidationFailed(problems)
    return clean


def _participating_period(session: Session, actor: Principal, period_id: int) -> Period:
    require_role(actor, Role.LIAISON_OFFICER)
    return get_period(session, actor=actor, period_id=period_id)


def submit_report(session: Session, *, actor: Principal, period_id: int, on: date,
                  values: object, operation_id: int | None = None,
                  now: datetime | None = None) -> tuple[Report, ValueMap]:
    """An NLO reports its state's figures for one local date (no values: a nil report)."""
    period = _participating_period(session, actor, period_id)
    state = actor.state or ""
    moment = now or utcnow()
    problems: dict[str, str] = {}
    allowed = local_dates(period, state)
    today = moment.astimezone(state_zone(state)).date()
    if on not in allowed:
        problems["date"] = (f"must be a date of the period in {state}'s time zone "
                            f"({allowed[0].isoformat()} to {allowed[-1].isoformat()})")
    elif on > today:
        problems["date"] = "must not be in the future"
    if operation_id is not None:
        operation = session.get(Operation, operation_id)
        if operation is None or operation.owner_state != state or \
                operation.period_id != period.id:
            problems["operation_id"] = "not one of your state's operations in this period"
    try:
        clean = normalise_values(values, catalogue(session, period.id))
    except ValidationFailed as error:
        problems.update(error.fields)
        clean = {}
    if problems:
        raise ValidationFailed(problems)
    existing = live_report_for(session, period_id=period.id, state=state, on=on,
                               operation_id=operation_id)
    if existing is not None:
        raise _second_report(existing)
    report = Report(period_id=period.id, state=state, date=on, operation_id=operation_id,
                    operation_key=operation_id or 0, created_by=actor.id, created_at=moment,
                    updated_at=moment, version=1)
    period_id = period.id  # read before the savepoint: a rollback expires loaded objects
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError as error:  # the same day reported by a simultaneous request
        existing = live_report_for(session, period_id=period_id, state=state, on=on,
                                   operation_id=operation_id)
        if existing is None:
            raise
        raise _second_report(existing) from error
    session.add(ReportVersion(report_id=report.id, version=1, values=clean, created_at=moment,
                              created_by=actor.id))
    store_values(session, report, {}, clean)
    audit.record(session, action="report.submitted", actor=actor, object_type="report",
                 object_id=report.id, details={"date": on.isoformat(), "nil": not clean})
    return report, clean


def live_report_for(session: Session, *, period_id: int, state: str, on: date,
                    operation_id: int | None) -> Report | None:
    """The state's report (not retracted) for a local date and operation (or none), if any."""
    return session.scalar(select(Report).where(
        Report.period_id == period_id, Report.state == state, Report.date == on,
        Report.operation_key == (operation_id or 0), Report.retracted_at.is_(None)))


def _second_report(existing: Report) -> AlreadyExists:
    """The 409 of a second report for one state, date and operation: it names the first."""
    scope = (f"operation #{existing.operation_id}" if existing.operation_key
             else "no operation")
    where = f"{existing.state} on {existing.date.isoformat()} ({scope})"
    fields = {"date": f"{where} is already reported in report #{existing.id}: "
                      "amend that report instead"}
    return AlreadyExists(
        f"A report for {where} exists (report #{existing.id}, version {existing.version}); "
        "amend it instead of sending a second one.",
        fields=fields,
        extra={"existing_report_id": existing.id,
               "existing_report_url": f"/api/v1/reports/{existing.id}"})


def _own_report(session: Session, actor: Principal, report_id: int) -> Report:
    report = session.get(Report, report_id)
    if report is None or actor.role != Role.LIAISON_OFFICER or report.state != actor.state:
        raise NotFound("report")
    return report


def current_values(session: Session, report: Report) -> ValueMap:
    """The values of a report's current version."""
    version = session.scalar(select(ReportVersion).where(
        ReportVersion.report_id == report.id, ReportVersion.version == report.version))
    return dict(version.values) if version else {}  # type: ignore[arg-type]


def amend_report(session: Session, *, actor: Principal, report_id: int, values: object,
                 note: str | None = None) -> tuple[Report, ValueMap]:
    """A new version of a report; the old ones are kept."""
    report = _own_report(session, actor, report_id)
    if report.retracted_at is not None:
        raise InvalidTransition("A retracted report cannot be amended.")
    clean = normalise_values(values, catalogue(session, report.period_id))
    previous = current_values(session, report)
    report.version += 1
    report.updated_at = utcnow()
    session.add(ReportVersion(report_id=report.id, version=report.version, values=clean,
                              created_by=actor.id, note=note))
    store_values(session, report, previous, clean)
    audit.record(session, action="report.amended", actor=actor, object_type="report",
                 object_id=report.id, details={"version": report.version})
    return report, clean


def retract_report(session: Session, *, actor: Principal, report_id: int,
                   reason: str) -> Report:
    """Withdraw a report from the totals; it is kept, with the reason."""
    report = _own_report(session, actor, report_id)
    if report.retracted_at is not None:
        raise InvalidTransition("The report is already retracted.")
    if not reason.strip():
        raise ValidationFailed({"reason": "say why the report is retracted"})
    report.retracted_at = utcnow()
    report.retracted_by = actor.id
    report.retraction_reason = reason.strip()
    report.updated_at = report.retracted_at
    store_values(session, report, current_values(session, report), {})
    audit.record(session, action="report.retracted", actor=actor, object_type="report",
                 object_id=report.id)
    return report


def get_report(session: Session, *, actor: Principal, report_id: int) -> Report:
    """One of the actor's state's reports."""
    return _own_report(session, actor, report_id)


def report_history(session: Session, *, actor: Principal,
                   report_id: int) -> tuple[Report, list[ReportVersion]]:
    """Every version of a report, oldest first."""
    report = _own_report(session, actor, report_id)
    versions = list(session.scalars(select(ReportVersion).where(
        ReportVersion.report_id == report.id).order_by(ReportVersion.version)))
    return report, versions


def list_reports(session: Session, *, actor: Principal, period_id: int) -> list[Report]:
    """The actor's state's reports of a period, newest date first."""
    _participating_period(session, actor, period_id)
    return list(session.scalars(select(Report).where(
        Report.period_id == period_id, Report.state == actor.state)
        .order_by(Report.date.desc(), Report.id.desc())))


def report_view(report: Report, values: ValueMap) -> dict[str, object]:
    """A report as its own state sees it."""
    return {"id": report.id, "period_id": report.period_id, "state": report.state,
            "date": report.date.isoformat(), "operation_id": report.operation_id,
            "version": report.version, "values": values, "nil": not values,
            "retracted": report.retracted_at is not None,
            "retraction_reason": report.retraction_reason,
            "created_at": report.created_at.isoformat(),
            "updated_at": report.updated_at.isoformat()}
