"""The read-only SPARQL endpoint's rules: query checks, limits, result formats, answers.

What is refused, before anything is evaluated (``check_query``):

* SPARQL Update, LOAD included: 403, "this endpoint is read-only";
* ``SERVICE`` anywhere in the query (sub-queries, OPTIONAL, EXISTS ...): 403, the endpoint makes
  no outward requests;
* ``FROM`` / ``FROM NAMED`` naming anything but a graph of the dataset: 403 (rdflib would try to
  fetch it from the web; the workers also switch rdflib's graph loading off);
* a query that does not parse, or is longer than ``Limits.max_query_length``: 400.

Limits (:mod:`imet_kg.publish.limits`): each query runs in a worker process
(:mod:`imet_kg.publish.workers`); one still running after ``time_limit`` seconds is stopped (by
the worker, else by killing it) and one needing more than ``max_memory`` MB has its worker
replaced: the client gets **503 Service Unavailable** saying which. Results are capped at
``max_rows`` rows (or triples for CONSTRUCT/DESCRIBE): the first ``max_rows`` are sent with the
headers ``X-IMET-Truncated: true`` and ``X-IMET-Result-Limit: <max_rows>``. An answer over
``max_bytes`` is not sent: **413** says so (a row can be any size, so rows alone bound nothing).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result

from imet_kg.errors import ImetKgError
from imet_kg.publish.conneg import choose
from imet_kg.publish.limits import DEFAULT_LIMITS, Limits
from imet_kg.rdf.serialize import serialize_graph
from imet_kg.sparql.results import render_result
from imet_kg.sparql.text import GRAPH_FORMS, query_form, sparql_syntax_error

if TYPE_CHECKING:
    from imet_kg.kg.embedded import EmbeddedStore

# Media types per result kind, in the order the endpoint prefers them for "*/*".
TABLE_MEDIA_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
GRAPH_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "text/plain": "nt",
}
# The ``format`` request parameter overrides Accept (handy for download links).
FORMAT_PARAMETER: dict[str, tuple[str, str]] = {
    "json": ("table", "application/sparql-results+json"),
    "xml": ("table", "application/sparql-results+xml"),
    "csv": ("table", "text/csv"),
    "tsv": ("table", "text/tab-separated-values"),
    "turtle": ("graph", "text/turtle"),
    "nt": ("graph", "application/n-triples"),
    "json-ld": ("graph", "application/ld+json"),
    "rdf-xml": ("graph", "application/rdf+xml"),
}
UPDATE_REFUSED = (
    "this endpoint is read-only: SPARQL Update requests (INSERT, DELETE, LOAD, CLEAR, CREATE, "
    "DROP, COPY, MOVE, ADD) are refused"
)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to a query: status, body, Content-Type and extra headers."""

    status: int
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, status: int, message: str) -> Answer:
        return cls(status, (message.rstrip() + "\n").encode("utf-8"), "text/plain; charset=utf-8")


