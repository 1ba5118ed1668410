"""Map a country-figures CSV file to RDF Data Cube observations in a named graph of its own."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, QB, RDF, RDFS, SKOS, TIME, XSD

from imet_kg.errors import InputError
from imet_kg.ingest.countries import PLACE, CountryRegister, describe_country, slug
from imet_kg.ingest.figure_rows import (
    FIGURE_KINDS,
    MEASURES,
    QUALIFIERS,
    VERIFICATION,
    BadRow,
    FigureRow,
    read_rows,
)
from imet_kg.kg.graph import describe_graph
from imet_kg.namespaces import GRAPH, ID, IMET, SCHEMA, bind_prefixes
from imet_kg.rdf.serialize import serialize_graph

GRAPH_PREFIX = "country-figures-"
FY = Namespace(str(ID) + "fiscal-year/")
DAY = Namespace(str(ID) + "date/")
OBS = Namespace(str(ID) + "observation/")
WEB_SOURCE = Namespace(str(ID) + "source/web/")
CSV_SOURCE = Namespace(str(ID) + "source/csv/")
PROGRAM = Namespace(str(ID) + "program/")
DATASET = Namespace(str(ID) + "dataset/")

_MEASURE_WORDS = {"funding": "funding", "training-cost": "training cost", "students": "students"}
_SCALE_WORDS = {1: "", 1000: " thousand", 1_000_000: " million", 1_000_000_000: " billion"}
_PROGRAM_LABELS = {"imet": "IMET", "expanded-imet": "Expanded IMET"}


@dataclass(frozen=True)
class IngestResult:
    """What ingesting one file gave: its named graph's name, the graph, and the rows left out."""

    name: str
    graph: Graph
    rows: list[FigureRow]
    bad: list[BadRow]

    def turtle(self) -> bytes:
        """The graph as byte-stable Turtle."""
        return serialize_graph(self.graph, "turtle")


def graph_name(path: Path) -> str:
    """The named graph a figures file becomes: ``country-figures-{file stem}``."""
    stem = Path(path).stem
    return stem if stem.startswith(GRAPH_PREFIX) else GRAPH_PREFIX + stem


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def source_iri(address: str) -> URIRef:
    """The source document an address names: ``id/source/web/{readable slug}-{hash}``."""
    readable = slug(address.split("://", 1)[-1])[:60].strip("-")
    return WEB_SOURCE[f"{readable}-{_digest(address)}"]


def observation_iri(name: str, row: FigureRow) -> URIRef:
    """A figure's IRI, made from its key (scope, year, measure, kind, program, source)."""
    program = "" if row.program == "imet" else f"-{row.program}"
    local = (
        f"{slug(row.scope_label)}-fy{row.fiscal_year}-{row.measure}-{row.figure_kind}"
        f"{program}-{_digest(row.source_address)}"
    )
    return OBS[f"{name}/{local}"]


def describe_fiscal_year(graph: Graph, year: int) -> URIRef:
    """Add fiscal year ``year`` as an OWL-Time interval (1 Oct-30 Sep; 1 Jul-30 Jun to FY1976)."""
    first, last = ("10-01", "09-30") if year >= 1977 else ("07-01", "06-30")
    iri = FY[str(year)]
    graph.add((iri, RDF.type, IMET.FiscalYear))
    graph.add((iri, RDFS.label, Literal(f"FY{year}", lang="en")))
    graph.add((iri, IMET.fiscalYearNumber, Literal(year)))
    for link, date in ((TIME.hasBeginning, f"{year - 1}-{first}"), (TIME.hasEnd, f"{year}-{last}")):
        graph.add((iri, link, DAY[date]))
        graph.add((DAY[date], RDF.type, TIME.Instant))
        graph.add((DAY[date], TIME.inXSDDate, Literal(date, datatype=XSD.date)))
    return iri


def decimal_literal(value: Decimal) -> Literal:
    """An xsd:decimal in the canonical form Turtle writes and reads back unchanged: 1646000.0."""
    text = format(value.normalize(), "f")
    return Literal(text if "." in text else f"{text}.0", datatype=XSD.decimal)


