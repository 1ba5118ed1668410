"""The funding chart: IMET money by fiscal year, one series per kind of figure and source.

Amounts are in nominal dollars, or in constant dollars deflated with the vendored CPI-U
(:mod:`~imet_kg.publish.chart.deflator`). Unverified figures are hollow markers; consecutive
fiscal years are joined by a line; a year without a figure, or with no amount enacted, is a gap.
The series, the drawing rules and the chart's words are in :mod:`~imet_kg.publish.chart.series`;
the SVG is written by hand (:mod:`~imet_kg.publish.chart.svg`), the PNG drawn with matplotlib
(:mod:`~imet_kg.publish.chart.png`).
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph

from imet_kg.errors import ImetKgError
from imet_kg.publish.chart.deflator import base_year, constant_dollars
from imet_kg.publish.chart.png import render_png
from imet_kg.publish.chart.series import (
    CHART_PROGRAM,
    CHART_QUERY,
    ChartText,
    Point,
    Series,
    chart_text,
    funding_series,
    joined_runs,
)
from imet_kg.publish.chart.svg import render_svg

__all__ = [
    "CHART_PROGRAM",
    "CHART_QUERY",
    "DOLLARS",
    "ChartText",
    "Point",
    "Series",
    "chart_bytes",
    "chart_text",
    "funding_series",
    "in_dollars",
    "joined_runs",
    "render_png",
    "render_svg",
]


DOLLARS = ("nominal", "constant")


def in_dollars(series_list: list[Series], dollars: str) -> tuple[list[Series], ChartText]:
    """The series and the chart's words in ``nominal`` or ``constant`` dollars.

    Raises:
        ImetKgError: for another kind of dollars, or a year the deflator does not cover.
    """
    if dollars == "nominal":
        return series_list, chart_text()
    if dollars == "constant":
        return constant_dollars(series_list), chart_text("constant", base_year())
    raise ImetKgError(f"unknown dollars {dollars!r} (choose nominal or constant)")


def chart_bytes(
    graph: Graph,
    fmt: str = "svg",
    link: Callable[[str], str | None] | None = None,
    dollars: str = "nominal",
) -> bytes:
    """Render the funding chart of ``graph`` as ``svg`` or ``png`` bytes, in ``nominal`` or
    ``constant`` dollars.

    Raises:
        ImetKgError: for an unknown format or dollars, or a graph with no funding figures.
    """
    if fmt not in ("svg", "png"):
        raise ImetKgError(f"unknown chart format {fmt!r} (choose svg or png)")
    series_list, text = in_dollars(funding_series(graph), dollars)
    if fmt == "svg":
        return render_svg(series_list, link=link, text=text).encode("utf-8")
    return render_png(series_list, text)
