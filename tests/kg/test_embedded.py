"""Tests for the embedded Oxigraph store: the same answers as rdflib, clear load errors, no
outward requests."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal

from imet_kg.errors import InputError, QueryError
from imet_kg.kg.embedded import EmbeddedStore
from imet_kg.kg.graph import knowledge_graph_files, load_files, union_graph
from imet_kg.paths import DATA_DIR, ONTOLOGY_DIR
from imet_kg.sparql.saved import load_queries, run_query

QUERIES = {q.name: q for q in load_queries()}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> list[Path]:
    """A copy of the shipped ontology and data, so both engines read the very same files."""
    root = tmp_path_factory.mktemp("snapshot")
    shutil.copytree(ONTOLOGY_DIR, root / "ontology")
    shutil.copytree(DATA_DIR, root / "data")
    return knowledge_graph_files(root / "ontology", root / "data")


@pytest.fixture(scope="module")
def store(snapshot) -> EmbeddedStore:
    return EmbeddedStore.from_files(snapshot)


@pytest.fixture(scope="module")
def graph(snapshot):
    return load_files(snapshot)


def _value(term):
    # Oxigraph and rdflib spell computed numbers differently ("116" / "116.0"): compare values.
    if isinstance(term, Literal) and isinstance(term.toPython(), int | float | Decimal):
        return (Decimal(str(term.toPython())), term.datatype)
    return term


def _answer(result):
    if result.type == "ASK":
        return result.askAnswer
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return {tuple(_value(t) for t in triple) for triple in result.graph}
    return [tuple(_value(row[i]) for i in range(len(result.vars))) for row in result]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_saved_query_gives_the_same_answer_as_rdflib(store, graph, name):
    query = QUERIES[name]
    oxigraph, rdflib = run_query(store, query), run_query(graph, query)
    assert oxigraph.type == rdflib.type
    expected = _answer(rdflib)
    found = _answer(oxigraph)
    if isinstance(expected, list):
        # Rows that tie on every ORDER BY key may come in either order: compare as multisets.
        expected, found = sorted(expected, key=str), sorted(found, key=str)
    assert found == expected


def test_the_store_holds_the_graph_file_by_file(store, graph):
    assert len(store) == len(graph)
    assert store.graph_names() == sorted(
        str(g.identifier) for g in graph.graphs() if str(g.identifier).startswith("https://")
    )
    assert len(union_graph(store.dataset())) == len(union_graph(graph))


def test_plain_strings_and_decimals_read_as_rdflib_writes_them(store):
    result = store.query(
        "PREFIX imet: <https://w3id.org/imet-kg/def/> "
        "PREFIX obs: <https://w3id.org/imet-kg/id/observation/> "
        "SELECT ?amount WHERE { obs:appropriation-fy2010-worldwide imet:amount ?amount }"
    )
    (amount,) = next(iter(result))
    assert str(amount) == "108000000.0"
    label = next(iter(store.query('SELECT ?l WHERE { BIND("x" AS ?l) }')))[0]
    assert label == Literal("x") and label.datatype is None


def test_malformed_turtle_names_the_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b .\n")
    with pytest.raises(InputError) as caught:
        EmbeddedStore.from_files([bad])
    assert str(caught.value).startswith(f"{bad}:3: malformed Turtle: ")
    with pytest.raises(InputError, match="unknown RDF file extension"):
        EmbeddedStore.from_files([tmp_path / "data.xyz"])
    remote = tmp_path / "remote.jsonld"
    remote.write_text('{"@context": "http://example.org/context.jsonld", "@id": "http://x/a"}')
    with pytest.raises(InputError, match="remote JSON-LD @context"):
        EmbeddedStore.from_files([remote])


def test_bad_sparql_is_a_one_line_query_error(store):
    with pytest.raises(QueryError, match=r"^q: SPARQL syntax error: line 1, column \d+: "):
        store.query("SELECT * WHERE { ?s ?p }", "q")


def test_service_is_refused_without_any_request(store):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    connections = []

    def accept():
        with contextlib.suppress(OSError):  # no connection within the timeout: the good case
            connections.append(listener.accept())

    waiter = threading.Thread(target=accept)
    waiter.start()
    with pytest.raises(QueryError, match="SERVICE is refused"):
        store.query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/q> {{ ?s ?p ?o }} }}")
    waiter.join()
    listener.close()
    assert connections == []


@pytest.mark.parametrize("bulk", [False, True], ids=["transactional", "bulk"])
def test_the_default_graph_is_the_union_once_with_the_named_graphs_blank_nodes(tmp_path, bulk):
    import pyoxigraph as ox

    from imet_kg.kg.store_loading import load_graphs

    prefix = "@prefix ex: <http://example.org/> .\n"
    plain = tmp_path / "plain.nt"
    plain.write_text(
        "<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"
        "<http://example.org/shared> <http://example.org/p> <http://example.org/c> .\n"
    )
    blank = tmp_path / "blank.ttl"
    blank.write_text(prefix + "ex:a ex:q [ ex:r ex:s ] .\n_:x ex:p ex:t .\nex:shared ex:p ex:c .\n")
    quads = tmp_path / "more.nq"
    quads.write_text(
        "<http://example.org/u> <http://example.org/p> <http://example.org/v> <http://g/1> .\n"
        "<http://example.org/shared> <http://example.org/p> <http://example.org/c> <http://g/2> .\n"
        "<http://example.org/w> <http://example.org/p> <http://example.org/x> .\n"
    )
    store = ox.Store(str(tmp_path / "store")) if bulk else ox.Store()
    load_graphs(store, [plain, blank, quads], bulk=bulk)
    default = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    # 2 + 4 + 3 triples, one stated in three files: 7 distinct.
    assert len(default) == 7 == len({(q.subject, q.predicate, q.object) for q in default})
    named = {(q.subject, q.predicate, q.object) for q in store if q.graph_name != ox.DefaultGraph()}
    assert {(q.subject, q.predicate, q.object) for q in default} == named
    # The default graph's blank nodes are the named graph's: a query joins them.
    joined = store.query("SELECT ?b WHERE { ?b <http://example.org/r> ?o . GRAPH ?g { ?b ?p ?o } }")
    assert len(list(joined)) == 1


def test_a_big_line_based_file_is_bulk_loaded_in_parts(tmp_path, monkeypatch):
    import pyoxigraph as ox

    from imet_kg.kg import store_loading as embedded

    monkeypatch.setattr(embedded, "_PART_BYTES", 100)  # a few lines a part
    lines = [f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n' for i in range(40)]
    plain = tmp_path / "plain.nt"
    plain.write_text("".join(lines))
    blank = tmp_path / "blank.nt"
    blank.write_text("".join(lines) + '_:b <http://example.org/p> "x" .\n' * 2)
    parts: list[int] = []
    split = embedded._parts
    monkeypatch.setattr(
        embedded,
        "_parts",
        lambda path: (parts.append(first) or (first, part) for first, part in split(path)),
    )
    store = ox.Store(str(tmp_path / "store"))
    embedded.load_graphs(store, [plain, blank], bulk=True)
    assert len(parts) > 10 and parts[:2] == [0, 1]  # plain.nt, twice (named, default graph)
    assert len(list(store.quads_for_pattern(None, None, None, embedded.graph_name(plain)))) == 40
    # A file with blank nodes is read whole: its two lines name one node.
    assert len(list(store.quads_for_pattern(None, None, None, embedded.graph_name(blank)))) == 41
    bad = tmp_path / "bad.nt"
    bad.write_text("".join(lines[:30]) + "<http://example.org/s> <http://example.org/p> .\n")
    with pytest.raises(InputError) as caught:
        embedded.load_file(ox.Store(str(tmp_path / "other")), bad, bulk=True)
    assert str(caught.value).startswith(f"{bad}:31: malformed N-Triples")


def test_a_file_graph_that_an_nquads_file_also_fills_is_whole_in_the_union(tmp_path):
    # funding.ttl is read into .../graph/funding; release.nq adds a quad to that same graph. The
    # union (the default graph) must hold both, not just a second read of funding.ttl.
    import pyoxigraph as ox

    from imet_kg.kg.graph import graph_iri
    from imet_kg.kg.store_loading import load_graphs

    turtle = tmp_path / "funding.ttl"
    turtle.write_text("<http://example.org/a> <http://example.org/p> 1 .\n")
    quads = tmp_path / "release.nq"
    quads.write_text(
        f'<http://example.org/b> <http://example.org/p> "2" <{graph_iri(turtle)}> .\n'
        '<http://example.org/c> <http://example.org/p> "3" <http://example.org/other> .\n'
    )
    for order in ([turtle, quads], [quads, turtle]):
        store = ox.Store()
        load_graphs(store, order, bulk=True)
        union = {
            q.subject.value for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        }
        assert union == {"http://example.org/a", "http://example.org/b", "http://example.org/c"}
