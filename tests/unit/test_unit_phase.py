"""The phase of a period: planning before the window, active inside it, closed from its end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from operations.phase import Phase, phase_at

START = datetime(2015, 9, 28, 0, 0, tzinfo=UTC)
END = datetime(2015, 10, 28, 0, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)
ORDER = {Phase.PLANNING: 0, Phase.ACTIVE: 1, Phase.CLOSED: 2}


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (START - timedelta(days=365), Phase.PLANNING),
        (START - TICK, Phase.PLANNING),
        (START, Phase.ACTIVE),  # the window includes its start
        (START + TICK, Phase.ACTIVE),
        (END - TICK, Phase.ACTIVE),
        (END, Phase.CLOSED),  # ... and excludes its end (half-open)
        (END + TICK, Phase.CLOSED),
        (END + timedelta(days=365), Phase.CLOSED),
    ],
    ids=["long-before", "just-before-start", "at-start", "just-after-start", "just-before-end",
         "at-end", "just-after-end", "long-after"],
)
def test_phase_around_both_edges(now, expected):
    assert phase_at(START, END, now) is expected


@pytest.mark.parametrize("zone", [ZoneInfo("Pacific/Auckland"), ZoneInfo("Asia/Colombo"),
                                  timezone(timedelta(hours=-5))])
def test_edges_are_instants_not_wall_times(zone):
    # The same instant written in another zone is on the same side of each edge.
    assert phase_at(START, END, (START - TICK).astimezone(zone)) is Phase.PLANNING
    assert phase_at(START, END, START.astimezone(zone)) is Phase.ACTIVE
    assert phase_at(START, END, (END - TICK).astimezone(zone)) is Phase.ACTIVE
    assert phase_at(START, END, END.astimezone(zone)) is Phase.CLOSED


def test_window_of_one_microsecond():
    assert phase_at(START, START + TICK, START) is Phase.ACTIVE
    assert phase_at(START, START + TICK, START + TICK) is Phase.CLOSED


def test_phase_values_are_the_api_strings():
    assert [p.value for p in Phase] == ["planning", "active", "closed"]


utc_times = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1),
                         timezones=st.just(UTC))
zones = st.sampled_from([UTC, ZoneInfo("Pacific/Auckland"), ZoneInfo("Australia/Sydney"),
                         ZoneInfo("Asia/Kathmandu"), ZoneInfo("America/New_York")])
steps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))


@given(start=utc_times, length=steps.filter(bool), now=utc_times, zone=zones)
def test_phase_is_total_and_matches_its_definition(start, length, now, zone):
    end = start + length
    phase = phase_at(start, end, now.astimezone(zone))
    assert isinstance(phase, Phase)
    if now < start:
        assert phase is Phase.PLANNING
    elif now < end:
        assert phase is Phase.ACTIVE
    else:
        assert phase is Phase.CLOSED


@given(start=utc_times, length=steps.filter(bool), earlier=utc_times, later_by=steps,
       zone=zones)
def test_phase_never_goes_back_in_time(start, length, earlier, later_by, zone):
    end = start + length
    later = earlier + later_by
    first = phase_at(start, end, earlier.astimezone(zone))
    second = phase_at(start, end, later.astimezone(zone))
    assert ORDER[first] <= ORDER[second]
