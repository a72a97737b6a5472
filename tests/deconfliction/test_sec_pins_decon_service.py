"""DESIGN.md's numbers pinned as literals through the service: operations registered over the
API by two states, conflicts read back as a co-chair sees them. The 120-minute buffer on both
sides (half-open: exactly 120 minutes apart do not conflict, 119 min 59 s do), and two sites
of the default radius (500 m) meeting 999 m apart but not 1,001 m apart.

No constant of the code is imported: positions come from DESIGN.md's Earth radius."""

from __future__ import annotations

import math
from datetime import timedelta

from tests.deconfliction.helpers import at, iso, site

# Metres per degree of arc on a sphere of radius 6,371,008.8 m (2 * pi * R / 360).
METRES_PER_DEGREE = 2 * math.pi * 6_371_008.8 / 360
# Open ocean, each place far from the others: one place per case, so cases do not meet.
PLACES = [(-50.0 + 4 * i, -160.0 + 9 * i) for i in range(8)]


def _pairs(world) -> set[tuple[int, int]]:
    return {tuple(c["operation_ids"]) for c in world.conflicts("chair.nzl")["conflicts"]
            if c["status"] != "cleared"}


def _register(world, username: str, place: int, starts, ends, east_m: float = 0.0) -> int:
    lat, lon = PLACES[place]
    lon += east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    body = world.register(username, locations=[site(f"Place {place}", (lat, lon))],
                          starts_at=iso(starts), ends_at=iso(ends), targets=[])
    return body["id"]


def test_windows_120_minutes_apart_do_not_conflict_and_119_59_do_on_both_sides(world):
    a_start, a_end = at(3, 6), at(3, 9)
    gaps = {0: timedelta(minutes=120), 1: timedelta(minutes=119, seconds=59)}
    expected = set()
    for place, gap in gaps.items():
        after_a = _register(world, "nlo.tha", place, a_start, a_end)
        after_b = _register(world, "nlo.mys", place, a_end + gap, a_end + gap + timedelta(hours=1))
        before_a = _register(world, "nlo.lka", place + 2, a_start, a_end)
        before_b = _register(world, "nlo.nzl", place + 2, a_start - gap - timedelta(hours=1),
                             a_start - gap)
        if gap < timedelta(minutes=120):
            expected |= {(after_a, after_b), (min(before_a, before_b), max(before_a, before_b))}
    assert _pairs(world) == expected
    assert len(expected) == 2


def test_default_radius_sites_meet_999_metres_apart_not_1_001(world):
    starts, ends = at(5, 6), at(5, 8)
    near_a = _register(world, "nlo.tha", 4, starts, ends)
    near_b = _register(world, "nlo.mys", 4, starts, ends, east_m=999)
    _register(world, "nlo.tha", 5, starts, ends)
    _register(world, "nlo.mys", 5, starts, ends, east_m=1_001)
    assert _pairs(world) == {(near_a, near_b)}
