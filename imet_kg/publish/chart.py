"""The funding chart: IMET money by fiscal year, one series per kind of figure and source.

The data comes from one SPARQL query over the graph (``CHART_QUERY``): every worldwide funding
observation with its fiscal year, kind (authorization, appropriation, budget request, actual,
projection), program, amount, value status, qualifier, verification status and source. A series
is one (kind, program, source) combination, labelled with all three. Years with no amount enacted
are drawn as crosses on the zero line, unverified figures as hollow markers; consecutive fiscal
years are joined by a line, gaps are not bridged.

The SVG is written here (no dependency, byte-stable, each point with a tooltip and a link to its
observation); the PNG is drawn with matplotlib from the same series.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph

from imet_kg.errors import ImetKgError
from imet_kg.namespaces import ID

CHART_PROGRAM = ID["program/imet"]
KIND_ORDER = (
    "authorization",
    "appropriation",
    "budget-request",
    "actual",
    "projection",
    "estimate",
)
# Colours (Okabe-Ito, readable with colour-vision deficiencies) and marker shapes per kind.
KIND_STYLE: dict[str, tuple[str, str]] = {
    "authorization": ("#0072B2", "circle"),
    "appropriation": ("#D55E00", "square"),
    "budget-request": ("#009E73", "triangle"),
    "actual": ("#CC79A7", "diamond"),
    "projection": ("#E69F00", "diamond"),
    "estimate": ("#56B4E9", "circle"),
}
_EXTRA_COLOURS = ("#000000", "#F0E442", "#999999")

CHART_QUERY = """\
PREFIX imet:    <https://w3id.org/imet-kg/def/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX qb:      <http://purl.org/linked-data/cube#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>

SELECT ?observation ?fiscalYear ?kind ?kindLabel ?program ?programLabel ?amount ?valueStatus
       ?qualifier ?status (GROUP_CONCAT(DISTINCT ?sourceLabel; separator=" | ") AS ?sources)
WHERE {
  ?observation qb:dataSet <https://w3id.org/imet-kg/id/dataset/funding> ;
               imet:scope <https://w3id.org/imet-kg/id/place/worldwide> ;
               imet:fiscalYear/imet:fiscalYearNumber ?fiscalYear ;
               imet:figureKind ?kindConcept ;
               imet:program ?program ;
               imet:valueStatus/skos:notation ?valueStatus ;
               imet:verificationStatus/skos:notation ?status ;
               dcterms:source ?source .
  ?kindConcept skos:notation ?kind ; skos:prefLabel ?kindLabel .
  ?program rdfs:label ?programLabel .
  ?source rdfs:label ?sourceLabel .
  OPTIONAL { ?observation imet:amount ?amount }
  OPTIONAL { ?observation imet:valueQualifier/skos:notation ?qualifier }
}
GROUP BY ?observation ?fiscalYear ?kind ?kindLabel ?program ?programLabel ?amount ?valueStatus
         ?qualifier ?status
