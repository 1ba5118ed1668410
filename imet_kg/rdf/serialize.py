"""Serialise the knowledge graph, byte for byte the same from run to run."""

from __future__ import annotations

import hashlib
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from functools import cached_property, lru_cache
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from imet_kg.errors import ImetKgError, one_line
from imet_kg.namespaces import BASE, PREFIXES, bind_prefixes
from imet_kg.rdf.files import write_atomic
from imet_kg.rdf.jsonld import jsonld_bytes
from imet_kg.rdf.oxigraph_terms import to_oxigraph, with_sorted_prefixes

EXPORT_FORMATS = ("turtle", "json-ld", "nt", "trig", "nquads", "xml")
# Triple formats carry the union of the named graphs; dataset formats keep them apart.
TRIPLE_FORMATS = frozenset({"turtle", "json-ld", "nt", "xml"})
DATASET_FORMATS = frozenset({"trig", "nquads"})

_Quad = tuple[Node, Node, Node, Node | None]
_STAND_IN = "urn:imet-kg:stand-in:"


def serialize_dataset(dataset: Dataset, fmt: str, context: dict | None = None) -> bytes:
    """Serialise the dataset to bytes in one of ``EXPORT_FORMATS``.

    The output is deterministic: the same graph gives the same bytes in any process, whatever
    the insertion order or PYTHONHASHSEED (blank nodes get labels computed from the graph;
    statements, lines and JSON-LD arrays are sorted). Turtle is rdflib's "longturtle".

    Args:
        dataset: The graph, one named graph per source file.
        fmt: One of ``EXPORT_FORMATS``. Triple formats carry the union of all the graphs;
            ``trig`` and ``nquads`` keep the named graphs.
        context: For ``json-ld``, the JSON-LD context to compact with: a ``{"@context": ...}``
            document such as the project's ``ontology/context.jsonld``, or the bare context
            object. It must be inline (no URL: nothing is fetched). Defaults to
            ``imet_kg.rdf.jsonld.default_context()``.

    Returns:
        The serialisation, UTF-8 encoded, ending with a newline.

    Raises:
        ImetKgError: If ``fmt`` is not an export format.
        InputError: If ``context`` refers to a remote context.
    """
    return _serialize(_Canonical(dataset), fmt, context)


def serialize_graph(graph: Graph, fmt: str, context: dict | None = None) -> bytes:
    """Serialise a plain graph the same deterministic way as ``serialize_dataset``.

    Args:
        graph: The graph; for ``trig`` and ``nquads`` it becomes the default graph.
        fmt: One of ``EXPORT_FORMATS``.
        context: For ``json-ld``, the JSON-LD context (see ``serialize_dataset``).

    Returns:
        The serialisation, UTF-8 encoded, ending with a newline.

    Raises:
        ImetKgError: If ``fmt`` is not an export format.
        InputError: If ``context`` refers to a remote context.
    """
    return _serialize(_Canonical(graph), fmt, context)


def serialize_graph_formats(
    graph: Graph, formats: Iterable[str], context: dict | None = None
) -> dict[str, bytes]:
    """Serialise a graph in several formats, each as :func:`serialize_graph` would, ordering its
    statements once for all of them (the static site writes each resource three ways).

    Returns:
        The serialisation in each format, by format.

    Raises:
        ImetKgError: If a format is not an export format.
        InputError: If ``context`` refers to a remote context.
    """
    canonical = _Canonical(graph)
    return {fmt: _serialize(canonical, fmt, context) for fmt in formats}


class _Canonical:
    """A graph's statements in canonical order (blank nodes relabelled, sorted) and the prefixes
    to write them with, worked out once for any number of formats."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    @cached_property
    def quads(self) -> list[_Quad]:
        return _canonical_quads(self.graph)

    @cached_property
    def prefixes(self) -> list[tuple[str, URIRef]]:
        return _source_prefixes(self.graph)

    @cached_property
    def union(self) -> Graph:
        """The union of the graphs, in a store that keeps insertion order (see _ordered_graph).
        The triple formats' serialisers only read it: each format's bytes are the same whether
        or not another format was written from it first."""
        return _ordered_graph(((s, p, o) for s, p, o, _ in self.quads), self.prefixes)


def _serialize(canonical: _Canonical, fmt: str, context: dict | None) -> bytes:
    try:
        return _serialize_with_rdflib(canonical, fmt, context)
    except RecursionError:
        # rdflib's Turtle and JSON-LD writers nest a blank node inside the one that refers to
        # it, one Python call per level: a few hundred levels exhaust the stack.
        if fmt != "turtle":
            raise ImetKgError(
                f"cannot write {fmt}: blank nodes are nested too deeply for rdflib's writer "
                "(use the default --store oxigraph, or another format)"
            ) from None
    except ImetKgError:
        raise
    except Exception as exc:
        # rdflib reads "<http://e/a b>" with a warning, then cannot write it (a bare Exception).
        if "does not look like a valid URI" not in str(exc):
            raise
        raise ImetKgError(f"cannot write {fmt}: {one_line(str(exc))}") from None
    return _flat_turtle(canonical.quads, canonical.prefixes)


def _flat_turtle(quads: list[_Quad], prefixes: list[tuple[str, URIRef]]) -> bytes:
    """Turtle from Oxigraph's writer, which labels blank nodes instead of nesting them."""
    import pyoxigraph as ox

    names = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    names.update((prefix, str(namespace)) for prefix, namespace in prefixes)
    triples = sorted({tuple(to_oxigraph(t) for t in quad[:3]) for quad in quads}, key=str)
    data = ox.serialize(
        [ox.Triple(*t) for t in triples], format=ox.RdfFormat.TURTLE, prefixes=names
    )
    return with_sorted_prefixes(data)


