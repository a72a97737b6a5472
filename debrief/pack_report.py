"""The pack's report.html: one self-contained page (inline CSS and SVG, no external
reference at all), readable on screen and printable; `pack_pdf` prints the same page. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from threading import Lock

import markdown
import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from debrief.pack_facts import QUESTIONS, RATING_WORDS, PackFacts
from press.rendering import ALLOWED_TAGS, MARKDOWN_EXTENSIONS

TEMPLATES = Path(__file__).resolve().parent / "templates"
# A pack is read offline and archived: no links out of it, so `a` is dropped (its text kept).
PACK_TAGS = ALLOWED_TAGS - {"a"}
COLUMNS_PER_TABLE = 6  # indicators per table of figures by state: fits an A4 page
_CONVERTER_LOCK = Lock()


def markdown_html(source: str) -> str:
    """Markdown from users with raw HTML off, then nh3 with the press allow-list minus links
    (the template marks the result safe: nh3 has cleaned it)."""
    with _CONVERTER_LOCK:  # one converter, which is not safe across threads
        converter = _converter()
        try:
            body = converter.convert(source or "")
        finally:
            converter.reset()
    return nh3.clean(body, tags=set(PACK_TAGS), attributes={}, strip_comments=True)


@cache
def _converter() -> markdown.Markdown:
    # Built once (building one costs more than converting a paragraph); reset after each use.
    converter = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return converter


@dataclass(frozen=True)
class Finding:
    """An objective judged a strength or an area for improvement, with the states' words."""

    number: int
    title: str
    counts: dict[str, int]
    comments: tuple[tuple[str, str, str], ...]  # (state, rating, comment)


def findings(f: PackFacts) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """Strengths (objectives rated mostly P or S) and areas for improvement (mostly M or U;
    a tie counts as an area for improvement). Objectives nobody rated are in neither."""
    strengths, areas = [], []
    for objective in f.objectives:
        mine = [r for r in f.ratings if r.objective == objective.number]
        if not mine:
            continue
        counts = {code: sum(1 for r in mine if r.rating == code) for code in RATING_WORDS}
        finding = Finding(objective.number, objective.title, counts,
                          tuple((r.state, r.rating, r.comment) for r in mine if r.comment))
        good = counts["P"] + counts["S"]
        (strengths if good > counts["M"] + counts["U"] else areas).append(finding)
    return tuple(strengths), tuple(areas)


def _chunks(items: tuple[object, ...], size: int) -> list[tuple[object, ...]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [()]


def _inline(svg: str) -> str:
    """A standalone SVG document as inline SVG (HTML needs no namespace declaration); ours,
    with every text in it escaped, so the template marks it safe."""
    return svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)


@cache
def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES),
                              autoescape=select_autoescape(["html"]),
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["markdown"] = markdown_html
    environment.filters["inline_svg"] = _inline
    return environment


def render_report(f: PackFacts, charts: dict[str, str]) -> str:
    """The report as one HTML document (the PDF prints the same document)."""
    strengths, areas = findings(f)
    matrix = {(r.state, r.objective): r.rating for r in f.ratings}
    decon = f.deconfliction
    operation_types = sorted({c.second for c in decon.operations})
    operations = {(c.first, c.second): c.count for c in decon.operations}
    severities = sorted({c.second for c in decon.conflicts} | {c.first for c in decon.by_severity})
    reasons = sorted({c.first for c in decon.conflicts})
    conflicts = {(c.first, c.second): c.count for c in decon.conflicts}
    indicator_charts = [(indicator.label, name, charts[name]) for indicator, name in (
        (indicator, f"charts/cumulative_{number:02d}.svg")
        for number, indicator in enumerate(f.outcomes.indicators, start=1)) if name in charts]
    return _environment().get_template("debrief/pack/report.html").render(
        f=f, out=f.outcomes, decon=decon, questions=QUESTIONS, rating_words=RATING_WORDS,
        strengths=strengths, areas=areas, matrix=matrix,
        indicator_groups=_chunks(f.outcomes.indicators, COLUMNS_PER_TABLE),
        operation_types=operation_types, operations=operations, severities=severities,
        reasons=reasons, conflicts=conflicts, indicator_charts=indicator_charts,
        ratings_chart=charts.get("charts/ratings.svg", ""),
        op_states=sorted({c.first for c in decon.operations}))
