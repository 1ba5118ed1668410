"""Check that the IRIs given as parameter values name something the graph holds.

A mistyped IRI would otherwise give a silent "(0 rows)"; the message names the closest IRI the
graph does hold, written the way the value was (short form, prefixed name or IRI).
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from imet_kg.errors import QueryError
from imet_kg.sparql.params import sparql_string, sparql_term

if TYPE_CHECKING:
    from imet_kg.sparql.saved import QueryEngine, SavedQuery


def check_iris_held(
    engine: Graph | QueryEngine, query: SavedQuery, values: dict[str, str] | None
) -> None:
    """Check that each IRI given as a parameter value names something the graph holds.

    A mistyped IRI would otherwise give a silent "(0 rows)". Defaults are not checked: the header
    lint vouches for them.

    Args:
        engine: an rdflib Graph, the embedded store, or a remote store (anything whose
            ``query(text)`` returns an rdflib Result).
        query: the query the values are for.
        values: the parameter values as typed, by name.

    Raises:
        QueryError: ``parameter NAME: the graph holds no IRI ... (did you mean ...?)``.
    """
    values = values or {}
    prefixes = query.known_prefixes()
    terms = query.bindings(values, prefixes)
    for param in query.params:
        if param.type != "iri" or param.name not in values:
            continue
        written_iri = sparql_term(terms[param.name])
        ask = f"ASK {{ {{ {written_iri} ?p ?o }} UNION {{ ?s ?p {written_iri} }} }}"
        if engine.query(ask).askAnswer:
            continue
        head, tail, written = param.spelling(values[param.name], prefixes)
        iri = str(terms[param.name])
        locals_ = [
            held[len(head) : len(held) - len(tail)]
            for held in _iris_under(engine, head)
            if held.endswith(tail)
        ]
        local = iri[len(head) : len(iri) - len(tail)]
        close = difflib.get_close_matches(local, locals_, n=1, cutoff=0.5)
        hint = f" (did you mean {written}{close[0]}?)" if close else ""
        raise QueryError(
            f"query {query.name}: parameter {param.name}: the graph holds no <{iri}>{hint}"
        )


def _iris_under(engine: Graph | QueryEngine, namespace: str) -> set[str]:
    """The subject and object IRIs of the graph that start with ``namespace``."""
    if isinstance(engine, Graph):  # rdflib evaluates the query below in seconds; a scan is 0.1 s
        return {
            str(term)
            for s, _, o in engine.triples((None, None, None))
            for term in (s, o)
            if isinstance(term, URIRef) and str(term).startswith(namespace)
        }
    answer = engine.query(
        "SELECT DISTINCT ?iri WHERE { { ?iri ?p ?o } UNION { ?s ?p ?iri } "
        f'FILTER(isIRI(?iri) && STRSTARTS(STR(?iri), "{sparql_string(namespace)}")) }}'
    )
    return {str(row[0]) for row in answer}
