"""The matcher: which operations conflict, by shared target or by place and time. Pure.

Two distinct live operations conflict when they share a blinded target of one kind (for
persons, dates of birth must also agree when both give one), or when their windows come closer
than the buffer and some site of one lies within r1 + r2 metres of some site of the other.

Candidates come from indexes — blinded target -> operations, and (spatial cell, time bucket)
-> operations — never from scanning every operation; the exact rules then decide. The same
index keys are what the register stores in the database, so a lookup there is an index scan.

The location index is a multi-resolution grid (`LEVELS`, coarse to fine), so that the many
small sites of a busy airport do not all share one coarse cell. A site's natural level is the
finest whose cells are at least its diameter (larger sites stay at the coarsest level, covering
several cells). Keys are asymmetric: what an operation stores differs from what it probes with.

- stored keys of a site s: "o{L(s)}:row:col:bucket" for its cells at its own level L(s), and
  "a{L}:row:col:bucket" for its cells at every level L coarser than L(s);
- probe keys of a site q: "o{L(q)}:..." and "a{L(q)}:..." for its cells at L(q), and
  "o{L}:..." for its cells at every level L coarser than L(q).

Why nothing is missed: if s and q meet (distance <= r1 + r2) their discs share a point p, and
`_cells` yields the cell of every point of a disc at every level. If L(s) is L(q) or finer, s
stores p's cell at level L(q) (as "o" when the levels are equal, as "a" when L(s) is finer) and
q probes both "o" and "a" at L(q). If L(s) is coarser, s stores "o" at L(s) and q probes "o" at
every coarser level, L(s) among them. Either way, since windows that come closer than the buffer
share a day bucket of their buffered spans, some stored key of s is a probe key of q. Only a
superset of the conflicts is found; `reasons_between` decides. A small probe meets the other
small sites of its own fine cell, and the few large sites over it, not the whole coarse cell.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_M / 360
DEFAULT_BUFFER = timedelta(minutes=120)
# Grid cell sizes in degrees, coarse to fine, each a quarter of the one before: at the finest,
# a cell is ~350 m tall, room for the 50-200 m sites of an airport. The coarsest, 0.2 degrees,
# is where the large sites (up to 50 km and beyond) stay, covering several cells.
LEVELS = (0.2, 0.05, 0.0125, 0.003125)
CELL_DEGREES = LEVELS[0]
BUCKET = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
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


def _is_polar(row: int, cell_degrees: float = CELL_DEGREES) -> bool:
    """Rows beyond 80 degrees are one cell each: there every longitude is close."""
    south = row * cell_degrees - 90
    return south >= POLAR_LATITUDE or south + cell_degrees <= -POLAR_LATITUDE


def _lon_cells(cell_degrees: float) -> int:
    """How many columns go round the Earth at this cell size."""
    return round(360 / cell_degrees)


def cell_of(lat: float, lon: float, cell_degrees: float = CELL_DEGREES) -> tuple[int, int]:
    """The grid cell of a point at one cell size (polar rows have a single column)."""
    row = math.floor((lat + 90) / cell_degrees)
    if _is_polar(row, cell_degrees):
        return row, 0
    return row, math.floor((lon + 180) / cell_degrees) % _lon_cells(cell_degrees)


def _cells(site: Site, cell_degrees: float = CELL_DEGREES) -> Iterator[tuple[int, int]]:
    """Every cell (at one cell size) holding some point of the site's disc, wrapping at the
    date line.

    For a point at latitude psi within angular distance rho of the centre at phi,
    hav(dlon) <= hav(rho) / (cos phi * cos psi), which bounds the columns to visit.
    """
    lon_cells = _lon_cells(cell_degrees)
    rho = site.radius_m * _MARGIN / EARTH_RADIUS_M
    reach_lat = math.degrees(rho)
    south, north = max(-90.0, site.lat - reach_lat), min(90.0, site.lat + reach_lat)
    first_row = math.floor((south + 90) / cell_degrees)
    last_row = math.floor((north + 90) / cell_degrees)
    # Columns matter only in rows that are not polar, which end one cell beyond 80 degrees
    # (one cell rather than exactly 80, so that float rounding of row edges cannot bite).
    widest = min(max(abs(south), abs(north)), POLAR_LATITUDE + cell_degrees)
    denominator = math.cos(math.radians(site.lat)) * math.cos(math.radians(widest))
    bound = math.sin(rho / 2) / math.sqrt(denominator) if denominator > 0 else 2.0
    columns: Iterable[int]
    if bound >= 1:
        columns = range(lon_cells)
    else:
        reach_lon = math.degrees(2 * math.asin(bound)) * _MARGIN
        west = math.floor((site.lon - reach_lon + 180) / cell_degrees)
        east = math.floor((site.lon + reach_lon + 180) / cell_degrees)
        columns = range(lon_cells) if east - west + 1 >= lon_cells else sorted(
            {c % lon_cells for c in range(west, east + 1)})
    for row in range(first_row, last_row + 1):
        if _is_polar(row, cell_degrees):
            yield row, 0
        else:
            for column in columns:
                yield row, column


def level_of(site: Site) -> int:
    """A site's natural level: the finest whose cells (measured along a meridian) are at least
    its diameter, so that it covers at most two rows there; the coarsest for larger sites."""
    for level in range(len(LEVELS) - 1, 0, -1):
        if LEVELS[level] * METRES_PER_DEGREE >= 2 * site.radius_m * _MARGIN:
            return level
    return 0


def _site_keys(site: Site, levels: Iterable[tuple[str, int]], buckets: range) -> Iterator[str]:
    """Keys '{kind}{level}:row:column:bucket' of one site for each (kind, level) given."""
    for kind, level in levels:
        for row, column in _cells(site, LEVELS[level]):
            for bucket in buckets:
                yield f"{kind}{level}:{row}:{column}:{bucket}"


def stored_place_keys(footprint: Footprint, buffer: timedelta = DEFAULT_BUFFER) -> set[str]:
    """Location keys an operation is stored under: "o" at each site's level, "a" coarser."""
    buckets = _buckets(footprint.starts_at, footprint.ends_at, buffer)
    keys: set[str] = set()
    for site in footprint.sites:
        own = level_of(site)
        levels = [("o", own)] + [("a", level) for level in range(own)]
        keys.update(_site_keys(site, levels, buckets))
    return keys


