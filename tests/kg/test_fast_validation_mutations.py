"""The SPARQL-compiled validator against pySHACL on seeded random mutations of the shipped graph
(issue 9): a triple deleted, a literal's datatype or value changed, a node retyped, an
observation duplicated, a reference redirected. A file of its own, so that the test runner can
give it to one worker while the shape examples (test_fast_validation.py) run on another.
"""

from __future__ import annotations

import random
from functools import cache

import pytest
from differential import assert_same
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from imet_kg.kg.graph import build_graph, ontology_files, union_graph
from imet_kg.namespaces import bind_prefixes

QB_OBSERVATION = URIRef("http://purl.org/linked-data/cube#Observation")
MUTATED_SAMPLES = 36
MUTATIONS_PER_SAMPLE = 3


@cache
def _shipped() -> tuple[Graph, Graph]:
    """The ontology, and the shipped graph's instance data (plain strings, as validate() reads
    them)."""
    ontology = Graph()
    for path in ontology_files():
        ontology.parse(path, format="turtle")
    whole = union_graph(build_graph())
    return ontology, whole - ontology


def _sample(seed: int) -> Graph:
    """Ontology plus a random sixth of the instance data's subjects (pySHACL's time is what
    limits the sample), mutated."""
    rng = random.Random(seed)
    ontology, instances = _shipped()
    subjects = sorted(set(instances.subjects()), key=str)
    kept = set(rng.sample(subjects, max(1, len(subjects) // 6)))
    data = bind_prefixes(Graph())
    data += ontology
    for triple in instances:
        if triple[0] in kept:
            data.add(triple)
    for _ in range(MUTATIONS_PER_SAMPLE):
        rng.choice(MUTATIONS)(data, rng, ontology)
    return data


def _pick(data: Graph, rng: random.Random, ontology: Graph, test=lambda t: True) -> tuple | None:
    candidates = sorted((t for t in data if t not in ontology and test(t)), key=str)
    return rng.choice(candidates) if candidates else None


def _delete(data: Graph, rng: random.Random, ontology: Graph) -> None:
    if triple := _pick(data, rng, ontology):
        data.remove(triple)


NEW_DATATYPES = [XSD.string, XSD.integer, XSD.decimal, XSD.date, XSD.gYear, XSD.anyURI, None]


def _retype_literal(data: Graph, rng: random.Random, ontology: Graph) -> None:
    if triple := _pick(data, rng, ontology, lambda t: isinstance(t[2], Literal)):
        s, p, o = triple
        data.remove(triple)
        datatype = rng.choice(NEW_DATATYPES)
        if datatype is None:
            data.add((s, p, Literal(str(o), lang=rng.choice(["en", "fr", "EN-gb"]))))
        else:
            data.add((s, p, Literal(str(o), datatype=None if datatype == XSD.string else datatype)))


NEW_VALUES = [
    "",
    "abc",
    "-5",
    "0",
    "1.5",
    "2021-02-30",
    "1976",
    "x\n",
    "Pub. L. 1-2",
    "12345678901",
]


def _change_value(data: Graph, rng: random.Random, ontology: Graph) -> None:
    if triple := _pick(data, rng, ontology, lambda t: isinstance(t[2], Literal)):
        s, p, o = triple
        data.remove(triple)
        lexical = rng.choice(NEW_VALUES)
        data.add((s, p, Literal(lexical, lang=o.language, datatype=o.datatype)))


def _retype_node(data: Graph, rng: random.Random, ontology: Graph) -> None:
    if triple := _pick(data, rng, ontology, lambda t: t[1] == RDF.type):
        classes = sorted(ontology.subjects(RDF.type, OWL.Class), key=str)
        data.remove(triple)
        data.add((triple[0], RDF.type, rng.choice(classes)))


def _duplicate_observation(data: Graph, rng: random.Random, ontology: Graph) -> None:
    observations = sorted(data.subjects(RDF.type, QB_OBSERVATION), key=str)
    if observations:
        original = rng.choice(observations)
        copy = URIRef(f"{original}-copy")
        for _, p, o in list(data.triples((original, None, None))):
            data.add((copy, p, o))


def _redirect(data: Graph, rng: random.Random, ontology: Graph) -> None:
    if triple := _pick(
        data, rng, ontology, lambda t: isinstance(t[2], URIRef) and t[1] != RDF.type
    ):
        targets = sorted({o for o in data.objects() if isinstance(o, URIRef)}, key=str)
        data.remove(triple)
        data.add((triple[0], triple[1], rng.choice(targets)))


MUTATIONS = [
    _delete,
    _retype_literal,
    _change_value,
    _retype_node,
    _duplicate_observation,
    _redirect,
]


@pytest.mark.parametrize("seed", range(MUTATED_SAMPLES))
def test_mutated_sample_same_results(seed: int):
    assert_same(_sample(seed), f"mutated sample {seed}")
