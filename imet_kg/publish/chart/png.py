"""The chart as PNG, drawn with matplotlib (the ``[serve]`` extra) from the same series, styles
and words as the SVG (:func:`~imet_kg.publish.chart.series.chart_text`)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from imet_kg.errors import ImetKgError
from imet_kg.publish.chart.series import (
    ChartText,
    Series,
    chart_text,
    joined_runs,
    series_styles,
)

if TYPE_CHECKING:  # matplotlib is optional: imported only when a PNG is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_MPL_MARKERS = {
    "circle": "o",
    "square": "s",
    "triangle": "^",
    "triangle-down": "v",
    "diamond": "D",
    "pentagon": "p",
    "hexagon": "h",
}


def draw_figure(series_list: list[Series], text: ChartText | None = None) -> Figure:
    """The chart as a matplotlib figure (close it with ``pyplot.close``).

    Raises:
        ImetKgError: if matplotlib is missing or there is nothing to draw.
    """
    text = text or chart_text()
    if not any(s.points for s in series_list):
        raise ImetKgError("the graph has no worldwide funding figures to chart")
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
        from matplotlib.ticker import FuncFormatter, MultipleLocator
    except ImportError as exc:
        raise ImetKgError("PNG charts need matplotlib: pip install 'imet-kg[serve]'") from exc
    figure, axes = pyplot.subplots(figsize=(9.6, 4.8))
    for series, style in zip(series_list, series_styles(series_list), strict=True):
        _plot(axes, series, style)
    figure.suptitle(text.title, x=0.01, ha="left", fontsize=13, fontweight="bold")
    axes.set_title(text.units, loc="left", fontsize=9, color="#333333")
    axes.set_xlabel("Fiscal year")
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v / 1e6:,.0f}M"))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"FY{v:.0f}"))
    axes.xaxis.set_major_locator(MultipleLocator(5))
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", color="#e3e3e3")
    figure.tight_layout()
    legend = axes.legend(loc="upper left", bbox_to_anchor=(0, -0.12), fontsize=8, frameon=False)
    # The notes and the source go under the legend, wherever its height puts its bottom; the
    # PNG is then saved with a tight box, so nothing is cut and no space is left over.
    figure.canvas.draw()
    bottom = legend.get_window_extent().transformed(figure.transFigure.inverted()).y0
    footer = "\n".join((*text.notes, text.source))
    figure.text(0.01, bottom - 0.01, footer, fontsize=7.5, color="#555555", va="top")
    return figure


def render_png(series_list: list[Series], text: ChartText | None = None, dpi: int = 110) -> bytes:
    """Draw the chart as PNG bytes (see :func:`draw_figure`)."""
    figure = draw_figure(series_list, text)
    from matplotlib import pyplot

    try:
        buffer = io.BytesIO()
        figure.savefig(
            buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None}
        )
        return buffer.getvalue()
    finally:
        pyplot.close(figure)


def _plot(axes: Axes, series: Series, style: tuple[str, str, bool]) -> None:
    """One series: its lines and its markers (hollow when unverified). A year with no amount
    enacted is a gap, as in the SVG."""
    colour, marker, dashed = style
    linestyle = "--" if dashed else "-"
    for run in joined_runs(series.points):
        axes.plot(
            [p.fiscal_year for p in run],
            [float(p.amount) for p in run],
            color=colour,
            linestyle=linestyle,
            linewidth=1.8,
        )
    for verified in (True, False):
        chosen = [p for p in series.points if p.amount is not None and p.verified == verified]
        if chosen:
            axes.scatter(
                [p.fiscal_year for p in chosen],
                [float(p.amount) for p in chosen],
                marker=_MPL_MARKERS[marker],
                facecolors=colour if verified else "white",
                edgecolors=colour,
                s=36,
                zorder=3,
            )
    # An empty line that only carries the legend entry (line style and marker together).
    axes.plot(
        [], [], color=colour, linestyle=linestyle, marker=_MPL_MARKERS[marker], label=series.label
    )
