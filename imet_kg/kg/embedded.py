"""The embedded Oxigraph store: the graph's files loaded into pyoxigraph, queries answered as
rdflib results, whole-graph dumps written by Oxigraph's own serialisers.

rdflib stays the API users get: a query on this store returns the same kind of
:class:`rdflib.query.Result` a query on an rdflib Dataset returns, and :meth:`EmbeddedStore.dataset`
copies the store into an rdflib Dataset for code that needs one (pages, pySHACL). What changes is
the speed: Oxigraph parses, queries and serialises in Rust (see STORES.md for the measurements).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from imet_kg.errors import QueryError
from imet_kg.kg.store_loading import load_graphs
from imet_kg.sparql.text import SERVICE_REFUSED, has_service, sparql_syntax_error

if TYPE_CHECKING:
    from rdflib import Dataset
    from rdflib.query import Result

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_DECIMAL = XSD + "decimal"
_INTEGRAL = re.compile(r"^[+-]?[0-9]+$")

DUMP_FORMATS: dict[str, ox.RdfFormat] = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}


class EmbeddedStore:
    """The knowledge graph in an embedded Oxigraph store (in memory, or a folder on disk).

    Each file is a named graph, and the store's default graph holds their union, written once
    after loading (:func:`imet_kg.kg.store_loading.merge_into_default_graph`). Queries see that
    union as their default graph, as with rdflib's ``Dataset(default_union=True)``; it is stored
    rather than computed because Oxigraph's computed union keeps a triple once per graph that has
    it, where an RDF merge (and rdflib) has it once, and a triple stated in two files would give
    every query a duplicate row.

    Args:
        store: an open pyoxigraph store; by default a new in-memory one.
    """

    backend = "oxigraph"

    def __init__(self, store: ox.Store | None = None) -> None:
        self.store = store if store is not None else ox.Store()

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> EmbeddedStore:
        """A new in-memory store holding ``paths``, one named graph per file."""
        embedded = cls()
        load_graphs(embedded.store, paths)
        return embedded

    def __len__(self) -> int:
        """The number of triples in the union of the graphs."""
        answer = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(next(iter(answer))[0].value)

    def __repr__(self) -> str:
        return f"EmbeddedStore({len(self)} quads)"

    def graph_names(self) -> list[str]:
        """The named graphs' IRIs, sorted."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def query(self, text: str, name: str = "query") -> Result:
        """Run a SPARQL query; the answer is an rdflib Result, as from ``Dataset.query``.

        Raises:
            QueryError: if the query does not parse or fails while running.
        """
        if has_service(text):  # Oxigraph would send the request: local queries make none
            raise QueryError(f"{name}: {SERVICE_REFUSED}")
        try:
            answer = self.store.query(text)
        except SyntaxError as exc:
            raise QueryError(f"{name}: {sparql_syntax_error(exc)}") from exc
        except Exception as exc:  # Oxigraph raises OSError or ValueError while evaluating
            raise QueryError(f"{name}: {exc}") from exc
        return to_rdflib_result(answer)

    def dump(self, fmt: str) -> bytes:
        """The named graphs as N-Quads or TriG, or their union in a triple format."""
        if fmt in ("nquads", "trig"):
            quads = (q for q in self.store if not isinstance(q.graph_name, ox.DefaultGraph))
            return ox.serialize(quads, format=DUMP_FORMATS[fmt])
        return self.store.dump(format=DUMP_FORMATS[fmt], from_graph=ox.DefaultGraph())

    def dataset(self) -> Dataset:
        """Copy the store into an rdflib Dataset (one named graph per file; default = union)."""
        from rdflib import Dataset

        from imet_kg.namespaces import bind_prefixes

        copy = bind_prefixes(Dataset(default_union=True))
        for quad in self.store:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                continue  # the union, which the Dataset computes itself
            graph = copy.graph(to_rdflib(quad.graph_name))
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return copy


def to_rdflib(term: object) -> object:
    """Turn an Oxigraph term into the rdflib term a query on an rdflib store would give.

    Plain strings come back untyped (``"x"``, not ``"x"^^xsd:string``), and a decimal with no
    fraction keeps rdflib's ``.0`` (Oxigraph writes ``27000000`` where the data and rdflib have
    ``27000000.0``), so both stores give the same text for the same answer.
    """
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        value = term.value
        if datatype == XSD_DECIMAL and _INTEGRAL.match(value):  # not an ill-typed "--02-25"
            value += ".0"
        return Literal(value, datatype=URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        return DATASET_DEFAULT_GRAPH_ID
    raise TypeError(f"no rdflib term for {term!r}")


def to_rdflib_result(answer: object) -> Result:
    """Wrap an Oxigraph query answer (solutions, boolean or triples) as an rdflib Result."""
    from rdflib import Graph, Variable
    from rdflib.query import Result

    if isinstance(answer, ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
        return result
    if isinstance(answer, ox.QueryTriples):
        result = Result("CONSTRUCT")
        result.graph = Graph()
        for triple in answer:
            result.graph.add(
                tuple(to_rdflib(t) for t in (triple.subject, triple.predicate, triple.object))
            )
        return result
    names = [variable.value for variable in answer.variables]
    result = Result("SELECT")
    result.vars = [Variable(name) for name in names]
    result.bindings = list(_bindings(answer, names))
    return result


def _bindings(solutions: ox.QuerySolutions, names: list[str]) -> Iterator[dict]:
    from rdflib import Variable

    variables = [Variable(name) for name in names]
    for solution in solutions:
        row = {}
        for index, variable in enumerate(variables):
            term = solution[index]
            if term is not None:
                row[variable] = to_rdflib(term)
        yield row
