"""The debrief pack's content: every file inside the ZIP except manifest.json, by entry name.

The pack machinery claims a pack, calls `build_pack_files` with a progress callback, adds the
manifest, zips and stores. Entry names are fixed here, never made from user text:
`report.html`, `report.pdf`, `data/*.csv`, `charts/*.svg` and, for an NLO's annex,
`annex/operations.csv` and `annex/conflicts.csv`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from core.csvsafe import csv_bytes
from core.errors import ValidationFailed
from debrief import pack_facts as facts
from debrief.models import HANDLING_CODES
from debrief.pack_annex import read_annex
from debrief.pack_charts import chart_files
from debrief.pack_csv import annex_tables, data_tables
from debrief.pack_data import (
    get_period,
    read_debrief,
    read_deconfliction,
    read_outcomes,
    read_press,
)
from debrief.pack_pdf import render_pdf
from debrief.pack_report import render_report


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


def read_facts(session: Session, request: PackRequest, progress: Progress) -> facts.PackFacts:
    """Everything the pack shows, read from the database (aggregates only)."""
    if request.handling not in HANDLING_CODES:
        raise ValidationFailed({"handling": f"one of {', '.join(HANDLING_CODES)}"})
    moment = request.generated_at.astimezone(UTC)
    period = get_period(session, request.period_id)
    if request.annex_state is not None and request.annex_state not in period.states:
        raise ValidationFailed({"annex_state": "a participating state of the period"})
    progress(2, "reading the outcomes")
    outcomes = read_outcomes(session, period=period, until=moment)
    progress(12, "reading deconfliction")
    deconfliction = read_deconfliction(session, period=period)
    progress(20, "reading the press releases")
    press = read_press(session, period=period)
    progress(24, "reading the questionnaire and the improvement plan")
    summary, objectives, responses, ratings, plan = read_debrief(session, period=period)
    annex = None
    if request.annex_state is not None:
        progress(28, "reading the annex")
        annex = read_annex(session, period=period, state=request.annex_state, now=moment)
    return facts.PackFacts(
        period_name=period.name, starts_at=f"{period.starts_at:%Y-%m-%d %H:%M} UTC",
        ends_at=f"{period.ends_at:%Y-%m-%d %H:%M} UTC", states=tuple(period.states),
        co_chairs=tuple(period.co_chairs), handling=request.handling,
        generated_at=moment.strftime("%Y-%m-%d %H:%M"), version=request.version,
        summary=summary, outcomes=outcomes, deconfliction=deconfliction, press=press,
        objectives=objectives, responses=responses, ratings=ratings, improvements=plan,
        annex=annex)


def render_files(pack: facts.PackFacts, progress: Progress) -> dict[str, bytes]:
    """The files of a pack from its facts, in a stable order (report, data, charts, annex)."""
    progress(32, "writing the data files")
    data = {name: csv_bytes(rows) for name, rows in data_tables(pack).items()}
    if pack.annex is not None:
        data.update({name: csv_bytes(rows) for name, rows in annex_tables(pack.annex).items()})
    progress(38, "drawing the charts")
    charts = chart_files(pack)
    progress(45, "writing the report")
    page = render_report(pack, charts)
    progress(55, "printing the report to PDF")
    pdf = render_pdf(page, marking=pack.marking, period_name=pack.period_name)
    files = {"report.html": page.encode("utf-8"), "report.pdf": pdf}
    files.update((name, body) for name, body in data.items() if name.startswith("data/"))
    files.update((name, svg.encode("utf-8")) for name, svg in charts.items())
    files.update((name, body) for name, body in data.items() if name.startswith("annex/"))
    progress(100, "content ready")
    return files


def build_pack_files(session: Session, request: PackRequest,
                     progress: Progress) -> dict[str, bytes]:
    """The pack's files by entry name (fixed, safe, in a stable order), without manifest.json."""
    return render_files(read_facts(session, request, progress), progress)


