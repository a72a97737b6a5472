"""What a release template may name: plain data in, template objects out. Pure.

The service builds a `ReleaseContext` from aggregates only (never a title, site, target,
contact, note or conflict); `template_namespace` turns it into the objects a template sees,
formatted in the release's language with small-count suppression applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from press import i18n
from press.suppression import (
    DEFAULT_K,
    Cell,
    Shown,
    SuppressedFigure,
    check_k,
    is_sensitive,
    publish_all,
    suppress,
)

# An indicator's figures: a number, or its categories (the total is their sum).
Figures = Mapping[str, int | Mapping[str, int]]


@dataclass(frozen=True)
class ReleaseContext:
    """The aggregates a release is written from (state codes are ISO alpha-2 or alpha-3)."""

    period_name: str
    starts_on: date
    ends_on: date
    states: Sequence[str]
    co_chairs: Sequence[str]
    figures: Figures
    operations_count: int = 0
    operations_by_type: Mapping[str, int] = field(default_factory=dict)
    national_state: str | None = None  # national releases: the own state
    national: Figures | None = None  # national releases: the own state's figures
    k: int = DEFAULT_K


class ContextProblem(ValueError):
    """A template used a context object in a way that has no text (e.g. `{{ figures }}`)."""


class Node:
    """A template object: only the names in `_entries` can be read, nothing else."""

    __slots__ = ("_entries", "_label")

    def __init__(self, label: str, entries: Mapping[str, object]) -> None:
        self._label = label
        self._entries = dict(entries)

    def lookup(self, name: str) -> object:
        """The entry called name; KeyError when there is none."""
        return self._entries[name]

    @property
    def label(self) -> str:
        """The dotted name the template knows this object by."""
        return self._label

    def names(self) -> list[str]:
        """The entries a template may use, in order."""
        return list(self._entries)

    def __str__(self) -> str:
        raise ContextProblem(
            f"'{self._label}' is a group; name one of its entries ({', '.join(self.names())})")


class Figure(Node):
    """A figure: renders as its formatted, suppressed text; categories are attributes."""

    __slots__ = ("_text", "suppressed")

    def __init__(self, label: str, text: str, suppressed: bool,
                 categories: Mapping[str, Figure] | None = None) -> None:
        super().__init__(label, categories or {})
        self._text = text
        self.suppressed = suppressed

    def __str__(self) -> str:
        return self._text


class Day(Node):
    """A date: renders in the language's long format; the `date` filter picks another."""

    __slots__ = ("day", "language")

    def __init__(self, label: str, day: date, language: str) -> None:
        super().__init__(label, {})
        self.day = day
        self.language = language

    def __str__(self) -> str:
        return i18n.format_day(self.day, self.language)


class Names(Node):
    """A list of names: iterable, renders as "A, B and C" in the language."""

    __slots__ = ("items", "language")

    def __init__(self, label: str, items: Sequence[str], language: str) -> None:
        super().__init__(label, {})
        self.items = tuple(items)
        self.language = language

    def __iter__(self):  # noqa: ANN204 - an iterator of str
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __str__(self) -> str:
        return i18n.join_and(self.items, self.language)


def cell_text(cell: Cell, k: int, language: str) -> str:
    """A published cell as words: the number, "fewer than k" or "not published"."""
    if cell.shown is Shown.VALUE:
        return i18n.format_number(cell.value or 0, language)
    if cell.shown is Shown.SMALL:
        return i18n.fewer_than(k, language)
    return i18n.not_published(language)


def published_figures(figures: Figures, k: int) -> dict[str, SuppressedFigure]:
    """Every indicator as it will be published (suppression on sensitive ones)."""
    out = {}
    for key, value in figures.items():
        cats = value if isinstance(value, Mapping) else None
        total = 0 if cats is not None else int(value)
        out[key] = suppress(total, cats, k=k) if is_sensitive(key) else publish_all(total, cats)
    return out


def _figures_node(label: str, figures: Figures, k: int, language: str) -> Node:
    entries = {}
    for key, fig in published_figures(figures, k).items():
        cats = {name: Figure(f"{label}.{key}.{name}", cell_text(cell, k, language),
                             cell.suppressed) for name, cell in fig.categories.items()}
        entries[key] = Figure(f"{label}.{key}", cell_text(fig.total, k, language),
                              fig.total.suppressed, cats)
    return Node(label, entries)


def _count(label: str, value: int, language: str) -> Figure:
    return Figure(label, i18n.format_number(value, language), False)


def template_namespace(context: ReleaseContext, *, language: str, preliminary: bool,
                       as_at: date | None) -> dict[str, object]:
    """The names a template sees, formatted in the language, suppression applied."""
    i18n.check_language(language)
    k = check_k(context.k)
    names: dict[str, object] = {
        "period": Node("period", {
            "name": context.period_name,
            "starts_on": Day("period.starts_on", context.starts_on, language),
            "ends_on": Day("period.ends_on", context.ends_on, language)}),
        "states": Names("states", [i18n.state_name(c, language) for c in context.states],
                        language),
        "co_chairs": Names("co_chairs",
                           [i18n.state_name(c, language) for c in context.co_chairs], language),
        "figures": _figures_node("figures", context.figures, k, language),
        "operations": Node("operations", {
            "count": _count("operations.count", context.operations_count, language),
            "by_type": Node("operations.by_type", {
                t: _count(f"operations.by_type.{t}", n, language)
                for t, n in context.operations_by_type.items()})}),
        "preliminary": preliminary,
        "as_at": Day("as_at", as_at, language) if as_at is not None else None,
    }
    if context.national is not None:
        names["national"] = _figures_node("national", context.national, k, language)
    if context.national_state is not None:
        names["state"] = i18n.state_name(context.national_state, language)
    return names
