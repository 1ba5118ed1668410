"""Deeply nested inputs (issue 13, item 11): a one-line error or a result, never RecursionError."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from imet_kg.errors import ImetKgError, InputError
from imet_kg.rdf.blank_nodes import CanonicalizationRefused
from imet_kg.rdf.files import parse_into
from imet_kg.rdf.serialize import serialize_graph

RDF_XML_HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
    '<rdf:Description rdf:about="http://e/s">'
)


def _nested_rdfxml(depth: int, numbered: bool) -> str:
    body = "<e:p>leaf</e:p>"
    for level in range(depth):
        number = f"<e:n>{level}</e:n>" if numbered else ""
        body = f"<e:p><rdf:Description>{number}{body}</rdf:Description></e:p>"
    return RDF_XML_HEAD + body + "</rdf:Description></rdf:RDF>\n"


@pytest.mark.parametrize("depth", [100_000, 2_000])
def test_deep_jsonld_is_a_one_line_error(tmp_path: Path, depth: int) -> None:
    # 100k levels break json.loads; 2,000 get past it and break rdflib's JSON-LD parser.
    path = tmp_path / "deep.jsonld"
    path.write_text('{"http://e/p": ' * depth + '"x"' + "}" * depth)
    with pytest.raises(InputError) as info:
        parse_into(Graph(), path)
    assert str(info.value) == f"{path}: JSON-LD nested too deeply to read"


def test_300_deep_alike_blank_nodes_are_refused_before_labelling() -> None:
    graph = Graph().parse(data=_nested_rdfxml(300, numbered=False), format="xml")
    with pytest.raises(CanonicalizationRefused):
        serialize_graph(graph, "turtle")


def test_1000_deep_distinct_blank_nodes_give_turtle() -> None:
    # rdflib's Turtle writer nests each blank node in its parent, a Python call per level: it
    # raised RecursionError (2,261 lines of traceback); the fallback writes them labelled.
    graph = Graph().parse(data=_nested_rdfxml(1000, numbered=True), format="xml")
    first = serialize_graph(graph, "turtle")
    assert first == serialize_graph(graph, "turtle")
    back = Graph().parse(data=first, format="turtle")
    # Equal canonical N-Triples means the same graph (rdflib's isomorphic() is quadratic here).
    assert serialize_graph(back, "nt") == serialize_graph(graph, "nt")
    assert len(back) == len(graph) == 2001


def test_1000_deep_distinct_blank_nodes_in_jsonld_are_a_one_line_error() -> None:
    graph = Graph().parse(data=_nested_rdfxml(1000, numbered=True), format="xml")
    with pytest.raises(ImetKgError) as info:
        serialize_graph(graph, "json-ld")
    assert "nested too deeply" in str(info.value)
    assert "\n" not in str(info.value)
