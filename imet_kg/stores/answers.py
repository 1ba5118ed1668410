"""Turn a remote store's answer into the rdflib Result a local query gives for the same query."""

from __future__ import annotations

import io

from rdflib import Dataset, Graph, Literal
from rdflib.namespace import XSD
from rdflib.query import Result

from imet_kg.sparql.client import JSON_MEDIA_TYPES, Answer, first_line
from imet_kg.sparql.text import GRAPH_FORMS

# rdflib parser formats for the media types stores answer with.
_RESULT_MEDIA_TYPES = {
    **dict.fromkeys(JSON_MEDIA_TYPES, "json"),
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
}
_RDF_MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/n3": "n3",
    "text/rdf+n3": "n3",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


def to_result(answer: Answer) -> Result:
    """Parse an answer into the rdflib Result a local ``graph.query`` would give.

    Rows or a boolean for SELECT and ASK; a fresh ``result.graph`` for CONSTRUCT and DESCRIBE, so
    :func:`imet_kg.sparql.results.render_result` writes both the same way. ``"x"^^xsd:string``
    becomes the plain literal ``"x"`` (the same term in RDF 1.1, which some stores spell out).

    Raises:
        EndpointError: if the answer is not SPARQL results (or RDF), or cannot be parsed.
    """
    if answer.form in GRAPH_FORMS:
        return _graph_result(answer)
    fmt = _RESULT_MEDIA_TYPES.get(answer.media_type)
    if fmt is None:
        raise answer.not_results()
    try:
        result = Result.parse(io.BytesIO(answer.data), format=fmt)
    except Exception as exc:  # rdflib's parsers raise many kinds of exception
        raise answer.error(f"unreadable SPARQL results: {first_line(exc)}") from exc
    if result.type == "SELECT":
        result.bindings = [
            {var: _plain_string(term) for var, term in row.items()} for row in result.bindings
        ]
    return result


def _graph_result(answer: Answer) -> Result:
    fmt = _RDF_MEDIA_TYPES.get(answer.media_type)
    if fmt is None:
        raise answer.error(f"the answer to a {answer.form} query is {answer.media_type}, not RDF")
    parsed = Dataset() if fmt in ("nquads", "trig") else Graph()
    try:
        parsed.parse(data=answer.data, format=fmt)
    except Exception as exc:  # rdflib's parsers raise many kinds of exception
        raise answer.error(f"unreadable {answer.form} answer: {first_line(exc)}") from exc
    # A fresh graph, like rdflib's own CONSTRUCT result: the store's prefixes (ns0:, ...) would
    # otherwise change how the result is written.
    graph = Graph()
    for s, p, o in parsed.triples((None, None, None)):
        graph.add((s, p, _plain_string(o)))
    result = Result(answer.form)
    result.graph = graph
    return result


def _plain_string(term):
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term
