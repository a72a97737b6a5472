"""What a higher layer adds to a period's page, so that operations names none of it: links
beside the period's own (outcomes: the Dashboard) and sections below its facts (outcomes: an
NLO's own figures). A provider is registered on the application and called by the page's view
inside its read transaction; a section's template is rendered after it (with `period` and the
part's context), since rendering runs the context processors, which read in their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.page_parts import PartRegistry


@dataclass(frozen=True)
class PageLink:
    """A link among the period's actions."""

    text: str
    href: str
    button: bool = True


@dataclass(frozen=True)
class PeriodPagePart:
    """One provider's contribution: links (in order) and a section: a template of the
    provider's and what it shows."""

    links: tuple[PageLink, ...] = ()
    template: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)


_PARTS: PartRegistry[PeriodPagePart] = PartRegistry("operations.period_page")
register = _PARTS.register
parts = _PARTS.parts
