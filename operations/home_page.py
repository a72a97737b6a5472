"""Sections that a higher layer adds to the home page (debrief: an NLO's own improvement
items; outcomes: today's report inside each active period's card), so that operations names
none of it. A page-wide provider is called with the session and the viewer; a period's one also
with the active period whose card it fills."""

from __future__ import annotations

from core.page_parts import PagePart, PartRegistry

HomePart = PagePart
# What a higher layer shows inside one active period's card (outcomes: today's report and the
# days not reported).
HomePeriodPart = PagePart

_PARTS: PartRegistry[HomePart] = PartRegistry("operations.home_page")
register = _PARTS.register
parts = _PARTS.parts

_PERIOD_PARTS: PartRegistry[HomePeriodPart] = PartRegistry("operations.home_page.period")
register_period_part = _PERIOD_PARTS.register
period_parts = _PERIOD_PARTS.parts
