"""DESIGN.md's numbers pinned as literals on the pure matcher: the 120-minute location buffer
(half-open windows), the Earth radius of 6,371,008.8 m, the meeting of two 500 m sites.

Nothing here imports the matcher's constants (DEFAULT_BUFFER, EARTH_RADIUS_M,
METRES_PER_DEGREE): the matcher is called with its defaults and compared with numbers written
from DESIGN.md, so changing a constant in the code fails these tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deconfliction.matcher import (
    Footprint,
    Index,
    Site,
    brute_force_conflicts,
    conflicting_pairs,
    haversine_m,
    reasons_between,
    windows_close,
)

T0 = datetime(2031, 9, 30, 6, tzinfo=UTC)
HERE = Site(13.69, 100.75, 500)
# One degree of longitude on the equator, on a sphere of radius 6,371,008.8 m.
ONE_DEGREE_M = 111_195
# A quarter meridian on that sphere (pi * 6,371,008.8 / 2), to the centimetre: a change of the
# radius by 7 mm already moves it out of tolerance.
QUARTER_MERIDIAN_M = 10_007_557.22
# Metres per degree of arc, from DESIGN.md's radius (2 * pi * 6,371,008.8 / 360).
METRES_PER_DEGREE_LITERAL = 111_195.080_233_5


def _op(op_id: int, starts_at: datetime, ends_at: datetime,
        sites: tuple[Site, ...] = (HERE,)) -> Footprint:
    return Footprint(op_id, starts_at, ends_at, sites)


def _found_by_every_matcher(a: Footprint, b: Footprint) -> set[bool]:
    """Whether a and b conflict, per each public way of asking (all with default buffer)."""
    index = Index()
    index.add(a)
    return {bool(reasons_between(a, b)), bool(reasons_between(b, a)),
            a.op_id in index.conflicts_of(b),
            (1, 2) in brute_force_conflicts([a, b]), (1, 2) in conflicting_pairs([a, b])}


@pytest.mark.parametrize("order", ["b after a", "b before a"])
@pytest.mark.parametrize("gap, conflict", [
    (timedelta(minutes=120), False),
    (timedelta(minutes=119, seconds=59), True),
    (timedelta(minutes=120, seconds=1), False),
    (timedelta(minutes=119), True),
    (timedelta(0), True),
])
def test_the_buffer_is_120_minutes_and_windows_are_half_open(order, gap, conflict):
    a = _op(1, T0, T0 + timedelta(hours=3))
    if order == "b after a":
        b = _op(2, a.ends_at + gap, a.ends_at + gap + timedelta(hours=1))
    else:
        b = _op(2, a.starts_at - gap - timedelta(hours=1), a.starts_at - gap)
    assert _found_by_every_matcher(a, b) == {conflict}


def test_with_no_buffer_touching_windows_do_not_conflict():
    a = _op(1, T0, T0 + timedelta(hours=1))
    b = _op(2, a.ends_at, a.ends_at + timedelta(hours=1))
    assert not windows_close(a, b, timedelta(0))
    assert windows_close(a, _op(2, a.ends_at - timedelta(seconds=1), a.ends_at), timedelta(0))


def test_one_degree_of_longitude_at_the_equator_is_111_195_metres():
    assert abs(haversine_m(0.0, 0.0, 0.0, 1.0) - ONE_DEGREE_M) <= 1
    assert abs(haversine_m(0.0, 10.0, 0.0, 11.0) - ONE_DEGREE_M) <= 1
    assert abs(haversine_m(0.0, 0.0, 1.0, 0.0) - ONE_DEGREE_M) <= 1  # a degree of latitude


def test_the_radius_is_6_371_008_8_metres_to_the_millimetre():
    assert haversine_m(0.0, 0.0, 90.0, 0.0) == pytest.approx(QUARTER_MERIDIAN_M, abs=0.01)
    assert haversine_m(0.0, 0.0, 0.0, 90.0) == pytest.approx(QUARTER_MERIDIAN_M, abs=0.01)
    assert haversine_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(2 * QUARTER_MERIDIAN_M, abs=0.02)


def _east(metres: float) -> Site:
    """A 500 m site on the equator, `metres` east of the one at (0, 0)."""
    return Site(0.0, metres / METRES_PER_DEGREE_LITERAL, 500)


@pytest.mark.parametrize("metres, meet", [(999, True), (1_000 - 0.01, True), (1_001, False)])
def test_two_500_metre_sites_meet_up_to_1_000_metres_apart(metres, meet):
    a = _op(1, T0, T0 + timedelta(hours=1), (Site(0.0, 0.0, 500),))
    b = _op(2, T0, T0 + timedelta(hours=1), (_east(metres),))
    assert haversine_m(0.0, 0.0, 0.0, b.sites[0].lon) == pytest.approx(metres, abs=0.001)
    assert _found_by_every_matcher(a, b) == {meet}