class QueryRefused(ImetKgError):
    """A query the endpoint will not run; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self):
        return type(self), (self.status, str(self))


def _nodes(tree: object) -> Iterable[object]:
    """Every node of a parsed or translated query (CompValue, ParseResults, lists), iteratively."""
    stack = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif hasattr(node, "asList") and hasattr(node, "__iter__"):  # pyparsing ParseResults
            stack.extend(list(node))
            with contextlib.suppress(Exception):
                stack.extend(node.values())


def _refuse_service(tree: object) -> None:
    for node in _nodes(tree):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise QueryRefused(
                403, "SERVICE is refused: this endpoint makes no requests to other endpoints"
            )


def check_query(text: str, graph_names: Iterable[URIRef], limits: Limits = DEFAULT_LIMITS) -> Query:
    """Parse a query and refuse what a read-only, offline endpoint must not run.

    Args:
        text: the query.
        graph_names: the named graphs FROM / FROM NAMED may name.
        limits: for the maximum query length.

    Returns:
        rdflib's translated query, ready for ``graph.query``.

    Raises:
        QueryRefused: 400 for an empty, too long or malformed query; 403 for an update, LOAD,
            SERVICE, or FROM / FROM NAMED naming a graph the dataset does not hold.
    """
    if not text.strip():
        raise QueryRefused(400, "the request has no query (send query=...)")
    if len(text) > limits.max_query_length:
        raise QueryRefused(400, f"the query is longer than {limits.max_query_length} characters")
    try:
        parsed = parseQuery(text)
    except Exception as exc:
        try:
            parseUpdate(text)
        except Exception:
            raise QueryRefused(400, sparql_syntax_error(exc)) from None
        raise QueryRefused(403, UPDATE_REFUSED) from None
    _refuse_service(parsed)
    try:
        query = translateQuery(parsed)
    except Exception as exc:
        raise QueryRefused(400, f"invalid query: {str(exc).splitlines()[0]}") from None
    _refuse_service(query.algebra)  # again after translation, in case it moved a pattern
    allowed = set(graph_names)
    for clause in query.algebra.get("datasetClause") or []:
        # Not clause.get(...): rdflib's CompValue.get returns the key itself when it is missing.
        iri = clause["default"] if "default" in clause else clause["named"]
        keyword = "FROM" if "default" in clause else "FROM NAMED"
        if iri not in allowed:
            raise QueryRefused(
                403,
                f"{keyword} <{iri}> is refused: FROM and FROM NAMED may only name this dataset's "
                "graphs (the endpoint never fetches a graph)",
            )
    return query


def negotiate(form: str, accept: str | None, fmt: str | None) -> tuple[str, str]:
    """Choose the result format for a query form from the ``format`` parameter or Accept.

    Returns:
        ``(render format, media type)``.

    Raises:
        QueryRefused: 400 for an unknown or unfitting ``format``; 406 when Accept allows nothing
            this kind of result can be sent as.
    """
    kind = "graph" if form in GRAPH_FORMS else "table"
    offered = GRAPH_MEDIA_TYPES if kind == "graph" else TABLE_MEDIA_TYPES
    if fmt:
        if fmt not in FORMAT_PARAMETER or FORMAT_PARAMETER[fmt][0] != kind:
            names = [name for name, (k, _) in FORMAT_PARAMETER.items() if k == kind]
            raise QueryRefused(
                400, f"format={fmt!r} does not fit a {form} result (use {', '.join(names)})"
            )
        media_type = FORMAT_PARAMETER[fmt][1]
        return offered[media_type], media_type
    media_type = choose(accept, list(offered))
    if media_type is None:
        raise QueryRefused(
            406,
            f"a {form} result can be sent as {', '.join(offered)}; the Accept header allows none",
        )
    return offered[media_type], media_type


def answer_query(
    dataset: Graph | EmbeddedStore,
    text: str,
    accept: str | None = None,
    fmt: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    graph_names: Iterable[URIRef] | None = None,
) -> Answer:
    """Check, run and render one query in this process (the workers call this).

    The dataset is rdflib's, or the persistent Oxigraph store opened read-only (the query is
    checked by rdflib's parser all the same, then run from its text).

    Never raises for the client's mistakes: they come back as 4xx answers.
    """
    if graph_names is None:
        graph_names = graph_names_of(dataset)
    try:
        query = check_query(text, graph_names, limits)
        form = query_form(text)  # the text parsed as a query, so its first keyword decides
        render_format, media_type = negotiate(form, accept, fmt)
        try:
            result = dataset.query(query if isinstance(dataset, Graph) else text)
            body, truncated = _render(result, form, render_format, limits)
        except (QueryRefused, MemoryError):
            raise  # the worker answers a MemoryError itself (and is replaced)
        except Exception as exc:  # rdflib raises many types while evaluating
            raise QueryRefused(400, f"the query failed: {str(exc).splitlines()[0]}") from None
    except QueryRefused as refused:
        return Answer.error(refused.status, f"{refused.status} {refused}")
    headers = {"X-IMET-Result-Limit": str(limits.max_rows)}
    if truncated:
        headers["X-IMET-Truncated"] = "true"
    charset = "; charset=utf-8" if media_type.startswith("text/") else ""
    return Answer(200, body, media_type + charset, headers)


def over_time_limit(limit: float, elapsed: float) -> Answer:
    """The 503 for a query stopped by the time limit (by its worker, or by killing it)."""
    return Answer.error(
        503,
        f"503 the query ran longer than this endpoint's time limit of {limit:g} s "
        f"(stopped after {elapsed:.1f} s)",
    )


def _too_large(max_bytes: int) -> QueryRefused:
    return QueryRefused(
        413,
        f"the answer is larger than this endpoint's limit of {max_bytes} bytes: ask for fewer "
        "rows (LIMIT) or shorter values",
    )


def _check_size(terms: Iterable[object], max_bytes: int) -> None:
    """Refuse before rendering when the terms' text alone exceeds the byte limit."""
    size = 0
    for term in terms:
        size += len(term) if isinstance(term, str) else 0
        if size > max_bytes:
            raise _too_large(max_bytes)


def _render(result: Result, form: str, fmt: str, limits: Limits) -> tuple[bytes, bool]:
    max_rows = limits.max_rows
    if form in GRAPH_FORMS:
        graph = result.graph
        truncated = len(graph) > max_rows
        if truncated:
            kept = Graph()
            for prefix, namespace in graph.namespaces():
                kept.bind(prefix, namespace)
            for triple in islice(sorted(graph), max_rows):
                kept.add(triple)
            graph = kept
        _check_size((term for triple in graph for term in triple), limits.max_bytes)
        body = serialize_graph(graph, fmt)
    elif form == "ASK":
        return render_result(result, fmt), False
    else:
        rows = list(islice(iter(result), max_rows + 1))
        truncated = len(rows) > max_rows
        capped = Result("SELECT")
        capped.vars = result.vars
        variables = [Variable(v) for v in (result.vars or [])]
        capped.bindings = [
            {var: row[var] for var in variables if row[var] is not None} for row in rows[:max_rows]
        ]
        _check_size((t for row in capped.bindings for t in row.values()), limits.max_bytes)
        body = render_result(capped, fmt)
    if len(body) > limits.max_bytes:
        raise _too_large(limits.max_bytes)
    return body, truncated


def graph_names_of(dataset: Graph | EmbeddedStore) -> frozenset[URIRef]:
    """The non-empty named graphs of a dataset (what FROM / FROM NAMED may name)."""
    if not isinstance(dataset, Graph):  # Oxigraph: its named graphs are those with quads
        return frozenset(URIRef(name) for name in dataset.graph_names())
    if not isinstance(dataset, Dataset):
        return frozenset()
    return frozenset(
        g.identifier for g in dataset.graphs() if isinstance(g.identifier, URIRef) and len(g) > 0
    )
