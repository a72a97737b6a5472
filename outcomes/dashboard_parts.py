"""Sections that a higher layer adds to a period's dashboard (debrief: the improvement plan's
open and overdue items), so that outcomes names none of it. A provider is called with the
session, the viewer and the period; its template is rendered with `period` and the part's
context. The sections sit below the part of the page that refreshes itself every minute."""

from __future__ import annotations

from core.page_parts import PagePart, PartRegistry

DashboardPart = PagePart

_PARTS: PartRegistry[DashboardPart] = PartRegistry("outcomes.dashboard_parts")
register = _PARTS.register
parts = _PARTS.parts
