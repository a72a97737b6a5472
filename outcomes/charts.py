"""Inline SVG charts: scale a daily series into plot coordinates. Pure."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 320, 120, 34, 22, 8


@dataclass(frozen=True)
class Bar:
    """One day's bar."""

    x: float
    y: float
    width: float
    height: float
    day: str
    value: int


@dataclass(frozen=True)
class Chart:
    """A bar chart of a daily series, ready for an <svg> template."""

    bars: list[Bar]
    maximum: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = PAD_LEFT
    bottom: int = HEIGHT - PAD_BOTTOM
    first_day: str = ""
    last_day: str = ""


def bar_chart(days: list[str], values: dict[str, int]) -> Chart:
    """Bars for every day in `days` (missing days are zero), scaled to the largest value."""
    maximum = max([values.get(d, 0) for d in days] + [1])
    plot_width = WIDTH - PAD_LEFT - 4
    plot_height = HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_width / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        value = values.get(day, 0)
        height = plot_height * value / maximum
        bars.append(Bar(x=round(PAD_LEFT + index * step + step * 0.1, 2),
                        y=round(HEIGHT - PAD_BOTTOM - height, 2),
                        width=round(max(step * 0.8, 1), 2), height=round(height, 2),
                        day=day, value=value))
    return Chart(bars, maximum, first_day=days[0] if days else "",
                 last_day=days[-1] if days else "")
