"""The chart as PNG, drawn with matplotlib (the ``[serve]`` extra) from the same series."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from imet_kg.errors import ImetKgError
from imet_kg.publish.chart.series import TITLE, Series, joined_runs, series_styles

if TYPE_CHECKING:  # matplotlib is optional: imported only when a PNG is drawn
    from matplotlib.axes import Axes

_MPL_MARKERS = {"circle": "o", "square": "s", "triangle": "^", "diamond": "D"}


def render_png(series_list: list[Series], title: str = TITLE, dpi: int = 110) -> bytes:
    """Draw the chart as a PNG with matplotlib (the ``[serve]`` extra).

    Raises:
        ImetKgError: if matplotlib is missing or there is nothing to draw.
    """
    if not any(s.points for s in series_list):
        raise ImetKgError("the graph has no worldwide funding figures to chart")
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
        from matplotlib.ticker import FuncFormatter, MultipleLocator
    except ImportError as exc:
        raise ImetKgError("PNG charts need matplotlib: pip install 'imet-kg[serve]'") from exc
    figure, axes = pyplot.subplots(figsize=(9.6, 5.6), dpi=dpi)
    try:
        for series, style in zip(series_list, series_styles(series_list), strict=True):
            _plot(axes, series, style)
        axes.set_title(title, loc="left", fontsize=12)
        axes.set_xlabel("Fiscal year")
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v / 1e6:,.0f}M"))
        axes.xaxis.set_major_locator(MultipleLocator(5))
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", color="#e3e3e3")
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8, frameon=False)
        figure.text(
            0.01,
            0.01,
            "Hollow marker: unverified claim. x on zero: no amount enacted. "
            "Lines join consecutive fiscal years only.",
            fontsize=7,
            color="#555555",
        )
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        pyplot.close(figure)


def _plot(axes: Axes, series: Series, style: tuple[str, str, bool]) -> None:
    """One series: its lines, its markers (hollow when unverified), crosses where none enacted."""
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
                marker=_MPL_MARKERS.get(marker, "o"),
                facecolors=colour if verified else "white",
                edgecolors=colour,
                s=36,
                zorder=3,
            )
    none = [p for p in series.points if p.amount is None]
    if none:
        axes.scatter(
            [p.fiscal_year for p in none], [0] * len(none), marker="x", color=colour, zorder=3
        )
    # An empty line that only carries the legend entry (line style and marker together).
    axes.plot(
        [],
        [],
        color=colour,
        linestyle=linestyle,
        marker=_MPL_MARKERS.get(marker, "o"),
        label=series.label,
    )
