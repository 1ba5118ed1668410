"""The funding chart: IMET money by fiscal year, one series per kind of figure and source.

Years with no amount enacted are drawn as crosses on the zero line, unverified figures as hollow
markers; consecutive fiscal years are joined by a line, gaps are not bridged. The series and the
drawing rules are in :mod:`~imet_kg.publish.chart.series`; the SVG is written by hand
(:mod:`~imet_kg.publish.chart.svg`), the PNG drawn with matplotlib
(:mod:`~imet_kg.publish.chart.png`).
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph

from imet_kg.errors import ImetKgError
from imet_kg.publish.chart.png import render_png
from imet_kg.publish.chart.series import (
    CHART_PROGRAM,
    CHART_QUERY,
    Point,
    Series,
    funding_series,
    joined_runs,
)
from imet_kg.publish.chart.svg import render_svg

__all__ = [
    "CHART_PROGRAM",
    "CHART_QUERY",
    "Point",
    "Series",
    "chart_bytes",
    "funding_series",
    "joined_runs",
    "render_png",
    "render_svg",
]


def chart_bytes(
    graph: Graph, fmt: str = "svg", link: Callable[[str], str | None] | None = None
) -> bytes:
    """Render the funding chart of ``graph`` as ``svg`` or ``png`` bytes.

    Raises:
        ImetKgError: for an unknown format, or a graph with no funding figures.
    """
    series_list = funding_series(graph)
    if fmt == "svg":
        return render_svg(series_list, link=link).encode("utf-8")
    if fmt == "png":
        return render_png(series_list)
    raise ImetKgError(f"unknown chart format {fmt!r} (choose svg or png)")