ORDER BY ?fiscalYear ?kind ?observation
"""


@dataclass(frozen=True)
class Point:
    """One funding figure.

    Attributes:
        fiscal_year: the fiscal year number.
        amount: US dollars, or None when the source states no amount was enacted.
        observation: the observation's IRI.
        value_status: ``reported``, ``none-enacted``, ...
        qualifier: ``exactly``, ``approximately``, ``at-least``, ... (or "").
        verified: whether its verification status is ``verified``.
        status: the verification status notation.
    """

    fiscal_year: int
    amount: Decimal | None
    observation: str
    value_status: str
    qualifier: str
    verified: bool
    status: str

    def describe(self, series: Series) -> str:
        """One line for a tooltip or a table: year, kind, amount, qualifier, source, status."""
        if self.amount is None:
            value = "no amount enacted" if self.value_status == "none-enacted" else "no amount"
        else:
            value = f"${self.amount:,.0f}"
            if self.qualifier and self.qualifier != "exactly":
                value = f"{self.qualifier.replace('-', ' ')} {value}"
        return (
            f"FY{self.fiscal_year} {series.kind_label} ({series.program_label}): {value}. "
            f"Source: {series.source}. Status: {self.status}."
        )


@dataclass(frozen=True)
class Series:
    """The figures of one kind, for one program, from one source.

    Attributes:
        kind: the figure kind's notation (``authorization``, ``appropriation``, ...).
        kind_label: its label (``budget request``).
        program: the program's IRI.
        program_label: the program's label.
        source: the source's label (several joined with `` | ``).
        points: the figures, by fiscal year.
    """

    kind: str
    kind_label: str
    program: str
    program_label: str
    source: str
    points: tuple[Point, ...]

    @property
    def label(self) -> str:
        """``authorization — Legislation on Foreign Relations, p. 209`` (program named if not
        IMET)."""
        program = "" if self.program == str(CHART_PROGRAM) else f" ({self.program_label})"
        return f"{self.kind_label}{program} — {self.source}"


def funding_series(graph: Graph) -> list[Series]:
    """Read the chart's series from the graph with ``CHART_QUERY``.

    Figures of one kind and program go into one series when they share a source (a figure may
    cite several), so a source's figures stay together and different sources stay apart.

    Args:
        graph: the knowledge graph (a Dataset queries its union).

    Returns:
        The series, ordered by kind (authorization, appropriation, budget request, actual,
        projection), then program and source.
    """
    groups: list[dict] = []  # each: kind, program, labels, sources (set), points
    for row in graph.query(CHART_QUERY):
        kind, program = str(row.kind), str(row.program)
        sources = set(str(row.sources).split(" | "))
        point = Point(
            fiscal_year=int(row.fiscalYear),
            amount=None if row.amount is None else Decimal(str(row.amount)),
            observation=str(row.observation),
            value_status=str(row.valueStatus),
            qualifier=str(row.qualifier or ""),
            verified=str(row.status) == "verified",
            status=str(row.status),
        )
        joined = [
            g
            for g in groups
            if g["kind"] == kind and g["program"] == program and g["sources"] & sources
        ]
        group = {
            "kind": kind,
            "program": program,
            "kind_label": str(row.kindLabel),
            "program_label": str(row.programLabel),
            "sources": sources,
            "points": [point],
        }
        for other in joined:
            groups.remove(other)
            group["sources"] |= other["sources"]
            group["points"] += other["points"]
        groups.append(group)

    def order(group: dict) -> tuple:
        kind = group["kind"]
        rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
        program = group["program"]
        return (rank, kind, program != str(CHART_PROGRAM), program, sorted(group["sources"]))

    return [
        Series(
            kind=group["kind"],
            kind_label=group["kind_label"],
            program=group["program"],
            program_label=group["program_label"],
            source="; ".join(sorted(group["sources"])),
            points=tuple(sorted(group["points"], key=lambda p: (p.fiscal_year, p.observation))),
        )
        for group in sorted(groups, key=order)
    ]


def _style(series_list: list[Series]) -> list[tuple[str, str, bool]]:
    """Colour, marker and dash for each series: by kind; a kind's second source is dashed."""
    styles = []
    seen: dict[str, int] = {}
    for series in series_list:
        colour, marker = KIND_STYLE.get(series.kind, (_EXTRA_COLOURS[0], "circle"))
        count = seen.get(series.kind, 0)
        seen[series.kind] = count + 1
        if count >= 2:
            colour = _EXTRA_COLOURS[(count - 2) % len(_EXTRA_COLOURS)]
        styles.append((colour, marker, count % 2 == 1))
    return styles


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


def _grid_step(maximum: float) -> int:
    return 10_000_000 if maximum <= 60_000_000 else 20_000_000


