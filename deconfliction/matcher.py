"""The matcher: which operations conflict, by shared target or by place and time. Pure.

Two distinct live operations conflict when they share a blinded target of one kind (for
persons, dates of birth must also agree when both give one), or when their windows come closer
than the buffer and some site of one lies within r1 + r2 metres of some site of the other.

Candidates come from indexes — blinded target -> operations, and (spatial cell, time bucket)
-> operations — never from scanning every operation; the exact rules then decide. The same
index keys are what the register stores in the database, so a lookup there is an index scan.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_M / 360
DEFAULT_BUFFER = timedelta(minutes=120)
CELL_DEGREES = 0.2
BUCKET = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LON_CELLS = round(360 / CELL_DEGREES)
POLAR_LATITUDE = 80.0
# Cells are widened by this factor so that float rounding can never drop a true neighbour.
_MARGIN = 1.001


@dataclass(frozen=True)
class Site:
    """A place: centre and radius in metres, with the owner's name for it."""

    lat: float
    lon: float
    radius_m: float
    label: str = ""


@dataclass(frozen=True)
class Target:
    """A blinded target: kind, HMAC of the normalised value, HMAC of the dob, owner's label."""

    kind: str
    blind: str
    dob_blind: str | None = None
    label: str = ""

    @property
    def key(self) -> str:
        """The index key: kind and blinded value."""
        return f"{self.kind}:{self.blind}"


@dataclass(frozen=True)
class Footprint:
    """All the matcher needs of one operation."""

    op_id: int
    starts_at: datetime
    ends_at: datetime
    sites: tuple[Site, ...] = ()
    targets: tuple[Target, ...] = ()


@dataclass
class Reasons:
    """Why two operations conflict, each reason as (a's part, b's part)."""

    targets: list[tuple[Target, Target]] = field(default_factory=list)
    sites: list[tuple[Site, Site]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.targets or self.sites)

    @property
    def severity(self) -> str:
        """high when a target is shared, else medium."""
        return "high" if self.targets else "medium"


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on a sphere of radius 6,371,008.8 m."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def windows_close(a: Footprint, b: Footprint, buffer: timedelta) -> bool:
    """Half-open windows closer than the buffer: a.s < b.e + buf and b.s < a.e + buf."""
    return a.starts_at < b.ends_at + buffer and b.starts_at < a.ends_at + buffer


def sites_meet(a: Site, b: Site) -> bool:
    """Some point of one disc within the other: distance <= r1 + r2."""
    return haversine_m(a.lat, a.lon, b.lat, b.lon) <= a.radius_m + b.radius_m


def targets_meet(a: Target, b: Target) -> bool:
    """Same kind and blinded value, and the dates of birth agree when both give one."""
    if a.kind != b.kind or a.blind != b.blind:
        return False
    return a.dob_blind is None or b.dob_blind is None or a.dob_blind == b.dob_blind


def reasons_between(a: Footprint, b: Footprint, buffer: timedelta = DEFAULT_BUFFER) -> Reasons:
    """Every reason a and b conflict (empty when they do not): the exact rule, pairwise."""
    reasons = Reasons()
    if a.op_id == b.op_id:
        return reasons
    reasons.targets = [(ta, tb) for ta in a.targets for tb in b.targets if targets_meet(ta, tb)]
    if windows_close(a, b, buffer):
        reasons.sites = [(sa, sb) for sa in a.sites for sb in b.sites if sites_meet(sa, sb)]
    return reasons


def _buckets(starts_at: datetime, ends_at: datetime, buffer: timedelta) -> range:
    """Time buckets touched by [starts_at, ends_at + buffer): overlapping spans share one."""
    first = (starts_at - _EPOCH) // BUCKET
    last = (ends_at + buffer - _EPOCH) // BUCKET
    return range(first, last + 1)


def _is_polar(row: int) -> bool:
    """Rows beyond 80 degrees are one cell each: there every longitude is close."""
    south = row * CELL_DEGREES - 90
    return south >= POLAR_LATITUDE or south + CELL_DEGREES <= -POLAR_LATITUDE


def cell_of(lat: float, lon: float) -> tuple[int, int]:
    """The grid cell of a point (polar rows have a single column)."""
    row = math.floor((lat + 90) / CELL_DEGREES)
    if _is_polar(row):
        return row, 0
    return row, math.floor((lon + 180) / CELL_DEGREES) % _LON_CELLS


