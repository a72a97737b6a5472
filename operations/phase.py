"""The phase of a period, derived from the clock and its window (never stored). Pure."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class Phase(StrEnum):
    """Where a period stands in time."""

    PLANNING = "planning"
    ACTIVE = "active"
    CLOSED = "closed"


def phase_at(starts_at: datetime, ends_at: datetime, now: datetime) -> Phase:
    """Planning before the window, active inside it (half-open), closed from its end."""
    if now < starts_at:
        return Phase.PLANNING
    if now < ends_at:
        return Phase.ACTIVE
    return Phase.CLOSED
