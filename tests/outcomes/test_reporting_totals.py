"""Totals and completeness over the HTTP API: sums of current versions, categorised
breakdowns, the daily series, by_state as the visibility table allows, reconciliation, and
the per-state, per-local-date completeness grid with its rates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.outcomes.helpers import (
    API,
    CATEGORISED,
    DEFAULT_KEYS,
    PAST_END,
    PAST_START,
    PERSON_CATEGORIES,
    STATES,
    error_of,
    local_dates,
    make_period,
    nonzero_series,
)


def _fill(desk):
    """A small, hand-checked set of reports."""
    desk.submit("nlo.tha", "2015-09-28", {"arrests": 3, "victims_assisted": {
        "female_adult": 2, "female_child": 1}, "awareness_activities": 1})
    desk.submit("nlo.tha", "2015-09-29", {"arrests": 1, "victims_assisted": 2})
    desk.submit("nlo.mys", "2015-09-28", {"arrests": 4, "officers_trained": 25,
                                          "training_sessions": 1})
    desk.submit("nlo.lka", "2015-09-27", {"international_enquiries": 6})
    desk.submit("nlo.lka", "2015-09-28")
    desk.submit("nlo.nzl", "2015-10-28", {"victims_assisted": {"male_adult": 1}})
    amended = desk.submit("nlo.mdv", "2015-10-01", {"arrests": 9})
    desk.amend("nlo.mdv", amended["id"], {"arrests": 2})


def test_totals_sum_the_current_versions(desk):
    _fill(desk)
    totals = desk.totals("chair.nzl")
    assert set(totals) >= {"totals", "by_state", "breakdown", "series"}
    regional = totals["totals"]
    assert set(regional) == set(DEFAULT_KEYS)
    assert regional["arrests"] == 3 + 1 + 4 + 2
    assert regional["victims_assisted"] == 3 + 2 + 1
    assert regional["officers_trained"] == 25 and regional["training_sessions"] == 1
    assert regional["international_enquiries"] == 6
    assert regional["awareness_activities"] == 1
    assert regional["search_warrants"] == 0
    assert totals["breakdown"] == {
        "victims_assisted": {"female_adult": 2, "male_adult": 1, "female_child": 1,
                             "male_child": 0, "unknown": 2},
        "smuggled_migrants_detected": dict.fromkeys(PERSON_CATEGORIES, 0)}
    by_state = totals["by_state"]
    assert by_state["THA"]["arrests"] == 4 and by_state["THA"]["victims_assisted"] == 5
    assert by_state["MYS"]["arrests"] == 4 and by_state["MDV"]["arrests"] == 2
    assert by_state["LKA"]["international_enquiries"] == 6
    assert by_state["NZL"]["victims_assisted"] == 1
    assert nonzero_series(totals["series"]) == desk.ledger.series()
    assert totals["series"]["arrests"] == [
        {"date": "2015-09-28", "value": 7}, {"date": "2015-09-29", "value": 1},
        {"date": "2015-10-01", "value": 2}]
    assert totals["updated_at"]


def test_an_empty_period_totals_zero(desk):
    totals = desk.totals("chair.nzl")
    assert totals["totals"] == dict.fromkeys(DEFAULT_KEYS, 0)
    assert set(totals["by_state"]) == set(STATES)
    assert all(v == dict.fromkeys(DEFAULT_KEYS, 0) for v in totals["by_state"].values())
    assert totals["series"] == {}


@pytest.mark.parametrize("username", ["chair.nzl", "chair.tha", "analyst", "admin"])
def test_co_chairs_analysts_and_admins_see_every_state(desk, username):
    _fill(desk)
    totals = desk.totals(username)
    assert set(totals["by_state"]) == set(STATES)
    keys = DEFAULT_KEYS
    assert totals["by_state"] == desk.ledger.by_state(STATES, keys)
    assert totals["totals"] == desk.ledger.regional(keys)
    # Figures reconcile: a regional total is the sum of the states, and a categorised total
    # the sum of its categories.
    for key in keys:
        assert totals["totals"][key] == sum(s[key] for s in totals["by_state"].values())
    for key in CATEGORISED:
        assert totals["totals"][key] == sum(totals["breakdown"][key].values())


@pytest.mark.parametrize("username", ["nlo.tha", "nlo2.tha", "nlo.lka"])
def test_an_nlo_sees_the_regional_total_and_its_own_state_only(desk, username):
    _fill(desk)
    own = {"nlo.tha": "THA", "nlo2.tha": "THA", "nlo.lka": "LKA"}[username]
    totals = desk.totals(username)
    assert list(totals["by_state"]) == [own]
    assert totals["by_state"][own] == desk.ledger.by_state(STATES, DEFAULT_KEYS)[own]
    assert totals["totals"] == desk.totals("chair.nzl")["totals"]


@pytest.mark.parametrize("username", ["nlo.aus", "chair.aus"])
def test_a_state_outside_the_period_sees_no_totals(desk, username):
    _fill(desk)
    error_of(desk.api(username).get(f"{API}/periods/{desk.pid}/totals"), 404)
    error_of(desk.api(username).get(f"{API}/periods/{desk.pid}/completeness"), 404)


def test_totals_of_one_period_ignore_another(desk):
    other = make_period(desk.api("admin"), "Other JPA", PAST_START, PAST_END, ["THA"], [])
    desk.submit("nlo.tha", "2015-10-01", {"arrests": 100}, pid=other)
    desk.submit("nlo.tha", "2015-10-01", {"arrests": 1})
    assert desk.totals("admin")["totals"]["arrests"] == 1
    assert desk.totals("admin", pid=other)["totals"]["arrests"] == 100
    assert desk.completeness("admin", pid=other)["states"]["THA"]["2015-10-01"] is True
    assert desk.completeness("admin")["states"]["MYS"]["2015-10-01"] is False


# ---------------------------------------------------------------- completeness


def test_completeness_grid_and_rates(desk):
    _fill(desk)
    grid = desk.completeness("chair.nzl")
    assert set(grid["states"]) == set(STATES)
    union: set[str] = set()
    for state in STATES:
        days = local_dates(state, PAST_START, PAST_END)
        union.update(days)
        assert list(grid["states"][state]) == days, state
        for day in days:
            assert grid["states"][state][day] is ((state, day) in desk.ledger.reported()), \
                (state, day)
        done = sum(1 for day in days if (state, day) in desk.ledger.reported())
        assert grid["rate"][state] == pytest.approx(done / len(days), abs=1e-4)
    assert grid["dates"] == sorted(union)
    assert grid["dates"][0] == "2015-09-27" and grid["dates"][-1] == "2015-10-28"
    assert grid["states"]["LKA"]["2015-09-28"] is True  # the nil report counts
    assert grid["rate"]["LKA"] == pytest.approx(2 / 31, abs=1e-4)
    assert grid["rate"]["THA"] == pytest.approx(2 / 30, abs=1e-4)


def test_an_nlo_sees_its_own_states_completeness(desk):
    _fill(desk)
    grid = desk.completeness("nlo.mys")
    assert list(grid["states"]) == ["MYS"] and list(grid["rate"]) == ["MYS"]
    assert grid["dates"] == local_dates("MYS", PAST_START, PAST_END)


def test_completeness_of_a_running_period_stops_today(desk, live_pid):
    now = datetime.now(UTC)
    grid = desk.completeness("chair.nzl", pid=live_pid)
    for state in ("THA", "NZL"):
        period = desk.get_ok("admin", f"{API}/periods/{live_pid}")
        starts = datetime.fromisoformat(period["starts_at"])
        ends = datetime.fromisoformat(period["ends_at"])
        expected = local_dates(state, starts, ends, until=now)
        assert list(grid["states"][state]) == expected, state
        assert not any(grid["states"][state].values())
        assert grid["rate"][state] == 0.0


def test_completeness_of_a_period_not_yet_started_is_empty(desk):
    pid = make_period(desk.api("admin"), "Future JPA",
                      datetime.fromisoformat("2031-09-28T00:00:00+07:00"),
                      datetime.fromisoformat("2031-10-28T00:00:00+07:00"), ["THA"], [])
    grid = desk.completeness("admin", pid=pid)
    assert grid["dates"] == [] and grid["states"] == {"THA": {}}
    error_of(desk.submit_raw("nlo.tha", "2031-10-01", pid=pid), 422, "date")
