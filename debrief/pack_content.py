"""The debrief pack's content: every file inside the ZIP except manifest.json, by entry name.

The pack machinery (`debrief/packs*.py`) claims a pack, calls `build_pack_files` with a
progress callback, adds the manifest, zips and stores. Entry names are fixed here, never
made from user text.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.csvsafe import csv_bytes
from core.errors import NotFound, ValidationFailed
from debrief.models import HANDLING_CODES
from operations.models import Period
from outcomes.models import StateSum
from outcomes.services import catalogue


@dataclass(frozen=True)
class PackRequest:
    """What to build: a period's pack version, its handling code, when, and for an NLO's
    annex the state whose own additions it carries."""

    period_id: int
    version: int
    handling: str  # "H0".."H3"
    generated_at: datetime  # UTC, aware
    annex_state: str | None = None


Progress = Callable[[int, str], None]  # (percent 0..100 of the content work, stage words)


def build_pack_files(session: Session, request: PackRequest,
                     progress: Progress) -> dict[str, bytes]:
    """The pack's files by entry name (fixed, safe, in a stable order), without manifest.json."""
    if request.handling not in HANDLING_CODES:
        raise ValidationFailed({"handling": f"one of {', '.join(HANDLING_CODES)}"})
    period = session.get(Period, request.period_id)
    if period is None:
        raise NotFound("period")
    progress(0, "reading the figures")
    indicators = catalogue(session, period.id)
    sums: dict[tuple[str, str], int] = {}
    for state, key, value in session.execute(
            select(StateSum.state, StateSum.key, StateSum.value)
            .where(StateSum.period_id == period.id)):
        sums[(state, key)] = sums.get((state, key), 0) + int(value)
    rows: list[list[str | int | float | None]] = [["indicator", "label", "unit", "total"]]
    for indicator in indicators:
        total = sum(v for (_, key), v in sums.items() if key == indicator.key)
        rows.append([indicator.key, indicator.label, indicator.unit, total])
    progress(50, "writing the report")
    report = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
              f"<title>{html.escape(period.name)}</title></head><body>"
              f"<p>{request.handling}</p><h1>{html.escape(period.name)}</h1></body></html>")
    progress(100, "done")
    return {"report.html": report.encode("utf-8"), "data/totals.csv": csv_bytes(rows)}