def _label(row: FigureRow) -> str:
    unit = "USD" if row.measure != "students" else "persons"
    return (
        f"{row.scope_label}, FY{row.fiscal_year}: {_PROGRAM_LABELS[row.program]} "
        f"{_MEASURE_WORDS[row.measure]} ({row.figure_kind}), "
        f"{row.published}{_SCALE_WORDS[row.scale]} {unit}"
    )


def _add_observation(graph: Graph, name: str, row: FigureRow, csv_entity: URIRef) -> None:
    iri = observation_iri(name, row)
    facts = [
        (RDF.type, QB.Observation),
        (QB.dataSet, DATASET[MEASURES[row.measure][0]]),
        (RDFS.label, Literal(_label(row), lang="en")),
        (IMET.fiscalYear, FY[str(row.fiscal_year)]),
        (IMET.scope, row.scope),
        (IMET.program, PROGRAM[row.program]),
        (IMET.figureKind, FIGURE_KINDS[row.figure_kind]),
        (IMET.publishedValue, Literal(row.published)),
        (IMET.publishedScale, Literal(row.scale)),
        (IMET.valueStatus, IMET.Reported),
        (IMET.valueQualifier, QUALIFIERS[row.qualifier]),
        (DCTERMS.source, source_iri(row.source_address)),
        (IMET.sourcePage, Literal(row.page_or_table)),
        (PROV.wasDerivedFrom, csv_entity),
        (IMET.verificationStatus, VERIFICATION[row.verification]),
    ]
    if row.measure == "students":
        facts.append((IMET.studentCount, Literal(int(row.value))))
    else:
        facts += [
            (IMET.amount, decimal_literal(row.value)),
            (SCHEMA.currency, Literal("USD")),
        ]
    if row.region:
        facts.append((IMET.sourceRegion, PLACE[slug(row.region)]))
    if row.notes:
        facts.append((SKOS.note, Literal(row.notes, lang="en")))
    for predicate, value in facts:
        graph.add((iri, predicate, value))


def _add_sources(graph: Graph, rows: list[FigureRow]) -> list[URIRef]:
    """Describe each source document once; verified if any figure read in it is verified."""
    return describe_sources(
        graph, ((r.source_address, r.source_title, r.verification == "verified") for r in rows)
    )


def describe_sources(graph: Graph, readings: Iterable[tuple[str, str, bool]]) -> list[URIRef]:
    """Describe each source document once, from (address, title, verified) readings of rows;
    a document is verified if any row read in it is. Shared by the country-figures and the
    training-table ingests.

    Returns:
        The documents' IRIs, sorted by address.
    """
    sources: dict[str, tuple[str, bool]] = {}
    for address, row_title, row_verified in readings:
        title, verified = sources.get(address, (row_title, False))
        sources[address] = (title, verified or row_verified)
    for address, (title, verified) in sorted(sources.items()):
        iri = source_iri(address)
        graph.add((iri, RDF.type, IMET.SourceDocument))
        graph.add((iri, DCTERMS.title, Literal(title, lang="en")))
        graph.add((iri, RDFS.label, Literal(title, lang="en")))
        graph.add((iri, SCHEMA.url, Literal(address, datatype=XSD.anyURI)))
        status = IMET.Verified if verified else IMET.Unverified
        graph.add((iri, IMET.verificationStatus, status))
    return [source_iri(address) for address in sorted(sources)]


def _add_places(graph: Graph, rows: list[FigureRow]) -> None:
    """Describe the countries, named scopes and source regions the rows use."""
    for row in rows:
        if row.country is not None:
            describe_country(graph, row.country)
        else:
            graph.add((row.scope, RDF.type, IMET.Region))
            graph.add((row.scope, RDFS.label, Literal(row.scope_label, lang="en")))
            graph.add((row.scope, SKOS.prefLabel, Literal(row.scope_label, lang="en")))
        if row.region:
            region = PLACE[slug(row.region)]
            graph.add((region, RDF.type, IMET.Region))
            graph.add((region, RDFS.label, Literal(row.region, lang="en")))
            graph.add((region, SKOS.prefLabel, Literal(row.region, lang="en")))
            graph.add((region, DCTERMS.source, source_iri(row.source_address)))
            graph.add((row.scope, SCHEMA.containedInPlace, region))


