"""The in-process cache of parsed Turtle files: a hit gives what a parse gives, an edit misses."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from imet_kg.errors import InputError
from imet_kg.rdf import parse_cache
from imet_kg.rdf.files import parse_into

TURTLE = """@prefix ex: <http://example.org/> .
@prefix cw: <http://example.org/crosswalk/> .
ex:a ex:p [ ex:q "1.50"^^<http://www.w3.org/2001/XMLSchema#decimal> ] ; ex:r cw:x .
"""


def _parsed(path) -> Graph:
    graph = Graph(bind_namespaces="none")
    parse_into(graph, path)
    return graph


def test_a_second_parse_gives_the_same_graph_with_new_blank_nodes(tmp_path):
    path = tmp_path / "a.ttl"
    path.write_text(TURTLE)
    first = _parsed(path)
    key = parse_cache.cache_key(Graph(), "turtle", path.absolute().as_uri(), path.read_bytes())
    assert key in parse_cache._PARSED  # the first parse was kept
    second = _parsed(path)
    assert isomorphic(first, second)
    assert set(first.objects(None, None)) & set(second.objects(None, None)) >= {
        URIRef("http://example.org/crosswalk/x")
    }
    first_blanks = {o for o in first.objects() if isinstance(o, BNode)}
    second_blanks = {o for o in second.objects() if isinstance(o, BNode)}
    assert first_blanks and second_blanks and not first_blanks & second_blanks
    assert dict(second.namespaces()) == dict(first.namespaces())
    assert dict(second.namespaces())["cw"] == URIRef("http://example.org/crosswalk/")
    assert Literal("1.50", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")) in set(
        second.objects()
    )  # the lexical form as written


def test_an_edited_file_is_parsed_again(tmp_path):
    path = tmp_path / "a.ttl"
    path.write_text(TURTLE)
    _parsed(path)
    path.write_text(TURTLE.replace("cw:x", "cw:y"))
    objects = set(_parsed(path).objects())
    assert URIRef("http://example.org/crosswalk/y") in objects
    assert URIRef("http://example.org/crosswalk/x") not in objects


def test_a_refused_file_is_refused_every_time(tmp_path):
    # rdflib reads this IRI; the check after the parse refuses it, so the parse is not kept.
    path = tmp_path / "bad.ttl"
    path.write_text("<http://example.org/a b> <http://example.org/p> 1 .\n")
    for _ in range(2):
        with pytest.raises(InputError):
            _parsed(path)
    key = parse_cache.cache_key(Graph(), "turtle", path.absolute().as_uri(), path.read_bytes())
    assert key not in parse_cache._PARSED


def test_a_parse_into_a_graph_that_holds_statements_is_not_kept(tmp_path):
    path = tmp_path / "a.ttl"
    path.write_text(TURTLE.replace("ex:a", "ex:only-here"))
    graph = Graph()
    graph.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal(1)))
    parse_into(graph, path)
    key = parse_cache.cache_key(Graph(), "turtle", path.absolute().as_uri(), path.read_bytes())
    assert key not in parse_cache._PARSED
    assert len(_parsed(path)) == len(graph) - 1


def test_a_parse_into_a_dataset_is_not_cached(tmp_path):
    from rdflib import Dataset

    path = tmp_path / "a.ttl"
    path.write_text(TURTLE)
    assert parse_cache.cache_key(Dataset(), "turtle", path.as_uri(), path.read_bytes()) is None
    assert parse_cache.cache_key(Graph(), "turtle", path.as_uri(), path.read_bytes()) is not None
