"""The SPARQL-compiled validator against pySHACL, the reference (issue 9).

Both validators run on the same data and must report the same results (tests/kg/differential.py):
the shipped graph and every example in tests/shapes/ (with the ontology, as test_validation.py
validates them) here; seeded random mutations of the shipped graph in
test_fast_validation_mutations.py.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl_reference
import pytest
from differential import assert_same, shipped_shapes
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from imet_kg.kg import fast_validation
from imet_kg.kg.fast_validation import UncompiledShapesError, validate_dataset, validate_on_store
from imet_kg.kg.graph import build_graph
from imet_kg.kg.shacl_compile import compile_shapes
from imet_kg.kg.shacl_expressions import python_dollar
from imet_kg.kg.shacl_report import store_from_rdflib
from imet_kg.kg.sparql_prebind import prebind_select
from imet_kg.kg.validation import validate
from imet_kg.namespaces import bind_prefixes

EXAMPLES_DIR = pyshacl_reference.EXAMPLES_DIR
EXAMPLES = sorted(EXAMPLES_DIR.glob("S*.ttl"))


# --- the compiler covers the shapes -----------------------------------------------------------


def test_every_shape_compiles():
    """No shape of the shipped file needs the pySHACL fallback (a new one that does fails here)."""
    checks, skipped = compile_shapes(shipped_shapes())
    assert not skipped, skipped
    assert len({check.shape for check in checks}) > 100


def test_uncompiled_shape_fails_loudly_or_falls_back():
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:equals ex:q .
        """,
        format="turtle",
    )
    data = Graph().parse(
        data="""@prefix ex: <http://example.org/> . ex:a a ex:C ; ex:p 1 ; ex:q 2 .""",
        format="turtle",
    )
    with pytest.raises(UncompiledShapesError, match="equals"):
        validate_on_store(store_from_rdflib(data), shapes)
    result = validate_on_store(store_from_rdflib(data), shapes, fallback="pyshacl")
    assert {(i.shape, i.constraint) for i in result.issues} == {
        ("<http://example.org/S>", "sh:EqualsConstraintComponent")
    }


def test_prebind_joins_focus_nodes_into_union_branches():
    query, per_focus = prebind_select(
        "SELECT $this ?value WHERE { { FILTER NOT EXISTS { $this <p> ?x } } "
        "UNION { $this <q> ?value } }",
        "SELECT ?this WHERE { ?this a <C> }",
    )
    assert not per_focus
    # The focus nodes join the WHERE group, both branches and the anti-join that replaces the
    # NOT EXISTS (whose own group needs them too).
    assert query.count("SELECT ?this WHERE { ?this a <C> }") == 4
    assert "NOT EXISTS" not in query and "MINUS" in query
    assert prebind_select("SELECT $this WHERE { $this <p> ?o MINUS { ?o <q> 1 } }", "T")[1]


def test_python_end_anchor():
    assert python_dollar("^a$") == "^a\\n?$"
    assert python_dollar("^[$]?1\\$$") == "^[$]?1\\$\\n?$"


# --- the differential test --------------------------------------------------------------------


def test_shipped_graph_same_results():
    assert_same(build_graph(), "the shipped graph", pyshacl_reference.shipped_report())


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_same_results(path: Path):
    data, reference = pyshacl_reference.validated_example(path)
    result = assert_same(data, path.name, reference)
    if "-invalid-" in path.name:
        assert not result.conforms, path.name


