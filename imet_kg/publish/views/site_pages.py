"""The site-wide pages: home, every resource by type, the query pages, and "not found"."""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import Environment
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from rdflib.query import Result

from imet_kg.kg.graph import triple_count
from imet_kg.namespaces import IMET
from imet_kg.publish import sitemap
from imet_kg.publish.resources import Publication
from imet_kg.publish.views.common import Links, View
from imet_kg.publish.views.query_page import QueryPageMixin
from imet_kg.sparql.results import render_result
from imet_kg.sparql.saved import SavedQuery

# Where the home page suggests starting, and what each place offers (said on its card after the
# resource's own description, or its heading and citation for a provision, which has none).
START_PATHS = {
    "id/program/imet": "Its purposes, agencies, countries and funding.",
    "id/faa/part-II/chapter-5": "The statute section by section: text, versions, amendments and "
    "cross-references.",
    "id/faa/section-543": "The purposes of IMET as the statute states them, each with the "
    "resources that rest on it.",
    "def/": "Every class and property, with the shapes that check the data.",
}


class SitePages(QueryPageMixin, View):
    """The pages that are not about one resource.

    Args:
        publication: the published resources.
        env: the Jinja environment.
        queries: the saved queries (the query pages' examples).
    """

    def __init__(
        self, publication: Publication, env: Environment, queries: Iterable[SavedQuery] = ()
    ) -> None:
        super().__init__(publication, env)
        self.queries = list(queries)

    def home_page(self, links: Links) -> str:
        """The landing page: what the graph is and where to start."""
        pub = self.publication
        starts = []
        for path, offer in START_PATHS.items():
            iri = pub.resolve(path)
            if iri is not None:
                about = self.description(iri) or self._heading_and_citation(iri)
                start = {"value": self.value(iri, links), "description": about, "offer": offer}
                starts.append(start)
        return self.render(
            "home.html",
            self.page_context(
                links,
                "IMET-KG",
                starts=starts,
                resource_count=len(pub.iris),
                triple_count=triple_count(pub.dataset),
                queries=self.queries,
            ),
        )

    def _heading_and_citation(self, iri: URIRef) -> str:
        """A provision's heading and citation as a sentence (for a provision with no
        description), e.g. "Military education and training (22 U.S.C. 2347-2347h)."."""
        heading = self.text_of(iri, IMET.codeHeading) or self.text_of(iri, IMET.actHeading)
        citation = self.text_of(iri, DCTERMS.bibliographicCitation)
        if heading and citation:
            return f"{heading} ({citation})."
        return f"{heading or citation}." if heading or citation else ""

    def saved_queries_page(self, links: Links, results: dict[str, dict]) -> str:
        """The static site's query page: each saved query with its text and its result table.

        Args:
            links: static links.
            results: per query name, ``{"vars": [...], "rows": [[ValueView...]], "total": n}``
                (see :meth:`result_table`), or ``{"text": "..."}`` for graph and ASK results
                (see :meth:`query_results`).
        """
        return self.render(
            "saved_queries.html",
            self.page_context(
                links,
                "Saved queries",
                queries=self.queries,
                results=results,
                editor_href=links.document(sitemap.QUERY_PAGE),
            ),
        )

    def query_results(self, dataset: Graph, links: Links) -> dict[str, dict]:
        """Run each saved query for :meth:`saved_queries_page`."""
        results = {}
        for query in self.queries:
            result = self.saved_result(dataset, query)
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                results[query.name] = {"text": render_result(result, "turtle").decode("utf-8")}
            elif result.type == "ASK":
                results[query.name] = {"text": "true" if result.askAnswer else "false"}
            else:
                results[query.name] = self.result_table(result, links)
                results[query.name]["csv"] = links.sparql_csv(query.bound_text())
        return results

    def result_table(self, result: Result, links: Links, max_rows: int = 200) -> dict:
        """A SELECT result as a table of values for :meth:`saved_queries_page`."""
        variables = [str(v) for v in result.vars or []]
        rows = []
        total = 0
        for row in result:
            total += 1
            if len(rows) < max_rows:
                rows.append(
                    [self.value(row[v], links) if row[v] is not None else None for v in variables]
                )
        return {"vars": variables, "rows": rows, "total": total}

    def not_found_page(self, links: Links, path: str) -> str:
        """The page for a path the graph does not publish."""
        return self.render(
            "not_found.html", self.page_context(links, "Not found", path=path, iri=None)
        )
