"""Small-count suppression: 1..k-1 never published, the complementary rule, and a property
test that no suppressed cell can be worked out from the published cells of the release."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from press.context import published_figures
from press.suppression import (
    Cell,
    Shown,
    SuppressedFigure,
    check_k,
    derivable,
    is_sensitive,
    publish_all,
    suppress,
)

V, S, W = Shown.VALUE, Shown.SMALL, Shown.WITHHELD


def shown(fig: SuppressedFigure) -> tuple[Shown, list[Shown]]:
    return fig.total.shown, [c.shown for c in fig.categories.values()]


def cats(*values: int) -> dict[str, int]:
    return {f"c{i}": v for i, v in enumerate(values)}


@pytest.mark.parametrize(("values", "k", "expected"), [
    # nothing small: everything published, zeros included
    ((30, 20, 0, 6), 5, (V, [V, V, V, V])),
    # zero total: zeros published
    ((0, 0, 0), 5, (V, [V, V, V])),
    # one small category: the next smallest non-zero one goes with it
    ((30, 20, 3, 6, 0), 5, (V, [V, V, S, W, V])),
    # two small categories that could only be 1 + 1: a third cell is withheld
    ((1, 1, 30, 40), 5, (V, [S, S, W, V])),
    # two small ones with room to move: enough as they are
    ((1, 2, 30), 5, (V, [S, S, V])),
    # 4 + 4 under a total of 8 with k = 5: only 4 + 4 fits, so a zero is withheld too
    ((4, 4, 0), 5, (V, [S, S, W])),
    # 4 + 4 and nothing else to withhold: the total goes
    ((4, 4), 5, (W, [S, S])),
    # total below k: the total reads "fewer than k" and the breakdown is withheld
    ((2, 0, 1), 5, (S, [W, W, W])),
    ((4,), 5, (S, [W])),
    # k = 3
    ((1, 1, 0, 9), 3, (V, [S, S, V, W])),
    # exactly k is published
    ((5, 5, 5), 5, (V, [V, V, V])),
])
def test_suppression_rules(values, k, expected):
    assert shown(suppress(0, cats(*values), k=k)) == expected


def test_a_total_without_categories():
    assert suppress(3).total == Cell(S)
    assert suppress(0).total == Cell(V, 0)
    assert suppress(5).total == Cell(V, 5)
    assert suppress(7, k=10).total == Cell(S)


def test_published_cells_carry_their_values_and_suppressed_ones_none():
    fig = suppress(0, {"female_adult": 30, "male_adult": 20, "female_child": 3, "male_child": 6,
                       "unknown": 0})
    assert fig.total == Cell(V, 59)
    assert fig.categories == {"female_adult": Cell(V, 30), "male_adult": Cell(V, 20),
                              "female_child": Cell(S), "male_child": Cell(W),
                              "unknown": Cell(V, 0)}
    assert [c.suppressed for c in fig.categories.values()] == [False, False, True, True, False]


def test_k_must_be_at_least_three_and_values_whole():
    assert check_k(3) == 3
    for bad in (2, 0, -1, True, 4.0, "5"):
        with pytest.raises(ValueError, match=">= 3"):
            suppress(10, k=bad)
    with pytest.raises(ValueError, match="whole numbers"):
        suppress(0, {"a": -1})


def test_only_sensitive_indicators_are_suppressed():
    assert is_sensitive("victims_assisted") and is_sensitive("smuggled_migrants_detected")
    assert not is_sensitive("arrests")
    figures = published_figures({"arrests": 2, "victims_assisted": 2,
                                 "smuggled_migrants_detected": {"female_adult": 1,
                                                                "male_adult": 9}}, 5)
    assert figures["arrests"] == publish_all(2)
    assert figures["victims_assisted"].total == Cell(S)
    assert shown(figures["smuggled_migrants_detected"]) == (V, [S, W])


def test_derivable_names_cells_a_reader_could_work_out():
    values = cats(1, 1, 30)
    assert sorted(derivable(32, values, {"c0": S, "c1": S, "c2": V}, 5)) == ["c0", "c1"]
    assert derivable(32, values, {"c0": S, "c1": S, "c2": W}, 5) == []
    assert derivable(36, cats(1, 35), {"c0": S, "c1": V}, 5) == ["c0"]


# --- property: nothing suppressed can be derived exactly --------------------------------------

def reader_domains(fig: SuppressedFigure, k: int, cap: int) -> tuple[range, list[range]]:
    """What a reader knows of each cell from the words printed, rule by rule (brute force)."""
    total = fig.total
    if total.shown is V:
        t_dom = range(total.value, total.value + 1)
    elif total.shown is S:
        t_dom = range(1, k)
    else:
        t_dom = range(k, cap + 1)
    hi = max(t_dom)
    domains = []
    for cell in fig.categories.values():
        if cell.shown is V:
            domains.append(range(cell.value, cell.value + 1))
        elif cell.shown is S:
            domains.append(range(1, k))
        elif total.shown is S:  # the breakdown of a small total: anything up to it
            domains.append(range(0, hi + 1))
        else:  # withheld beside a published (or withheld) total: 0 or at least k
            domains.append(range(0, hi + 1))
    return t_dom, domains


def possible_values(fig: SuppressedFigure, k: int, cap: int) -> tuple[set, list[set]]:
    """Every value each cell can take in some assignment consistent with the release."""
    t_dom, domains = reader_domains(fig, k, cap)
    withheld_rule = fig.total.shown is not S
    shown_cells = list(fig.categories.values())
    t_seen: set[int] = set()
    seen: list[set[int]] = [set() for _ in domains]
    for combo in itertools.product(*domains):
        if withheld_rule and any(c.shown is W and 0 < v < k for c, v in zip(shown_cells, combo,
                                                                            strict=True)):
            continue
        total = sum(combo)
        if total not in t_dom:
            continue
        t_seen.add(total)
        for i, v in enumerate(combo):
            seen[i].add(v)
    return t_seen, seen


vectors = st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=4)


@settings(max_examples=400, deadline=None)
@given(values=vectors, k=st.integers(min_value=3, max_value=6))
def test_no_suppressed_cell_can_be_derived_from_the_published_ones(values, k):
    fig = suppress(0, cats(*values), k=k)
    truth = sum(values)
    # What is printed is true.
    assert fig.total.shown is not V or fig.total.value == truth
    assert fig.total.shown is not S or 0 < truth < k
    for cell, v in zip(fig.categories.values(), values, strict=True):
        assert cell.shown is not V or cell.value == v
        assert cell.shown is not S or 0 < v < k
        if fig.total.shown is V:
            assert cell.shown is not W or v == 0 or v >= k
    assert all(not (0 < v < k) or c.suppressed for c, v in zip(fig.categories.values(), values,
                                                                strict=True))
    # Nothing hidden can be pinned down.
    t_seen, seen = possible_values(fig, k, cap=truth + 2 * k)
    assert truth in t_seen
    if fig.total.suppressed:
        assert len(t_seen) >= 2, (values, k, fig)
    for cell, v, options in zip(fig.categories.values(), values, seen, strict=True):
        assert v in options
        if cell.suppressed:
            assert len(options) >= 2, (values, k, fig, options)


def test_the_checker_catches_primary_suppression_alone():
    naive = SuppressedFigure(Cell(V, 32), {"c0": Cell(S), "c1": Cell(S), "c2": Cell(V, 30)})
    _, seen = possible_values(naive, 5, cap=40)
    assert seen[0] == {1} and seen[1] == {1}  # 1 + 1 = 32 - 30: both derivable
    single = SuppressedFigure(Cell(V, 33), {"c0": Cell(S), "c1": Cell(V, 30)})
    assert possible_values(single, 5, cap=40)[1][0] == {3}