def test_numeric_datatypes_read_as_rdflib_reads_them(monkeypatch):
    """A number Oxigraph parses skips the call into rdflib; the others still ask it (an integer
    beyond 64 bits is a number only to Python, "x" and "1.5"^^xsd:integer to neither)."""
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:I sh:targetSubjectsOf ex:i ; sh:path ex:i ; sh:datatype xsd:integer .
        ex:D sh:targetSubjectsOf ex:d ; sh:path ex:d ; sh:datatype xsd:decimal .
        ex:F sh:targetSubjectsOf ex:f ; sh:path ex:f ; sh:datatype xsd:double .
        """,
        format="turtle",
    )
    forms = {
        XSD.integer: ["+007", "-0", " 5", "1_000", "x", "1.5", "12345678901234567890123456789"],
        XSD.decimal: ["5.", ".5", "+1.50", "1e5", "x", "1.0000000000000000000000000001"],
        XSD.double: ["1E5", "INF", "-INF", "NaN", "1e-3", "x", "1.5.5"],
    }
    data = Graph()
    predicates = {XSD.integer: "i", XSD.decimal: "d", XSD.double: "f"}
    for datatype, lexicals in forms.items():
        predicate = URIRef(f"http://example.org/{predicates[datatype]}")
        for index, lexical in enumerate(lexicals):
            node = URIRef(f"http://example.org/{datatype.fragment}-{index}")
            data.add((node, predicate, Literal(lexical, datatype=datatype)))
    asked: list[str] = []
    well_formed = fast_validation._well_formed
    monkeypatch.setattr(
        fast_validation, "_well_formed", lambda term: asked.append(term.value) or well_formed(term)
    )
    fast, reference = validate_dataset(data, shapes), validate(data, shapes)
    flagged = {(i.focus_node, i.value) for i in fast.issues}
    assert flagged == {(i.focus_node, i.value) for i in reference.issues}
    assert len(flagged) >= 5  # at least the "x"s and "1.5"^^xsd:integer
    # rdflib is asked about the forms Oxigraph does not read as numbers, and only those (rdflib
    # has already rewritten " 5", "1_000" and "1e5" as "5", "1000" and "100000").
    assert {"x", "1.5", "1.5.5", "12345678901234567890123456789"} <= set(asked)
    assert not {"7", "5", "1000", "100000", "INF", "NaN"} & set(asked)


def test_every_kind_of_count_bound_as_pyshacl():
    """minCount/maxCount of 0 and 1 compile to NOT EXISTS and joins, other bounds to a count."""
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:One sh:targetClass ex:C ; sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 .
        ex:None sh:targetClass ex:C ; sh:path ex:q ; sh:maxCount 0 .
        ex:Zero sh:targetClass ex:C ; sh:path ex:q ; sh:minCount 0 .
        ex:Some sh:targetClass ex:C ; sh:path [ sh:alternativePath ( ex:p ex:q ) ] ;
            sh:minCount 2 ; sh:maxCount 3 .
        """,
        format="turtle",
    )
    data = Graph().parse(
        data="""
        @prefix ex: <http://example.org/> .
        ex:a a ex:C .
        ex:b a ex:C ; ex:p 1 .
        ex:c a ex:C ; ex:p 1, 2 ; ex:q 3 .
        ex:d a ex:C ; ex:p 1, "1", 2, 3 .
        ex:e a ex:C ; ex:p 1 ; ex:q 1 .
        """,
        format="turtle",
    )
    fast, reference = validate_dataset(data, shapes), validate(data, shapes)
    found = {(i.focus_node, i.shape, i.constraint) for i in fast.issues}
    assert found == {(i.focus_node, i.shape, i.constraint) for i in reference.issues}
    assert {shape for _, shape, _ in found} == {"ex:One", "ex:None", "ex:Some"}


def test_a_changed_shapes_graph_is_compiled_again():
    # The compiled checks are kept by the shapes' triples: equal shapes reuse them, an edited
    # shapes graph (here: the shapes an invalid example breaks, deactivated) gets its own.
    shapes = bind_prefixes(Graph())
    shapes += shipped_shapes()
    data = pyshacl_reference.example_data(EXAMPLES_DIR / "S01-invalid-01.ttl")
    before = validate_dataset(data, shapes)
    assert not before.conforms
    assert validate_dataset(data, shapes).issues == before.issues
    for shape in set(before.report_graph.objects(None, SH.sourceShape)):
        shapes.add((shape, SH.deactivated, Literal(True)))
    assert validate_dataset(data, shapes).conforms


def test_only_the_checks_of_shapes_with_focus_nodes_run(monkeypatch):
    # A shape with no focus node in the data cannot report anything: its checks are not run
    # (on an example, most shapes have none). The results stay pySHACL's (the examples above).
    ran: list = []
    real_run = fast_validation._run

    def recording_run(store, check, union=True):
        ran.append(check)
        return real_run(store, check, union)

    monkeypatch.setattr(fast_validation, "_run", recording_run)
    data = pyshacl_reference.example_data(EXAMPLES_DIR / "S01-invalid-01.ttl")
    assert not validate_dataset(data, shipped_shapes()).conforms
    checks, _ = compile_shapes(shipped_shapes())
    store = store_from_rdflib(data)
    with_focus = {c.target for c in checks if list(store.query(c.target))}
    assert ran and {check.target for check in ran} == with_focus
    assert len(ran) < len(checks) / 2
