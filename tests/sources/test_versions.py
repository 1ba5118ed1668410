"""Point-in-time versions: the replay of the recorded effects, the generated file, section-as-of."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from imet_kg.namespaces import ELI, ID, IMET, SCHEMA
from imet_kg.paths import QUERIES_DIR
from imet_kg.sources.uscode_text import parse_code_text
from imet_kg.sources.versions import (
    VERSIONS_FILE,
    apply_effect,
    code_blocks,
    read_effects,
    replay,
    today_path,
    version_provisions,
)
from imet_kg.sources.versions_rdf import versions_file_bytes
from imet_kg.sparql.saved import load_queries, run_query

QUERIES = {q.name: q for q in load_queries(QUERIES_DIR)}


def rows(graph, name: str, **params) -> list[dict[str, object]]:
    result = run_query(graph, QUERIES[name], {k: str(v) for k, v in params.items()})
    return [
        {
            str(var): (None if row[i] is None else row[i].toPython())
            for i, var in enumerate(result.vars)
        }
        for row in result
    ]


@pytest.fixture(scope="module")
def versions():
    return replay(read_effects())


def test_versions_file_is_what_the_generator_makes():
    assert VERSIONS_FILE.read_bytes() == versions_file_bytes()


def test_replay_reproduces_todays_text_byte_for_byte(versions):
    """Applying the effects in order to each section's earliest recorded text gives today's text."""
    today = code_blocks()
    assert sorted(versions) == [str(n) for n in range(541, 550)]
    for section, history in versions.items():
        known = [v for v in history if v.block is not None]
        block = known[0].block
        for row in read_effects():
            if row.section == section and row.op in ("replace", "append"):
                block = apply_effect(block, row)
        assert block == today[section][1], section
        assert history[-1].block == today[section][1], section


def test_todays_version_is_the_statute_graph_text(versions, graph):
    headers = {faa: header for faa, (header, _) in code_blocks().items()}
    for section, history in versions.items():
        for provision in version_provisions(history[-1], headers[section]):
            iri = ID["faa/section-" + "/".join(provision.path)]
            text = graph.value(iri, SCHEMA.text)
            assert (None if text is None else str(text)) == provision.text, iri


def test_replay_strings_are_the_quoted_strings():
    """Each replay operation carries the words its source quotes (Code wording)."""
    for row in read_effects():
        if row.op == "replace" and row.new_text and row.new_text not in ("(a)",):
            if "(a) DEVELOPMENT" in row.new_text:  # the Act's form of the Code's heading
                assert row.old_text in row.find
                continue
            assert row.new_text in row.replace_with, row.effect
        if row.anchor_text:
            assert row.anchor_text in row.find, row.effect
        if row.old_text and row.op == "replace":
            assert row.old_text in row.find, row.effect


def test_versions_per_section(versions):
    counts = {section: len(history) for section, history in versions.items()}
    assert counts == {
        "541": 5,
        "542": 2,
        "543": 1,
        "544": 1,
        "545": 1,
        "546": 1,
        "547": 1,
        "548": 2,
        "549": 1,
    }
    unknown = [(v.section, v.key) for h in versions.values() for v in h if v.block is None]
    assert unknown == [("542", "94-329")]
    for history in versions.values():
        for earlier, later in pairwise(history):
            assert earlier.valid_until == later.valid_from != ""
        assert history[-1].valid_until == ""


def test_redesignated_words_realize_todays_provisions(versions):
    first = versions["541"][0]
    assert first.moved_under_a and not versions["541"][-1].moved_under_a
    assert today_path(first, ("541", "2")) == ("541", "a", "2")
    paths = {p.path for s in parse_code_text() for p in _walk(s)}
    for history in versions.values():
        for version in history:
            for provision in version_provisions(version, f"§2347. x  [FAA sec. {version.section}]"):
                assert today_path(version, provision.path) in paths


def _walk(provision):
    yield provision
    for child in provision.children:
        yield from _walk(child)


def test_versions_point_to_effects_laws_and_sources_in_the_graph(graph):
    versions = set(graph.subjects(IMET.textStatus, None))
    assert len(versions) == 15
    for version in versions:
        for effect in graph.objects(version, PROV.wasDerivedFrom):
            assert (effect, RDF.type, IMET.LegislativeEffect) in graph, effect
        for source in graph.objects(version, DCTERMS.source):
            assert (source, RDF.type, IMET.SourceDocument) in graph, source
        for law in graph.objects(version, ELI.consolidates):
            assert (law, RDF.type, IMET.PublicLaw) in graph or (law, IMET.textStatus, None) in graph
    for expression in graph.subjects(RDF.type, ELI.LegalExpression):
        realized = graph.value(expression, ELI.realizes)
        assert (realized, RDF.type, None) in graph, expression
    unknown = set(graph.subjects(IMET.textStatus, IMET.TextUnknown))
    assert unknown == {ID["version/section-542/94-329"]}
    assert not any(graph.objects(ID["version/section-542/94-329"], SCHEMA.text))


def test_section_as_of(graph):
    s541, s542 = ID["faa/section-541"], ID["faa/section-542"]
    in_1991 = rows(graph, "section-as-of", section=s541, date="1991-01-01")
    assert [r["citation"] for r in in_1991] == ["22 U.S.C. 2347"] + [
        f"22 U.S.C. 2347({n})" for n in (1, 2, 3)
    ]
    assert {r["lawNumber"] for r in in_1991} == {"Pub. L. 101-513"}
    assert in_1991[0]["validFrom"] == date(1990, 11, 5)
    assert in_1991[0]["validUntil"] == date(1992, 11, 2)
    assert "or (iii) improve military justice" in in_1991[0]["text"]
    assert "legislators" not in in_1991[0]["text"]
    assert in_1991[1]["provision"] == str(ID["faa/section-541/a/1"])
    assert rows(graph, "section-as-of", section=s541, date="1976-06-29") == []
    enacted = rows(graph, "section-as-of", section=s541, date="1976-06-30")
    assert enacted[0]["textStatus"] == "reconstructed"
    assert "Such civilian personnel" not in enacted[0]["text"]
    # The day a version takes effect belongs to it, not to the one before.
    assert rows(graph, "section-as-of", section=s541, date="1992-11-02")[0]["lawNumber"] == (
        "Pub. L. 102-583"
    )
    assert [
        (r["textStatus"], r["text"])
        for r in rows(graph, "section-as-of", section=s542, date="1980-01-01")
    ] == [("text-unknown", None)]
    assert rows(graph, "section-as-of", section=ID["faa/section-549"], date="2002-09-29") == []
    s543 = rows(graph, "section-as-of", section=ID["faa/section-543"], date="2000-01-01")
    assert len(s543) == 4 and s543[0]["validFrom"] is None
    assert rows(graph, "section-as-of", section=ID["faa/section-543"], date="1975-01-01") == []
    s548 = rows(graph, "section-as-of", section=ID["faa/section-548"], date="2001-01-01")
    assert [r["citation"] for r in s548] == ["22 U.S.C. 2347g"]
    assert s548[0]["text"].startswith("In order to contribute")


def test_section_as_of_today_is_the_statute_text(graph):
    for number in range(541, 550):
        section = ID[f"faa/section-{number}"]
        result = rows(graph, "section-as-of", section=section, date="2030-01-01")
        expected = rows_of_statute(graph, section)
        assert [(r["provision"], r["text"]) for r in result] == expected, number


def rows_of_statute(graph, section: URIRef) -> list[tuple[str, str | None]]:
    result = run_query(graph, QUERIES["section-text"], {"section": str(section)})
    return [(str(row[1]), None if row[4] is None else str(row[4])) for row in result]
