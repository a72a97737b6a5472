"""An independent reference for the matcher, written from DESIGN.md alone, in a property test.

DESIGN.md: two operations conflict when they share an identifier of one kind with equal
normalised values (persons: dates of birth must also agree when both give one), or when
`a.starts_at < b.ends_at + buffer` and `b.starts_at < a.ends_at + buffer` with a buffer of
120 minutes and some site of one lies within r1 + r2 metres of some site of the other
(haversine, Earth radius 6,371,008.8 m).

The reference below uses its own haversine with those literals and its own pairwise loop; it
imports no constant of the code. The indexed matcher (with its defaults) must find the same
pairs. Windows are drawn to fall often exactly 120 minutes (and one second either side) apart,
and sites around the distance at which they meet.
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.matcher import Footprint, Index, Site, Target, conflicting_pairs

EARTH_RADIUS = 6_371_008.8
BUFFER = timedelta(minutes=120)
T0 = datetime(2031, 9, 28, tzinfo=UTC)
CENTRES = [(13.69, 100.75), (0.0, 179.9995), (-37.0, 174.78), (64.1, -21.9)]
RADII = [50, 200, 500, 1_000, 5_000]
# Offsets in seconds from another operation's start or end: around the buffer's edge.
EDGES = [-7_201, -7_200, -7_199, -3_600, 0, 3_600, 7_199, 7_200, 7_201]
TOKENS = ["t1", "t2", "t3"]
DOBS = [None, "d1", "d2"]


def reference_distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine on a sphere of 6,371,008.8 m (written from DESIGN.md)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    half_dlat = (p2 - p1) / 2
    half_dlon = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dlat) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(a)))


def _shares_target(a: Footprint, b: Footprint) -> bool:
    return any(x.kind == y.kind and x.blind == y.blind
               and (x.dob_blind is None or y.dob_blind is None or x.dob_blind == y.dob_blind)
               for x in a.targets for y in b.targets)


def _sites_close(a: Footprint, b: Footprint) -> tuple[bool, bool]:
    """(some pair of sites meets, some pair is within a micrometre of meeting exactly)."""
    meet = edge = False
    for x in a.sites:
        for y in b.sites:
            slack = reference_distance(x.lat, x.lon, y.lat, y.lon) - (x.radius_m + y.radius_m)
            meet = meet or slack <= 0
            edge = edge or abs(slack) < 1e-6
    return meet, edge


def reference(footprints: list[Footprint]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(conflicting pairs, pairs that hinge on a distance equal to r1 + r2 within rounding)."""
    found: set[tuple[int, int]] = set()
    undecidable: set[tuple[int, int]] = set()
    for a, b in itertools.combinations(sorted(footprints, key=lambda f: f.op_id), 2):
        pair = (a.op_id, b.op_id)
        if _shares_target(a, b):
            found.add(pair)
            continue
        if not (a.starts_at < b.ends_at + BUFFER and b.starts_at < a.ends_at + BUFFER):
            continue
        meet, edge = _sites_close(a, b)
        if edge:
            undecidable.add(pair)
        elif meet:
            found.add(pair)
    return found, undecidable


def _metres_to_point(centre: tuple[float, float], north: float, east: float) -> tuple[float,
                                                                                     float]:
    per_degree = 2 * math.pi * EARTH_RADIUS / 360
    lat = centre[0] + north / per_degree
    lon = centre[1] + east / (per_degree * math.cos(math.radians(lat)))
    return lat, (lon + 180) % 360 - 180


@st.composite
def periods(draw: st.DrawFn) -> list[Footprint]:
    """Up to 12 operations around one centre, their windows often at the buffer's edge."""
    centre = draw(st.sampled_from(CENTRES))
    made: list[Footprint] = []
    for op_id in range(1, draw(st.integers(2, 12)) + 1):
        sites = []
        for _ in range(draw(st.integers(1, 2))):
            north = draw(st.sampled_from([0, 400, 999, 1_001, 2_000, 6_000]))
            east = draw(st.floats(-6_000, 6_000))
            lat, lon = _metres_to_point(centre, north * draw(st.sampled_from([1, -1])), east)
            sites.append(Site(lat, lon, draw(st.sampled_from(RADII))))
        seconds = draw(st.integers(1, 48 * 60)) * 60
        if made and draw(st.booleans()):
            other = draw(st.sampled_from(made))
            if draw(st.booleans()):  # this one starts near the other's end
                starts = other.ends_at + timedelta(seconds=draw(st.sampled_from(EDGES)))
            else:  # this one ends near the other's start
                starts = (other.starts_at - timedelta(seconds=seconds)
                          + timedelta(seconds=draw(st.sampled_from(EDGES))))
        else:
            starts = T0 + timedelta(minutes=draw(st.integers(0, 4 * 24 * 60)))
        targets = []
        if draw(st.integers(0, 3)) == 0:
            kind = draw(st.sampled_from(["phone", "person"]))
            dob = draw(st.sampled_from(DOBS)) if kind == "person" else None
            targets.append(Target(kind, draw(st.sampled_from(TOKENS)), dob))
        made.append(Footprint(op_id, starts, starts + timedelta(seconds=seconds), tuple(sites),
                              tuple(targets)))
    return made


@settings(max_examples=300, deadline=None)
@given(periods())
def test_the_indexed_matcher_finds_what_design_md_says(footprints):
    expected, undecidable = reference(footprints)
    index = Index()
    incremental: set[tuple[int, int]] = set()
    for footprint in footprints:
        incremental |= {tuple(sorted((footprint.op_id, other)))
                        for other in index.conflicts_of(footprint)}
        index.add(footprint)
    for found in (set(index.all_conflicts()), incremental, conflicting_pairs(footprints)):
        assert found - undecidable == expected