def _nice_top(maximum: float) -> int:
    step = _grid_step(maximum)
    return max(step, int(-(-maximum // step)) * step)


def _marker_svg(shape: str, x: float, y: float, colour: str, filled: bool) -> str:
    fill = colour if filled else "#ffffff"
    common = f'fill="{fill}" stroke="{colour}" stroke-width="1.8"'
    if shape == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" {common}/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 6:.1f} {x + 5.5:.1f},{y + 4:.1f} {x - 5.5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" {common}/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
        return f'<polygon points="{points}" {common}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" {common}/>'


def render_svg(
    series_list: list[Series],
    link: Callable[[str], str | None] | None = None,
    title: str = "IMET funding by fiscal year (worldwide, US dollars)",
) -> str:
    """Draw the chart as a standalone SVG document.

    Args:
        series_list: from :func:`funding_series`.
        link: maps an observation IRI to the href its point links to (None: no link).
        title: the chart's title.

    Returns:
        The SVG text (the same bytes for the same series).

    Raises:
        ImetKgError: if there is nothing to draw.
    """
    points = [p for s in series_list for p in s.points]
    if not points:
        raise ImetKgError("the graph has no worldwide funding figures to chart")
    width, legend_line = 960, 20
    axes = _Axes(
        left=90,
        top=50,
        width=width - 90 - 30,
        height=300,
        first_year=min(p.fiscal_year for p in points) - 1,
        last_year=max(p.fiscal_year for p in points) + 1,
        top_amount=_nice_top(max(float(p.amount or 0) for p in points)),
    )
    legend_top = axes.top + axes.height + 60
    height = int(legend_top + legend_line * (len(series_list) + 2) + 10)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" '
        'font-size="13" class="funding-chart">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<desc id="chart-desc">'
        + escape(
            "; ".join(
                f"{s.label}: "
                + ", ".join(
                    f"FY{p.fiscal_year} "
                    + ("none enacted" if p.amount is None else f"${p.amount:,.0f}")
                    for p in s.points
                )
                for s in series_list
            )
        )
        + "</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{axes.left}" y="28" font-size="17" font-weight="600">{escape(title)}</text>',
    ]
    # Grid and y axis: ten-million steps, labelled in millions.
    step = _grid_step(axes.top_amount)
    for amount in range(0, axes.top_amount + 1, step):
        y = axes.y(amount)
        out.append(
            f'<line x1="{axes.left}" y1="{y:.1f}" x2="{axes.left + axes.width}" y2="{y:.1f}" '
            f'stroke="{"#444" if amount == 0 else "#e3e3e3"}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{axes.left - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"${amount // 1_000_000}M</text>"
        )
    # X axis: a tick every year, a label every five.
    for year in range(axes.first_year, axes.last_year + 1):
        x = axes.x(year)
        base = axes.top + axes.height
        tick = 6 if year % 5 == 0 else 3
        out.append(
            f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + tick}" stroke="#444"/>'
        )
        if year % 5 == 0:
            out.append(f'<text x="{x:.1f}" y="{base + 20}" text-anchor="middle">FY{year}</text>')
    out.append(
        f'<text x="{axes.left + axes.width / 2:.1f}" y="{axes.top + axes.height + 42}" '
        'text-anchor="middle" fill="#555">Fiscal year</text>'
    )
    styles = _style(series_list)
    for index, (series, (colour, marker, dashed)) in enumerate(
        zip(series_list, styles, strict=True)
    ):
        out.append(f'<g class="series" data-kind="{escape(series.kind)}" id="series-{index}">')
        out.append(f"<title>{escape(series.label)}</title>")
        # Lines join consecutive fiscal years that both have an amount.
        run: list[Point] = []
        runs: list[list[Point]] = []
        for point in series.points:
            if point.amount is None:
                if run:
                    runs.append(run)
                run = []
                continue
            if run and point.fiscal_year != run[-1].fiscal_year + 1:
                runs.append(run)
                run = []
            run.append(point)
        if run:
            runs.append(run)
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        for segment in runs:
            if len(segment) > 1:
                coords = " ".join(
                    f"{axes.x(p.fiscal_year):.1f},{axes.y(p.amount):.1f}" for p in segment
                )
                out.append(
                    f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash}/>'
                )
        for point in series.points:
            x = axes.x(point.fiscal_year)
            tip = f"<title>{escape(point.describe(series))}</title>"
            if point.amount is None:
                y = axes.y(0)
                shape = (
                    f'<path d="M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} '
                    f'M{x - 4:.1f},{y + 4:.1f} L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" '
                    'stroke-width="2"/>'
                )
            else:
                shape = _marker_svg(marker, x, axes.y(point.amount), colour, point.verified)
            href = link(point.observation) if link else None
            body = f'<g class="point">{tip}{shape}</g>'
            if href:
                body = f"<a href={quoteattr(href)}>{body}</a>"
            out.append(body)
        out.append("</g>")
    # Legend: marker, kind and source per series; then the conventions.
    for index, (series, (colour, marker, dashed)) in enumerate(
        zip(series_list, styles, strict=True)
    ):
        y = legend_top + index * legend_line
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(
            f'<line x1="{axes.left}" y1="{y:.1f}" x2="{axes.left + 28}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        out.append(_marker_svg(marker, axes.left + 14, y, colour, True))
        out.append(
            f'<text x="{axes.left + 38}" y="{y + 4:.1f}" class="legend">'
            f"{escape(series.label)}</text>"
        )
    y = legend_top + len(series_list) * legend_line
    out.append(
        f'<text x="{axes.left}" y="{y + 4:.1f}" fill="#555">Filled marker: verified figure; '
        "hollow marker: unverified claim. Cross on the zero line: the source states no amount "
        "was enacted.</text>"
    )
    out.append(
        f'<text x="{axes.left}" y="{y + 4 + legend_line:.1f}" fill="#555">Lines join '
        "consecutive fiscal years only. Point at a marker for its figure, source and status."
        "</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


_MPL_MARKERS = {"circle": "o", "square": "s", "triangle": "^", "diamond": "D"}


def render_png(
    series_list: list[Series],
    title: str = "IMET funding by fiscal year (worldwide, US dollars)",
    dpi: int = 110,
) -> bytes:
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
        for series, (colour, marker, dashed) in zip(series_list, _style(series_list), strict=True):
            runs: list[list[Point]] = [[]]
            for point in series.points:
                if point.amount is None or (
                    runs[-1] and point.fiscal_year != runs[-1][-1].fiscal_year + 1
                ):
                    runs.append([])
                if point.amount is not None:
                    runs[-1].append(point)
            for run in runs:
                if len(run) > 1:
                    axes.plot(
                        [p.fiscal_year for p in run],
                        [float(p.amount) for p in run],
                        color=colour,
                        linestyle="--" if dashed else "-",
                        linewidth=1.8,
                    )
            for verified in (True, False):
                chosen = [
                    p for p in series.points if p.amount is not None and p.verified == verified
                ]
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
                    [p.fiscal_year for p in none],
                    [0] * len(none),
                    marker="x",
                    color=colour,
                    zorder=3,
                )
            axes.plot(
                [],
                [],
                color=colour,
                linestyle="--" if dashed else "-",
                marker=_MPL_MARKERS.get(marker, "o"),
                label=series.label,
            )
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