def _serialize_with_rdflib(canonical: _Canonical, fmt: str, context: dict | None) -> bytes:
    if fmt not in EXPORT_FORMATS:
        raise ImetKgError(
            f"unknown export format '{fmt}' (choose one of {', '.join(EXPORT_FORMATS)})"
        )
    if fmt in DATASET_FORMATS:
        out = _ordered_dataset(canonical.quads, canonical.prefixes)
        # rdflib 7's own TriG and N-Quads serialisers call Dataset methods it has deprecated.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if fmt == "trig":
                return out.serialize(format="trig", encoding="utf-8")
            data = out.serialize(format="nquads", encoding="utf-8")
        return _sorted_lines(data, fix_default_graph=True)
    union = canonical.union
    if fmt == "turtle":
        return union.serialize(format="longturtle", encoding="utf-8")
    if fmt == "nt":
        return _sorted_lines(union.serialize(format="nt", encoding="utf-8"))
    if fmt == "json-ld":
        return jsonld_bytes(union, context)
    return union.serialize(format="xml", encoding="utf-8")


def export_dataset(
    dataset: Dataset, fmt: str, out: Path | None, context: dict | None = None
) -> None:
    """Serialise the dataset (see ``serialize_dataset``) to a file or to standard output.

    Args:
        dataset: The graph to export.
        fmt: One of ``EXPORT_FORMATS``.
        out: The file to write, atomically (parent folders are created); ``None`` writes the
            bytes to standard output.
        context: The JSON-LD context, for ``json-ld``.

    Raises:
        ImetKgError: If ``fmt`` is unknown or the file cannot be written.
        InputError: If ``context`` refers to a remote context.
    """
    data = serialize_dataset(dataset, fmt, context)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomic(Path(out), data)


def _quads(dataset: Graph) -> Iterator[_Quad]:
    if not isinstance(dataset, Dataset):
        for s, p, o in dataset.triples((None, None, None)):
            yield s, p, o, None
        return
    for s, p, o, g in dataset.quads((None, None, None, None)):
        yield s, p, o, None if g in (None, DATASET_DEFAULT_GRAPH_ID) else g


def _canonical_quads(dataset: Graph) -> list[_Quad]:
    """Return the quads, blank nodes relabelled from the graph's content, sorted."""
    quads = set(_quads(dataset))
    if any(isinstance(term, BNode) for quad in quads for term in quad):
        quads = _relabel_bnodes(quads)
    return sorted(quads, key=_quad_key)


def _relabel_bnodes(quads: set[_Quad]) -> set[_Quad]:
    # Blank node labels are random per process: RDFC-1.0 (Oxigraph's, linear for ordinary
    # graphs, where rdflib's canonicaliser took 4 s for a 500-item list) relabels them from the
    # statements that mention blank nodes; the other statements cannot change a label.
    import pyoxigraph as ox

    from imet_kg.rdf.blank_nodes import canonicalize

    outward: dict[Node, object] = {}
    back: dict[object, Node] = {}

    def convert(term: Node | None) -> object:
        if term is None:
            return ox.DefaultGraph()
        known = outward.get(term)
        if known is None and isinstance(term, BNode):
            known = outward[term] = to_oxigraph(term)
        elif known is None:
            try:
                known = to_oxigraph(term)
            except ValueError:  # e.g. an IRI with a space: stands in as a made-up IRI
                known = _stand_in(term)
            if known in back and back[known] != term:  # "x" and "x"^^xsd:string: keep both
                known = _stand_in(term)
            outward[term], back[known] = known, term
        return known

    def restore(term: object) -> Node | None:
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        return None if isinstance(term, ox.DefaultGraph) else back[term]

    plain = {quad for quad in quads if not any(isinstance(t, BNode) for t in quad)}
    converted = [ox.Quad(*(convert(t) for t in quad)) for quad in quads if quad not in plain]
    for quad in canonicalize(converted):
        terms = (quad.subject, quad.predicate, quad.object, quad.graph_name)
        plain.add(tuple(restore(term) for term in terms))
    return plain


def _stand_in(term: Node) -> object:
    # Named from the term's content, so the canonical labels stay the same from run to run.
    import pyoxigraph as ox

    return ox.NamedNode(_STAND_IN + hashlib.sha256(repr(term).encode()).hexdigest())


