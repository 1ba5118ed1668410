"""Byte-stable dumps of the embedded store: canonical blank node labels (RDFC-1.0), sorted
statements, so the same graph gives the same bytes in any process and after any rebuild.

Oxigraph writes the dump in Rust; Python only sorts lines. Blank node labels are the only part a
rebuild changes (Oxigraph draws them at random when it parses), and RDFC-1.0 labels a blank node
from the statements that mention blank nodes alone, so only those statements go through the
canonicaliser: the cost stays linear in the size of the graph.
"""

from __future__ import annotations

import itertools
import json
import re

import pyoxigraph as ox

from imet_kg.namespaces import PREFIXES
from imet_kg.rdf.blank_nodes import canonicalize
from imet_kg.rdf.oxigraph_terms import with_sorted_prefixes

DUMP_FORMATS = ("nt", "nquads", "turtle", "trig", "json-ld")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Oxigraph stores a decimal in XSD 1.1's canonical form ("27000000"); the data and rdflib write
# XSD 1.0's ("27000000.0"). A quote inside a literal is escaped, so this matches whole literals.
_INTEGRAL_DECIMAL = re.compile(rb'"(-?[0-9]+)"\^\^<http://www\.w3\.org/2001/XMLSchema#decimal>')


def _graph_lines(store: ox.Store, graph: ox.NamedNode) -> list[bytes]:
    """One named graph's statements as N-Quads lines naming the graph."""
    data = store.dump(format=ox.RdfFormat.N_QUADS, from_graph=graph)
    # Whole-dump byte operations, not per-line ones: at a million statements each copy of the
    # lines costs about 200 MB, and the peak is what limits the size a machine can dump.
    data = _INTEGRAL_DECIMAL.sub(rb'"\1.0"^^<http://www.w3.org/2001/XMLSchema#decimal>', data)
    # Every line ends with " .\n", which nothing else in N-Triples can hold (a newline in a
    # literal is written \n): from_graph writes triples, this makes them quads.
    data = data.replace(b" .\n", b" <" + graph.value.encode() + b"> .\n")
    return data.splitlines(keepends=True)


def _sorted_unique(lines: list[bytes]) -> list[bytes]:
    lines.sort()
    return [line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1]]


def canonical_lines(store: ox.Store, with_graph: bool = True) -> list[bytes]:
    """The named graphs' statements as sorted, distinct N-Quads lines (``with_graph``) or
    N-Triples lines of their union, blank nodes labelled by RDFC-1.0 over the named graphs."""
    plain: list[bytes] = []
    with_blank: list[bytes] = []
    for graph in store.named_graphs():
        for line in _graph_lines(store, graph):
            # "_:" can only start a blank node outside a literal; a literal containing it merely
            # sends its line through the canonicaliser, which leaves it as it is.
            if b"_:" in line:
                with_blank.append(line)
            else:
                plain.append(line if with_graph else _triple_line(line))
    if with_blank:
        # canonicalize() refuses blank nodes RDFC-1.0 would take minutes over (rdf/blank_nodes).
        quads = canonicalize(list(ox.parse(b"".join(with_blank), format=ox.RdfFormat.N_QUADS)))
        labelled = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
        plain.extend(labelled if with_graph else map(_triple_line, labelled))
    return _sorted_unique(plain)


def _triple_line(quad_line: bytes) -> bytes:
    # An N-Quads line ends with "<graph> .\n"; the graph IRI has no spaces, so cut at the last one.
    body = quad_line[:-3]
    return body[: body.rstrip().rfind(b" ")] + b" .\n"


def _joined(lines: list[bytes]) -> bytes:
    # Joined, then emptied: the caller's list no longer holds a second copy of the statements.
    data = b"".join(lines)
    lines.clear()
    return data


def canonical_dump(store: ox.Store, fmt: str, context: dict | None = None) -> bytes:
    """Dump the store byte-stably.

    Args:
        store: the embedded store (named graphs, one per source file).
        fmt: ``nquads`` or ``trig`` (named graphs kept), ``nt``, ``turtle`` or ``json-ld`` (their
            union).
        context: for ``json-ld``, the JSON-LD context document (the project's prefixes if None).

    Returns:
        UTF-8 bytes; Turtle and TriG use the project's prefixes.
    """
    if fmt not in DUMP_FORMATS:
        raise ValueError(f"unknown dump format {fmt!r} (choose from {', '.join(DUMP_FORMATS)})")
    if fmt == "json-ld":
        return canonical_jsonld(store, context or {"@context": _prefixes()})
    data = _joined(canonical_lines(store, with_graph=fmt in ("nquads", "trig")))
    if fmt in ("nquads", "nt"):
        return data
    syntax = ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.TURTLE
    source = ox.RdfFormat.N_QUADS if fmt == "trig" else ox.RdfFormat.N_TRIPLES
    return with_sorted_prefixes(
        ox.serialize(ox.parse(data, format=source), format=syntax, prefixes=_prefixes())
    )


def _prefixes() -> dict[str, str]:
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def canonical_jsonld(store: ox.Store, context: dict) -> bytes:
    """The union of the store as a JSON-LD document, streamed from the canonical N-Triples.

    One node object per subject (sorted, one per line), properties as compact IRIs with the
    context's prefixes, every value an explicit ``@id`` or ``@value`` object: compact, and correct
    whatever the context's term definitions say, so a JSON-LD processor reads back the same graph.
    Linear in the size of the graph (rdflib's and PyLD's writers are not: see STORES.md).

    Args:
        store: the embedded store.
        context: a ``{"@context": {...}}`` document (inline; nothing is fetched).
    """
    body = context.get("@context", context) if isinstance(context, dict) else {}
    prefixes = sorted(
        ((name, iri) for name, iri in body.items() if isinstance(iri, str) and iri[-1:] in "/#"),
        key=lambda pair: -len(pair[1]),
    )

    def compact(iri: str) -> str:
        for name, namespace in prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{name}:{iri[len(namespace) :]}"
        return iri

    def value(term: object) -> dict:
        if isinstance(term, ox.Literal):
            written: dict = {"@value": term.value}
            if term.language:
                written["@language"] = term.language
            elif term.datatype.value != _XSD_STRING:
                written["@type"] = compact(term.datatype.value)
            return written
        return {"@id": compact(term.value) if isinstance(term, ox.NamedNode) else str(term)}

    triples = _joined(canonical_lines(store, with_graph=False))
    nodes = []
    for subject, group in itertools.groupby(
        ox.parse(triples, format=ox.RdfFormat.N_TRIPLES), key=lambda t: t.subject
    ):
        node: dict = {
            "@id": compact(subject.value) if isinstance(subject, ox.NamedNode) else str(subject)
        }
        for triple in group:
            key = (
                "@type" if triple.predicate.value == _RDF_TYPE else compact(triple.predicate.value)
            )
            if key == "@type" and isinstance(triple.object, ox.NamedNode):
                node.setdefault(key, []).append(compact(triple.object.value))
            else:
                node.setdefault(compact(triple.predicate.value), []).append(value(triple.object))
        nodes.append(json.dumps(node, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    del triples
    head = json.dumps({"@context": body}, ensure_ascii=False, indent=2, sort_keys=True)
    opening = (head[:-2] + ',\n  "@graph": [\n').encode("utf-8")
    return opening + b",\n".join(nodes) + b"\n  ]\n}\n"
