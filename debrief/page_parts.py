"""Sections of the co-chairs' debrief page contributed by the debrief's other rooms (the
improvement plan, the packs), so the page's view names none of them. A provider is called
with the session, the viewer and the period; its template is rendered with `period` and the
part's context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.page_parts import PartRegistry


@dataclass(frozen=True)
class DebriefPagePart:
    """One section of the debrief page: its heading, template and what it shows."""

    heading: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


_PARTS: PartRegistry[DebriefPagePart] = PartRegistry("debrief.page_parts")
register = _PARTS.register
parts = _PARTS.parts
