"""The query of a sortable, filterable, paginated list page (operations and conflicts of a
period): its parameters read and checked, age bands, and ages in words. A bad value is a 400
naming the parameter, never a 500 and never silently ignored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from core.errors import DomainError

PAGE_SIZE = 50
# Every filter a list page knows; one the viewer's list does not offer is refused, not ignored.
FILTER_NAMES = ("status", "severity", "type", "state", "age")
MAX_PAGE = 1_000_000

# The dashboard's bands of conflicts by age (deconfliction.conflicts_by_status_and_age).
AGE_BANDS: dict[str, tuple[str, timedelta | None, timedelta | None]] = {
    "under-24h": ("Under 24 hours", None, timedelta(hours=24)),
    "1-3-days": ("1 to 3 days", timedelta(hours=24), timedelta(days=3)),
    "over-3-days": ("Over 3 days", timedelta(days=3), None),
}


class BadListParameter(DomainError):
    """A list page's query parameter with a value it does not take (400, naming it)."""

    status = 400
    code = "bad_parameter"

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"The parameter “{name}” {problem}.", fields={name: problem})


@dataclass(frozen=True)
class Choice:
    """One filter: its parameter, label and the values it takes (value -> words)."""

    name: str
    label: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class ListQuery:
    """What a list page was asked: the sort key and direction, the filters and the page."""

    sort: str
    descending: bool = False
    filters: Mapping[str, str] = field(default_factory=dict)
    page: int = 1

    @property
    def sort_param(self) -> str:
        """The `sort` parameter's value: the key, with "-" in front when descending."""
        return f"-{self.sort}" if self.descending else self.sort

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query parameters of this query with some changed (None removes one); the
        default sort and page 1 are left out, so that links stay short."""
        values: dict[str, Any] = {**self.filters, "sort": self.sort_param,
                                  "page": self.page if self.page != 1 else None}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}

    def sorted_by(self, key: str) -> ListQuery:
        """The query a header link of column `key` leads to: that key ascending, or the
        other way when it is already the sort; back to page 1."""
        descending = not self.descending if key == self.sort else False
        return replace(self, sort=key, descending=descending, page=1)


def read_query(args: Mapping[str, str], *, sorts: Sequence[str], default_sort: str,
               choices: Sequence[Choice]) -> ListQuery:
    """Read `sort`, each filter of `choices` and `page` from a page's query string; an empty
    value is the same as none (the filter form's "All")."""
    sort_text = (args.get("sort") or "").strip()
    descending = sort_text.startswith("-")
    sort = (sort_text[1:] if descending else sort_text) if sort_text else default_sort
    if sort not in sorts:
        raise BadListParameter("sort", "must be one of " + ", ".join(sorts)
                               + " (with “-” in front for the other direction)")
    offered = {choice.name for choice in choices}
    for name in FILTER_NAMES:
        if name not in offered and (args.get(name) or "").strip():
            raise BadListParameter(name, "is not a filter of this list for you")
    filters: dict[str, str] = {}
    for choice in choices:
        value = (args.get(choice.name) or "").strip()
        if not value:
            continue
        if value not in choice.values:
            raise BadListParameter(choice.name, "must be one of " + ", ".join(choice.values))
        filters[choice.name] = value
    page_text = (args.get("page") or "1").strip()
    if (len(page_text) > 7 or not page_text.isascii() or not page_text.isdigit()
            or not 1 <= int(page_text) <= MAX_PAGE):
        raise BadListParameter("page", "must be a whole number from 1")
    return ListQuery(sort, descending, filters, int(page_text))


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, how many rows match in all, and where it stands."""

    rows: list[Any]
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        """How many pages the matching rows fill (at least one, even when empty)."""
        return max(1, -(-self.total // self.size))

    @property
    def first_row(self) -> int:
        """The position of the page's first row among all (1-based; 0 when empty)."""
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_row(self) -> int:
        """The position of the page's last row among all."""
        return (self.number - 1) * self.size + len(self.rows)

    def window(self, around: int = 2) -> list[int]:
        """The page numbers the pager links: the first, the last and a few either side."""
        numbers = {1, self.pages, *range(max(1, self.number - around),
                                         min(self.pages, self.number + around) + 1)}
        return sorted(numbers)


def check_page(number: int, total: int, size: int = PAGE_SIZE) -> None:
    """A page past the last one (when there is a row at all) is a 400 naming `page`."""
    pages = max(1, -(-total // size))
    if number > pages:
        raise BadListParameter("page", f"must be at most {pages} (the last page)")


def age_bounds(band: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The (earliest, latest) start of an age band as times: an age under `upper` means a
    start after now - upper."""
    _label, lower, upper = AGE_BANDS[band]
    return (now - upper if upper is not None else None,
            now - lower if lower is not None else None)


def age_in_words(since: datetime | None, now: datetime) -> str:
    """How long ago, to the minute, in short words: 12 min, 5 h 3 min, 2 d 4 h."""
    if since is None:
        return "—"
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"
