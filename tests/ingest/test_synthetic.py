"""Synthetic training records: deterministic, skewed, marked synthetic, valid, not in data/."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from training_support import validate_with_ontology

from imet_kg.cli.generate import generate
from imet_kg.ingest.synthetic import (
    COURSES,
    INSTITUTIONS,
    SYNTHETIC,
    SYNTHETIC_GRAPH,
    write_synthetic,
)
from imet_kg.namespaces import IMET, SCHEMA
from imet_kg.paths import DATA_DIR


@cache
def _sample_nt(tmp: Path, records: int, seed: int = 1) -> bytes:
    path = tmp / f"synthetic-{records}-{seed}.nt"
    write_synthetic(path, records, seed)
    return path.read_bytes()


@pytest.fixture(scope="module")
def tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("synthetic")


@pytest.fixture(scope="module")
def sample(tmp) -> Graph:
    """3,000 records with seed 1, parsed."""
    return Graph().parse(data=_sample_nt(tmp, 3000), format="nt")


def _records(graph: Graph) -> list[URIRef]:
    return list(graph.subjects(RDF.type, IMET.TrainingRecord))


def test_same_seed_same_bytes_other_seed_other_data(tmp):
    first = _sample_nt(tmp, 200)
    again = tmp / "again.nt"
    write_synthetic(again, 200, 1)
    assert again.read_bytes() == first
    assert _sample_nt(tmp, 200, seed=2) != first


def test_the_first_records_do_not_depend_on_the_total(tmp, sample):
    small = Graph().parse(data=_sample_nt(tmp, 200), format="nt")
    record = SYNTHETIC["seed-1/training-record/0000150"]
    assert set(small.predicate_objects(record)) == set(sample.predicate_objects(record))


def test_record_count_and_spreads(sample):
    records = _records(sample)
    assert len(records) == 3000
    years = Counter(int(str(sample.value(r, IMET.fiscalYear)).rsplit("/", 1)[1]) for r in records)
    assert min(years) >= 1976 and max(years) <= 2025 and len(years) == 50
    assert sum(years[y] for y in range(2016, 2026)) > 1.5 * sum(years[y] for y in range(1976, 1986))
    countries = Counter(sample.value(r, IMET.studentCountry) for r in records)
    assert 100 <= len(countries) <= 150
    top_share = sum(n for _, n in countries.most_common(15)) / len(records)
    assert top_share > 0.25, "country shares should be skewed"
    courses = Counter(sample.value(r, IMET.course) for r in records)
    assert len(set(sample.subjects(RDF.type, IMET.Course))) == COURSES
    assert len(set(sample.subjects(RDF.type, IMET.TrainingInstitution))) == INSTITUTIONS
    assert courses.most_common(1)[0][1] > 10 * (len(records) / COURSES), "course use is skewed"
    students = [int(sample.value(r, IMET.studentCount)) for r in records]
    assert min(students) >= 1 and Counter(students).most_common(1)[0][0] == 1
    costs = [sample.value(r, IMET.amount) for r in records]
    assert all(c is None or c.toPython() >= 0 for c in costs)
    assert 0 < sum(c is None for c in costs) < 0.05 * len(records)


def test_every_record_is_marked_synthetic_and_cites_no_source(sample):
    run = SYNTHETIC["seed-1/run"]
    for record in _records(sample):
        assert sample.value(record, IMET.verificationStatus) == IMET.Synthetic
        assert sample.value(record, PROV.wasGeneratedBy) == run
        assert sample.value(record, DCTERMS.source) is None
        assert str(record).startswith(str(SYNTHETIC))
    for kind in (IMET.Course, IMET.TrainingInstitution):
        for node in sample.subjects(RDF.type, kind):
            assert sample.value(node, IMET.verificationStatus) == IMET.Synthetic
            assert str(sample.value(node, RDFS.label)).startswith("Synthetic ")
    title = sample.value(SYNTHETIC_GRAPH, DCTERMS.title)
    assert title == Literal("Synthetic training records (benchmark only; not real data)", lang="en")
    assert sample.value(SYNTHETIC_GRAPH, IMET.verificationStatus) == IMET.Synthetic


def test_keys_are_unique(sample):
    key = (IMET.fiscalYear, IMET.studentCountry, IMET.program, IMET.course, SCHEMA.location)
    keys = Counter(tuple(sample.value(r, p) for p in key) for r in _records(sample))
    assert max(keys.values()) == 1


def test_sample_conforms_and_a_duplicated_record_breaks_only_the_key_rule(tmp):
    """One validation run: the only issues are S94's, on the record and its copy."""
    graph = Graph().parse(data=_sample_nt(tmp, 150), format="nt")
    original = SYNTHETIC["seed-1/training-record/0000042"]
    copy = SYNTHETIC["seed-1/training-record/9999999"]
    for p, o in list(graph.predicate_objects(original)):
        graph.add((copy, p, o))
    result = validate_with_ontology(graph)
    found = {(i.severity, i.shape, i.focus_node, i.value) for i in result.issues}
    key_rule = "imetsh:S94-unique-training-record"
    assert found == {
        ("Violation", key_rule, f"<{original}>", '"2"^^xsd:integer'),
        ("Violation", key_rule, f"<{copy}>", '"2"^^xsd:integer'),
    }, result.text


@pytest.mark.parametrize(
    "suffix, quads", [(".nq", True), (".trig", True), (".ttl", False), (".nt", False)]
)
def test_formats_from_the_extension(tmp, suffix, quads):
    path = tmp / f"formats{suffix}"
    count = write_synthetic(path, 20, 3)
    if quads:
        dataset = Dataset()
        dataset.parse(path, format="nquads" if suffix == ".nq" else "trig")
        graphs = {g.identifier for g in dataset.graphs() if len(g)}
        assert graphs == {SYNTHETIC_GRAPH}
        assert len(dataset.graph(SYNTHETIC_GRAPH)) == count
    else:
        graph = Graph().parse(path, format="turtle" if suffix == ".ttl" else "nt")
        assert len(graph) == count
    assert count > 20 * 10


def test_pyoxigraph_bulk_loads_the_n_triples(tmp, sample):
    path = tmp / "synthetic-3000-1.nt"
    store = pyoxigraph.Store()
    store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert len(store) == len(sample)


def test_cli_writes_the_file(tmp):
    out = tmp / "cli.nq"
    result = CliRunner().invoke(generate, ["--records", "30", "-o", str(out), "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "30 synthetic records" in result.output and "not real" in result.output
    assert out.read_bytes().count(b"imet-kg/def/TrainingRecord>") == 30


@pytest.mark.parametrize(
    "target, message",
    [
        (DATA_DIR / "synthetic.nt", "synthetic data never goes into"),
        (DATA_DIR / "sub" / "x.nq", "synthetic data never goes into"),
        (Path("out.csv"), "unknown output extension"),
    ],
)
def test_cli_refuses_bad_outputs(tmp, target, message):
    result = CliRunner().invoke(generate, ["--records", "5", "-o", str(target)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.output
    assert not target.exists()


def test_cli_refuses_a_negative_count(tmp):
    result = CliRunner().invoke(generate, ["--records", "-1", "-o", str(tmp / "x.nt")])
    assert result.exit_code == 2
    assert not (tmp / "x.nt").exists()
