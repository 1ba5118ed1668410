"""pySHACL's reports on the shape examples and the shipped graph, computed once per test process.

test_validation.py checks each report against the rule an example is for; test_fast_validation.py
compares the compiled validator with the same reports. pySHACL is the slow half of both, so the two
modules run on one xdist worker (SAME_WORKER in tests/conftest.py), which validates each input with
pySHACL once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

from imet_kg.kg.graph import build_graph, load_shapes
from imet_kg.kg.validation import ValidationResult, validate
from imet_kg.namespaces import bind_prefixes
from imet_kg.paths import ONTOLOGY_DIR

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "shapes"
ONTOLOGY_FILES = (ONTOLOGY_DIR / "imet.ttl", ONTOLOGY_DIR / "imet-codelists.ttl")


@cache
def shapes() -> Graph:
    # The shipped shapes, parsed once: pySHACL only ever adds two RDFS bootstrap triples to it.
    return load_shapes()


@cache
def ontology() -> Graph:
    graph = Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path, format="turtle")
    return graph


def example_data(path: Path) -> Graph:
    """An example with the ontology (its rdfs:subClassOf triples the class targets need); a new
    graph each call. Bound prefixes make issues name shapes and nodes as imetsh:Snn-..., imet:..."""
    graph = bind_prefixes(Graph())
    graph += ontology()
    graph.parse(path, format="turtle")
    return graph


@cache
def validated_example(path: Path) -> tuple[Graph, ValidationResult]:
    """An example's data (with the ontology) and pySHACL's report on it: the data is the graph
    pySHACL read, to be read again, not changed (validating changes neither)."""
    data = example_data(path)
    return data, validate(data, shapes())


def example_report(path: Path) -> ValidationResult:
    """pySHACL's report on an example (with the ontology)."""
    return validated_example(path)[1]


@cache
def shipped_report() -> ValidationResult:
    """pySHACL's report on the shipped graph."""
    return validate(build_graph(), shapes())