def figures_graph(path: Path, rows: list[FigureRow]) -> Graph:
    """The named graph for the checked rows of ``path``: observations, their sources, countries,
    regions and fiscal years, and the CSV file itself as what the graph was derived from."""
    name = graph_name(path)
    graph = bind_prefixes(Graph())
    iri = describe_graph(
        graph,
        name,
        f"IMET figures by country: {Path(path).name}",
        f"{len(rows)} IMET figures (funding, training cost, students) by country and fiscal "
        f"year, as RDF Data Cube observations, ingested from {Path(path).name} by "
        "'imet-kg ingest country-figures'.",
    )
    csv_entity = CSV_SOURCE[Path(path).name]
    graph.add((csv_entity, RDF.type, PROV.Entity))
    graph.add((csv_entity, DCTERMS.title, Literal(Path(path).name)))
    graph.add((csv_entity, DCTERMS.format, Literal("text/csv")))
    graph.add((iri, PROV.wasDerivedFrom, csv_entity))
    for source in _add_sources(graph, rows):
        graph.add((iri, PROV.wasDerivedFrom, source))
    _add_places(graph, rows)
    for year in sorted({row.fiscal_year for row in rows}):
        describe_fiscal_year(graph, year)
    for row in rows:
        _add_observation(graph, name, row, csv_entity)
    return graph


def ingest_file(path: Path, register: CountryRegister, skip_bad: bool = False) -> IngestResult:
    """Read, check and map one country-figures CSV file.

    Args:
        path: the CSV file (columns: see ``imet_kg.ingest.figure_rows.COLUMNS``).
        register: the countries the graph already names (their IRIs are reused).
        skip_bad: leave bad rows out (they are listed in the result) instead of failing.

    Returns:
        The named graph's name, the graph, the rows mapped and the rows left out.

    Raises:
        InputError: if the file is unreadable or its header wrong; if a row is bad and
            ``skip_bad`` is false (the message counts them: list them from ``read_rows``); if no
            row is left.
    """
    rows, bad = read_rows(path, register)
    if bad and not skip_bad:
        raise InputError(
            path, None, f"{len(bad)} bad row(s); nothing written (--skip-bad leaves them out)"
        )
    if not rows:
        raise InputError(path, None, "no valid rows: nothing to write")
    return IngestResult(graph_name(path), figures_graph(path, rows), rows, bad)


def ingest_into(dataset: Dataset, path: Path) -> None:
    """Load a shipped figures file into ``dataset`` as its own named graph (for the build).

    The countries already in ``dataset`` (data/places.ttl, data/countries.ttl) keep their IRIs,
    and a statement the dataset already holds (a country's codes, a fiscal year's interval) is
    not repeated in the new graph: stores that query the union of the graphs without merging
    them (Oxigraph, Virtuoso) would otherwise return a row per copy. A bad row is an error: the
    shipped files must be wholly valid.

    Raises:
        InputError: naming the first bad row, or the file's problem.
    """
    new = figures_to_add(
        path, CountryRegister.from_graph(dataset), lambda triple: _holds(dataset, triple)
    )
    target = dataset.graph(GRAPH[graph_name(path)])
    for triple in new:
        target.add(triple)


def figures_to_add(
    path: Path, register: CountryRegister, holds: Callable[[tuple], bool]
) -> list[tuple]:
    """The statements a shipped figures file adds to a graph (see :func:`ingest_into`): those of
    its named graph that ``holds`` says the graph does not hold yet, in the graph's order.

    Raises:
        InputError: naming the first bad row, or the file's problem.
    """
    rows, bad = read_rows(path, register)
    if bad:
        raise InputError(path, bad[0].line, f"{bad[0].reason} ({len(bad)} bad row(s) in all)")
    return [t for t in _figures_triples(Path(path).name, tuple(rows)) if not holds(t)]


@lru_cache(maxsize=16)
def _figures_triples(name: str, rows: tuple[FigureRow, ...]) -> tuple[tuple, ...]:
    # A process that loads the data more than once (the build's graph and its store, a server,
    # the tests) maps each table once. The file's name and its checked rows decide the triples
    # (a row keeps its amount as published, so equal rows write equal literals), and the
    # triples hold no blank node, so two datasets may share them.
    return tuple(figures_graph(Path(name), list(rows)))


def _holds(dataset: Dataset, triple: tuple) -> bool:
    """Whether any graph of ``dataset`` already holds ``triple``."""
    return next(iter(dataset.triples(triple)), None) is not None
