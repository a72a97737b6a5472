"""What a higher layer adds to a period's page, so that operations names none of it: links
beside the period's own (outcomes: the Dashboard) and sections below its facts (outcomes: an
NLO's own figures). A provider is registered on the application and called by the page's view
inside its read transaction; a section's template is rendered after it (with `period` and the
part's context), since rendering runs the context processors, which read in their own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from core.identity.services import Principal
from operations.models import Period

_PROVIDERS = "operations.period_page"


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


PartProvider = Callable[[Session, Principal, Period], PeriodPagePart | None]


def register(app: Flask, provider: PartProvider) -> None:
    """Add a provider of period-page parts (called in registration order)."""
    app.extensions.setdefault(_PROVIDERS, []).append(provider)


def parts(session: Session, principal: Principal, period: Period) -> list[PeriodPagePart]:
    """The parts every registered provider adds for this viewer and period."""
    found = (provider(session, principal, period)
             for provider in current_app.extensions.get(_PROVIDERS, []))
    return [part for part in found if part is not None]
