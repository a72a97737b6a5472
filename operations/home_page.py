"""Sections that a higher layer adds to the home page (debrief: an NLO's own improvement
items; outcomes: today's report inside each active period's card), so that operations names
none of it. A provider is registered on the application and
called by the home view inside its read transaction; its template is rendered after it with
the part's context."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from core.identity.services import Principal
from operations.models import Period

_PROVIDERS = "operations.home_page"


@dataclass(frozen=True)
class HomePart:
    """One section of the home page: a template of the provider's and what it shows."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


PartProvider = Callable[[Session, Principal], HomePart | None]


def register(app: Flask, provider: PartProvider) -> None:
    """Add a provider of home-page sections (shown in registration order)."""
    app.extensions.setdefault(_PROVIDERS, []).append(provider)


def parts(session: Session, principal: Principal) -> list[HomePart]:
    """The sections every registered provider adds for this viewer."""
    found = (provider(session, principal)
             for provider in current_app.extensions.get(_PROVIDERS, []))
    return [part for part in found if part is not None]


# ---------------------------------------------------------------- per active period

_PERIOD_PROVIDERS = "operations.home_page.period"


@dataclass(frozen=True)
class HomePeriodPart:
    """What a higher layer shows inside one active period's card on the home page
    (outcomes: today's report and the days not reported): a template and its context."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


PeriodPartProvider = Callable[[Session, Principal, Period], HomePeriodPart | None]


def register_period_part(app: Flask, provider: PeriodPartProvider) -> None:
    """Add a provider of sections inside each active period's card (in registration order)."""
    app.extensions.setdefault(_PERIOD_PROVIDERS, []).append(provider)


def period_parts(session: Session, principal: Principal,
                 period: Period) -> list[HomePeriodPart]:
    """The sections every registered provider adds to one active period's card."""
    found = (provider(session, principal, period)
             for provider in current_app.extensions.get(_PERIOD_PROVIDERS, []))
    return [part for part in found if part is not None]
