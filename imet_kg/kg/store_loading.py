"""Reading the graph's files into an embedded Oxigraph store: one named graph per file, their union
in the default graph (see :class:`imet_kg.kg.embedded.EmbeddedStore`).

Big line-based files are bulk loaded in parts, country-figures tables go through the same ingest
as the rdflib build, and a syntax error names the file and line.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from imet_kg.errors import InputError

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
    from imet_kg.kg.embedded import to_rdflib
    from imet_kg.rdf.oxigraph_terms import to_oxigraph

    countries = Graph()
    for row in store.query(_COUNTRY_FACTS):
        countries.add((to_rdflib(row["s"]), to_rdflib(row["p"]), to_rdflib(row["o"])))

    def holds(triple: tuple) -> bool:
        # Compared as rdflib terms, as an rdflib copy of the store would compare them.
        found = store.quads_for_pattern(to_oxigraph(triple[0]), to_oxigraph(triple[1]), None)
        return any(to_rdflib(quad.object) == triple[2] for quad in found)

    new = figures_to_add(path, CountryRegister.from_graph(countries), holds)
    name = graph_name(path)
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
    paths = list(paths)
    reloaded = set()
    shared = _graphs_written_twice(paths)
    for path in paths:
        name = graph_name(path)
        fmt = OX_FORMATS.get(path.suffix.lower())
        if fmt in _TRIPLE_FORMATS and name not in shared and not _has_blank_nodes(store, name):
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


def _graphs_written_twice(paths: list[Path]) -> set[ox.NamedNode]:
    """The named graphs more than one file writes to: a triple file's graph that an N-Quads, TriG
    or JSON-LD file also names holds more than that file, so it is not re-read for the union."""
    seen: set[ox.NamedNode] = set()
    twice: set[ox.NamedNode] = set()
    for path in paths:
        fmt = OX_FORMATS.get(path.suffix.lower())
        names = {graph_name(path)}
        if fmt is not None and fmt not in _TRIPLE_FORMATS:
            # Read once more for its graph names only: such files are the small ones in practice
            # (a release's N-Quads), and Oxigraph's parser is fast.
            parsed = ox.parse(path=str(path), format=fmt, base_iri=path.absolute().as_uri())
            names |= {q.graph_name for q in parsed if isinstance(q.graph_name, ox.NamedNode)}
        twice |= seen & names
        seen |= names
    return twice


def _has_blank_nodes(store: ox.Store, graph: ox.NamedNode) -> bool:
    ask = f"ASK {{ GRAPH {graph} {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
    return bool(store.query(ask))
