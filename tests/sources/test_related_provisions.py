"""Provisions outside FAA Part II, Chapter 5 that govern IMET (issue 10, item 3).

The committed data/related-provisions.ttl is what the generator makes from the vendored Code text;
the text is verbatim; the subdivisions that matter exist; each restriction and report is tied to
them; and the saved query answers "which laws restrict who IMET may train, and how".
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from imet_kg.namespaces import ELI, ID, IMET, SCHEMA
from imet_kg.paths import QUERIES_DIR
from imet_kg.sources.related_provisions import (
    OLRC_SECTION_URL,
    RELATED_FILE,
    SECTIONS,
    parse_section,
    related_graph,
)
from imet_kg.sources.related_text import Block, parse_blocks
from imet_kg.sparql.saved import load_queries, run_query

FAA = "https://w3id.org/imet-kg/id/faa/"


def _faa(path: str) -> URIRef:
    return URIRef(FAA + path)


def test_related_file_is_what_the_generator_makes():
    assert isomorphic(Graph().parse(RELATED_FILE), related_graph())


def test_text_is_verbatim_from_the_vendored_sources(graph):
    sources = "\n".join(s.path.read_text(encoding="utf-8") for s in SECTIONS)
    texts = [
        (s, t)
        for s, t in graph.subject_objects(SCHEMA.text)
        if (s, RDF.type, IMET.RelatedProvision) in graph
    ]
    parsed = [n for s in SECTIONS for n in parse_section(s)[1].walk() if n.text]
    assert len(texts) == len(parsed) == 149  # every text block of the four sections
    for subject, text in texts:
        assert str(text) in sources, subject
        assert not str(text).startswith("[["), subject  # the researcher's notes are not text


@pytest.mark.parametrize(
    ("path", "citation", "starts"),
    [
        ("section-502B/a/2", "22 U.S.C. 2304(a)(2)", "Except under circumstances specified"),
        ("section-502B/d/2", "22 U.S.C. 2304(d)(2)", "the term “security assistance” means"),
        ("section-502B/d/2/A", "22 U.S.C. 2304(d)(2)(A)", "assistance under part II"),
        ("section-620M/a", "22 U.S.C. 2378d(a)", "No assistance shall be furnished"),
        ("section-656/a/1", "22 U.S.C. 2416(a)(1)", "Not later than January 31 of each year"),
        ("section-116/d", "22 U.S.C. 2151n(d)", "The Secretary of State shall transmit"),
    ],
)
def test_subdivisions_that_matter(graph, path, citation, starts):
    node = _faa(path)
    assert (node, RDF.type, ELI.LegalResourceSubdivision) in graph
    assert graph.value(node, DCTERMS.bibliographicCitation) == Literal(citation)
    assert str(graph.value(node, SCHEMA.text)).startswith(starts)
    parent = graph.value(node, ELI.is_part_of)
    assert parent is not None and str(node).startswith(str(parent))


def test_imet_rule_of_502B_a_2_is_in_its_text(graph):
    text = str(graph.value(_faa("section-502B/a/2"), SCHEMA.text))
    assert "Assistance may not be provided under part V of this subchapter" in text
    assert "part V (military education and training)" in str(
        graph.value(_faa("section-502B/d/2/A"), SCHEMA.text)
    )


def test_sections_their_code_sections_and_number_status(graph):
    expected = {"116": "2151n", "502B": "2304", "620M": "2378d", "656": "2416"}
    for act, code in expected.items():
        section = _faa(f"section-{act}")
        assert graph.value(section, ELI.is_part_of) == ID["faa"]
        assert graph.value(section, ELI.number) == Literal(act)
        code_section = graph.value(section, IMET.codifiedAs)
        assert code_section == ID[f"usc/t22/s{code}"]
        assert graph.value(code_section, RDFS.label) == Literal(f"22 U.S.C. {code}", lang="en")
        olrc = URIRef(OLRC_SECTION_URL.format(section=code))
        assert (code_section, RDFS.seeAlso, olrc) in graph
        assert graph.value(section, DCTERMS.source) is not None
    # 620M's number is not shown by any source read: inferred, on every node of the section.
    for node in graph.subjects(RDF.type, IMET.RelatedProvision):
        status = graph.value(node, IMET.verificationStatus)
        inferred = str(node).startswith(FAA + "section-620M")
        assert status == (IMET.Inferred if inferred else IMET.Verified), node
        if inferred:  # the reasoning is on each inferred node
            assert "620" in str(graph.value(node, SKOS.note)), node
    assert "620J" in str(graph.value(_faa("section-620M"), SKOS.note))


def test_repeated_designations_and_spliced_text(graph):
    # The Code has two subsections (i) in 2304 and two (b) in 2151n: both kept, neither guessed.
    for first, second in (
        ("section-502B/i", "section-502B/i-2"),
        ("section-116/b", "section-116/b-2"),
    ):
        assert graph.value(_faa(first), ELI.number) == graph.value(_faa(second), ELI.number)
        assert "second" in str(graph.value(_faa(second), SKOS.editorialNote))
        assert graph.value(_faa(second), IMET.uslmId) is None
    # 2151n(d)(13) was added in 2023, after the main snapshot: its own source.
    spliced = _faa("section-116/d/13")
    assert graph.value(spliced, DCTERMS.source) == ID["source/civic-source-uscode-2151n"]
    assert (
        graph.value(_faa("section-116/d/12"), DCTERMS.source)
        == ID["source/uscode-t22-related-olrc"]
    )


def test_code_wording_is_flagged_per_node(graph):
    node = _faa("section-502B/a/2")
    assert Literal("part V of this subchapter") in set(graph.objects(node, IMET.codeWording))
    assert "not the Act's" in str(graph.value(node, SKOS.editorialNote))
    assert Literal("this chapter") in set(graph.objects(_faa("section-620M/a"), IMET.codeWording))


def test_ambiguous_designations_are_read_from_context():
    blocks = [
        Block("h", "Heading"),
        Block("1", "The report shall address the following:"),
        Block("i", "First item."),
        Block("ii", "Second item."),
        Block("iii", "Third."),
        Block("iv", "Fourth."),
        Block("v", "Fifth."),
        Block("2", "Last paragraph."),
        Block("i", "Report on something"),
        Block(None, "Its text."),
    ]
    tree = parse_blocks(blocks)
    paths = [(node.level, node.path) for node in tree.walk()][1:]
    assert paths == [
        ("subsection", ("h",)),
        ("paragraph", ("h", "1")),
        ("clause", ("h", "1", "i")),
        ("clause", ("h", "1", "ii")),
        ("clause", ("h", "1", "iii")),
        ("clause", ("h", "1", "iv")),
        ("clause", ("h", "1", "v")),
        ("paragraph", ("h", "2")),
        ("subsection", ("i",)),
    ]
    assert tree.children[1].heading == "Report on something"
    assert tree.children[1].text == "Its text."


def test_second_text_block_is_an_error():
    with pytest.raises(ValueError, match="second text block"):
        parse_blocks([Block("a", "Heading"), Block(None, "Text."), Block(None, "More.")])


def test_every_section_parses_with_its_notes():
    for section in SECTIONS:
        notes, tree = parse_section(section)
        assert notes["usc_citation"] == f"22 U.S.C. {section.code}"
        assert re.match(r"^\d+[A-Z]? ", notes["faa_section"]), notes["faa_section"]
        assert tree.children, section.act


def test_restrictions_and_reports_are_tied_to_the_provisions(graph):
    program = ID["program/imet"]
    restrictions = set(graph.subjects(IMET.restrictsProgram, program))
    assert restrictions == {
        ID["restriction/faa-502B-gross-violations"],
        ID["restriction/faa-620M-security-force-units"],
    }
    leahy = ID["restriction/faa-620M-security-force-units"]
    assert graph.value(leahy, IMET.verificationStatus) == IMET.Inferred
    assert graph.value(leahy, IMET.exceptionBasis) == _faa("section-620M/b")
    fmtr = ID["report/foreign-military-training-report"]
    assert set(graph.objects(fmtr, IMET.reportBy)) == {
        ID["post/secretary-of-defense"],
        ID["post/secretary-of-state"],
    }
    assert str(graph.value(fmtr, IMET.reportDueMonthDay)) == "--01-31"
    assert len(set(graph.objects(fmtr, IMET.reportTo))) == 4
    reports = set(graph.subjects(RDF.type, IMET.ReportingRequirement))
    bases = {b for r in reports for b in graph.objects(r, IMET.legalBasis)}
    assert {_faa("section-656/a/1"), _faa("section-116/d"), _faa("section-502B/b")} <= bases
    for node in restrictions | reports:
        for basis in graph.objects(node, IMET.legalBasis):
            assert graph.value(basis, DCTERMS.bibliographicCitation) is not None, basis


def _rows(graph, name: str) -> list[dict[str, object]]:
    query = {q.name: q for q in load_queries(QUERIES_DIR)}[name]
    result = run_query(graph, query, {})
    return [
        {str(v): (None if row[i] is None else row[i].toPython()) for i, v in enumerate(result.vars)}
        for row in result
    ]


def test_laws_restricting_training(graph):
    result = _rows(graph, "laws-restricting-training")
    by_citation = {r["citation"]: r for r in result}
    assert set(by_citation) == {
        "22 U.S.C. 2304(a)(2)",
        "22 U.S.C. 2304(d)(2)(A)",
        "22 U.S.C. 2378d(a)",
        "22 U.S.C. 2378d(d)(5)",
        "22 U.S.C. 2347e(a)",
        "22 U.S.C. 2347e(b)",
    }
    leahy = by_citation["22 U.S.C. 2378d(a)"]
    assert leahy["kind"] == "unit human-rights bar (Leahy vetting)"
    assert leahy["law"] == "FAA §620M(a)"
    assert leahy["exception"] == "22 U.S.C. 2378d(b)"
    assert leahy["status"] == "inferred" and "vetted" in leahy["how"]
    country = by_citation["22 U.S.C. 2304(a)(2)"]
    assert country["kind"] == "country human-rights condition"
    assert country["status"] == "verified" and "certifies" in country["how"]
    assert by_citation["22 U.S.C. 2347e(b)"]["kind"] == "grant bar for named countries"
    keys = [(r["kind"], r["restrictionLabel"], r["citation"]) for r in result]
    assert keys == sorted(keys)


def test_reports_on_training(graph):
    result = _rows(graph, "reports-on-training")
    fmtr = [r for r in result if r["reportLabel"].startswith("Annual Foreign Military Training")]
    assert {r["officeLabel"] for r in fmtr if r["role"] == "prepared by"} == {
        "Secretary of Defense",
        "Secretary of State",
    }
    assert len([r for r in fmtr if r["role"] == "due to"]) == 4
    assert {str(r["due"]) for r in fmtr} == {"--01-31"}
    assert {r["citation"] for r in fmtr} == {"22 U.S.C. 2416(a)(1)"}
    country = [r for r in result if "FAA 116(d)" in r["reportLabel"]]
    assert {str(r["due"]) for r in country} == {"--02-25"}
    # The chapter's own report (FAA 549) is listed beside the ones outside it.
    assert any(r["citation"] == "22 U.S.C. 2347h(a)" for r in result)
    southwest = [r for r in result if "Southwest Asia" in r["reportLabel"]]
    assert len([r for r in southwest if r["role"] == "due to"]) == 4
    keys = [(r["reportLabel"], r["role"] == "due to", r["officeLabel"]) for r in result]
    assert keys == sorted(keys)