def _quad_key(quad: _Quad) -> tuple[str, str, str, str]:
    s, p, o, g = quad
    return ("" if g is None else g.n3(), s.n3(), p.n3(), o.n3())


def _source_prefixes(graph: Graph) -> list[tuple[str, URIRef]]:
    # The data files bind their own prefixes for the project's IRIs (faa:, src:, fy:, ...);
    # keeping them makes the Turtle read like the sources. Other prefixes come from PREFIXES.
    return sorted(
        (prefix, URIRef(namespace))
        for prefix, namespace in graph.namespaces()
        if prefix and str(namespace).startswith(BASE)
    )


def _bind(graph: Graph, prefixes: list[tuple[str, URIRef]]) -> None:
    for prefix, namespace in prefixes:
        graph.bind(prefix, namespace, override=False)
    bind_prefixes(graph)


@lru_cache(maxsize=64)
def _all_bindings(prefixes: tuple[tuple[str, URIRef], ...]) -> tuple[tuple[str, str], ...]:
    """The prefixes a new graph ends up with after :func:`_bind`: rdflib's defaults, the
    sources' and the project's, each namespace once (longest first, for :func:`_bind_used`)."""
    graph = Graph(store="SimpleMemory")
    _bind(graph, list(prefixes))
    return tuple(sorted(((p, str(n)) for p, n in graph.namespaces()), key=lambda b: -len(b[1])))


def _bind_used(graph: Graph, prefixes: list[tuple[str, URIRef]], iris: set[str]) -> None:
    # The same prefixes _bind gives, but only those some IRI of the graph starts with: the
    # serialisers write no others, and binding all ~60 on each of the static site's 4,245 small
    # graphs took a fifth of their serialisation time (15.1 s, now 12.0 s; rdflib rebuilds a
    # trie per bind).
    for prefix, namespace in _all_bindings(tuple(prefixes)):
        if any(iri.startswith(namespace) for iri in iris):
            graph.bind(prefix, namespace, override=True, replace=True)


def _iris(triples: Iterable[tuple[Node, Node, Node]]) -> set[str]:
    found: set[str] = set()
    for triple in triples:
        for term in triple:
            if isinstance(term, URIRef):
                found.add(str(term))
            elif isinstance(term, Literal) and term.datatype is not None:
                found.add(str(term.datatype))
    return found


def _ordered_graph(
    triples: Iterable[tuple[Node, Node, Node]], prefixes: list[tuple[str, URIRef]]
) -> Graph:
    # SimpleMemory yields triples in insertion order (the default store iterates a set in hash
    # order, which changes with PYTHONHASHSEED), so rdflib's serialisers, which sort subjects,
    # predicates and objects but keep ties (e.g. "1"^^xsd:integer and "1.0"^^xsd:decimal) in
    # store order, write the same bytes every time.
    triples = list(triples)
    graph = Graph(store="SimpleMemory", bind_namespaces="none")
    _bind_used(graph, prefixes, _iris(triples))
    for triple in triples:
        graph.add(triple)
    _bind_generated_prefixes(graph, (p for _, p, _ in graph))
    return graph


class _SortedDataset(Dataset):
    # The TriG serialiser writes graphs in the order contexts() gives; the store keeps them in
    # a set, whose order changes with PYTHONHASHSEED.
    def contexts(self, triple=None):
        # Dataset.contexts() is deprecated; its parent's is not, and gives the same graphs.
        graphs = list(super(Dataset, self).contexts(triple))
        yield from sorted(
            graphs, key=lambda g: (g.identifier != DATASET_DEFAULT_GRAPH_ID, g.identifier.n3())
        )


def _ordered_dataset(quads: list[_Quad], prefixes: list[tuple[str, URIRef]]) -> Dataset:
    dataset = _SortedDataset()
    _bind(dataset, prefixes)
    for s, p, o, g in quads:
        (dataset.default_graph if g is None else dataset.graph(g)).add((s, p, o))
    _bind_generated_prefixes(dataset, (p for _, p, _, _ in quads))
    return dataset


def _bind_generated_prefixes(graph: Graph, predicates: Iterable[Node]) -> None:
    # Serialisers invent prefixes (ns1, ns2, ...) for predicates outside the bound namespaces
    # in the order they meet them; inventing them here in sorted order fixes the numbering.
    manager = graph.namespace_manager
    for predicate in sorted(set(predicates)):
        try:
            manager.compute_qname(str(predicate), generate=True)
        except (ValueError, KeyError):
            continue  # no prefix possible; the serialiser writes the full IRI


def _sorted_lines(data: bytes, fix_default_graph: bool = False) -> bytes:
    lines = [line for line in data.split(b"\n") if line.strip()]
    if fix_default_graph:
        # rdflib writes a default-graph quad as "<s> <p> <o>  ." (an empty graph slot).
        lines = [re.sub(rb"\s+\.$", b" .", line) for line in lines]
    return b"".join(line + b"\n" for line in sorted(lines))
