"""The chart's data and drawing rules, shared by the SVG and the PNG: series, styles, lines.

The data comes from one SPARQL query over the graph (``CHART_QUERY``): every worldwide funding
observation with its fiscal year, kind (authorization, appropriation, budget request, actual,
projection), program, amount, value status, qualifier, verification status and source. A series
is one (kind, program, source) combination, labelled with all three.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph

from imet_kg.namespaces import ID

CHART_PROGRAM = ID["program/imet"]
TITLE = "IMET funding by fiscal year, worldwide"
SITE = "https://w3id.org/imet-kg/"
KIND_ORDER = (
    "authorization",
    "appropriation",
    "budget-request",
    "actual",
    "projection",
    "estimate",
)
# Colours (Okabe-Ito, readable with colour-vision deficiencies) per kind; the marker shapes go
# to the series in turn, so no two series share a mark.
KIND_STYLE: dict[str, str] = {
    "authorization": "#0072B2",
    "appropriation": "#D55E00",
    "budget-request": "#009E73",
    "actual": "#CC79A7",
    "projection": "#E69F00",
    "estimate": "#56B4E9",
}
MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "pentagon", "hexagon")
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
        _add_figure(groups, row)
    return [
        Series(
            kind=group["kind"],
            kind_label=group["kind_label"],
            program=group["program"],
            program_label=group["program_label"],
            source="; ".join(sorted(group["sources"])),
            points=tuple(sorted(group["points"], key=lambda p: (p.fiscal_year, p.observation))),
        )
        for group in sorted(groups, key=_group_order)
    ]


def _add_figure(groups: list[dict], row) -> None:
    """Put one query row's figure in its group, merging the groups its sources join."""
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


def _group_order(group: dict) -> tuple:
    kind = group["kind"]
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    program = group["program"]
    return (rank, kind, program != str(CHART_PROGRAM), program, sorted(group["sources"]))


def series_styles(series_list: list[Series]) -> list[tuple[str, str, bool]]:
    """Colour, marker and dash for each series: colour by kind (a kind's third source on gets
    another colour), dashed for a kind's second source, and a marker shape of its own."""
    styles = []
    seen: dict[str, int] = {}
    for index, series in enumerate(series_list):
        colour = KIND_STYLE.get(series.kind, _EXTRA_COLOURS[0])
        count = seen.get(series.kind, 0)
        seen[series.kind] = count + 1
        if count >= 2:
            colour = _EXTRA_COLOURS[(count - 2) % len(_EXTRA_COLOURS)]
        styles.append((colour, MARKERS[index % len(MARKERS)], count % 2 == 1))
    return styles


@dataclass(frozen=True)
class ChartText:
    """The words on the chart, the same in the SVG and the PNG.

    Attributes:
        title: what the chart shows.
        units: the dollars its amounts are in.
        notes: how to read it.
        source: where its figures (and the deflator) come from.
    """

    title: str
    units: str
    notes: tuple[str, ...]
    source: str


def chart_text(dollars: str = "nominal", base_year: int | None = None) -> ChartText:
    """The chart's words for ``nominal`` dollars, or ``constant`` dollars of ``base_year``."""
    notes = (
        "Filled marker: verified figure; hollow marker: unverified claim.",
        "Lines join consecutive fiscal years only; a gap is a year without a figure "
        "or with no amount enacted.",
    )
    if dollars == "constant":
        units = (
            f"Constant {base_year} US dollars (each amount deflated with the CPI-U annual "
            "average of its fiscal year's calendar year)"
        )
        notes += (
            "Deflator: U.S. Bureau of Labor Statistics, CPI-U, U.S. city average, all items, "
            "annual averages.",
        )
    else:
        units = "Nominal US dollars (as enacted or reported, not adjusted for inflation)"
    return ChartText(
        title=TITLE,
        units=units,
        notes=notes,
        source=f"Source: IMET-KG ({SITE}); each figure from the document its legend names.",
    )


def joined_runs(points: Iterable[Point]) -> list[list[Point]]:
    """The runs of points a line joins: two or more consecutive fiscal years with an amount.

    A year with no amount, or a missing year, ends a run: the chart never bridges a gap.
    """
    runs: list[list[Point]] = [[]]
    for point in points:
        if point.amount is None or (runs[-1] and point.fiscal_year != runs[-1][-1].fiscal_year + 1):
            runs.append([])
        if point.amount is not None:
            runs[-1].append(point)
    return [run for run in runs if len(run) > 1]
