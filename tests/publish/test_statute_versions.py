"""Tests for the statute pages over time (issue 10): versions, word diffs, neighbours, references,
and the chapter's amendment timeline."""

from __future__ import annotations

import re

from rdflib.namespace import RDF

from imet_kg.namespaces import ID
from imet_kg.publish.views import Links
from imet_kg.publish.views.versions import VersionView, version_rows, word_diff


def _part(html: str, start: str, end: str) -> str:
    at = html.index(start)
    return html[at : html.index(end, at)]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_word_diff_marks_insertions_and_deletions_and_escapes():
    diff = str(word_diff("the <old> rule applies", "the new rule & more applies"))
    assert "<del>&lt;old&gt;</del>" in diff
    assert "<ins>new</ins>" in diff
    assert "<ins>&amp; more</ins>" in diff
    assert diff.startswith("the ") and diff.endswith("applies")
    assert "<old>" not in diff


def test_section_page_lists_versions_with_dates_status_and_diffs(publication, pages):
    html = pages.resource_page(ID["faa/section-541"], Links(publication))
    versions = _part(html, 'id="h-versions"', "</section>")
    text = _text(versions)
    for start in ("1976-06-30", "1990-11-05", "1992-11-02", "1996-07-21", "2005-11-14"):
        assert start in text
    assert "text reconstructed" in text and "text as printed" in text
    assert "/id/pl/101-513" in versions
    # Pub. L. 101-513 inserted the sentence on civilian personnel: the diff marks it inserted.
    inserted = re.findall(r"<ins>(.*?)</ins>", versions, re.S)
    assert any("Such civilian personnel shall include" in words for words in inserted)
    assert "<del>" in versions  # later laws also struck words


def test_a_version_of_unknown_text_is_shown_as_unknown_and_not_diffed(publication, pages):
    rows = version_rows(publication.graph, ID["faa/section-542"])
    unknown = [row for row in rows if row["unknown"]]
    assert unknown and all(row["text"] == "" for row in unknown)
    assert all(row["diff"] is None for row in rows)  # every neighbour of it is unknown
    html = pages.resource_page(ID["faa/section-542"], Links(publication))
    versions = _part(html, 'id="h-versions"', "</section>")
    assert "text unknown" in versions
    assert "Text unknown: no source establishes the wording" in versions
    assert "<ins>" not in versions and "<del>" not in versions


def test_section_page_links_previous_and_next_section(publication, pages):
    html = pages.resource_page(ID["faa/section-542"], Links(publication))
    pager = _part(html, 'class="pager"', "</nav>")
    assert 'rel="prev" href="/id/faa/section-541"' in pager
    assert 'rel="next" href="/id/faa/section-543"' in pager
    first = pages.resource_page(ID["faa/section-541"], Links(publication))
    assert 'rel="prev"' not in _part(first, 'class="pager"', "</nav>")


def test_section_page_shows_what_it_refers_to_and_what_refers_to_it(publication, pages):
    html = pages.resource_page(ID["faa/section-544"], Links(publication))
    references = _part(html, 'id="h-references"', "</section>")
    refers_to = _part(references, 'class="refers-to"', "</ul>")
    assert "/id/usc/t22/s2392/d" in refers_to or "2392(d)" in _text(refers_to)
    assert "/id/faa/section-656/e" in refers_to
    referred_by = _part(references, 'class="referred-by"', "</ul>")
    assert "/id/faa/section-544/c/2" in referred_by  # §544(c)(2) cites "subsection (c)"
    section_549 = pages.resource_page(ID["faa/section-549"], Links(publication))
    referred = _part(section_549, 'class="referred-by"', "</ul>")
    assert "/id/faa/section-548/b" in referred


def test_chapter_page_has_an_amendment_timeline_in_date_order(publication, pages):
    html = pages.resource_page(ID["faa/part-II/chapter-5"], Links(publication))
    timeline = _part(html, 'id="h-timeline"', "</section>")
    dates = re.findall(r"<time>(\d{4}-\d{2}-\d{2})</time>", timeline)
    assert len(dates) >= 10
    assert dates == sorted(dates)
    assert "/id/version/section-541/101-513" in timeline
    assert "date not established" in timeline  # §§543-545: today's text, start not known


def test_version_page_shows_its_text_dates_neighbours_and_diff(publication, pages):
    iri = ID["version/section-541/101-513"]
    types = set(publication.graph.objects(iri, RDF.type))
    assert type(pages.view_for(iri, types)) is VersionView
    html = pages.resource_page(iri, Links(publication))
    facts = _text(_part(html, 'class="facts version"', "</dl>"))
    assert "1990-11-05 \u2013 1992-11-02" in facts and "text reconstructed" in facts
    assert "Pub. L. 94-329" in facts and "Pub. L. 102-583" in facts
    body = _part(html, 'id="h-version-text"', "</section>")
    assert re.search(r"<ins>Such civilian personnel shall include", body)


def test_version_page_of_unknown_text_invents_none(publication, pages):
    html = pages.resource_page(ID["version/section-542/94-329"], Links(publication))
    body = _part(html, 'id="h-version-text"', "</section>")
    assert "Text unknown: no source establishes the wording" in body
    assert 'class="text"' not in body and "<ins>" not in body


def test_every_provision_links_its_neighbours_of_the_same_kind(client):
    first = client.get("/id/faa/section-541/a").text
    pager = _part(first, 'class="pager"', "</nav>")
    assert 'rel="next" href="/id/faa/section-541/b"' in pager and 'rel="prev"' not in pager
    second = _part(client.get("/id/faa/section-541/b").text, 'class="pager"', "</nav>")
    assert 'rel="prev" href="/id/faa/section-541/a"' in second
    paragraph = _part(client.get("/id/faa/section-543/2").text, 'class="pager"', "</nav>")
    assert 'rel="prev" href="/id/faa/section-543/1"' in paragraph
    assert 'rel="next" href="/id/faa/section-543/3"' in paragraph


def test_a_provision_page_gives_a_ready_citation_and_prints(client):
    html = client.get("/id/faa/section-543").text
    assert '<output id="citation" class="citation-text">22 U.S.C. § 2347b</output>' in html
    assert 'onclick="window.print()"' in html
    subsection = client.get("/id/faa/section-541/a").text
    assert '<output id="citation" class="citation-text">22 U.S.C. § 2347(a)</output>' in subsection
    css = client.get("/static/style.css").text
    print_rules = css[css.index("@media print") :]
    assert "header.site nav" in print_rules and ".print-button" in print_rules
