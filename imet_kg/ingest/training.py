"""Map FMTR-style training tables (one line per country, course and year) to training records."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from rdflib.term import Node

from imet_kg.errors import InputError
from imet_kg.ingest.countries import CountryRegister, describe_country, slug
from imet_kg.ingest.country_figures import (
    CSV_SOURCE,
    FY,
    describe_fiscal_year,
    describe_sources,
    source_iri,
)
from imet_kg.ingest.figure_rows import BadRow
from imet_kg.ingest.training_rows import TrainingRow, digest, read_training_rows
from imet_kg.kg.graph import describe_graph
from imet_kg.namespaces import GRAPH, ID, IMET, SCHEMA, bind_prefixes

Triple = tuple[Node, Node, Node]

GRAPH_PREFIX = "training-"
RECORD = Namespace(str(ID) + "training-record/")


@dataclass(frozen=True)
class TrainingRecord:
    """One training record, ready to be written as triples (see :func:`record_triples`).

    Exactly one of ``source`` (a real record's source document) and ``generated_by`` (a synthetic
    record's generation run) is set; ``status`` is imet:Synthetic for the latter.
    """

    iri: URIRef
    fiscal_year: URIRef
    country: URIRef
    program: URIRef
    course: URIRef
    institution: URIRef
    location: str
    students: int
    cost: Decimal | None
    status: URIRef
    source: URIRef | None = None
    page: str | None = None
    derived_from: URIRef | None = None
    generated_by: URIRef | None = None


_RECORD_TERMS = (
    IMET.TrainingRecord,
    IMET.fiscalYear,
    IMET.studentCountry,
    IMET.program,
    IMET.course,
    IMET.trainingInstitution,
    SCHEMA.location,
    IMET.studentCount,
    IMET.verificationStatus,
    IMET.amount,
    SCHEMA.currency,
    IMET.sourcePage,
)
_USD = Literal("USD")
_KEY = IMET.recordKey


def record_key(record: TrainingRecord) -> str:
    """The record's key as one value (imet:recordKey): the hex SHA-1 of its fiscal year, country,
    program, course, institution, location and origin (source document, or generation run for a
    synthetic record), joined by spaces; shape S96 computes the same in SPARQL."""
    origin = record.source if record.source is not None else record.generated_by
    parts = (
        record.fiscal_year,
        record.country,
        record.program,
        record.course,
        record.institution,
        record.location,
        origin,
    )
    return hashlib.sha1(" ".join(str(part) for part in parts).encode("utf-8")).hexdigest()


def record_triples(record: TrainingRecord) -> list[Triple]:
    """The triples of one training record: the one place the record's terms are chosen."""
    kind, year, country, program, course, institution, location, students, status, amount, \
        currency, page = _RECORD_TERMS  # fmt: skip
    s = record.iri
    triples: list[Triple] = [
        (s, RDF.type, kind),
        (s, year, record.fiscal_year),
        (s, country, record.country),
        (s, program, record.program),
        (s, course, record.course),
        (s, institution, record.institution),
        (s, location, Literal(record.location)),
        (s, students, Literal(record.students)),
        (s, status, record.status),
        (s, _KEY, Literal(record_key(record))),
    ]
    if record.cost is not None:
        triples.append((s, amount, Literal(record.cost, datatype=XSD.decimal)))
        triples.append((s, currency, _USD))
    if record.source is not None:
        triples.append((s, DCTERMS.source, record.source))
    if record.page:
        triples.append((s, page, Literal(record.page)))
    if record.derived_from is not None:
        triples.append((s, PROV.wasDerivedFrom, record.derived_from))
    if record.generated_by is not None:
        triples.append((s, PROV.wasGeneratedBy, record.generated_by))
    return triples


def course_triples(
    iri: URIRef, title: str, code: str | None, topic: str | None, status: URIRef | None = None
) -> list[Triple]:
    """A course: its title (rdfs:label), course identifier and topic (a plain string)."""
    triples: list[Triple] = [
        (iri, RDF.type, IMET.Course),
        (iri, RDFS.label, Literal(title, lang="en")),
    ]
    if code:
        triples.append((iri, SCHEMA.courseCode, Literal(code)))
    if topic:
        triples.append((iri, DCTERMS.subject, Literal(topic)))
    if status is not None:
        triples.append((iri, IMET.verificationStatus, status))
    return triples


def institution_triples(iri: URIRef, name: str, status: URIRef | None = None) -> list[Triple]:
    """A training institution: its type and name."""
    triples: list[Triple] = [
        (iri, RDF.type, IMET.TrainingInstitution),
        (iri, RDFS.label, Literal(name, lang="en")),
    ]
    if status is not None:
        triples.append((iri, IMET.verificationStatus, status))
    return triples


def fiscal_year_triples(years: Iterable[int]) -> Iterator[Triple]:
    """The fiscal years as OWL-Time intervals, as data/fiscal-years.ttl writes them."""
    graph = Graph()
    for year in sorted(set(years)):
        describe_fiscal_year(graph, year)
    return iter(sorted(graph))


# --- the graph ---------------------------------------------------------------------------------


def graph_name(path: Path) -> str:
    """The named graph a training table becomes: ``training-{file stem}``."""
    stem = slug(Path(path).stem) or "table"
    return stem if stem.startswith(GRAPH_PREFIX) else GRAPH_PREFIX + stem


def record_iri(name: str, row: TrainingRow) -> URIRef:
    """A record's IRI, from its graph and its key (stable when rows are reordered)."""
    return RECORD[
        f"{name}/fy{row.fiscal_year}-{row.country.alpha3.lower()}-{digest(repr(row.key()))}"
    ]


def _add_sources(graph: Graph, rows: list[TrainingRow]) -> list[URIRef]:
    """Describe each source document once; verified only if a row read in it says so."""
    return describe_sources(
        graph,
        ((r.source_address, r.source_title, r.verification == IMET.Verified) for r in rows),
    )


def _add_rows(graph: Graph, name: str, rows: list[TrainingRow], csv_entity: URIRef) -> None:
    for row in rows:
        describe_country(graph, row.country)
        for triple in course_triples(row.course, row.course_title, row.course_id, row.topic):
            graph.add(triple)
        for triple in institution_triples(row.institution_iri, row.institution):
            graph.add(triple)
        record = TrainingRecord(
            iri=record_iri(name, row),
            fiscal_year=FY[str(row.fiscal_year)],
            country=row.country.iri,
            program=row.program,
            course=row.course,
            institution=row.institution_iri,
            location=row.location,
            students=row.students,
            cost=row.cost,
            status=row.verification,
            source=source_iri(row.source_address),
            page=row.page_or_table or None,
            derived_from=csv_entity,
        )
        for triple in record_triples(record):
            graph.add(triple)


def training_graph(path: Path, rows: list[TrainingRow]) -> Graph:
    """The named graph for the checked rows of ``path``: records, courses, institutions, sources,
    countries and fiscal years, and the CSV file (with its SHA-256) as what it was derived from."""
    name = graph_name(path)
    graph = bind_prefixes(Graph())
    iri = describe_graph(
        graph,
        name,
        f"IMET training records: {Path(path).name}",
        f"{len(rows)} training records (students and cost by fiscal year, country, course and "
        f"institution) ingested from {Path(path).name} by 'imet-kg ingest training'.",
    )
    csv_entity = CSV_SOURCE[Path(path).name]
    checksum = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    graph.add((csv_entity, RDF.type, PROV.Entity))
    graph.add((csv_entity, DCTERMS.title, Literal(Path(path).name)))
    graph.add((csv_entity, DCTERMS.format, Literal("text/csv")))
    graph.add((csv_entity, DCTERMS.identifier, Literal(f"sha256:{checksum}")))
    graph.add((iri, PROV.wasDerivedFrom, csv_entity))
    for source in _add_sources(graph, rows):
        graph.add((iri, PROV.wasDerivedFrom, source))
    for triple in fiscal_year_triples(row.fiscal_year for row in rows):
        graph.add(triple)
    _add_rows(graph, name, rows, csv_entity)
    return graph


@dataclass(frozen=True)
class TrainingIngest:
    """What ingesting one table gave: its named graph's name, the graph, and the rows left out."""

    name: str
    graph: Graph
    rows: list[TrainingRow]
    bad: list[BadRow]


def ingest_training(
    path: Path, register: CountryRegister | None = None, skip_bad: bool = False
) -> TrainingIngest:
    """Read, check and map one training table.

    Args:
        path: the CSV file (columns: ``COLUMNS``; see the README).
        register: the countries the graph already names (default: ``data/countries.ttl``).
        skip_bad: leave bad rows out (they are listed in the result) instead of failing.

    Raises:
        InputError: if the file is unreadable or its header wrong; if a row is bad and
            ``skip_bad`` is false (the bad rows are in the error's ``bad`` attribute); if no row
            is left.
    """
    rows, bad = read_training_rows(path, register or CountryRegister.from_data_dir())
    if bad and not skip_bad:
        raise BadRowsError(path, bad)
    if not rows:
        raise InputError(path, None, "no valid rows: nothing to write")
    return TrainingIngest(graph_name(path), training_graph(path, rows), rows, bad)


class BadRowsError(InputError):
    """A table has bad rows and ``--skip-bad`` was not given: nothing is written."""

    def __init__(self, path: Path, bad: list[BadRow]) -> None:
        self.bad = list(bad)
        first = self.bad[0]
        super().__init__(
            path,
            first.line,
            f"{first.reason} ({len(self.bad)} bad row(s) in all; nothing written; "
            "--skip-bad leaves them out)",
        )

    def __reduce__(self):
        return type(self), (self.path, self.bad)


OUTPUT_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads"}


def output_format(out: Path | None) -> str:
    """The format to write an ingested graph in: from the extension, Turtle for stdout.

    Raises:
        InputError: for an extension other than .ttl, .trig, .nt or .nq.
    """
    if out is None:
        return "turtle"
    fmt = OUTPUT_FORMATS.get(Path(out).suffix.lower())
    if fmt is None:
        known = ", ".join(OUTPUT_FORMATS)
        raise InputError(Path(out), None, f"unknown output extension (known: {known})")
    return fmt


def serialize_ingest(result: TrainingIngest, fmt: str) -> bytes:
    """The ingested graph, byte-stable; TriG and N-Quads name it id/graph/{name}."""
    from imet_kg.rdf.serialize import DATASET_FORMATS, serialize_dataset, serialize_graph

    if fmt not in DATASET_FORMATS:
        return serialize_graph(result.graph, fmt)
    dataset = bind_prefixes(Dataset())
    named = dataset.graph(GRAPH[result.name])
    for triple in result.graph:
        named.add(triple)
    return serialize_dataset(dataset, fmt)
