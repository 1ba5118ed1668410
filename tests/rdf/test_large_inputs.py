"""Inputs that made reading or writing super-linear (issue 13, item 7): each finishes at once.

These tests are not timed: the inputs are sized so that the old quadratic paths would take
minutes (a 4 MB N-Triples literal: 50 s to validate; a 500-item list: 4 s to relabel, 2,000: over
a minute; a billion-laughs RDF/XML: minutes before expat stops it), which shows as a hang.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from imet_kg.errors import InputError
from imet_kg.rdf.blank_nodes import MAX_ALIKE_LINKED, CanonicalizationRefused
from imet_kg.rdf.files import parse_into
from imet_kg.rdf.serialize import serialize_graph

EX = "http://example.org/"
HUGE = 4 * 1024 * 1024


def test_ntriples_with_a_4_mb_literal_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    path.write_text(f'<{EX}s> <{EX}p> "{"x" * HUGE}" .\n')
    graph = Graph()
    parse_into(graph, path)
    assert graph.value(URIRef(f"{EX}s"), URIRef(f"{EX}p")) == Literal("x" * HUGE)


def test_nquads_with_a_4_mb_literal_goes_to_its_named_graph(tmp_path: Path) -> None:
    path = tmp_path / "big.nq"
    path.write_text(f'<{EX}s> <{EX}p> "{"y" * HUGE}" <{EX}g> .\n<{EX}s> <{EX}q> <{EX}o> .\n')
    dataset = Dataset()
    default = dataset.graph(URIRef(f"{EX}file"))
    parse_into(default, path)
    assert len(dataset.graph(URIRef(f"{EX}g"))) == 1
    assert (URIRef(f"{EX}s"), URIRef(f"{EX}q"), URIRef(f"{EX}o")) in default


def test_ntriples_blank_node_labels_are_per_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    first.write_text(f'_:x <{EX}p> "1" .\n')
    second.write_text(f'_:x <{EX}p> "2" .\n')
    graph = Graph()
    parse_into(graph, first)
    parse_into(graph, second)
    assert len(set(graph.subjects())) == 2


def test_bad_ntriples_name_line_column_and_what_was_expected(tmp_path: Path) -> None:
    # rdflib said "Failed to eat <regex>"; the message now names what the grammar wanted.
    path = tmp_path / "bad.nt"
    path.write_text(f'<{EX}s> <{EX}p> "ok" .\n<{EX}s> <{EX}p> <{EX}o>\n')
    with pytest.raises(InputError) as info:
        parse_into(Graph(), path)
    message = str(info.value)
    assert "Failed to eat" not in message
    assert message.startswith(f"{path}:")
    assert "malformed N-Triples: column" in message
    assert "dot" in message  # "Quads must be followed by a dot"


def _list_turtle(items: list[str]) -> str:
    return f"<{EX}s> <{EX}p> ( {' '.join(items)} ) .\n"


def test_a_2000_item_list_serialises_in_every_format() -> None:
    graph = Graph()
    graph.parse(data=_list_turtle([f'"{i}"' for i in range(2000)]), format="turtle")
    for fmt in ("nt", "json-ld", "xml", "trig"):
        assert serialize_graph(graph, fmt).endswith(b"\n" if fmt != "xml" else b">\n")
    turtle = serialize_graph(graph, "turtle")
    assert turtle == serialize_graph(graph, "turtle")
    back = Graph().parse(data=turtle, format="turtle")
    head = back.value(URIRef(f"{EX}s"), URIRef(f"{EX}p"))
    assert [str(item) for item in Collection(back, head)] == [str(i) for i in range(2000)]


def test_a_long_list_of_equal_items_is_refused_with_a_reason() -> None:
    # RDFC-1.0 can only tell such list nodes apart by their position: 500 took 25 s, and the
    # cost grows steeply. The check before it is linear.
    graph = Graph()
    graph.parse(data=_list_turtle(['"a"'] * 5000), format="turtle")
    with pytest.raises(CanonicalizationRefused) as info:
        serialize_graph(graph, "nt")
    assert f"under {MAX_ALIKE_LINKED}" in str(info.value)
    assert "\n" not in str(info.value)


def test_a_short_list_of_equal_items_is_still_labelled() -> None:
    graph = Graph()
    graph.parse(data=_list_turtle(['"a"'] * 20), format="turtle")
    back = Graph().parse(data=serialize_graph(graph, "nt"), format="nt")
    assert isomorphic(back, graph)  # small enough for rdflib's (quadratic) comparison


def _laughs(levels: int = 10) -> str:
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE r [\n'
        + "\n".join(entities)
        + "\n]>\n"
        + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
        + f'<rdf:Description rdf:about="http://e/s"><e:p>&lol{levels - 1};</e:p>'
        + "</rdf:Description></rdf:RDF>\n"
    )


@pytest.mark.parametrize(
    "declaration, kind",
    [
        (None, "nested"),
        ('<!ENTITY secret SYSTEM "file:///etc/passwd">', "external"),
        ('<!ENTITY % p "x">', "parameter"),
    ],
)
def test_rdfxml_entities_that_expand_are_refused_before_parsing(
    tmp_path: Path, declaration: str | None, kind: str
) -> None:
    path = tmp_path / "laughs.rdf"
    text = _laughs() if declaration is None else _laughs(1).replace("]>", f"{declaration}\n]>")
    path.write_text(text)
    with pytest.raises(InputError) as info:
        parse_into(Graph(), path)
    assert f"{kind} DTD entity refused" in str(info.value)
    assert info.value.line is not None


def test_rdfxml_namespace_entities_are_still_read(tmp_path: Path) -> None:
    # What ontology editors write: entities that hold a namespace IRI.
    path = tmp_path / "onto.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY ex "http://example.org/">\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="&ex;">'
        '<rdf:Description rdf:about="&ex;s"><ex:p>v</ex:p></rdf:Description></rdf:RDF>\n'
    )
    graph = Graph()
    parse_into(graph, path)
    assert (URIRef(f"{EX}s"), URIRef(f"{EX}p"), Literal("v")) in graph
