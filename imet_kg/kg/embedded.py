"""The embedded Oxigraph store: the graph's files loaded into pyoxigraph, queries answered as
rdflib results, whole-graph dumps written by Oxigraph's own serialisers.

rdflib stays the API users get: a query on this store returns the same kind of
:class:`rdflib.query.Result` a query on an rdflib Dataset returns, and :meth:`EmbeddedStore.dataset`
copies the store into an rdflib Dataset for code that needs one (pages, pySHACL). What changes is
the speed: Oxigraph parses, queries and serialises in Rust (see STORES.md for the measurements).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from imet_kg.errors import InputError, QueryError
from imet_kg.sparql.text import SERVICE_REFUSED, has_service, sparql_syntax_error

if TYPE_CHECKING:
    from rdflib import Dataset
    from rdflib.query import Result

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_DECIMAL = XSD + "decimal"
_INTEGRAL = re.compile(r"^[+-]?[0-9]+$")

# The RDF formats Oxigraph reads, by file extension (the same extensions imet_kg.rdf.files knows).
OX_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}
DUMP_FORMATS: dict[str, ox.RdfFormat] = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}


def graph_name(path: Path) -> ox.NamedNode:
    """The named graph a file is loaded into: ``…/id/graph/<file stem>`` (as in the rdflib path)."""
    from imet_kg.kg.graph import graph_iri

    return ox.NamedNode(str(graph_iri(Path(path))))


def load_file(
    store: ox.Store,
    path: Path,
    bulk: bool = False,
    to_graph: ox.NamedNode | ox.DefaultGraph | None = None,
) -> None:
    """Load one RDF file into its own named graph of ``store``.

    Args:
        store: the Oxigraph store.
        path: the file; its format comes from its extension.
        bulk: use Oxigraph's bulk loader (fast on big files, not transactional).
        to_graph: the graph for the file's triples, if not its own named graph.

    Raises:
        InputError: if the file is missing, its extension unknown, it does not parse (with its
            line), or it is JSON-LD naming a remote context.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        _load_table(store, path)
        return
    fmt = OX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        from imet_kg.rdf.files import format_for_path

        format_for_path(path)  # raises the project's one-line "unknown extension" error
    if not path.is_file():
        raise InputError(path, None, "no such file" if not path.exists() else "not a file")
    if fmt == ox.RdfFormat.JSON_LD:
        from imet_kg.rdf.files import refuse_remote_contexts

        refuse_remote_contexts(_json(path), path)
    target = graph_name(path) if to_graph is None else to_graph
    options = {"format": fmt, "base_iri": path.absolute().as_uri(), "to_graph": target}
    first_line = 0
    try:
        if bulk and fmt in _LINE_FORMATS and _splittable(path):
            # Oxigraph's bulk loader holds up to a million quads before writing them (1.1 GB at
            # 1M triples); a file read in parts of whole lines keeps that to a part's worth.
            for first_line, part in _parts(path):  # noqa: B007 (the error names its line)
                store.bulk_load(input=part, **options)
        else:
            (store.bulk_load if bulk else store.load)(path=str(path), **options)
    except SyntaxError as exc:
        message = str(exc).split(": ", 1)[-1] if str(exc).startswith("Parser error") else str(exc)
        line = None if exc.lineno is None else exc.lineno + first_line
        raise InputError(path, line, f"malformed {fmt.name}: {message}") from exc
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc}") from exc


_LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
_PART_BYTES = 32 << 20  # about 200,000 triples of N-Triples


def _splittable(path: Path) -> bool:
    """A big line-based file without blank nodes: Oxigraph names a blank node afresh in each
    load, so a file with some (or a literal with "_:", to be safe) is read in one piece."""
    if path.stat().st_size <= _PART_BYTES:
        return False
    with path.open("rb") as handle:
        tail = b""
        while block := handle.read(_PART_BYTES):
            if b"_:" in tail + block[:1]:
                return False
            if b"_:" in block:
                return False
            tail = block[-1:]
    return True


