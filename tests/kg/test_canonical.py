"""Tests for the embedded store's byte-stable dumps: same bytes after a rebuild, the same graph
as rdflib's export, canonical blank node labels."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from imet_kg.kg.canonical import canonical_dump
from imet_kg.kg.embedded import EmbeddedStore
from imet_kg.kg.graph import knowledge_graph_files, union_graph
from imet_kg.rdf.blank_nodes import CanonicalizationRefused

TURTLE_WITH_BLANKS = """@prefix ex: <http://example.org/> .
ex:a ex:p [ ex:q "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> ; ex:r ( "x" "y" ) ] .
ex:b ex:p "_: is not a blank node" , "27000000.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .
"""


def test_every_format_is_byte_identical_after_a_rebuild(tmp_path):
    path = tmp_path / "blanks.ttl"
    path.write_text(TURTLE_WITH_BLANKS)
    first, second = (EmbeddedStore.from_files([path]) for _ in range(2))
    for fmt in ("nt", "nquads", "turtle", "trig", "json-ld"):
        assert canonical_dump(first.store, fmt) == canonical_dump(second.store, fmt), fmt
    nt = canonical_dump(first.store, "nt").decode()
    assert "_:c14n0" in nt  # RDFC-1.0 labels, not Oxigraph's random ones
    assert '"27000000.0"^^<http://www.w3.org/2001/XMLSchema#decimal>' in nt  # as in the data
    assert '"_: is not a blank node"' in nt
    assert nt.splitlines() == sorted(nt.splitlines())


def test_dumps_hold_the_shipped_graph(graph):
    store = EmbeddedStore.from_files(knowledge_graph_files())
    union = union_graph(graph)
    for fmt, parser in (("nt", "nt"), ("turtle", "turtle")):
        dumped = Graph().parse(data=canonical_dump(store.store, fmt), format=parser)
        assert isomorphic(dumped, union), fmt
    context = {"@context": {"imet": "https://w3id.org/imet-kg/def/", "label": "rdfs:label"}}
    jsonld = canonical_dump(store.store, "json-ld", context)
    assert isomorphic(Graph().parse(data=jsonld, format="json-ld"), union)
    assert json.loads(jsonld)["@context"] == context["@context"]
    for fmt in ("nquads", "trig"):
        dumped = Dataset()
        dumped.parse(data=canonical_dump(store.store, fmt), format=fmt)
        for named in graph.graphs():
            if named.identifier != graph.default_graph.identifier:
                assert isomorphic(dumped.graph(named.identifier), named), (fmt, named.identifier)


def test_a_long_list_of_equal_items_is_refused_not_labelled_for_minutes(tmp_path):
    # RDFC-1.0 took 25 s for 500 equal list items (its n-degree step); the check is linear.
    path = tmp_path / "list.ttl"
    path.write_text(f"<http://example.org/s> <http://example.org/p> ( {'0 ' * 3000}) .\n")
    store = EmbeddedStore.from_files([path])
    with pytest.raises(CanonicalizationRefused):
        canonical_dump(store.store, "nt")
    distinct = tmp_path / "distinct.ttl"
    items = " ".join(str(i) for i in range(3000))
    distinct.write_text(f"<http://example.org/s> <http://example.org/p> ( {items} ) .\n")
    dump = canonical_dump(EmbeddedStore.from_files([distinct]).store, "nt")
    assert dump.count(b"\n") == 6001


def test_line_dumps_are_written_as_oxigraph_writes_each_statement(tmp_path):
    # One space between terms, the graph name included: each line is what Oxigraph's own writer
    # gives for the statement it holds (an earlier dump wrote two spaces before the graph name).
    import pyoxigraph as ox

    path = tmp_path / "blanks.ttl"
    path.write_text(TURTLE_WITH_BLANKS)
    store = EmbeddedStore.from_files([path]).store
    for fmt, syntax in (("nquads", ox.RdfFormat.N_QUADS), ("nt", ox.RdfFormat.N_TRIPLES)):
        data = canonical_dump(store, fmt)
        rewritten = ox.serialize(list(ox.parse(data, format=syntax)), format=syntax)
        assert sorted(rewritten.splitlines()) == data.splitlines(), fmt
        assert b"  " not in data, fmt
