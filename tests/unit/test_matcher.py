"""The indexed matcher finds exactly what a brute-force pairwise check finds."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.matcher import (
    DEFAULT_BUFFER,
    LEVELS,
    METRES_PER_DEGREE,
    Footprint,
    Index,
    Site,
    Target,
    brute_force_conflicts,
    conflicting_pairs,
    haversine_m,
    level_of,
    probe_place_keys,
    reasons_between,
    stored_place_keys,
    windows_close,
)

T0 = datetime(2030, 3, 1, tzinfo=UTC)


def op(op_id, start_h, end_h, sites=(), targets=()):
    return Footprint(op_id, T0 + timedelta(hours=start_h), T0 + timedelta(hours=end_h),
                     tuple(sites), tuple(targets))


def test_touching_windows_conflict_only_within_the_buffer():
    a = op(1, 0, 10)
    assert not windows_close(a, op(2, 10, 20), timedelta(0))  # half-open: touching is apart
    assert windows_close(a, op(2, 11, 20), timedelta(hours=2))
    assert not windows_close(a, op(2, 12, 20), timedelta(hours=2))  # gap equal to the buffer


def test_sites_at_exactly_r1_plus_r2_conflict():
    here = Site(0.0, 0.0, 500)
    distance = haversine_m(0, 0, 0, 0.01)
    there = Site(0.0, 0.01, distance - 500)
    a, b = op(1, 0, 5, [here]), op(2, 0, 5, [there])
    assert reasons_between(a, b).sites
    farther = Site(0.0, 0.01, distance - 500 - 0.01)
    assert not reasons_between(a, op(3, 0, 5, [farther])).sites


def test_shared_target_conflicts_whatever_the_windows():
    phone = Target("phone", "h1", label="A's phone")
    a = op(1, 0, 1, targets=[phone])
    b = op(2, 500, 501, targets=[Target("phone", "h1", label="B's phone")])
    reasons = reasons_between(a, b)
    assert reasons.severity == "high"
    assert reasons.targets[0][0].label == "A's phone"


def test_person_dates_of_birth_must_agree_when_both_given():
    a = op(1, 0, 1, targets=[Target("person", "n", "d1")])
    assert reasons_between(a, op(2, 0, 1, targets=[Target("person", "n", None)]))
    assert not reasons_between(a, op(3, 0, 1, targets=[Target("person", "n", "d2")]))


def test_same_kind_only():
    a = op(1, 0, 1, targets=[Target("passport", "x")])
    assert not reasons_between(a, op(2, 0, 1, targets=[Target("id_document", "x")]))


def test_sites_across_the_date_line_are_found_by_the_index():
    a = op(1, 0, 5, [Site(-16.0, 179.999, 1000)])
    b = op(2, 0, 5, [Site(-16.0, -179.999, 1000)])
    index = Index()
    index.add(a)
    assert 1 in index.conflicts_of(b)


def test_removed_operations_are_no_longer_found():
    index = Index()
    a = op(1, 0, 5, [Site(10, 10, 500)])
    index.add(a)
    index.remove(1)
    assert index.conflicts_of(op(2, 0, 5, [Site(10, 10, 500)])) == {}


# Random periods crowded around a few hot spots and every edge of the rules.
HOT_SPOTS = [(13.6811, 100.747), (-33.9461, 151.177), (0.0, 179.99), (0.0, -179.99),
             (89.9, 0.0), (-1.0, 0.0)]
BUFFER = timedelta(minutes=120)


@st.composite
def sites(draw):
    lat, lon = draw(st.sampled_from(HOT_SPOTS))
    # Offsets from a few metres up to ~60 km, so some pairs are just inside or outside reach.
    dlat = draw(st.floats(-0.5, 0.5)) * draw(st.sampled_from([0.0, 0.001, 0.01, 0.1]))
    dlon = draw(st.floats(-0.5, 0.5)) * draw(st.sampled_from([0.0, 0.001, 0.01, 0.1]))
    lon = ((lon + dlon + 180) % 360) - 180
    radius = draw(st.sampled_from([10, 500, 1000, 25_000, 50_000]))
    return Site(max(-90.0, min(90.0, lat + dlat)), lon, radius)


@st.composite
def footprints(draw, op_id):
    # Windows on a 1-hour grid: many pairs touch or sit exactly one buffer apart.
    start = draw(st.integers(0, 24 * 6))
    length = draw(st.integers(1, 24 * 3))
    n_sites = draw(st.integers(0, 2))
    n_targets = draw(st.integers(0, 3))
    targets = [Target(draw(st.sampled_from(["phone", "passport", "person"])),
                      draw(st.sampled_from(["v1", "v2", "v3", "v4"])),
                      draw(st.sampled_from([None, "d1", "d2"]))) for _ in range(n_targets)]
    return op(op_id, start, start + length, [draw(sites()) for _ in range(n_sites)], targets)


@st.composite
def periods(draw):
    count = draw(st.integers(2, 25))
    return [draw(footprints(i)) for i in range(1, count + 1)]


def pair_set(conflicts):
    return {pair: (len(r.targets), len(r.sites)) for pair, r in conflicts.items()}


@settings(max_examples=150, deadline=None)
@given(periods())
def test_index_equals_brute_force(period):
    index = Index(BUFFER)
    for footprint in period:
        index.add(footprint)
    assert pair_set(index.all_conflicts()) == pair_set(brute_force_conflicts(period, BUFFER))


@settings(max_examples=100, deadline=None)
@given(periods(), st.data())
def test_incremental_registration_finds_each_pair_once(period, data):
    """Registering one by one, each new operation finds exactly its earlier conflicts."""
    index = Index(DEFAULT_BUFFER)
    found = {}
    for footprint in period:
        for other, reasons in index.conflicts_of(footprint).items():
            found[(min(other, footprint.op_id), max(other, footprint.op_id))] = reasons
        index.add(footprint)
    assert pair_set(found) == pair_set(brute_force_conflicts(period, DEFAULT_BUFFER))


@given(st.floats(-89, 89), st.floats(-179, 179), st.floats(10, 50_000))
def test_a_point_on_the_disc_edge_is_within_reach(lat, lon, radius):
    """A neighbour placed exactly r1 + r2 north shares an index key (no float loss)."""
    other_lat = lat + (radius + 10) / METRES_PER_DEGREE
    index = Index()
    index.add(op(1, 0, 1, [Site(lat, lon, radius)]))
    b = op(2, 0, 1, [Site(other_lat, lon, 10)])
    if haversine_m(lat, lon, other_lat, lon) <= radius + 10:
        assert 1 in index.conflicts_of(b)
    assert math.isfinite(haversine_m(lat, lon, other_lat, lon))


def destination(lat, lon, bearing_deg, distance_m):
    """The point `distance_m` from (lat, lon) along `bearing_deg` on the same sphere."""
    from deconfliction.matcher import EARTH_RADIUS_M

    delta = distance_m / EARTH_RADIUS_M
    phi1, lmb1, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta)
                     + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lmb2 = lmb1 + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi1),
                             math.cos(delta) - math.sin(phi1) * math.sin(phi2))
    return math.degrees(phi2), ((math.degrees(lmb2) + 540) % 360) - 180


@settings(max_examples=400, deadline=None)
@given(st.floats(-90, 90), st.floats(-180, 179.999), st.floats(10, 50_000),
       st.floats(0, 360), st.floats(0, 1))
def test_every_point_of_a_disc_lies_in_one_of_its_cells(lat, lon, radius, bearing, fraction):
    from deconfliction.matcher import _cells, cell_of

    point = destination(lat, lon, bearing, radius * fraction)
    assert cell_of(*point) in set(_cells(Site(lat, lon, radius)))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(LEVELS), st.floats(-90, 90), st.floats(-180, 179.999),
       st.one_of(st.floats(10, 400), st.floats(10, 50_000)), st.floats(0, 360),
       st.floats(0, 1))
def test_every_point_of_a_disc_lies_in_one_of_its_cells_at_every_level(
        cell_degrees, lat, lon, radius, bearing, fraction):
    from deconfliction.matcher import _cells, cell_of

    # A large disc at a fine level covers very many cells: only the small ones are enumerated
    # there (no site is ever keyed at a level finer than its natural one).
    if cell_degrees * METRES_PER_DEGREE < radius / 4:
        return
    point = destination(lat, lon, bearing, radius * fraction)
    assert cell_of(*point, cell_degrees) in set(_cells(Site(lat, lon, radius), cell_degrees))


def test_levels_go_from_coarse_to_fine_and_small_sites_use_small_cells():
    assert LEVELS[0] == 0.2
    assert list(LEVELS) == sorted(set(LEVELS), reverse=True)
    assert level_of(Site(13.68, 100.75, 50)) == len(LEVELS) - 1
    assert level_of(Site(13.68, 100.75, 50_000)) == 0
    gate = op(1, 0, 5, [Site(13.6811, 100.747, 100)])
    stored, probed = stored_place_keys(gate), probe_place_keys(gate)
    finest = len(LEVELS) - 1
    assert {key.split(":")[0] for key in stored} == {f"o{finest}"} | {
        f"a{level}" for level in range(finest)}
    assert {key.split(":")[0] for key in probed} == {f"o{finest}", f"a{finest}"} | {
        f"o{level}" for level in range(finest)}


def test_the_longest_key_fits_the_register_column():
    """register_place_keys.key is String(40): the finest cells and far-off days still fit."""
    far = Footprint(1, datetime(2199, 12, 30, tzinfo=UTC), datetime(2199, 12, 31, tzinfo=UTC),
                    (Site(79.99, 179.9999, 10), Site(-79.99, -179.9999, 10),
                     Site(89.99, 0.0, 10), Site(0.0, 179.9999, 50_000)))
    keys = stored_place_keys(far) | probe_place_keys(far)
    assert max(len(key) for key in keys) <= 40


# Sites at mixed radii crowded together, so that every pair of levels meets, and pairs placed
# exactly r1 + r2 apart, where float rounding would first drop a true neighbour.
MIXED_RADII = [10, 50, 150, 173, 174, 250, 400, 600, 700, 1_500, 2_800, 3_000, 11_000, 25_000,
               50_000]
CLUSTERS = [(13.6811, 100.747), (0.0, 179.999), (79.99, 20.0), (-45.0, -0.001), (89.95, 0.0)]


@st.composite
def mixed_periods(draw):
    centre = draw(st.sampled_from(CLUSTERS))
    radius = st.one_of(st.sampled_from(MIXED_RADII), st.floats(10, 50_000))
    placed: list[Site] = []
    period = []
    for op_id in range(1, draw(st.integers(2, 14)) + 1):
        sites = []
        for _ in range(draw(st.integers(1, 2))):
            r2 = draw(radius)
            if placed and draw(st.booleans()):
                # On the edge of an earlier site: its centre r1 + r2 away, then the radius
                # set from the distance as computed, so that the pair sits exactly at reach.
                other = draw(st.sampled_from(placed))
                lat, lon = destination(other.lat, other.lon, draw(st.floats(0, 360)),
                                       other.radius_m + r2)
                r2 = haversine_m(other.lat, other.lon, lat, lon) - other.radius_m
                if r2 <= 0:
                    continue
            else:
                spread = draw(st.sampled_from([0, 100, 1_000, 5_000, 30_000]))
                lat, lon = destination(*centre, draw(st.floats(0, 360)),
                                       spread * draw(st.floats(0, 1)))
            site = Site(lat, lon, r2)
            placed.append(site)
            sites.append(site)
        start = draw(st.integers(0, 24 * 3))
        period.append(op(op_id, start, start + draw(st.integers(1, 48)), sites))
    return period


@settings(max_examples=300, deadline=None)
@given(mixed_periods())
def test_index_equals_brute_force_across_levels_and_at_exact_reach(period):
    index = Index(BUFFER)
    for footprint in period:
        index.add(footprint)
    assert pair_set(index.all_conflicts()) == pair_set(brute_force_conflicts(period, BUFFER))
    # Registering one by one (probe, then store), as the service does, finds the same pairs.
    incremental = Index(BUFFER)
    found = set()
    for footprint in period:
        found |= {(min(other, footprint.op_id), max(other, footprint.op_id))
                  for other in incremental.conflicts_of(footprint)}
        incremental.add(footprint)
    assert found == set(brute_force_conflicts(period, BUFFER))


# The one-pass rescan (cells swept in order of start, no day buckets) against brute force.


@settings(max_examples=200, deadline=None)
@given(periods())
def test_one_pass_rescan_equals_brute_force(period):
    assert conflicting_pairs(period, BUFFER) == set(brute_force_conflicts(period, BUFFER))


@settings(max_examples=300, deadline=None)
@given(mixed_periods(), st.sampled_from([timedelta(0), timedelta(minutes=120),
                                         timedelta(days=2)]))
def test_one_pass_rescan_equals_brute_force_across_levels(period, buffer):
    assert conflicting_pairs(period, buffer) == set(brute_force_conflicts(period, buffer))


def test_one_pass_rescan_pairs_windows_exactly_one_buffer_apart_only_when_closer():
    here = Site(13.69, 100.75, 100)
    touching = [op(1, 0, 10, [here]), op(2, 12, 20, [here])]  # a gap of exactly 2 hours
    assert conflicting_pairs(touching, timedelta(hours=2)) == set()
    assert conflicting_pairs(touching, timedelta(hours=2, seconds=1)) == {(1, 2)}
    # Long windows far apart in start: the sweep must still pair them when they overlap.
    long_and_late = [op(3, 0, 24 * 30, [Site(13.69, 100.75, 40_000)]),
                     op(4, 24 * 29, 24 * 29 + 1, [here])]
    assert conflicting_pairs(long_and_late) == {(3, 4)}
    small_and_long = [op(5, 0, 24 * 30, [here]), op(6, 24 * 29, 24 * 29 + 1,
                                                   [Site(13.69, 100.75, 40_000)])]
    assert conflicting_pairs(small_and_long) == {(5, 6)}


def test_one_pass_rescan_pairs_targets_by_key_and_date_of_birth():
    person = [op(1, 0, 1, targets=[Target("person", "x", "d1")]),
              op(2, 500, 501, targets=[Target("person", "x", "d2")]),
              op(3, 900, 901, targets=[Target("person", "x", None)]),
              op(4, 0, 1, targets=[Target("phone", "x")])]
    assert conflicting_pairs(person) == {(1, 3), (2, 3)}
