"""Tests for serialisation: round trips in every format; byte-stable output across processes."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS

from imet_kg.errors import ImetKgError, InputError
from imet_kg.namespaces import ELI, GRAPH, ID, IMET, SCHEMA
from imet_kg.rdf.serialize import (
    DATASET_FORMATS,
    EXPORT_FORMATS,
    TRIPLE_FORMATS,
    export_dataset,
    serialize_dataset,
    serialize_graph,
    serialize_graph_formats,
)

ROOT = Path(__file__).resolve().parents[2]
CONTEXT_FILE = ROOT / "ontology" / "context.jsonld"
EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"  # a str: pytest trips over rdflib's XSD object
PARSE_FORMAT = {"turtle": "turtle", "json-ld": "json-ld", "nt": "nt", "xml": "xml"}


def sample_dataset() -> Dataset:
    """A small dataset like the real one: a named graph per file, typed and tagged literals."""
    dataset = Dataset(default_union=True)
    dataset.bind("sec", ID["sec/"])  # as a data file's own @prefix would
    act, section = ID["act/faa-1961"], ID["sec/22-usc-2347"]
    legislation = dataset.graph(GRAPH["legislation"])
    legislation.add((act, RDF.type, IMET.PublicLaw))
    legislation.add((act, RDFS.label, Literal("Foreign Assistance Act of 1961", lang="en")))
    legislation.add((act, DCTERMS.date, Literal("1961-09-04", datatype=URIRef(XSD + "date"))))
    legislation.add((section, RDF.type, IMET.Section))
    legislation.add((section, ELI.is_part_of, act))
    legislation.add((section, ELI.number, Literal("2347")))
    legislation.add((section, RDFS.label, Literal("Sec. 2347 — General authority", lang="en")))
    legislation.add((section, RDFS.label, Literal("Article 2347 — attaché", lang="fr")))
    legislation.add((section, SCHEMA.text, Literal('The President is authorized…\n"quoted"\t—')))
    program = dataset.graph(GRAPH["program"])
    funding = ID["obs/fy2020"]
    program.add((ID.imet, RDF.type, IMET.Program))
    program.add((ID.imet, RDFS.label, Literal("IMET", lang="en")))
    program.add((funding, IMET.amount, Literal(Decimal("110875000.00"))))
    program.add((funding, IMET.studentCount, Literal(4620)))
    program.add((funding, IMET.fiscalYear, ID["fy/2020"]))
    program.add((funding, DCTERMS.source, ID["src/cbj-2022"]))
    program.add((funding, RDFS.label, Literal("IMET funding, FY 2020", lang="en")))
    program.add((ID["fy/2020"], IMET.fiscalYearNumber, Literal(2020)))
    program.add((section, RDFS.label, Literal("Sec. 2347 — General authority", lang="en")))
    sources = dataset.graph(GRAPH["sources"])
    sources.add((ID["src/cbj-2022"], RDF.type, IMET.SourceDocument))
    sources.add((ID["src/cbj-2022"], DCTERMS.title, Literal("Congressional Budget Justification")))
    sources.add((ID["src/cbj-2022"], DCTERMS.source, Literal("a citation, not an IRI")))
    sources.add((ID["src/cbj-2022"], URIRef("http://other.example/vocab#rank"), Literal(1.5)))
    return dataset


def union(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def named_graphs(dataset: Dataset) -> dict[URIRef, Graph]:
    graphs = {}
    for graph in dataset.graphs():
        if len(graph) and isinstance(graph.identifier, URIRef):
            copy = Graph()
            for triple in graph:
                copy.add(triple)
            graphs[graph.identifier] = copy
    return graphs


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def test_format_sets() -> None:
    assert set(EXPORT_FORMATS) == TRIPLE_FORMATS | DATASET_FORMATS
    assert not TRIPLE_FORMATS & DATASET_FORMATS


@pytest.mark.parametrize("fmt", sorted(TRIPLE_FORMATS))
def test_triple_formats_round_trip_to_the_union(fmt: str, context: dict) -> None:
    dataset = sample_dataset()
    data = serialize_dataset(dataset, fmt, context if fmt == "json-ld" else None)
    assert data.endswith(b"\n")
    back = Graph().parse(data=data, format=PARSE_FORMAT[fmt])
    assert isomorphic(back, union(dataset))


@pytest.mark.parametrize("fmt", sorted(DATASET_FORMATS))
def test_dataset_formats_keep_the_named_graphs(fmt: str) -> None:
    dataset = sample_dataset()
    data = serialize_dataset(dataset, fmt)
    back = Dataset()
    back.parse(data=data, format=fmt)
    expected, got = named_graphs(dataset), named_graphs(back)
    assert (
        sorted(got)
        == sorted(expected)
        == [GRAPH["legislation"], GRAPH["program"], GRAPH["sources"]]
    )
    for name, graph in expected.items():
        assert isomorphic(got[name], graph), name


@pytest.mark.parametrize("order", [EXPORT_FORMATS, EXPORT_FORMATS[::-1]], ids=["forward", "back"])
def test_several_formats_at_once_are_each_format_s_own_bytes(order, context: dict) -> None:
    # One ordering of the statements serves every format (the static site's three files per
    # resource): no format's bytes may depend on another having been written first.
    graph = union(sample_dataset())
    note = BNode()
    graph.add((ID.imet, RDFS.seeAlso, note))
    graph.add((note, URIRef("http://third.example/ns#weight"), Literal(2)))
    written = serialize_graph_formats(graph, order, context=context)
    assert list(written) == list(order)
    for fmt in order:
        assert written[fmt] == serialize_graph(graph, fmt, context=context), fmt


def test_blank_nodes_round_trip_and_stay_shared_across_graphs() -> None:
    dataset = sample_dataset()
    shared = BNode()
    dataset.graph(GRAPH["legislation"]).add((ID["sec/22-usc-2347"], IMET.about, shared))
    dataset.graph(GRAPH["program"]).add((shared, RDFS.label, Literal("anonymous")))
    dataset.graph(GRAPH["program"]).add((BNode(), RDFS.comment, Literal("unreferenced")))
    for fmt in DATASET_FORMATS:
        back = Dataset()
        back.parse(data=serialize_dataset(dataset, fmt), format=fmt)
        assert isomorphic(union(back), union(dataset)), fmt  # one node, not two
    for fmt in ("turtle", "nt"):
        back = Graph().parse(data=serialize_dataset(dataset, fmt), format=PARSE_FORMAT[fmt])
        assert isomorphic(back, union(dataset)), fmt


def test_turtle_uses_the_project_prefixes() -> None:
    text = serialize_dataset(sample_dataset(), "turtle").decode("utf-8")
    for prefix in ("imet", "eli", "rdfs", "dcterms", "schema", "id"):
        assert f"PREFIX {prefix}: <" in text
    assert "imet:amount 110875000.00" in text
    assert "\nsec:22-usc-2347\n" in text  # the data's own prefix for the project's IRIs
    assert "attaché" in text and "—" in text  # written as UTF-8, not escaped


def test_ntriples_and_nquads_are_sorted_lines() -> None:
    for fmt in ("nt", "nquads"):
        lines = serialize_dataset(sample_dataset(), fmt).decode("utf-8").splitlines()
        assert lines == sorted(lines)
        assert all(line.endswith(" .") and "  " not in line for line in lines)


def test_output_does_not_depend_on_insertion_order() -> None:
    forward = sample_dataset()
    backward = Dataset(default_union=True)
    backward.bind("sec", ID["sec/"])
    for s, p, o, g in reversed(sorted(forward.quads((None, None, None, None)))):
        backward.graph(g).add((s, p, o))
    for fmt in EXPORT_FORMATS:
        assert serialize_dataset(forward, fmt) == serialize_dataset(backward, fmt), fmt


def test_jsonld_is_compacted_with_the_project_context(context: dict) -> None:
    text = serialize_dataset(sample_dataset(), "json-ld", context).decode("utf-8")
    document = json.loads(text)
    assert isinstance(document["@context"], dict)  # inline, never a URL to fetch
    assert '"@context": "http' not in text and "@import" not in text
    for term in ("label", "amount", "isPartOf", "fiscalYear", "source", "text", "number"):
        assert f'"{term}":' in text, term
    assert str(RDFS.label) not in text.split('"@graph"')[1]
    assert '"amount": "110875000.00"' in text  # the context's xsd:decimal coercion
    assert "attaché" in text  # not \u-escaped
    assert text.startswith('{\n  "@context": {')


def test_jsonld_default_context_uses_the_prefixes() -> None:
    text = serialize_dataset(sample_dataset(), "json-ld").decode("utf-8")
    assert '"rdfs:label":' in text
    assert isomorphic(Graph().parse(data=text, format="json-ld"), union(sample_dataset()))


def test_jsonld_accepts_the_bare_context_object(context: dict) -> None:
    wrapped = serialize_dataset(sample_dataset(), "json-ld", context)
    assert serialize_dataset(sample_dataset(), "json-ld", context["@context"]) == wrapped


def test_jsonld_refuses_a_remote_context(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr("urllib.request.urlopen", refuse)
    with pytest.raises(InputError, match="remote JSON-LD @context"):
        serialize_dataset(sample_dataset(), "json-ld", {"@context": "https://schema.org/"})


@pytest.mark.parametrize(
    "context",
    [{"ex": EX}, {"ex": EX, "steps": {"@id": "ex:steps", "@container": "@list"}}],
    ids=["list-object", "list-container-term"],
)
def test_jsonld_keeps_rdf_lists_in_order(context: dict) -> None:
    graph = Graph()
    head = BNode()
    Collection(graph, head, [Literal("z"), Literal("a"), Literal("m")])
    graph.add((URIRef(EX + "s"), URIRef(EX + "steps"), head))
    data = serialize_graph(graph, "json-ld", context)
    assert '"z",\n' in data.decode("utf-8")  # arrays are sorted, lists are not
    assert isomorphic(Graph().parse(data=data, format="json-ld"), graph)


def test_unknown_format() -> None:
    with pytest.raises(ImetKgError, match="unknown export format 'csv'"):
        serialize_dataset(sample_dataset(), "csv")


def test_serialize_graph_on_a_plain_graph() -> None:
    graph = union(sample_dataset())
    graph.bind("sec", ID["sec/"])
    assert serialize_graph(graph, "turtle") == serialize_dataset(sample_dataset(), "turtle")
    back = Dataset()
    back.parse(data=serialize_graph(graph, "nquads"), format="nquads")
    assert isomorphic(back.default_graph, graph)


def test_export_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "imet.ttl"
    export_dataset(sample_dataset(), "turtle", out)
    assert out.read_bytes() == serialize_dataset(sample_dataset(), "turtle")
    assert [p.name for p in out.parent.iterdir()] == ["imet.ttl"]


def test_export_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    export_dataset(sample_dataset(), "nt", None)
    assert capsysbinary.readouterr().out == serialize_dataset(sample_dataset(), "nt")


# --- byte stability across processes -----------------------------------------------------------

STABLE_FORMATS = EXPORT_FORMATS


def large_dataset() -> Dataset:
    """Many triples in several graphs, with ties in sort order and a few blank nodes."""
    dataset = Dataset(default_union=True)
    for g in range(5):
        graph = dataset.graph(GRAPH[f"file-{g}"])
        for i in range(150):
            subject = ID[f"sec/{g}-{i}"]
            graph.add((subject, RDF.type, IMET.Section))
            graph.add((subject, RDFS.label, Literal(f"Section {i} — attaché {g}", lang="en")))
            graph.add((subject, ELI.is_part_of, ID[f"act/{i % 7}"]))
            graph.add((subject, IMET.amount, Literal(Decimal(f"{i}.50"))))
            # Equal values with different lexical forms sort as ties.
            graph.add((subject, ELI.number, Literal(1)))
            graph.add((subject, ELI.number, Literal("01", datatype=URIRef(XSD + "integer"))))
            graph.add((subject, ELI.number, Literal("1.0", datatype=URIRef(XSD + "decimal"))))
            # Predicates outside the bound namespaces get invented prefixes (ns1, ns2, ...).
            graph.add((subject, URIRef(f"http://other{i % 3}.example/p"), Literal(i)))
            if i % 50 == 0:
                note = BNode()
                graph.add((subject, IMET.about, note))
                graph.add((note, RDFS.comment, Literal(f"note {g}-{i}")))
    return dataset


def _write_outputs(folder: str) -> None:
    """Entry point for the subprocesses below."""
    dataset = large_dataset()
    for fmt in STABLE_FORMATS:
        Path(folder, fmt).write_bytes(serialize_dataset(dataset, fmt))


@pytest.mark.slow
def test_output_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    script = (
        "import sys; sys.path[:0] = sys.argv[1:3]; "
        "import test_serialize; test_serialize._write_outputs(sys.argv[3])"
    )
    outputs = {}
    for seed in ("1", "2"):
        folder = tmp_path / f"seed-{seed}"
        folder.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-c", script, str(ROOT), str(Path(__file__).parent), str(folder)],
            env=env,
            check=True,
            timeout=300,
        )
        outputs[seed] = {fmt: (folder / fmt).read_bytes() for fmt in STABLE_FORMATS}
    for fmt in STABLE_FORMATS:
        assert outputs["1"][fmt], fmt
        assert outputs["1"][fmt] == outputs["2"][fmt], f"{fmt} differs between hash seeds"
