"""The pack's charts as standalone SVG: the dashboard's bar charts (`outcomes.charts`) of each
indicator's daily cumulative total, and the objectives' P/S/M/U rating counts. Pure.

Every colour and font is an attribute (no stylesheet, no external reference), so a file
opens alike in a browser, inline in report.html and in the PDF.
"""

from __future__ import annotations

from html import escape

from debrief.pack_facts import PackFacts
from outcomes.charts import Chart, bar_chart

SVG_NS = "http://www.w3.org/2000/svg"
FONT = 'font-family="Noto Sans, sans-serif" font-size="8" fill="#333333"'
RATING_COLOURS = {"P": "#1b7837", "S": "#a6dba0", "M": "#f4a582", "U": "#b2182b"}


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} {height}" width="{width * 2}" '
            f'height="{height * 2}" role="img"><title>{escape(title)}</title>{body}</svg>\n')


def bars_svg(chart: Chart, title: str) -> str:
    """The dashboard's bar chart as a standalone SVG document."""
    parts = [
        f'<line x1="{chart.left}" y1="{chart.bottom}" x2="{chart.width - 2}" '
        f'y2="{chart.bottom}" stroke="#555555" stroke-width="0.5"/>',
        f'<line x1="{chart.left}" y1="8" x2="{chart.left}" y2="{chart.bottom}" '
        f'stroke="#555555" stroke-width="0.5"/>',
        f'<text x="{chart.left - 4}" y="14" text-anchor="end" {FONT}>{chart.maximum}</text>',
        f'<text x="{chart.left - 4}" y="{chart.bottom}" text-anchor="end" {FONT}>0</text>',
    ]
    # All bars in one path: a printer lays out one element instead of one per day (60 days
    # x 15 indicators made the charts a quarter of the PDF's work); the figures are in
    # data/daily_cumulative.csv.
    bars = " ".join(f"M{b.x} {b.y}h{b.width}v{b.height}h-{b.width}z"
                    for b in chart.bars if b.height > 0)
    if bars:
        parts.append(f'<path d="{bars}" fill="#2b6cb0"/>')
    parts += [
        f'<text x="{chart.left}" y="{chart.height - 6}" {FONT}>{chart.first_day}</text>',
        f'<text x="{chart.width - 2}" y="{chart.height - 6}" text-anchor="end" {FONT}>'
        f'{chart.last_day}</text>']
    return _svg(chart.width, chart.height, title, "".join(parts))


def ratings_svg(f: PackFacts) -> str:
    """One stacked bar per objective: how many states rated it P, S, M and U."""
    states = max(len(f.states), 1)
    row, left, width = 16, 40, 300
    height = row * (len(f.objectives) + 2)
    counts = {(r.objective, r.rating): 0 for r in f.ratings}
    for rating in f.ratings:
        counts[(rating.objective, rating.rating)] += 1
    parts = []
    for index, objective in enumerate(f.objectives):
        y, x = row * index + 4, float(left)
        parts.append(f'<text x="{left - 4}" y="{y + 10}" text-anchor="end" {FONT}>'
                     f'Obj. {objective.number}</text>')
        for code, colour in RATING_COLOURS.items():
            n = counts.get((objective.number, code), 0)
            if n:
                w = round(width * n / states, 2)
                parts.append(f'<rect x="{round(x, 2)}" y="{y}" width="{w}" height="{row - 4}" '
                             f'fill="{colour}"><title>Objective {objective.number}, {code}: '
                             f'{n}</title></rect>')
                x += w
    legend_y = row * len(f.objectives) + 14
    for index, (code, colour) in enumerate(RATING_COLOURS.items()):
        x = left + index * 60
        parts.append(f'<rect x="{x}" y="{legend_y - 8}" width="8" height="8" fill="{colour}"/>'
                     f'<text x="{x + 11}" y="{legend_y}" {FONT}>{code}</text>')
    return _svg(left + width + 8, height + 8,
                f"Ratings of the objectives by {len(f.states)} states (P, S, M, U)",
                "".join(parts))


def chart_files(f: PackFacts) -> dict[str, str]:
    """The SVG charts by fixed entry name: `charts/cumulative_NN.svg` in catalogue order
    (indicators with a total only), then `charts/ratings.svg`."""
    out = f.outcomes
    charts: dict[str, str] = {}
    for number, indicator in enumerate(out.indicators, start=1):
        if not out.totals.get(indicator.key):
            continue
        chart = bar_chart(list(out.days), out.cumulative(indicator.key))
        charts[f"charts/cumulative_{number:02d}.svg"] = bars_svg(
            chart, f"{indicator.label}: cumulative total, {chart.first_day} to "
                   f"{chart.last_day}; {chart.maximum} in all")
    charts["charts/ratings.svg"] = ratings_svg(f)
    return charts