def probe_place_keys(footprint: Footprint, buffer: timedelta = DEFAULT_BUFFER) -> set[str]:
    """Location keys to look an operation's neighbours up by: "o" and "a" at each site's level,
    "o" at every coarser level (see the module docstring for why none is missed)."""
    buckets = _buckets(footprint.starts_at, footprint.ends_at, buffer)
    keys: set[str] = set()
    for site in footprint.sites:
        own = level_of(site)
        levels = [("o", own), ("a", own)] + [("o", level) for level in range(own)]
        keys.update(_site_keys(site, levels, buckets))
    return keys


@dataclass(frozen=True)
class PlaceKeys:
    """An operation's place keys, sorted as the register writes and queries them: those it is
    stored under and those it looks its neighbours up by, for one buffer. They depend on the
    sites and the window alone, so a registration computes them before it takes the period's
    lock."""

    stored: tuple[str, ...]
    probe: tuple[str, ...]
    buffer: timedelta = DEFAULT_BUFFER


def place_keys(footprint: Footprint, buffer: timedelta = DEFAULT_BUFFER) -> PlaceKeys:
    """Both sets of place keys of a footprint (its op_id plays no part)."""
    return PlaceKeys(tuple(sorted(stored_place_keys(footprint, buffer))),
                     tuple(sorted(probe_place_keys(footprint, buffer))), buffer)


def target_keys(footprint: Footprint) -> set[str]:
    """Index keys of an operation's targets."""
    return {target.key for target in footprint.targets}


class Index:
    """An in-memory index of one period's live operations (rescans and property tests)."""

    def __init__(self, buffer: timedelta = DEFAULT_BUFFER) -> None:
        self.buffer = buffer
        self._footprints: dict[int, Footprint] = {}
        # Lists, not sets: most location keys have a single holder, and millions of one-element
        # sets would dominate the memory of a full rescan (an operation is stored under a key
        # at most once, as `add` first removes it).
        self._by_key: dict[str, list[int]] = defaultdict(list)

    def _stored_keys(self, footprint: Footprint) -> set[str]:
        # A target key is both stored and probed; location keys are asymmetric.
        return target_keys(footprint) | {
            "@" + k for k in stored_place_keys(footprint, self.buffer)}

    def _probe_keys(self, footprint: Footprint) -> set[str]:
        return target_keys(footprint) | {
            "@" + k for k in probe_place_keys(footprint, self.buffer)}

    def add(self, footprint: Footprint) -> None:
        """Index (or re-index) an operation."""
        self.remove(footprint.op_id)
        self._footprints[footprint.op_id] = footprint
        for key in self._stored_keys(footprint):
            self._by_key[key].append(footprint.op_id)

    def remove(self, op_id: int) -> None:
        """Drop an operation (cancelled or edited)."""
        old = self._footprints.pop(op_id, None)
        if old is None:
            return
        for key in self._stored_keys(old):
            holders = self._by_key.get(key)
            if holders is not None and op_id in holders:
                holders.remove(op_id)
                if not holders:
                    del self._by_key[key]

    def candidates(self, footprint: Footprint) -> set[int]:
        """Operations stored under a probe key of `footprint` (a superset of its conflicts)."""
        found: set[int] = set()
        for key in self._probe_keys(footprint):
            found.update(self._by_key.get(key, ()))
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


