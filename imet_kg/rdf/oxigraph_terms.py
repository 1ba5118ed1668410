"""Oxigraph where rdflib is slow: reading N-Triples/N-Quads, and terms converted both ways."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from imet_kg.errors import InputError, one_line

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

_SIMPLE_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class UnsupportedTerm(ValueError):
    """An RDF 1.2 term (a triple term, a literal with a base direction) rdflib cannot hold."""


def parse_lines_into(graph: Graph, data: bytes, quads: bool, path: Path, label: str) -> None:
    """Parse N-Triples (or N-Quads) ``data`` with Oxigraph and add it to the rdflib ``graph``.

    Linear in the size of the file, whatever the length of a line. Blank node labels are the
    file's own (``_:a`` in two files makes two nodes), as with rdflib's parsers. N-Quads named
    graphs go to the dataset ``graph`` belongs to; default-graph statements go to ``graph``.

    Raises:
        InputError: ``path:line: malformed <label>: column c: <reason>``, or for RDF 1.2 terms.
    """
    from rdflib import Graph, URIRef

    fmt = ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES
    convert = rdflib_converter()
    # Statements are added only once the whole file has parsed: a malformed file adds nothing.
    batches: dict[object, tuple[Graph, list]] = {None: (graph, [])}
    try:
        for quad in ox.parse(data, format=fmt):
            name = quad.graph_name
            if isinstance(name, ox.DefaultGraph) or not graph.store.context_aware:
                name = None
            if name not in batches:
                target = Graph(store=graph.store, identifier=URIRef(name.value))
                batches[name] = (target, [])
            target, batch = batches[name]
            s, p, o = (convert(term) for term in (quad.subject, quad.predicate, quad.object))
            batch.append((s, p, o, target))
    except SyntaxError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data[: bad.start].count(b"\n") + 1
            byte = data[bad.start : bad.start + 1].hex()
            raise InputError(path, line, f"malformed {label}: not UTF-8 (byte 0x{byte})") from None
        raise InputError(path, exc.lineno, f"malformed {label}{_syntax_reason(exc)}") from None
    except UnsupportedTerm as exc:
        raise InputError(path, None, f"{label}: {exc}") from None
    for target, batch in batches.values():
        target.addN(batch)


_OXIGRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}


def check_iris(graph: Graph | None, data: bytes, fmt: str, path: Path, label: str) -> None:
    """Refuse a file rdflib read whose IRIs RDF does not allow (rdflib keeps them as they are).

    With ``graph`` None, Oxigraph parses ``data`` (Turtle, TriG, RDF/XML) and its first error
    is reported with line and column; otherwise each IRI of ``graph`` is checked.

    Raises:
        InputError: ``path[:line]: malformed <label>: ...`` naming the IRI or the place.
    """
    if graph is None:
        base = path.absolute().as_uri()
        try:
            for _ in ox.parse(data, format=_OXIGRAPH_FORMATS[fmt], base_iri=base):
                pass
        except SyntaxError as exc:
            raise InputError(path, exc.lineno, f"malformed {label}{_syntax_reason(exc)}") from None
        return
    from rdflib import URIRef

    seen: set[str] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and term not in seen:
                seen.add(term)
                try:
                    ox.NamedNode(str(term))
                except ValueError as exc:
                    reason = f"malformed {label}: invalid IRI <{term}>: {exc}"
                    raise InputError(path, None, one_line(reason)[:400]) from None


@contextlib.contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Keep rdflib's warnings off stderr: it logs one, with a traceback, for every ill-typed
    literal it reads, and one for every IRI it cannot write (the caller reports what is wrong)."""
    logger = logging.getLogger("rdflib")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _syntax_reason(exc: SyntaxError) -> str:
    # "Parser error at line 4 column 1: Quads must be followed by a dot": the line goes in
    # front of the message (path:line:), the column and the reason stay.
    text = one_line(str(exc.msg))
    reason = text.split(": ", 1)[1] if text.startswith("Parser error") and ": " in text else text
    column = f"column {exc.offset}: " if exc.offset else ""
    return f": {column}{reason}"


def rdflib_converter() -> Callable[[object], Node]:
    """A function turning Oxigraph terms into rdflib terms, with one fresh blank node per label.

    Plain strings come back untyped (``"x"``, as rdflib's parsers give them); lexical forms are
    kept as written.

    Raises (from the function):
        UnsupportedTerm: for a triple term or a literal with a base direction (RDF 1.2).
    """
    from rdflib import BNode, Literal, URIRef

    blanks: dict[str, BNode] = {}
    iris: dict[str, URIRef] = {}

    def convert(term: object) -> Node:
        if isinstance(term, ox.NamedNode):
            iri = iris.get(term.value)
            if iri is None:
                iri = iris[term.value] = URIRef(term.value)
            return iri
        if isinstance(term, ox.BlankNode):
            node = blanks.get(term.value)
            if node is None:
                node = blanks[term.value] = BNode()
            return node
        if isinstance(term, ox.Literal):
            if getattr(term, "direction", None):
                raise UnsupportedTerm("literals with a base direction (RDF 1.2) are not supported")
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return Literal(term.value)
            return Literal(term.value, datatype=URIRef(datatype))
        raise UnsupportedTerm("triple terms (RDF 1.2) are not supported")

    return convert


def to_oxigraph(term: Node) -> object:
    """Turn an rdflib term into an Oxigraph term (a blank node keeps its label).

    Raises:
        ValueError: if Oxigraph refuses it (e.g. an IRI with a space, which rdflib accepts).
    """
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(_blank_label(str(term)))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) != _RDF_LANG_STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"no Oxigraph term for {term!r}")


def _blank_label(label: str) -> str:
    # Oxigraph takes blank node ids of the N-Triples grammar; rdflib's may hold other characters.
    if _SIMPLE_LABEL.fullmatch(label):
        return label
    return "x" + label.encode().hex()


def with_sorted_prefixes(data: bytes) -> bytes:
    """Oxigraph's Turtle or TriG with its ``@prefix`` lines sorted: Oxigraph writes them in its
    map's order, which changes from run to run."""
    header, end = [], 0
    while data.startswith(b"@prefix ", end):
        line_end = data.index(b"\n", end) + 1
        header.append(data[end:line_end])
        end = line_end
    return b"".join(sorted(header)) + data[end:]