def _parts(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file in parts of whole lines, each with the number of lines before it."""
    lines_before = 0
    with path.open("rb") as handle:
        rest = b""
        while block := handle.read(_PART_BYTES):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            part, rest = (block[:cut], block[cut:]) if cut else (b"", block)
            if part:
                yield lines_before, part
                lines_before += part.count(b"\n")
        if rest:
            yield lines_before, rest


def _load_table(store: ox.Store, path: Path) -> None:
    # A shipped country-figures table goes through the same ingest as in the rdflib build
    # (imet_kg.kg.graph.load_files): the countries loaded so far keep their IRIs, and statements
    # the store holds are not repeated. Both are read from the store itself (an rdflib copy of
    # the whole store per table took 0.9 s of every 1.1 s table, four tables per build).
    from rdflib import Graph

    from imet_kg.ingest.countries import CountryRegister
    from imet_kg.ingest.country_figures import figures_to_add
    from imet_kg.kg.graph import graph_iri
    from imet_kg.rdf.oxigraph_terms import to_oxigraph

    countries = Graph()
    for row in store.query(_COUNTRY_FACTS):
        countries.add((to_rdflib(row["s"]), to_rdflib(row["p"]), to_rdflib(row["o"])))

    def holds(triple: tuple) -> bool:
        # Compared as rdflib terms, as an rdflib copy of the store would compare them.
        found = store.quads_for_pattern(to_oxigraph(triple[0]), to_oxigraph(triple[1]), None)
        return any(to_rdflib(quad.object) == triple[2] for quad in found)

    new = figures_to_add(path, CountryRegister.from_graph(countries), holds)
    name = ox.NamedNode(str(graph_iri(path)))
    store.extend(ox.Quad(*(to_oxigraph(term) for term in triple), name) for triple in new)


# What CountryRegister.from_graph reads: each coded country's codes and labels, in every graph.
_COUNTRY_FACTS = """
PREFIX imet: <https://w3id.org/imet-kg/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?p ?o WHERE {
  GRAPH ?g { ?s imet:isoAlpha2 [] }
  GRAPH ?h { ?s ?p ?o }
  FILTER(?p IN (imet:isoAlpha2, rdfs:label))
}
"""


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, getattr(exc, "lineno", None), f"malformed JSON-LD: {exc}") from exc


def load_graphs(store: ox.Store, paths: Iterable[Path], bulk: bool = False) -> None:
    """Load each file into its own named graph, and their union into the default graph.

    Raises:
        InputError: as :func:`load_file` does.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        load_file(store, path, bulk=bulk)
    merge_into_default_graph(store, paths, bulk=bulk)


def merge_into_default_graph(store: ox.Store, paths: Iterable[Path], bulk: bool = False) -> None:
    """Write the union of the named graphs of ``store``, loaded from ``paths``, into its default
    graph (each triple once: the default graph is a set).

    A triple file whose graph has no blank node is read a second time straight into the default
    graph: at 1M triples that took 15-18 s where one ``INSERT { ?s ?p ?o } WHERE { GRAPH ?g
    {...} }`` took 66 s and 1.3 GB, since the update holds every triple in one transaction. The
    other graphs are copied quad by quad, which keeps their blank nodes (a second parse would give
    them new identifiers, and the default graph would no longer join with the named ones).
    """
    reloaded = set()
    for path in paths:
        name = graph_name(path)
        fmt = OX_FORMATS.get(path.suffix.lower())
        if fmt in _TRIPLE_FORMATS and not _has_blank_nodes(store, name):
            load_file(store, path, bulk=bulk, to_graph=ox.DefaultGraph())
            reloaded.add(name)
    # All the other graphs in as few writes as possible: each bulk write has a fixed cost (new
    # files for every index), which one write per graph of a many-graph N-Quads file added up.
    # quads_for_pattern reads a snapshot, so writing the store meanwhile is safe.
    others = [graph for graph in store.named_graphs() if graph not in reloaded]
    quads = itertools.chain.from_iterable(
        store.quads_for_pattern(None, None, None, graph) for graph in others
    )
    while chunk := list(itertools.islice(quads, _COPY_CHUNK)):
        copies = [ox.Quad(q.subject, q.predicate, q.object) for q in chunk]
        store.bulk_extend(copies) if bulk else store.extend(copies)


_TRIPLE_FORMATS = {
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.RDF_XML,
    ox.RdfFormat.N3,
}  # not JSON-LD, which may name graphs
_COPY_CHUNK = 100_000  # quads copied per write: bounds the memory a big graph's copy takes


def _has_blank_nodes(store: ox.Store, graph: ox.NamedNode) -> bool:
    ask = f"ASK {{ GRAPH {graph} {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
    return bool(store.query(ask))


class EmbeddedStore:
    """The knowledge graph in an embedded Oxigraph store (in memory, or a folder on disk).

    Each file is a named graph, and the store's default graph holds their union, written once by
    :func:`merge_into_default_graph` after loading. Queries see that union as their default graph,
    as with rdflib's ``Dataset(default_union=True)``; it is stored rather than computed because
    Oxigraph's computed union keeps a triple once per graph that has it, where an RDF merge (and
    rdflib) has it once, and a triple stated in two files would give every query a duplicate row.

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
