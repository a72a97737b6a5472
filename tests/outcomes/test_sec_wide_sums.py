"""Defect 6: one state cannot break another's reporting. Running sums are 64-bit and a state's
total of an indicator over a period is bounded (MAX_STATE_TOTAL): the state that would pass
it gets a 422 naming the indicator and nothing changes, while every other state keeps
reporting for the same date and the totals stay exact, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from core.audit import AuditEvent
from operations.models import Operation
from outcomes.models import Report, ReportVersion
from outcomes.services import MAX_VALUE
from outcomes.sums import MAX_STATE_TOTAL
from tests.outcomes.helpers import NLO_OF, PAST_START, PERSON_CATEGORIES, error_of

DAY = "2015-10-01"
# The largest valid report of one indicator: every category at the per-value maximum.
FULL = {"victims_assisted": dict.fromkeys(PERSON_CATEGORIES, MAX_VALUE)}
PER_REPORT = MAX_VALUE * len(PERSON_CATEGORIES)


SLOTS = MAX_STATE_TOTAL // PER_REPORT + 5  # reports one state can send on DAY below


def _slots(desk: Any, state: str) -> Iterator[int | None]:
    """Where a state may report on DAY: one report per state, date and operation, so the
    state's own report and one per operation (operations made straight in the database: only
    their owner and period matter here)."""
    window = (PAST_START, PAST_START + timedelta(days=1))
    with desk.app.extensions["jpa.db"].transaction() as session:
        operations = [Operation(period_id=desk.pid, owner_state=state, title=f"Checks {n}",
                                type="other", lead_agency="Police", starts_at=window[0],
                                ends_at=window[1]) for n in range(SLOTS)]
        session.add_all(operations)
        session.flush()
        ids = [operation.id for operation in operations]
    return iter([None, *ids])


def _fill(desk: Any, state: str, slots: Iterator[int | None]) -> tuple[int, Any]:
    """Submit the largest valid report again and again until refused; (accepted, refusal)."""
    accepted = 0
    # Past the point where a 32-bit day sum overflows: the loop must end by a refusal at the
    # state's bound, never by a 500 or by running out.
    for _ in range(max(MAX_STATE_TOTAL, 2**31) // PER_REPORT + 2):
        response = desk.submit_raw(NLO_OF[state], DAY, FULL, operation_id=next(slots))
        assert response.status_code in (201, 422), (state, accepted,
                                                    response.get_data(as_text=True)[:300])
        if response.status_code == 422:
            return accepted, response
        accepted += 1
    raise AssertionError(f"{state} was never stopped after {accepted} reports")


def test_states_at_their_limit_cannot_break_another_states_report(desk):
    """Three states each report up to their bound on one date: the day's sum passes 2**31
    (the old 32-bit column), and a fourth state's report for that date still succeeds."""
    filled = ["THA", "MYS", "NZL"]
    for state in filled:
        accepted, refusal = _fill(desk, state, _slots(desk, state))
        assert accepted == MAX_STATE_TOTAL // PER_REPORT
        error = error_of(refusal, 422, "values.victims_assisted")
        assert f"{MAX_STATE_TOTAL:,}" in error["fields"]["values.victims_assisted"]
    day_sum = len(filled) * MAX_STATE_TOTAL
    assert day_sum > 2**31

    small = desk.submit_raw(NLO_OF["LKA"], DAY, {"victims_assisted": {"female_child": 3}})
    assert small.status_code == 201, small.get_data(as_text=True)
    other = desk.submit_raw(NLO_OF["MDV"], DAY, {"arrests": 2})
    assert other.status_code == 201, other.get_data(as_text=True)

    totals = desk.totals("chair.nzl")
    assert totals["totals"]["victims_assisted"] == day_sum + 3
    assert totals["totals"]["arrests"] == 2
    for state in filled:
        assert totals["by_state"][state]["victims_assisted"] == MAX_STATE_TOTAL
    assert totals["breakdown"]["victims_assisted"]["female_child"] == \
        len(filled) * MAX_STATE_TOTAL // len(PERSON_CATEGORIES) + 3
    [point] = [p for p in totals["series"]["victims_assisted"] if p["date"] == DAY]
    assert point["value"] == day_sum + 3
    assert desk.get_ok("nlo.lka", f"/api/v1/periods/{desk.pid}/totals")["by_state"]["LKA"][
        "victims_assisted"] == 3


def test_a_refusal_at_the_limit_changes_nothing(desk):
    slots = _slots(desk, "THA")
    _fill(desk, "THA", slots)
    first = desk.own_reports("nlo.tha")[-1]
    # Lowering a figure is always possible; then a report brings the total to the bound
    # exactly, which is allowed.
    lowered = desk.amend_raw("nlo.tha", first["id"], {"victims_assisted": {"unknown": 1}})
    assert lowered.status_code == 201, lowered.get_data(as_text=True)
    topped = desk.submit_raw("nlo.tha", DAY, {"victims_assisted": {
        **FULL["victims_assisted"], "unknown": MAX_VALUE - 1}}, operation_id=next(slots))
    assert topped.status_code == 201, topped.get_data(as_text=True)
    assert desk.totals("nlo.tha")["by_state"]["THA"]["victims_assisted"] == MAX_STATE_TOTAL

    counts = desk.count(Report), desk.count(ReportVersion), desk.count(AuditEvent)
    before = desk.totals("nlo.tha")
    # One more person, by a new report or by an amendment, would pass the bound.
    error_of(desk.submit_raw("nlo.tha", DAY, {"victims_assisted": {"unknown": 1}},
                             operation_id=next(slots)), 422, "values.victims_assisted")
    error_of(desk.amend_raw("nlo.tha", first["id"], {"victims_assisted": {"unknown": 2}}),
             422, "values.victims_assisted")
    assert (desk.count(Report), desk.count(ReportVersion), desk.count(AuditEvent)) == counts
    assert desk.totals("nlo.tha") == before
    assert desk.history("nlo.tha", first["id"])["versions"][-1]["version"] == 2

    # Other indicators are counted apart.
    assert desk.submit_raw("nlo.tha", DAY, {"arrests": MAX_VALUE},
                           operation_id=next(slots)).status_code == 201
    assert desk.totals("nlo.tha")["by_state"]["THA"]["arrests"] == MAX_VALUE


def test_a_value_over_the_limit_is_422_and_changes_nothing(desk):
    reports = desk.count(Report)
    error = error_of(desk.submit_raw("nlo.tha", DAY, {"arrests": MAX_VALUE + 1}), 422,
                     "values.arrests")
    assert f"{MAX_VALUE}" in error["fields"]["values.arrests"].replace(",", "")
    assert desk.count(Report) == reports
    assert desk.totals("nlo.tha")["by_state"]["THA"]["arrests"] == 0
