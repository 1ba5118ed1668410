"""The page of a country: its ISO codes and its IMET figures by fiscal year, each with its source.

The figures are the Data Cube observations whose ``imet:scope`` is the country (funding, the
cost of training, students), kept side by side when sources or kinds of figure differ: the table
never adds them up.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from markupsafe import Markup
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, QB, RDF, RDFS, SKOS

from imet_kg.namespaces import ID, IMET, SCHEMA
from imet_kg.publish.chart import Point, Series, render_svg
from imet_kg.publish.views.common import Links
from imet_kg.publish.views.resource import ResourceView

COUNTRY = IMET.Country
FUNDING = ID["dataset/country-funding"]


def observations_of(graph: Graph, country: URIRef) -> list[URIRef]:
    """The Data Cube observations about a country (those in a data set)."""
    return [
        o
        for o in graph.subjects(IMET.scope, country)
        if isinstance(o, URIRef) and graph.value(o, QB.dataSet) is not None
    ]


def countries_with_figures(graph: Graph, program: URIRef | None = None) -> list[URIRef]:
    """The countries that at least one observation is about (of ``program``, if given)."""
    found = {
        scope
        for observation in graph.subjects(QB.dataSet, None)
        if program is None or (observation, IMET.program, program) in graph
        for scope in graph.objects(observation, IMET.scope)
        if isinstance(scope, URIRef) and (scope, RDF.type, COUNTRY) in graph
    }
    return sorted(found, key=str)


def _notation(graph: Graph, subject: object, predicate: URIRef) -> str:
    concept = graph.value(subject, predicate)
    return str(graph.value(concept, SKOS.notation) or "") if concept is not None else ""


def _series_key(graph: Graph, observation: URIRef) -> tuple[str, str, str, str]:
    kind = graph.value(observation, IMET.figureKind)
    source = graph.value(observation, DCTERMS.source)
    label = graph.value(kind, SKOS.prefLabel) if kind is not None else None
    title = graph.value(source, DCTERMS.title) if source is not None else None
    program = graph.value(observation, IMET.program)
    return (
        _notation(graph, observation, IMET.figureKind),
        str(label or "kind not stated"),
        str(program or ""),
        str(title or source or "no source"),
    )


def funding_series(graph: Graph, country: URIRef) -> list[Series]:
    """The country's funding amounts as chart series, one per (kind, program, source)."""
    groups: dict[tuple, dict[int, Point]] = defaultdict(dict)
    for observation in observations_of(graph, country):
        if graph.value(observation, QB.dataSet) != FUNDING:
            continue
        try:
            year = int(
                graph.value(graph.value(observation, IMET.fiscalYear), IMET.fiscalYearNumber)
            )
            amount = Decimal(str(graph.value(observation, IMET.amount)))
        except (TypeError, ValueError, InvalidOperation):
            continue
        status = _notation(graph, observation, IMET.verificationStatus)
        point = Point(
            fiscal_year=year,
            amount=amount,
            observation=str(observation),
            value_status=_notation(graph, observation, IMET.valueStatus),
            qualifier=_notation(graph, observation, IMET.valueQualifier),
            verified=status == "verified",
            status=status,
        )
        groups[_series_key(graph, observation)].setdefault(year, point)
    return [
        Series(
            kind,
            kind_label,
            program,
            str(graph.value(URIRef(program), RDFS.label) or ""),
            source,
            tuple(points[y] for y in sorted(points)),
        )
        for (kind, kind_label, program, source), points in sorted(groups.items())
    ]


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _web_address(url: str) -> str:
    """The address if it is a web address (so no other scheme ends up in a link), else ""."""
    return url if url.startswith(("http://", "https://")) else ""


class CountryView(ResourceView):
    """Countries, with a table of their IMET figures by fiscal year."""

    template = "country.html"

    def matches(self, iri: URIRef, types: set[URIRef]) -> bool:
        return COUNTRY in types

    def layout(self, iri: URIRef, links: Links) -> dict:
        return {
            "codes": [
                (label, self.text_of(iri, predicate))
                for label, predicate in (
                    ("ISO 3166-1 alpha-2", IMET.isoAlpha2),
                    ("ISO 3166-1 alpha-3", IMET.isoAlpha3),
                    ("ISO 3166-1 numeric", IMET.isoNumeric),
                )
                if self.text_of(iri, predicate)
            ],
            "figures": self._figures(iri, links),
            "chart": self._chart(iri, links),
        }

    def _chart(self, iri: URIRef, links: Links) -> Markup | None:
        """A small SVG chart of the country's funding, one line per kind and source (None when
        it has no funding amounts)."""
        series = funding_series(self.graph, iri)
        if not series:
            return None
        title = f"IMET funding for {self.publication.label(iri)} by fiscal year (US dollars)"
        svg = render_svg(series, link=lambda o: links.resource(URIRef(o)), title=title)
        return Markup(svg)

    def _figures(self, iri: URIRef, links: Links) -> list[dict]:
        """One row per observation, by fiscal year, measure, kind and source."""
        rows = [self._figure(o, links) for o in observations_of(self.graph, iri)]
        rows.sort(key=lambda r: (r["year"], r["measure"], r["kind"], r["source_title"], r["iri"]))
        return rows

    def _figure(self, observation: URIRef, links: Links) -> dict:
        graph = self.graph
        fiscal_year = graph.value(observation, IMET.fiscalYear)
        dataset = graph.value(observation, QB.dataSet)
        kind = graph.value(observation, IMET.figureKind)
        source = graph.value(observation, DCTERMS.source)
        amount = _number(graph.value(observation, IMET.amount))
        students = _number(graph.value(observation, IMET.studentCount))
        if amount is not None:
            value = f"${amount:,.0f}"
        elif students is not None:
            value = f"{students:,.0f} students"
        else:
            value = ""
        published = self.text_of(observation, IMET.publishedValue)
        scale = self.text_of(observation, IMET.publishedScale)
        return {
            "iri": str(observation),
            "href": links.resource(observation),
            "year": self.text_of(fiscal_year, IMET.fiscalYearNumber),
            "measure": self.text_of(dataset, RDFS.label),
            "dataset": self.optional_value(dataset, links),
            "kind": self.text_of(kind, SKOS.prefLabel) or self.text_of(kind, SKOS.notation),
            "value": value,
            "published": f"{published} (scale {scale})" if published and scale else published,
            "status": self.optional_value(graph.value(observation, IMET.verificationStatus), links),
            "source": self.optional_value(source, links),
            "source_title": self.text_of(source, DCTERMS.title) or self.text_of(source, RDFS.label),
            "address": _web_address(self.text_of(source, SCHEMA.url)),
            "page": self.text_of(observation, IMET.sourcePage),
        }
