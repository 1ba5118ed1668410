"""Data files whose names are not IRI-safe (issue 13, item 11): they load and export."""

from __future__ import annotations

from pathlib import Path

from imet_kg.kg.graph import graph_iri, load_files
from imet_kg.namespaces import GRAPH
from imet_kg.rdf.files import iri_segment
from imet_kg.rdf.serialize import serialize_dataset


def test_iri_segment_encodes_what_iris_exclude_and_keeps_the_rest() -> None:
    assert iri_segment("my data") == "my%20data"
    assert iri_segment('a%b#c?d"e\\f\n') == "a%25b%23c%3Fd%22e%5Cf%0A"
    assert iri_segment("données-2024_v1") == "données-2024_v1"


def test_a_file_name_with_a_space_names_a_valid_graph_and_exports(tmp_path: Path) -> None:
    # The graph IRI was ".../id/graph/my data": export failed with "does not look like a valid
    # URI" (rdflib) or "Invalid IRI code point ' '" (Oxigraph), as a traceback.
    path = tmp_path / "my data.ttl"
    path.write_text('<http://example.org/s> <http://example.org/p> "x" .\n')
    assert graph_iri(path) == GRAPH["my%20data"]
    dataset = load_files([path])
    assert f"<{GRAPH}my%20data> .".encode() in serialize_dataset(dataset, "nquads")
