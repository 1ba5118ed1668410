"""The ontology and data: parse, carry their sources, keep the statute verbatim, invent nothing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, TIME, XSD

from imet_kg.kg.graph import build_graph, graph_iri, knowledge_graph_files, union_graph
from imet_kg.namespaces import ELI, GRAPH, ID, IMET, SCHEMA
from imet_kg.paths import DATA_DIR, ONTOLOGY_DIR
from imet_kg.sources.uscode_text import (
    SOURCE_TEXT_FILE,
    STATUTE_FILE,
    parse_code_text,
    provisions_to_graph,
)

from conftest import ROOT, require

SEED = ROOT.parent / "shared" / "seed" / "sourcewatch-imet.txt"


def test_every_file_is_its_own_named_graph(graph):
    files = knowledge_graph_files()
    assert {f.name for f in files} >= {"imet.ttl", "statute.ttl", "funding.ttl", "claims.ttl"}
    assert all(not f.name.endswith("-shapes.ttl") for f in files)
    names = {g.identifier for g in graph.graphs()}
    for path in files:
        assert graph_iri(path) in names
        assert len(graph.graph(graph_iri(path))) > 0, path


def test_data_files_describe_their_graph(graph):
    for path in sorted(DATA_DIR.glob("*.ttl")):
        named = graph.graph(graph_iri(path))
        assert (GRAPH[path.stem], DCTERMS.title, None) in named, path.name


def test_minted_terms_are_documented(graph):
    minted = {
        s
        for s in graph.subjects(RDFS.isDefinedBy, IMET[""])
        if (s, RDF.type, OWL.Class) in graph
        or (s, RDF.type, OWL.ObjectProperty) in graph
        or (s, RDF.type, OWL.DatatypeProperty) in graph
    }
    assert len(minted) > 40
    for term in minted:
        assert graph.value(term, RDFS.label) is not None, term
        assert graph.value(term, RDFS.comment) is not None, term
    used = {p for _, p, _ in graph.triples((None, None, None)) if str(p).startswith(str(IMET))}
    undocumented = {p for p in used if (p, RDFS.label, None) not in graph}
    assert not undocumented, sorted(undocumented)


def test_ontology_header():
    ontology = Graph().parse(ONTOLOGY_DIR / "imet.ttl")
    header = IMET[""]
    assert (header, RDF.type, OWL.Ontology) in ontology
    for prop in (DCTERMS.title, OWL.versionInfo, DCTERMS.license, DCTERMS.creator):
        assert ontology.value(header, prop) is not None, prop


def test_statute_file_is_what_the_generator_makes():
    committed = Graph().parse(STATUTE_FILE)
    generated = provisions_to_graph(parse_code_text(SOURCE_TEXT_FILE))
    assert isomorphic(committed, generated)


def test_statute_text_is_verbatim_from_the_code_text(graph):
    source = SOURCE_TEXT_FILE.read_text(encoding="utf-8")
    texts = list(graph.subject_objects(SCHEMA.text))
    provision_texts = [
        (s, t)
        for s, t in texts
        if str(s).startswith(str(ID["faa/"])) and (s, RDF.type, IMET.RelatedProvision) not in graph
    ]
    assert len(provision_texts) == 29  # every block and clause of 22 U.S.C. 2347-2347h
    for subject, text in provision_texts:
        assert str(text) in source, subject


def test_statute_hierarchy_down_to_the_paragraph(graph):
    paragraph = ID["faa/section-543/1"]
    assert (paragraph, RDF.type, IMET.Paragraph) in graph
    chain = [paragraph]
    while (parent := graph.value(chain[-1], ELI.is_part_of)) is not None:
        chain.append(parent)
    assert chain == [
        paragraph,
        ID["faa/section-543"],
        ID["faa/part-II/chapter-5"],
        ID["faa/part-II"],
        ID["faa"],
    ]
    assert graph.value(ID["faa"], ELI.id_local) == Literal("Pub. L. 87-195")
    assert graph.value(ID["faa"], IMET.statutesAtLarge) == Literal("75 Stat. 424")
    assert graph.value(ID["faa"], ELI.date_document) == Literal("1961-09-04", datatype=XSD.date)
    sections = sorted(
        str(graph.value(s, ELI.number)) for s in graph.subjects(RDF.type, IMET.Section)
    )
    assert sections == [str(n) for n in range(541, 550)]


@pytest.mark.parametrize(
    ("section", "code"),
    [(541, "2347"), (543, "2347b"), (544, "2347c"), (546, "2347e"), (549, "2347h")],
)
def test_crosswalk(graph, section, code):
    record = ID[f"codification/faa-{section}"]
    assert graph.value(record, IMET.actProvision) == ID[f"faa/section-{section}"]
    assert graph.value(record, IMET.codeSection) == ID[f"usc/t22/s{code}"]
    assert graph.value(ID[f"usc/t22/s{code}"], IMET.uslmId) == Literal(f"/us/usc/t22/s{code}")
    expected = IMET.Inferred if section in (544, 545) else IMET.Verified
    assert graph.value(record, IMET.verificationStatus) == expected


def test_purposes_are_stated_by_section_543_not_541(graph):
    stated = {
        graph.value(p, IMET.statedBy) for p in graph.objects(ID["program/imet"], IMET.purpose)
    }
    assert stated == {ID[f"faa/section-543/{n}"] for n in (1, 2, 3)}
    cited = {graph.value(c, IMET.citesProvision) for c in graph.subjects(IMET.about, None)}
    assert ID["faa/section-541"] in cited  # the seed's mis-citation is kept as its claim


def _amount(graph, observation: str):
    return graph.value(ID[f"observation/{observation}"], IMET.amount)


def test_seed_figures_are_typed_and_attributed(graph):
    seed = ID["source/sourcewatch-imet"]
    expected = {
        "actual-fy2001-worldwide-seed": (IMET.amount, Decimal(55_000_000)),
        "request-fy2003-worldwide-seed": (IMET.amount, Decimal(80_000_000)),
        "students-fy2001-latin-america-seed": (IMET.studentCount, 2601),
        "students-fy2003-latin-america-seed": (IMET.studentCount, 3168),
    }
    for name, (measure, value) in expected.items():
        node = ID[f"observation/{name}"]
        literal = graph.value(node, measure)
        assert literal is not None and literal.toPython() == value, name
        assert literal.datatype in (XSD.decimal, XSD.integer)
        assert graph.value(node, DCTERMS.source) == seed
        assert graph.value(node, IMET.verificationStatus) == IMET.Unverified


def test_every_figure_in_the_seed_is_in_the_graph(graph):
    """Each number the seed states appears as a typed value with the seed as its source."""
    seed_text = SEED.read_text(encoding="utf-8") if SEED.exists() else None
    figures = {2001: None, 2003: None, 55: 55_000_000, 80: 80_000_000, 2601: 2601, 3168: 3168}
    if seed_text is not None:  # cross-check the list against the founding document itself
        for number in ("$55 million", "$80 million", "2,601", "3,168", "150", "2,000", "1976"):
            assert number in seed_text
    seed_values = set()
    for subject in graph.subjects(DCTERMS.source, ID["source/sourcewatch-imet"]):
        for measure in (IMET.amount, IMET.studentCount, IMET.courseCount, IMET.institutionCount):
            value = graph.value(subject, measure)
            if value is not None:
                seed_values.add(value.toPython())
    for value in (v for v in figures.values() if v):
        assert value in seed_values
    assert {150, 2000} <= seed_values
    assert (ID["program/imet"], DCTERMS.created, Literal("1976", datatype=XSD.gYear)) in graph


def test_none_enacted_is_not_zero(graph):
    fy1985 = ID["observation/authorization-fy1985-worldwide"]
    assert graph.value(fy1985, IMET.valueStatus) == IMET.NoneEnacted
    assert graph.value(fy1985, IMET.amount) is None


def test_fiscal_years_are_intervals(graph):
    fy2001 = ID["fiscal-year/2001"]
    begin = graph.value(graph.value(fy2001, TIME.hasBeginning), TIME.inXSDDate)
    end = graph.value(graph.value(fy2001, TIME.hasEnd), TIME.inXSDDate)
    assert (str(begin), str(end)) == ("2000-10-01", "2001-09-30")


def test_no_invented_wikidata_identifiers(graph):
    verified = {"Q11209", "Q789915", "Q11268"}
    found = {
        m.group(1)
        for term in {*graph.subjects(), *graph.objects()}
        if isinstance(term, URIRef)
        for m in [re.search(r"wikidata\.org/(?:entity|wiki)/(Q\d+)$", str(term))]
        if m
    }
    assert found <= verified


def test_urls_only_on_verified_sources(graph):
    for source in graph.subjects(RDF.type, IMET.SourceDocument):
        if graph.value(source, SCHEMA.url) is not None:
            assert graph.value(source, IMET.verificationStatus) == IMET.Verified, source


def test_person_as_the_seed_describes_her(graph):
    person = ID["person/sandra-hodgkinson"]
    assert graph.value(person, SCHEMA.name) == Literal("Sandra Hodgkinson")
    assert "crimes against humanity" in str(graph.value(person, SCHEMA.description))
    assert graph.value(person, DCTERMS.source) == ID["source/sourcewatch-imet"]


def test_concepts_have_labels(graph):
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        assert graph.value(concept, SKOS.prefLabel) is not None, concept


def test_union_graph_has_every_triple(graph):
    assert len(union_graph(graph)) == len(graph)


def _by_value(graph: Graph) -> set:
    # Oxigraph keeps numbers in canonical form ("27000000"), rdflib keeps the lexical form written
    # ("27000000.0"): the same xsd:decimal value, so compare numeric literals by value.
    def term(node):
        if isinstance(node, Literal) and node.datatype in (XSD.decimal, XSD.integer):
            return ("number", node.datatype, node.toPython())
        return node

    return {(s, p, term(o)) for s, p, o in graph}


def test_oxigraph_backend_gives_the_same_graph():
    require("oxrdflib")  # the [oxigraph] extra
    memory = union_graph(build_graph())
    oxigraph = union_graph(build_graph(backend="oxigraph"))
    assert len(memory) == len(oxigraph)
    assert _by_value(memory) == _by_value(oxigraph)


def test_oxigraph_backend_validates_like_memory():
    require("oxrdflib")
    from imet_kg.kg.validation import validate

    result = validate(build_graph(backend="oxigraph"))
    assert result.conforms, result.text
