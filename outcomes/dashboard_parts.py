"""Sections that a higher layer adds to a period's dashboard (debrief: the improvement plan's
open and overdue items), so that outcomes names none of it. A provider is registered on the
application and called by the dashboard's view inside its read transaction; its template is
rendered after it, with `period` and the part's context. The sections sit below the part of
the page that refreshes itself every minute."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from core.identity.services import Principal
from operations.models import Period

_PROVIDERS = "outcomes.dashboard_parts"


@dataclass(frozen=True)
class DashboardPart:
    """One section of the dashboard: a template of the provider's and what it shows."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


PartProvider = Callable[[Session, Principal, Period], DashboardPart | None]


def register(app: Flask, provider: PartProvider) -> None:
    """Add a provider of dashboard sections (shown in registration order)."""
    app.extensions.setdefault(_PROVIDERS, []).append(provider)


def parts(session: Session, principal: Principal, period: Period) -> list[DashboardPart]:
    """The sections every registered provider adds for this viewer and period."""
    found = (provider(session, principal, period)
             for provider in current_app.extensions.get(_PROVIDERS, []))
    return [part for part in found if part is not None]
