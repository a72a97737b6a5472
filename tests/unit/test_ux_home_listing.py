"""The list pages' query (operations.listing): parameters read and refused, pages, ages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from operations.listing import (
    BadListParameter,
    Choice,
    ListQuery,
    Page,
    age_bounds,
    age_in_words,
    check_page,
    read_query,
)

CHOICES = [Choice("status", "Status", {"open": "Open", "cleared": "Cleared"}),
           Choice("state", "State", {"THA": "THA", "MYS": "MYS"})]
SORTS = ("id", "age", "severity")
NOW = datetime(2031, 10, 1, 12, 0, tzinfo=UTC)


def read(**args: str) -> ListQuery:
    return read_query(args, sorts=SORTS, default_sort="id", choices=CHOICES)


def test_defaults_and_empty_values_are_no_filter():
    query = read(status="", state="  ", sort="", page="")
    assert query == ListQuery("id", False, {}, 1)
    assert query.args() == {"sort": "id"}


def test_values_are_read():
    query = read(sort="-age", status="open", state="MYS", page="3")
    assert (query.sort, query.descending, query.page) == ("age", True, 3)
    assert query.filters == {"status": "open", "state": "MYS"}
    assert query.args(page=None) == {"status": "open", "state": "MYS", "sort": "-age"}


@pytest.mark.parametrize(("args", "name"), [
    ({"sort": "title"}, "sort"), ({"sort": "--id"}, "sort"), ({"sort": "-"}, "sort"),
    ({"status": "OPEN"}, "status"), ({"state": "tha"}, "state"),
    ({"severity": "high"}, "severity"),  # a filter this list does not offer
    ({"page": "0"}, "page"), ({"page": "-1"}, "page"), ({"page": "1.5"}, "page"),
    ({"page": "\uff12"}, "page"), ({"page": "9" * 5000}, "page"), ({"page": "1000001"}, "page"),
])
def test_a_bad_value_names_its_parameter(args, name):
    with pytest.raises(BadListParameter) as refused:
        read(**args)
    assert refused.value.status == 400 and list(refused.value.fields) == [name]


def test_a_header_link_sorts_ascending_then_turns_round_on_page_one():
    query = read(sort="id", page="4", status="open")
    by_age = query.sorted_by("age")
    assert (by_age.sort, by_age.descending, by_age.page) == ("age", False, 1)
    assert by_age.filters == {"status": "open"}
    again = by_age.sorted_by("age")
    assert again.descending and again.sort_param == "-age"
    assert again.sorted_by("age").sort_param == "age"


def test_pages():
    page = Page(list(range(50)), 230, 2)
    assert (page.pages, page.first_row, page.last_row) == (5, 51, 100)
    assert page.window() == [1, 2, 3, 4, 5]
    assert Page(list(range(50)), 5000, 50).window() == [1, 48, 49, 50, 51, 52, 100]
    empty = Page([], 0, 1)
    assert (empty.pages, empty.first_row, empty.last_row) == (1, 0, 0)
    check_page(1, 0)
    check_page(5, 230)
    with pytest.raises(BadListParameter):
        check_page(6, 230)


def test_age_bands_and_words():
    assert age_bounds("under-24h", NOW) == (NOW - timedelta(hours=24), None)
    assert age_bounds("1-3-days", NOW) == (NOW - timedelta(days=3), NOW - timedelta(hours=24))
    assert age_bounds("over-3-days", NOW) == (None, NOW - timedelta(days=3))
    assert age_in_words(NOW - timedelta(seconds=59), NOW) == "0 min"
    assert age_in_words(NOW - timedelta(hours=5, minutes=3), NOW) == "5 h 3 min"
    assert age_in_words(NOW - timedelta(days=2, hours=4, minutes=59), NOW) == "2 d 4 h"
    assert age_in_words(NOW + timedelta(minutes=5), NOW) == "0 min"
    assert age_in_words(None, NOW) == "—"
