"""The page of a program: its purposes and where they are stated, its agencies, its funding."""

from __future__ import annotations

from functools import cached_property

from markupsafe import Markup
from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from imet_kg.errors import ImetKgError
from imet_kg.namespaces import IMET, SCHEMA
from imet_kg.publish.chart import (
    CHART_PROGRAM,
    ChartText,
    Series,
    funding_series,
    in_dollars,
    render_svg,
)
from imet_kg.publish.chart.deflator import CPI_SOURCE, base_year
from imet_kg.publish.views.common import Links
from imet_kg.publish.views.country import countries_with_figures
from imet_kg.publish.views.resource import ResourceView


class ProgramView(ResourceView):
    """Programs; the IMET program's page also carries the funding chart and its figures."""

    template = "program.html"

    def matches(self, iri: URIRef, types: set[URIRef]) -> bool:
        return IMET.Program in types

    def layout(self, iri: URIRef, links: Links) -> dict:
        parts = self.sorted_values(self.graph.subjects(DCTERMS.isPartOf, iri), links)
        return {
            "purposes": self._purposes(iri, links),
            "agencies": self._agencies(iri, links),
            "chart": self._chart(links) if iri == CHART_PROGRAM and self.series else None,
            "parts": parts,
            "alt_labels": sorted(str(v) for v in self.graph.objects(iri, SKOS.altLabel)),
            "countries": self._countries(iri, links),
        }

    @cached_property
    def series(self) -> list[Series]:
        """The funding chart's series (read from the graph once)."""
        return funding_series(self.graph)

    @cached_property
    def constant_missing(self) -> str | None:
        """Why the chart cannot be drawn in constant dollars (a year the vendored deflator does
        not cover), or None when it can."""
        try:
            self.chart_in("constant")
        except ImetKgError as exc:
            return str(exc)
        return None

    def chart_in(self, dollars: str) -> tuple[list[Series], ChartText]:
        """The chart's series and words in ``nominal`` or ``constant`` dollars."""
        return in_dollars(self.series, dollars)

    def chart_svg(self, links: Links, dollars: str = "nominal") -> str:
        """The funding chart as SVG, its points linked to their observations' pages."""

        def link(observation: str) -> str | None:
            return links.resource(URIRef(observation))

        series, text = self.chart_in(dollars)
        return render_svg(series, link=link, text=text)

    def chart_page(self, links: Links) -> str:
        """The chart's own page: the chart in nominal and in constant dollars, its sources, and
        its figures, with the site's navigation."""
        program = CHART_PROGRAM
        return self.render(
            "chart.html",
            self.page_context(
                links,
                "IMET funding by fiscal year",
                chart=self._chart(links),
                program=self.value(program, links),
                base_year=base_year(),
                cpi_source=CPI_SOURCE,
            ),
        )

    def _countries(self, iri: URIRef, links: Links) -> list:
        """The countries with figures of the program, by name."""
        views = [self.value(c, links) for c in countries_with_figures(self.graph, iri)]
        return sorted(views, key=lambda v: v.text.lower())

    def _purposes(self, iri: URIRef, links: Links) -> list[dict]:
        """The program's purposes, each with the provision that states it."""
        purposes = []
        for concept in self.graph.objects(iri, IMET.purpose):
            stated = self.graph.value(concept, IMET.statedBy)
            purposes.append(
                {
                    "concept": self.value(concept, links),
                    "notation": self.text_of(concept, SKOS.notation),
                    "definition": self.text_of(concept, SKOS.definition),
                    "provision": self.optional_value(stated, links),
                    "citation": self.text_of(stated, DCTERMS.bibliographicCitation),
                    "text": self.text_of(stated, SCHEMA.text),
                }
            )
        purposes.sort(key=lambda row: (row["notation"], row["concept"].text))
        return purposes

    def _agencies(self, iri: URIRef, links: Links) -> list[dict]:
        """The agencies associated with the program, with their role and its legal basis."""
        agencies = []
        for association in self.graph.objects(iri, PROV.qualifiedAssociation):
            agencies.append(
                {
                    "association": self.value(association, links),
                    "agent": self.optional_value(self.graph.value(association, PROV.agent), links),
                    "role": self.optional_value(self.graph.value(association, PROV.hadRole), links),
                    "status": self.optional_value(
                        self.graph.value(association, IMET.verificationStatus), links
                    ),
                    "sources": self.values_of(association, DCTERMS.source, links),
                    "quoted": self.values_of(association, PROV.wasQuotedFrom, links),
                    "basis": self.values_of(association, IMET.legalBasis, links),
                }
            )
        agencies.sort(
            key=lambda row: (row["agent"].text if row["agent"] else "", row["association"].text)
        )
        return agencies

    def _chart(self, links: Links) -> dict:
        """The funding chart, drawn inline, with its figures (nominal and constant) as a table."""
        rows = []
        # Without a deflator for every year, the figures go without constant amounts.
        constant = self.series if self.constant_missing else self.chart_in("constant")[0]
        for series, deflated in zip(self.series, constant, strict=True):
            for point, real in zip(series.points, deflated.points, strict=True):
                rows.append(
                    {
                        "year": point.fiscal_year,
                        "kind": series.kind_label,
                        "program": series.program_label,
                        "amount": "" if point.amount is None else f"${point.amount:,.0f}",
                        "constant": ""
                        if real.amount is None or self.constant_missing
                        else f"${real.amount:,.0f}",
                        "qualifier": point.qualifier,
                        "value_status": point.value_status,
                        "source": series.source,
                        "status": point.status,
                        "observation": links.resource(URIRef(point.observation)),
                    }
                )
        rows.sort(key=lambda r: (r["year"], r["kind"], r["program"], r["source"]))
        return {
            "svg": Markup(self.chart_svg(links)),
            "svg_constant": None
            if self.constant_missing
            else Markup(self.chart_svg(links, "constant")),
            "constant_missing": self.constant_missing,
            "rows": rows,
            "page_href": links.chart_page(),
            "svg_href": links.chart("svg"),
            "png_href": links.chart("png"),
            "svg_constant_href": None if self.constant_missing else links.chart("svg", "constant"),
            "png_constant_href": None if self.constant_missing else links.chart("png", "constant"),
            "base_year": base_year(),
        }
