"""Registries through which a higher layer adds sections to a lower layer's page, so that the
lower layer names none of it. A provider is registered on the application and called by the
page's view inside its read transaction; the part's template is rendered after it, since
rendering runs the context processors, which read in their own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flask import Flask, current_app

Part = TypeVar("Part")


@dataclass(frozen=True)
class PagePart:
    """One section of a page: a template of the provider's and what it shows."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


class PartRegistry(Generic[Part]):
    """The providers of one kind of part, kept on the application under a stable key."""

    def __init__(self, key: str) -> None:
        self.key = key

    def register(self, app: Flask, provider: Callable[..., Part | None]) -> None:
        """Add a provider (its parts are shown in registration order)."""
        app.extensions.setdefault(self.key, []).append(provider)

    def parts(self, *args: Any) -> list[Part]:
        """The parts every registered provider adds, each called with `args` (the session,
        the viewer and, for a period's page, the period); None adds nothing."""
        found = (provider(*args) for provider in current_app.extensions.get(self.key, []))
        return [part for part in found if part is not None]
