"""Cross-references: every reference in the chapter's text, resolved, and the citation network."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDFS

from imet_kg.namespaces import ELI, ID
from imet_kg.paths import QUERIES_DIR
from imet_kg.sources.crossrefs import (
    _REFERENCE,
    CROSS_REFERENCES_FILE,
    Resolver,
    cross_references_file_bytes,
    find_references,
    related_provisions,
)
from imet_kg.sources.uscode_text import parse_code_text
from imet_kg.sources.versions import code_blocks
from imet_kg.sparql.saved import load_queries, run_query

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "cross-references.csv"
QUERIES = {q.name: q for q in load_queries(QUERIES_DIR)}
BASE = str(ID[""])


def _fixture() -> list[tuple[str, str, int, str]]:
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        return [
            (r["source"], r["reference"], int(r["occurrence"]), r["target"])
            for r in csv.DictReader(handle)
        ]


def test_every_reference_in_the_chapter_resolves_as_listed():
    found = [
        ("/".join(r.source), r.text, r.occurrence, str(r.target).removeprefix(BASE))
        for r in find_references(parse_code_text(), related_provisions())
    ]
    assert found == _fixture()


def test_no_reference_is_missed():
    # Count the reference words in the raw statute text independently of the parser.
    text = "\n".join(block for _, block in code_blocks().values())
    phrases = r"this (?:part|chapter|section|subsection)\b|of this title|subsection \([a-z]\)"
    assert len(re.findall(phrases, text)) == len(_fixture()) == 28


@pytest.mark.parametrize(
    ("words", "where", "target"),
    [
        ("section 116(d) of this Act", ("549", "a"), "usc/t22/s2151n/d"),
        ("section 2416(e) of this title", ("544", "c", "4"), "usc/t22/s2416/e"),
        ("section 549 of this Act", ("548", "b"), "faa/section-549"),
        ("section 632(d) of this Act", ("544", "a"), "usc/t22/s2392/d"),
        ("chapter 2 of part II", ("541", "a"), "faa/part-II/chapter-2"),
        ("chapter 5 of part II", ("541", "a"), "faa/part-II/chapter-5"),
        ("this chapter", ("549", "a"), "faa"),
        ("paragraph (2)", ("544", "c", "1"), "faa/section-544/c/2"),
        ("this paragraph", ("544", "c", "3"), "faa/section-544/c/3"),
        ("subsection (c)", ("548", "a"), "faa/section-548/c"),
        ("section 2347b of this title", ("541", "a"), "faa/section-543"),
    ],
)
def test_reference_forms(words: str, where: tuple[str, ...], target: str):
    match = _REFERENCE.search(words)
    assert match and match.group(0) == words
    assert Resolver(parse_code_text()).resolve(match, where) == URIRef(BASE + target)


@pytest.mark.parametrize(
    "words", ["section 999 of this Act", "subsection (z)", "section 2347b(9) of this title"]
)
def test_unresolvable_references_fail_loudly(words: str):
    match = _REFERENCE.search(words)
    with pytest.raises(ValueError):
        Resolver(parse_code_text()).resolve(match, ("546", "a"))


def test_cross_references_file_is_what_the_generator_makes():
    assert CROSS_REFERENCES_FILE.read_bytes() == cross_references_file_bytes()


def test_code_targets_link_to_their_olrc_page(graph):
    outside = {o for o in graph.objects(None, ELI.cites) if str(o).startswith(str(ID["usc/"]))}
    assert {str(o).removeprefix(str(ID["usc/t22/s"])) for o in outside} == {"2763", "2392/d"}
    for target in outside:
        section = str(target).removeprefix(str(ID["usc/t22/s"])).split("/")[0]
        page = URIRef(
            "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title22-section"
            f"{section}&num=0&edition=prelim"
        )
        assert (target, RDFS.seeAlso, page) in graph
        assert graph.value(target, RDFS.label) is not None


def test_citation_network(graph):
    result = run_query(graph, QUERIES["citation-network"])
    links = [(str(r.fromCitation), str(r.to).removeprefix(BASE), str(r.targetKind)) for r in result]
    # 28 references, 26 distinct (citing subdivision, target) links (repeats of "this part").
    assert len(links) == 26
    assert links[0] == ("22 U.S.C. 2347(a)", "faa", "the Act")
    assert ("22 U.S.C. 2347g(b)", "faa/section-549", "in the chapter") in links
    # FAA 116(d) and 656(e), which the Code cites as 2151n(d) and 2416(e), are in the graph.
    assert ("22 U.S.C. 2347h(a)", "faa/section-116/d", "elsewhere in the Act") in links
    assert ("22 U.S.C. 2347c(c)(4)", "faa/section-656/e", "elsewhere in the Act") in links
    kinds = [kind for *_, kind in links]
    assert (kinds.count("in the chapter"), kinds.count("the Act")) == (19, 1)
    assert (kinds.count("elsewhere in the Act"), kinds.count("U.S. Code, outside the graph")) == (
        2,
        4,
    )
    referred_to = {to for _, to, _ in links}
    assert "faa/section-544/c" in referred_to and "faa/section-546/b" in referred_to
    pages = {str(r.olrcPage) for r in result if r.olrcPage is not None}
    assert any(p.endswith("section2763&num=0&edition=prelim") for p in pages)
