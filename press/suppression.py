"""Small-count suppression for published figures. Pure: standard library only.

Rules (k = 5 by default, a period setting of at least 3), for a sensitive indicator's total
and its categories (the total is the sum of the categories):

* 0 is published as 0; a value from 1 to k-1 is SMALL and reads "fewer than k".
* A total below k is SMALL and its whole breakdown is WITHHELD (zeros too: publishing the
  zeros would tell a reader which of the withheld categories are not empty).
* With a published total, every category from 1 to k-1 is SMALL; then, while any suppressed
  category could be worked out exactly from the published cells (the total, the published
  categories, "fewer than k" meaning 1..k-1 and "withheld" meaning 0 or at least k), the
  smallest still-published non-zero category is WITHHELD as well; if none is left, a zero
  category; if none is left either, the total itself is WITHHELD.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

SENSITIVE_INDICATORS = frozenset({"victims_assisted", "smuggled_migrants_detected"})
DEFAULT_K = 5
MIN_K = 3

Intervals = list[tuple[int, int]]


class Shown(Enum):
    """How a cell appears in a release."""

    VALUE = "value"  # the exact number
    SMALL = "small"  # 1..k-1: "fewer than k"
    WITHHELD = "withheld"  # complementary suppression: "not published"


@dataclass(frozen=True)
class Cell:
    """One published cell: how it is shown and, only when shown as a value, the value."""

    shown: Shown
    value: int | None = None

    @property
    def suppressed(self) -> bool:
        """True when the value is not published."""
        return self.shown is not Shown.VALUE


@dataclass(frozen=True)
class SuppressedFigure:
    """An indicator as published: its total and its categories (in the given order)."""

    total: Cell
    categories: dict[str, Cell] = field(default_factory=dict)


def is_sensitive(key: str) -> bool:
    """True for indicators whose small counts are suppressed."""
    return key in SENSITIVE_INDICATORS


def check_k(k: int) -> int:
    """Return k, or raise ValueError when it is below the minimum of 3."""
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"the small-count threshold must be a whole number >= {MIN_K}")
    return k


def publish_all(total: int, categories: Mapping[str, int] | None = None) -> SuppressedFigure:
    """An indicator that is not sensitive: every cell shown as it is."""
    cats = dict(categories or {})
    if cats:
        total = sum(cats.values())
    return SuppressedFigure(Cell(Shown.VALUE, total),
                            {name: Cell(Shown.VALUE, v) for name, v in cats.items()})


def suppress(total: int, categories: Mapping[str, int] | None = None, *,
             k: int = DEFAULT_K) -> SuppressedFigure:
    """Apply small-count and complementary suppression to a total and its categories."""
    check_k(k)
    cats = dict(categories or {})
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0
           for v in [total, *cats.values()]):
        raise ValueError("figures must be whole numbers >= 0")
    if cats:
        total = sum(cats.values())
    if total == 0:
        return publish_all(0, cats)
    if total < k:
        return SuppressedFigure(Cell(Shown.SMALL),
                                {name: Cell(Shown.WITHHELD) for name in cats})
    shown = {name: Shown.SMALL if 0 < v < k else Shown.VALUE for name, v in cats.items()}
    total_shown = Shown.VALUE
    while any(s is not Shown.VALUE for s in shown.values()) and \
            derivable(total, cats, shown, k):
        candidates = sorted((v == 0, v, i) for i, (name, v) in enumerate(cats.items())
                            if shown[name] is Shown.VALUE)
        if not candidates:
            total_shown = Shown.WITHHELD
            break
        shown[list(cats)[candidates[0][2]]] = Shown.WITHHELD
    return SuppressedFigure(
        Cell(total_shown, total if total_shown is Shown.VALUE else None),
        {name: Cell(s, cats[name] if s is Shown.VALUE else None) for name, s in shown.items()})


def derivable(total: int, values: Mapping[str, int], shown: Mapping[str, Shown],
              k: int) -> list[str]:
    """The suppressed categories a reader could work out exactly under a published total.

    The reader knows the total, the published categories, that SMALL is 1..k-1 and that
    WITHHELD is 0 or from k up to the smallest published category of at least k (the rule
    withholds the smallest first). Exact: domains are unions of intervals and the only
    constraint is the sum, so a value is possible iff the rest can make up the difference.
    """
    rest = total - sum(v for name, v in values.items() if shown[name] is Shown.VALUE)
    big = [v for name, v in values.items() if shown[name] is Shown.VALUE and v >= k]
    ceiling = min([rest, *big])
    domains: dict[str, Intervals] = {}
    for name, s in shown.items():
        if s is Shown.SMALL:
            domains[name] = [(1, k - 1)]
        elif s is Shown.WITHHELD:
            domains[name] = _merge([(0, 0), (k, ceiling)])
    found = []
    for name, domain in domains.items():
        others: Intervals = [(0, 0)]
        for other, other_domain in domains.items():
            if other != name:
                others = _add(others, other_domain, rest)
        possible = _intersect(domain, [(rest - hi, rest - lo) for lo, hi in others])
        if sum(hi - lo + 1 for lo, hi in possible) < 2:
            found.append(name)
    return found


def _merge(intervals: Intervals) -> Intervals:
    """Sorted, non-overlapping, non-adjacent intervals; empty ones dropped."""
    out: Intervals = []
    for lo, hi in sorted(i for i in intervals if i[0] <= i[1]):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _add(a: Intervals, b: Intervals, cap: int) -> Intervals:
    """All sums x + y (x in a, y in b) up to cap."""
    return _merge([(x1 + y1, min(x2 + y2, cap)) for x1, x2 in a for y1, y2 in b
                   if x1 + y1 <= cap])


def _intersect(a: Intervals, b: Intervals) -> Intervals:
    """The integers in both a and b."""
    return _merge([(max(x1, y1), min(x2, y2)) for x1, x2 in a for y1, y2 in b])
