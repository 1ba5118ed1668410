"""Corrections from the review of the data against its sources (issue 10, item 4).

Each test fails on the data as it was before the correction.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from imet_kg.namespaces import ID, IMET, SCHEMA

SCHEMA_URL = SCHEMA.url


def test_country_course_tables_are_course_totals_not_funding_or_students(graph):
    cases = {
        "actual-fy2001-guatemala": ("imetgu.htm", IMET.amount),
        "actual-fy2000-nicaragua": ("imetni.htm", IMET.amount),
        "students-fy2001-guatemala": ("imetgu.htm", IMET.studentCount),
        "students-fy2000-nicaragua": ("imetni.htm", IMET.studentCount),
    }
    for name, (page, measure) in cases.items():
        node = ID[f"observation/{name}"]
        assert graph.value(node, measure) is not None, name
        # Not exact, not attributed to the FY2003 budget justification.
        assert graph.value(node, IMET.valueQualifier) != IMET.Exactly, name
        assert graph.value(node, PROV.wasQuotedFrom) != ID["source/fy2003-cbj"], name
        label = str(graph.value(node, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
        assert "course" in label and "IMET funding for" not in label, label
        assert "students trained" not in label, label
        note = str(graph.value(node, SKOS.note))
        assert "footnote 2" in note and "Department of Defense" in note, name
        source = graph.value(node, DCTERMS.source)
        assert str(graph.value(source, SCHEMA_URL)).endswith(page), name


def test_seed_only_delivery_mode_and_topics_are_not_on_the_verified_program(graph):
    program = ID["program/imet"]
    assert graph.value(program, IMET.verificationStatus) == IMET.Verified
    modes = set(graph.objects(program, IMET.deliveryMode))
    topics = set(graph.objects(program, IMET.courseTopic))
    assert ID["delivery-mode/mobile-teams"] not in modes
    for seed_only in ("counterintelligence", "helicopter-repair", "military-justice-systems"):
        concept = ID[f"course-topic/{seed_only}"]
        assert concept not in topics, seed_only
        assert graph.value(concept, IMET.verificationStatus) == IMET.Unverified
        # Still recorded as the seed's claim.
        assert (None, IMET.supports, concept) in graph
    assert (None, IMET.supports, ID["delivery-mode/mobile-teams"]) in graph
    # What is left on the program is stated by the statute.
    for concept in modes | topics:
        assert graph.value(concept, IMET.statedBy) is not None, concept


def test_section_547_holder_is_not_verified(graph):
    duty = ID["duty/consult-defense-attache"]
    assert graph.value(duty, IMET.verificationStatus) == IMET.Inferred
    assert "names no one" in str(graph.value(duty, SKOS.note))


def test_authorization_waiver_is_stated_for_fy1995_only(graph):
    for year in range(1988, 1996):
        note = str(graph.value(ID[f"observation/authorization-fy{year}-worldwide"], SKOS.note))
        assert "Pub. L. 103-306" in note or "Public Law 103-306" in note, year
        if year < 1995:
            assert "waived the authorization requirement" not in note, year
            assert "only for fiscal year 1995" in note, year
        else:
            assert "waived the requirements for authorization" in note


def test_gao_claim_quotes_gao_verbatim(graph):
    claim = ID["claim/gao-funding-up-students-down"]
    assert str(graph.value(claim, SCHEMA.text)) == (
        "Although IMET funding has increased by more than 70 percent since fiscal year 2000, "
        "the number of students trained has decreased by nearly 14 percent."
    )
    assert "https://gao.gov/assets/a585951.html" in str(graph.value(claim, SKOS.note))
    accessible = ID["source/gao-12-123-accessible-text"]
    assert str(graph.value(accessible, SCHEMA_URL)) == "https://gao.gov/assets/a585951.html"


def test_inline_clauses_are_cited_by_their_subsection(graph):
    for clause in ("i", "ii", "iii", "iv"):
        node = ID[f"faa/section-541/a/{clause}"]
        assert graph.value(node, DCTERMS.bibliographicCitation) == Literal("22 U.S.C. 2347(a)")
        assert "editorial" in str(graph.value(node, SKOS.editorialNote)), clause


def test_code_wording_is_flagged_on_each_node(graph):
    report = ID["faa/section-549/a"]
    assert Literal("section 2151n(d) of this title") in set(graph.objects(report, IMET.codeWording))
    assert "section 116(d) of this Act" in str(graph.value(report, SKOS.editorialNote))
    # Every chapter text with a Code phrase is flagged; none without one.
    phrases = re.compile(r"this part|this chapter|section \d+[a-z]*(\([a-z]\))? of this title")
    for node, text in graph.subject_objects(SCHEMA.text):
        if not re.match(str(ID["faa/section-54"]) + r"\d(/|$)", str(node)):
            continue  # the chapter's own provisions (FAA 541-549)
        if (node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), IMET.Clause) in graph:
            continue
        flagged = graph.value(node, IMET.codeWording) is not None
        assert flagged == bool(phrases.search(str(text))), node


def test_funding_notes_and_grant_basis_follow_the_sources(graph):
    note = str(graph.value(ID["claim/seed-what-imet-is"], SKOS.note))
    assert "State Department appropriations" not in note
    assert "FUNDS APPROPRIATED TO THE PRESIDENT" in note
    assert "reimbursable basis" in note
    grant = ID["assistance-basis/grant"]
    assert graph.value(grant, IMET.statedBy) is None  # 546(a) only bars grants
    assert "reimbursable basis" in str(graph.value(grant, SKOS.scopeNote))
    assert "FUNDS APPROPRIATED TO THE PRESIDENT" in str(
        graph.value(ID["source/appropriations-acts"], SKOS.note)
    )


def test_verified_sources_have_an_address_or_full_citation(graph):
    for page in ("just-the-facts-guatemala", "just-the-facts-nicaragua"):
        assert graph.value(ID[f"source/{page}"], SCHEMA_URL) is not None, page
    crs = ID["source/crs-rs20506"]
    assert graph.value(crs, IMET.verificationStatus) == IMET.Verified
    assert str(graph.value(crs, DCTERMS.date)) == "2004-10-28"
    assert "October 28, 2004" in str(graph.value(crs, DCTERMS.bibliographicCitation))