def conflicting_pairs(footprints: Iterable[Footprint],
                      buffer: timedelta = DEFAULT_BUFFER) -> set[tuple[int, int]]:
    """Every conflicting pair (lower id first), found in one pass over the whole period.

    The same pairs as `Index.all_conflicts()` with far less work, for a full rescan: targets
    are paired only within the holders of one target key, and sites only within a grid cell of
    the multi-resolution grid (a site meets, in its own cell, the sites of its level and the
    finer sites under that cell, as the asymmetric keys of the module docstring say), swept in
    order of start so that only windows closer than the buffer are compared. No day buckets
    and no key strings: a period of 100,000 operations fits in memory.
    """
    items = {footprint.op_id: footprint for footprint in footprints}
    pairs: set[tuple[int, int]] = set()
    holders: dict[tuple[str, str], list[tuple[int, str | None]]] = defaultdict(list)
    for op_id, footprint in items.items():
        for target in footprint.targets:
            holders[(target.kind, target.blind)].append((op_id, target.dob_blind))
    for group in holders.values():
        # Within one name, the same date of birth meets, and no date meets every date: a
        # common name held by hundreds of operations is not compared all against all.
        by_dob: dict[str, list[int]] = defaultdict(list)
        undated: list[int] = []
        for op_id, dob in group:
            (undated if dob is None else by_dob[dob]).append(op_id)
        for members in by_dob.values():
            _pair_all(pairs, members, members)
        _pair_all(pairs, undated, undated)
        _pair_all(pairs, undated, [op_id for members in by_dob.values() for op_id in members])
    # Per level: cell -> sites of that level over it ("own"), and finer sites under it ("under"),
    # each as (start, end + buffer, op_id, site).
    own: list[dict[tuple[int, int], list[_Span]]] = [defaultdict(list) for _ in LEVELS]
    under: list[dict[tuple[int, int], list[_Span]]] = [defaultdict(list) for _ in LEVELS]
    for op_id, footprint in items.items():
        reach = footprint.ends_at + buffer
        for site in footprint.sites:
            span = (footprint.starts_at, reach, op_id, site)
            level = level_of(site)
            for cell in _cells(site, LEVELS[level]):
                own[level][cell].append(span)
            for coarser in range(level):
                for cell in _cells(site, LEVELS[coarser]):
                    under[coarser][cell].append(span)

    def meet(a: _Span, b: _Span) -> None:
        if a[2] == b[2]:
            return
        pair = (a[2], b[2]) if a[2] < b[2] else (b[2], a[2])
        if pair not in pairs and sites_meet(a[3], b[3]):
            pairs.add(pair)

    for level in range(len(LEVELS)):
        for cell, spans in own[level].items():
            spans.sort(key=_start)
            # Sorted by start, a later span is close exactly when it starts before the
            # earlier one's end + buffer (the other half of windows_close then holds).
            for n, first in enumerate(spans):
                for second in spans[n + 1:]:
                    if second[0] >= first[1]:
                        break
                    meet(first, second)
            finer = under[level].get(cell)
            if finer:
                _sweep_across(spans, finer, meet)
    return pairs


_Span = tuple[datetime, datetime, int, Site]


def _pair_all(pairs: set[tuple[int, int]], firsts: list[int], seconds: list[int]) -> None:
    """Add every pair of distinct operations, one from each list (lower id first)."""
    for first in firsts:
        for second in seconds:
            if first != second:
                pairs.add((first, second) if first < second else (second, first))


def _start(span: _Span) -> datetime:
    return span[0]


def _sweep_across(spans: list[_Span], others: list[_Span],
                  meet: Callable[[_Span, _Span], None]) -> None:
    """Call `meet` for every span of `spans` and of `others` whose windows are close."""
    others.sort(key=_start)
    starts = [span[0] for span in others]
    longest = max(span[1] - span[0] for span in others)
    for span in spans:
        # A close other starts before span's end + buffer, and ends (+ buffer) after span's
        # start, so it starts after span's start - longest.
        low = bisect_right(starts, span[0] - longest)
        high = bisect_left(starts, span[1])
        for other in others[low:high]:
            if other[1] > span[0]:
                meet(span, other)