def _cells(site: Site) -> Iterator[tuple[int, int]]:
    """Every cell holding some point of the site's disc (wrapping at the date line).

    For a point at latitude psi within angular distance rho of the centre at phi,
    hav(dlon) <= hav(rho) / (cos phi * cos psi), which bounds the columns to visit.
    """
    rho = site.radius_m * _MARGIN / EARTH_RADIUS_M
    reach_lat = math.degrees(rho)
    south, north = max(-90.0, site.lat - reach_lat), min(90.0, site.lat + reach_lat)
    first_row = math.floor((south + 90) / CELL_DEGREES)
    last_row = math.floor((north + 90) / CELL_DEGREES)
    widest = min(max(abs(south), abs(north)), POLAR_LATITUDE + CELL_DEGREES)
    denominator = math.cos(math.radians(site.lat)) * math.cos(math.radians(widest))
    bound = math.sin(rho / 2) / math.sqrt(denominator) if denominator > 0 else 2.0
    columns: Iterable[int]
    if bound >= 1:
        columns = range(_LON_CELLS)
    else:
        reach_lon = math.degrees(2 * math.asin(bound)) * _MARGIN
        west = math.floor((site.lon - reach_lon + 180) / CELL_DEGREES)
        east = math.floor((site.lon + reach_lon + 180) / CELL_DEGREES)
        columns = range(_LON_CELLS) if east - west + 1 >= _LON_CELLS else sorted(
            {c % _LON_CELLS for c in range(west, east + 1)})
    for row in range(first_row, last_row + 1):
        if _is_polar(row):
            yield row, 0
        else:
            for column in columns:
                yield row, column


def place_keys(footprint: Footprint, buffer: timedelta = DEFAULT_BUFFER) -> set[str]:
    """Index keys 'row:column:bucket' of an operation's sites over its buffered window.

    Two operations that conflict by location always share at least one key: their discs'
    boxes overlap (so they share a cell) and their buffered windows overlap (so a bucket).
    """
    buckets = _buckets(footprint.starts_at, footprint.ends_at, buffer)
    keys: set[str] = set()
    for site in footprint.sites:
        for row, column in _cells(site):
            keys.update(f"{row}:{column}:{bucket}" for bucket in buckets)
    return keys


def target_keys(footprint: Footprint) -> set[str]:
    """Index keys of an operation's targets."""
    return {target.key for target in footprint.targets}


class Index:
    """An in-memory index of one period's live operations (rescans and property tests)."""

    def __init__(self, buffer: timedelta = DEFAULT_BUFFER) -> None:
        self.buffer = buffer
        self._footprints: dict[int, Footprint] = {}
        self._by_key: dict[str, set[int]] = defaultdict(set)

    def _keys(self, footprint: Footprint) -> set[str]:
        return target_keys(footprint) | {"@" + k for k in place_keys(footprint, self.buffer)}

    def add(self, footprint: Footprint) -> None:
        """Index (or re-index) an operation."""
        self.remove(footprint.op_id)
        self._footprints[footprint.op_id] = footprint
        for key in self._keys(footprint):
            self._by_key[key].add(footprint.op_id)

    def remove(self, op_id: int) -> None:
        """Drop an operation (cancelled or edited)."""
        old = self._footprints.pop(op_id, None)
        if old is None:
            return
        for key in self._keys(old):
            holders = self._by_key.get(key)
            if holders is not None:
                holders.discard(op_id)
                if not holders:
                    del self._by_key[key]

    def candidates(self, footprint: Footprint) -> set[int]:
        """Operations sharing an index key with `footprint` (a superset of its conflicts)."""
        found: set[int] = set()
        for key in self._keys(footprint):
            found |= self._by_key.get(key, set())
        found.discard(footprint.op_id)
        return found

    def conflicts_of(self, footprint: Footprint) -> dict[int, Reasons]:
        """Every indexed operation that conflicts with `footprint`, with the reasons."""
        result: dict[int, Reasons] = {}
        for other_id in self.candidates(footprint):
            reasons = reasons_between(footprint, self._footprints[other_id], self.buffer)
            if reasons:
                result[other_id] = reasons
        return result

    def all_conflicts(self) -> dict[tuple[int, int], Reasons]:
        """Every conflicting pair (lower id first): a full rescan through the index."""
        pairs: dict[tuple[int, int], Reasons] = {}
        for op_id, footprint in self._footprints.items():
            for other_id, reasons in self.conflicts_of(footprint).items():
                if op_id < other_id:
                    pairs[(op_id, other_id)] = reasons
        return pairs


def brute_force_conflicts(footprints: Iterable[Footprint],
                          buffer: timedelta = DEFAULT_BUFFER) -> dict[tuple[int, int], Reasons]:
    """Every conflicting pair by checking all pairs: the reference the index must equal."""
    items = sorted(footprints, key=lambda f: f.op_id)
    pairs: dict[tuple[int, int], Reasons] = {}
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            reasons = reasons_between(a, b, buffer)
            if reasons:
                pairs[(a.op_id, b.op_id)] = reasons
    return pairs
