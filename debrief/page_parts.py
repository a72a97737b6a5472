"""Sections of the co-chairs' debrief page contributed by the debrief's other rooms (the
improvement plan, the packs), so the page's view names none of them. A provider is registered
on the application and called by the page's view inside its read transaction; its template is
rendered with `period` and the part's context."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from core.identity.services import Principal
from operations.models import Period

_PROVIDERS = "debrief.page_parts"


@dataclass(frozen=True)
class DebriefPagePart:
    """One section of the debrief page: its heading, template and what it shows."""

    heading: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


PartProvider = Callable[[Session, Principal, Period], DebriefPagePart | None]


def register(app: Flask, provider: PartProvider) -> None:
    """Add a provider of debrief-page sections (shown in registration order)."""
    app.extensions.setdefault(_PROVIDERS, []).append(provider)


def parts(session: Session, principal: Principal, period: Period) -> list[DebriefPagePart]:
    """The sections every registered provider adds for this viewer and period."""
    found = (provider(session, principal, period)
             for provider in current_app.extensions.get(_PROVIDERS, []))
    return [part for part in found if part is not None]
