"""The query page: YASGUI with the saved queries, for the server and for the static site.

The server's page queries ``/sparql``; its address can carry a query (``?query=`` shows and runs
it, ``?edit=`` only shows it) or a saved query with parameter values (``?example=NAME&p=v``),
bound here as RDF terms by :meth:`SavedQuery.bound_text`. The static site has no endpoint, so its
page carries each saved query's answer, computed when the site is built. The script that sets
YASGUI up is ``static/query.js``; YASGUI itself is vendored in ``static/yasgui/``.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from markupsafe import Markup
from rdflib import URIRef
from rdflib.namespace import RDF

from imet_kg.errors import QueryError
from imet_kg.namespaces import BASE, PREFIXES
from imet_kg.publish.views.common import script_json
from imet_kg.sparql.results import render_result
from imet_kg.sparql.saved import run_query

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.query import Result

    from imet_kg.publish.views.common import Links
    from imet_kg.sparql.saved import SavedQuery

STATIC_NOTE = (
    "This copy of the site is static: it has no live SPARQL endpoint, so the editor shows each "
    "saved query with its answer computed when the site was built. Run other queries on the "
    "endpoint of imet-kg serve."
)
# The static query page carries every saved query's answer; keep it a reasonable size.
STATIC_ROWS = 200
DEFAULT_QUERY = """PREFIX imet: <https://w3id.org/imet-kg/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?program ?label WHERE {
  ?program a imet:Program ; rdfs:label ?label .
}
"""


@dataclass(frozen=True)
class QueryPageRequest:
    """What the query page's address asks for.

    Attributes:
        query: the query to put in the editor (None: the default one).
        run: whether to run it on load (``/sparql?query=...``; ``?edit=...`` only shows it).
        example: the saved query chosen, if any.
        values: its parameter values, as given.
        error: why the request could not be followed (shown on the page).
    """

    query: str | None = None
    run: bool = False
    example: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    error: str | None = None


class QueryPageMixin:
    """The query page's part of :class:`SitePages` (which supplies ``queries``, ``graph``,
    ``publication``, ``render`` and ``page_context``)."""

    def query_page(
        self,
        links: Links,
        limits: dict | None = None,
        request: QueryPageRequest | None = None,
    ) -> str:
        """The query page: YASGUI with the saved queries as examples.

        On the server it queries ``/sparql``; on the static site (``links.static``) there is no
        endpoint, so it shows each saved query's answer computed now, when the site is built.

        Args:
            links: server or static links.
            limits: ``{"time_limit": "10", "max_rows": 10000}``, shown beside the editor.
            request: what the page's address asked for: a query to show (and run), or a saved
                query with parameter values (already bound, see :meth:`bind_example`).
        """
        request = request or QueryPageRequest()
        examples = [
            {
                "name": q.name,
                "summary": q.summary,
                "description": q.description,
                "form": q.form,
                "text": q.bound_text(),
                "params": [p.as_dict() for p in q.params],
            }
            for q in self.queries
        ]
        config = {
            "base": BASE,
            "prefixes": {prefix: str(ns) for prefix, ns in PREFIXES.items()},
            "terms": self.completion_terms,
            "endpoint": None if links.static else links.query_page(),
            "static": links.static,
            "staticNote": STATIC_NOTE,
            "siteRoot": _site_root(links),
            "answers": self.static_answers if links.static else {},
            "defaultQuery": DEFAULT_QUERY,
            "query": request.query,
            "run": request.run,
            "chosen": request.example,
            "values": request.values,
            "error": request.error,
        }
        return self.render(
            "query.html",
            self.page_context(
                links,
                "SPARQL query",
                examples=examples,
                examples_json=Markup(script_json(examples)),
                config_json=Markup(script_json(config)),
                limits=limits or {},
                static=links.static,
                static_note=STATIC_NOTE,
                initial_query=request.query or DEFAULT_QUERY,
            ),
        )

    def bind_example(self, name: str, values: dict[str, str]) -> str:
        """A saved query's text with its parameters bound as RDF terms (never spliced as text).

        Raises:
            QueryError: for an unknown query, an unknown parameter or a badly typed value.
        """
        for query in self.queries:
            if query.name == name:
                return query.bound_text(values)
        raise QueryError(f"unknown saved query {name!r}")

    @cached_property
    def completion_terms(self) -> dict[str, list[str]]:
        """The classes and properties the graph uses, for the editor's completion."""
        graph = self.graph
        classes = {str(t) for t in graph.objects(None, RDF.type) if isinstance(t, URIRef)}
        properties = {str(p) for p in graph.predicates() if isinstance(p, URIRef)}
        return {"classes": sorted(classes), "properties": sorted(properties)}

    def saved_result(self, dataset: Graph, query: SavedQuery) -> Result:
        """A saved query's result on ``dataset``, run once: the static site's query page and its
        saved queries page both show it (rdflib's results can be read more than once)."""
        cache = self.__dict__.setdefault("_saved_results", {})
        key = (id(dataset), query.name)
        if key not in cache:
            cache[key] = run_query(dataset, query)
        return cache[key]

    @cached_property
    def static_answers(self) -> dict[str, dict]:
        """Each saved query's answer on this graph, as the endpoint would send it (first rows)."""
        answers = {}
        for query in self.queries:
            result = self.saved_result(self.publication.dataset, query)
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                text = render_result(result, "turtle").decode("utf-8")
                answers[query.name] = {"contentType": "text/turtle", "data": text}
                continue
            data = json.loads(render_result(result, "json"))
            rows = data.get("results", {}).get("bindings", [])
            answers[query.name] = {
                "contentType": "application/sparql-results+json",
                "data": json.dumps(data | {"results": {"bindings": rows[:STATIC_ROWS]}}),
                "truncated": len(rows) > STATIC_ROWS,
                "rows": min(len(rows), STATIC_ROWS),
            }
        return answers


# Parameters of the page's address that are not a saved query's parameter values.
_PAGE_PARAMS = frozenset({"query", "edit", "example"})


def page_request(params: dict[str, list[str]], site: QueryPageMixin) -> QueryPageRequest:
    """Read the query page's address: ``?query=`` (show and run), ``?edit=`` (show), or
    ``?example=NAME&param=value...`` (a saved query bound server-side, then run).

    A value that does not bind (unknown query or parameter, badly typed value) is reported on the
    page, with the saved query's default text in the editor.
    """
    first = {name: values[0] for name, values in params.items() if values}
    if first.get("query"):
        return QueryPageRequest(query=first["query"], run=True)
    if first.get("edit"):
        return QueryPageRequest(query=first["edit"])
    name = first.get("example")
    if not name:
        return QueryPageRequest()
    values = {k: v for k, v in first.items() if k not in _PAGE_PARAMS}
    try:
        text = site.bind_example(name, values)
    except QueryError as exc:
        return QueryPageRequest(example=name, values=values, error=str(exc))
    return QueryPageRequest(query=text, run=True, example=name, values=values)


def _site_root(links: Links) -> str:
    """The href prefix of site files from the page: ``/`` (server), ``../`` or ``""`` (static)."""
    if not links.static:
        return "/"
    folder = posixpath.dirname(links.home())
    return f"{folder}/" if folder else ""
