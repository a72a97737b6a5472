"""Pydantic error locations shown as field paths: ("targets", 2, "value") -> targets[2].value."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.api import field_path


@pytest.mark.parametrize(
    ("location", "path"),
    [
        ((), "body"),
        (("name",), "name"),
        (("targets", 2, "value"), "targets[2].value"),
        (("locations", 0, "lat"), "locations[0].lat"),
        (("values", "victims_assisted", "female_child"), "values.victims_assisted.female_child"),
        (("states", 0), "states[0]"),
        (("matrix", 1, 2), "matrix[1][2]"),
        ((3,), "[3]"),
        ((0, "name"), "[0].name"),
    ],
)
def test_examples(location, path):
    assert field_path(location) == path


def parse(path: str) -> tuple[object, ...]:
    """The inverse of field_path for names without '.', '[' or ']'."""
    parts: list[object] = []
    for name, index in re.findall(r"\.?([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return tuple(parts)


names = st.text(st.characters(blacklist_characters=".[]", blacklist_categories=("Cs",)),
                min_size=1, max_size=12)
locations = st.lists(st.one_of(names, st.integers(min_value=0, max_value=10_000)),
                     min_size=1, max_size=6).map(tuple)


@given(locations)
def test_round_trip(location):
    assert parse(field_path(location)) == location


@given(st.lists(st.one_of(names, st.integers(min_value=0)), max_size=6).map(tuple))
def test_always_a_non_empty_string(location):
    path = field_path(location)
    assert isinstance(path, str)
    assert path
