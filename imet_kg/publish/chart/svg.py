"""The chart as SVG, written by hand: no dependency, byte-stable, tooltips and links on points."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from imet_kg.errors import ImetKgError
from imet_kg.publish.chart.series import (
    ChartText,
    Point,
    Series,
    chart_text,
    joined_runs,
    series_styles,
)

WIDTH = 960
LEGEND_LINE = 20  # the height of a legend line


@dataclass(frozen=True)
class _Axes:
    left: float
    top: float
    width: float
    height: float
    first_year: int
    last_year: int
    top_amount: int

    def x(self, year: float) -> float:
        span = max(self.last_year - self.first_year, 1)
        return self.left + (year - self.first_year) / span * self.width

    def y(self, amount: Decimal | float) -> float:
        return self.top + self.height - float(amount) / self.top_amount * self.height

    @property
    def bottom(self) -> float:
        return self.top + self.height


def _grid_step(maximum: float) -> int:
    return 10_000_000 if maximum <= 60_000_000 else 20_000_000


def _nice_top(maximum: float) -> int:
    step = _grid_step(maximum)
    return max(step, int(-(-maximum // step)) * step)


def _polygon(x: float, y: float, corners: int, radius: float, turn: float) -> str:
    """The points of a regular polygon around (x, y), its first corner ``turn`` from the top."""
    points = []
    for k in range(corners):
        angle = math.radians(turn + 360 * k / corners)
        points.append(f"{x + radius * math.sin(angle):.1f},{y - radius * math.cos(angle):.1f}")
    return " ".join(points)


# Marker shape → (corners, radius, turn) for the polygon ones.
_POLYGONS = {
    "triangle": (3, 6.0, 0),
    "triangle-down": (3, 6.0, 180),
    "diamond": (4, 6.0, 0),
    "pentagon": (5, 5.5, 0),
    "hexagon": (6, 5.5, 0),
}


def _marker_svg(shape: str, x: float, y: float, colour: str, filled: bool) -> str:
    fill = colour if filled else "#ffffff"
    common = f'fill="{fill}" stroke="{colour}" stroke-width="1.8"'
    if shape == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" {common}/>'
    if shape in _POLYGONS:
        return f'<polygon points="{_polygon(x, y, *_POLYGONS[shape])}" {common}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" {common}/>'


def _dash(dashed: bool) -> str:
    return ' stroke-dasharray="6 4"' if dashed else ""


def render_svg(
    series_list: list[Series],
    link: Callable[[str], str | None] | None = None,
    title: str | None = None,
    text: ChartText | None = None,
) -> str:
    """Draw the chart as a standalone SVG document.

    Args:
        series_list: from :func:`~imet_kg.publish.chart.series.funding_series` (or deflated,
            see :mod:`~imet_kg.publish.chart.deflator`).
        link: maps an observation IRI to the href its point links to (None: no link).
        title: the chart's title, if not the worldwide chart's.
        text: the chart's words (default: :func:`~imet_kg.publish.chart.series.chart_text`,
            nominal dollars).

    Returns:
        The SVG text (the same bytes for the same series).

    Raises:
        ImetKgError: if there is nothing to draw.
    """
    text = text or chart_text()
    if title is not None:
        text = ChartText(title, text.units, text.notes, text.source)
    points = [p for s in series_list for p in s.points]
    if not points:
        raise ImetKgError("the graph has no worldwide funding figures to chart")
    axes = _Axes(
        left=90,
        top=72,
        width=WIDTH - 90 - 30,
        height=300,
        first_year=min(p.fiscal_year for p in points) - 1,
        last_year=max(p.fiscal_year for p in points) + 1,
        top_amount=_nice_top(max(float(p.amount or 0) for p in points)),
    )
    legend_top = axes.bottom + 60
    lines = len(series_list) + len(text.notes) + 1
    height = int(legend_top + LEGEND_LINE * lines + 10)
    out = _heading(series_list, text, height, axes)
    out += _grid(axes)
    out += _years(axes)
    styles = series_styles(series_list)
    for index, (series, style) in enumerate(zip(series_list, styles, strict=True)):
        out += _series(index, series, style, axes, link)
    out += _legend(series_list, styles, axes, legend_top, text)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _heading(series_list: list[Series], text: ChartText, height: int, axes: _Axes) -> list[str]:
    """The root element, the title and units, a text description of every figure, and the
    background."""
    description = "; ".join(
        f"{s.label}: "
        + ", ".join(
            f"FY{p.fiscal_year} " + ("none enacted" if p.amount is None else f"${p.amount:,.0f}")
            for p in s.points
        )
        for s in series_list
    )
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" '
        'font-size="13" class="funding-chart">',
        f'<title id="chart-title">{escape(text.title)}</title>',
        f'<desc id="chart-desc">{escape(text.units)}. {escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="{axes.left}" y="28" font-size="17" font-weight="600" class="title">'
        f"{escape(text.title)}</text>",
        f'<text x="{axes.left}" y="50" fill="#333" class="units">{escape(text.units)}</text>',
    ]


def _grid(axes: _Axes) -> list[str]:
    """Grid and y axis: ten-million steps (twenty above $60M), labelled in millions."""
    out = []
    for amount in range(0, axes.top_amount + 1, _grid_step(axes.top_amount)):
        y = axes.y(amount)
        out.append(
            f'<line x1="{axes.left}" y1="{y:.1f}" x2="{axes.left + axes.width}" y2="{y:.1f}" '
            f'stroke="{"#444" if amount == 0 else "#e3e3e3"}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{axes.left - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"${amount // 1_000_000}M</text>"
        )
    return out


def _years(axes: _Axes) -> list[str]:
    """X axis: a tick every year, a label every five."""
    out = []
    base = axes.bottom
    for year in range(axes.first_year, axes.last_year + 1):
        x = axes.x(year)
        tick = 6 if year % 5 == 0 else 3
        out.append(
            f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + tick}" stroke="#444"/>'
        )
        if year % 5 == 0:
            out.append(f'<text x="{x:.1f}" y="{base + 20}" text-anchor="middle">FY{year}</text>')
    out.append(
        f'<text x="{axes.left + axes.width / 2:.1f}" y="{axes.bottom + 42}" '
        'text-anchor="middle" fill="#555">Fiscal year</text>'
    )
    return out


def _series(
    index: int,
    series: Series,
    style: tuple[str, str, bool],
    axes: _Axes,
    link: Callable[[str], str | None] | None,
) -> list[str]:
    """One series: its lines, then each point with its tooltip (and link)."""
    colour, marker, dashed = style
    out = [
        f'<g class="series" data-kind="{escape(series.kind)}" id="series-{index}">',
        f"<title>{escape(series.label)}</title>",
    ]
    for run in joined_runs(series.points):
        coords = " ".join(f"{axes.x(p.fiscal_year):.1f},{axes.y(p.amount):.1f}" for p in run)
        out.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{_dash(dashed)}/>'
        )
    for point in series.points:
        if point.amount is not None:  # no amount enacted: a gap, not a mark on the zero line
            out.append(_point(point, series, marker, colour, axes, link))
    out.append("</g>")
    return out


def _point(
    point: Point,
    series: Series,
    marker: str,
    colour: str,
    axes: _Axes,
    link: Callable[[str], str | None] | None,
) -> str:
    """A figure's marker (hollow when unverified) with its tooltip, linked to its observation."""
    tip = f"<title>{escape(point.describe(series))}</title>"
    shape = _marker_svg(
        marker, axes.x(point.fiscal_year), axes.y(point.amount), colour, point.verified
    )
    href = link(point.observation) if link else None
    body = f'<g class="point">{tip}{shape}</g>'
    return f"<a href={quoteattr(href)}>{body}</a>" if href else body


def _legend(
    series_list: list[Series],
    styles: list[tuple[str, str, bool]],
    axes: _Axes,
    legend_top: float,
    text: ChartText,
) -> list[str]:
    """Legend: line and marker, kind and source per series; then how to read it, the source."""
    out = []
    for index, (series, (colour, marker, dashed)) in enumerate(
        zip(series_list, styles, strict=True)
    ):
        y = legend_top + index * LEGEND_LINE
        out.append(
            f'<line x1="{axes.left}" y1="{y:.1f}" x2="{axes.left + 28}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="2"{_dash(dashed)}/>'
        )
        out.append(_marker_svg(marker, axes.left + 14, y, colour, True))
        out.append(
            f'<text x="{axes.left + 38}" y="{y + 4:.1f}" class="legend">'
            f"{escape(series.label)}</text>"
        )
    y = legend_top + len(series_list) * LEGEND_LINE
    for line in text.notes:
        out.append(
            f'<text x="{axes.left}" y="{y + 4:.1f}" fill="#555" class="note">{escape(line)}</text>'
        )
        y += LEGEND_LINE
    out.append(
        f'<text x="{axes.left}" y="{y + 4:.1f}" fill="#555" class="source">'
        f"{escape(text.source)}</text>"
    )
    return out
