"""Tests for search and the faceted resource list (issue 12): the rules, the server's /search
page without JavaScript, and the static site's index."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from imet_kg.publish import sitemap
from imet_kg.publish.resources import path_of
from imet_kg.publish.views import Links
from imet_kg.publish.views.search import (
    facet_counts,
    listed,
    normalize,
    search,
    search_index,
    usc_citation,
)


@pytest.fixture(scope="module")
def entries(publication):
    return search_index(publication)


def _paths(found) -> list[str]:
    return [e.path for e in found]


def test_normalize_drops_case_dots_and_section_signs():
    assert normalize("22 U.S.C. § 2347b") == "22 usc 2347b"
    assert normalize("FAA §541(a)") == "faa 541(a)"
    assert normalize("  Civilian   CONTROL ") == "civilian control"
    assert usc_citation("22 U.S.C. 2347b") == "22 U.S.C. § 2347b"
    assert usc_citation("22 U.S.C. 2347(a)(1)") == "22 U.S.C. § 2347(a)(1)"
    assert usc_citation("FAA §541") == "FAA §541"  # not a Code citation: as it is


@pytest.mark.parametrize(
    "query", ["22 U.S.C. 2347b", "22 U.S.C. § 2347b", "22 usc 2347b", "faa 543"]
)
def test_a_code_citation_finds_its_section_first(entries, query):
    found = _paths(search(entries, query, {}))
    assert found[0] == "id/faa/section-543"
    assert "id/faa/section-543/1" in found  # its paragraphs come too, after it


def test_a_subsection_number_finds_the_subsection_first(entries):
    found = _paths(search(entries, "541(a)", {}))
    assert found[0] == "id/faa/section-541/a"
    assert "id/faa/section-541/b" not in found


def test_labels_are_found_by_any_of_their_words(entries):
    found = _paths(search(entries, "civilian control military", {}))
    assert "id/aim/civilian-control" in found
    assert search(entries, "no such words anywhere xyzzy", {}) == []


def test_shapes_and_untyped_nodes_are_not_listed(publication, entries):
    paths = set(_paths(entries))
    assert not any(p.startswith("def/shapes/") for p in paths)
    unlisted = [iri for iri in publication.sorted_iris() if not listed(publication, iri)]
    assert unlisted and not {path_of(iri) for iri in unlisted} & paths
    assert "id/faa/section-543" in paths and "id/program/imet" in paths


def test_facets_filter_and_count(entries):
    sections = search(entries, "", {"type": ["Section"]})
    assert sections and all("Section" in e.types for e in sections)
    assert "id/faa/section-543" in _paths(sections)
    unverified = search(entries, "", {"status": ["unverified"]})
    assert unverified and all(e.status == "unverified" for e in unverified)
    fy1976 = search(entries, "", {"year": ["1976"]})
    assert "id/observation/authorization-fy1976-worldwide" in _paths(fy1976)
    assert all("1976" in e.years for e in fy1976)
    both = search(entries, "authorization", {"year": ["1976"], "status": ["verified"]})
    assert both and set(_paths(both)) <= set(_paths(fy1976))
    counts = dict(facet_counts(sections)["type"])
    assert counts["Section"] == len(sections)
    source = facet_counts(entries)["source"][0][0]
    by_source = search(entries, "", {"source": [source]})
    assert by_source and all(source in e.sources for e in by_source)
    assert len(by_source) == dict(facet_counts(entries)["source"])[source]


def test_server_search_page_works_without_javascript(client):
    response = client.get("/search", params={"q": "22 U.S.C. 2347b"})
    assert response.status_code == 200
    html = response.text
    results = html[html.index('id="results"') : html.index("</ol>", html.index('id="results"'))]
    hrefs = re.findall(r'href="([^"]+)"', results)
    assert hrefs[0] == "/id/faa/section-543"
    assert "<script" not in html.split("</main>")[0].split("<main>")[1]  # no script needed
    response = client.get("/search", params={"q": "541(a)"})
    assert re.findall(r'<ol class="results" id="results">\s*<li><a href="([^"]+)"', response.text)
    assert re.search(r'id="results">\s*<li><a href="/id/faa/section-541/a"', response.text)


def test_server_facet_links_narrow_the_list(client):
    html = client.get("/search", params={"q": "section"}).text
    facet = html[html.index('data-facet="type"') :]
    link = re.search(r'<a href="([^"]+)" rel="nofollow">Section</a>', facet).group(1)
    params = parse_qs(urlparse(link.replace("&amp;", "&")).query)
    assert params == {"q": ["section"], "type": ["Section"]}
    narrowed = client.get(link.replace("&amp;", "&")).text
    assert "Type: Section" in narrowed  # the chosen value, with a link that removes it
    count = int(re.search(r'id="result-count">(\d+)<', narrowed).group(1))
    assert 0 < count < int(re.search(r'id="result-count">(\d+)<', html).group(1))


def test_static_site_has_the_search_page_and_its_index(pages, publication):
    assert sitemap.SEARCH_PAGE in sitemap.WRITTEN and sitemap.SEARCH_INDEX in sitemap.WRITTEN
    links = Links(publication, static=True, page="search.html")
    html = pages.browse.search_page(links, {})
    assert '<script src="search-index.js"></script>' in html
    assert '<script src="static/search.js"></script>' in html
    script = pages.browse.search_index_script(links)
    assert script.startswith("window.IMET_SEARCH = ") and script.rstrip().endswith(";")
    index = json.loads(script.removeprefix("window.IMET_SEARCH = ").rstrip().rstrip(";"))
    section = next(e for e in index if e["h"] == "id/faa/section-543.html")
    assert "22 usc 2347b" in section["f"] and section["t"] == ["Section"]
    assert len(index) == len(pages.browse.search_entries)


def test_resource_list_leaves_out_shapes_and_offers_facets(client, publication):
    html = client.get("/resources").text
    assert "/def/shapes/S" not in html.split('aria-label="Types"')[1]
    assert "SHACL shapes and untyped nodes are left out" in html
    assert 'data-facet="status"' in html and 'data-facet="year"' in html
    assert 'href="/id/faa/section-543"' in html


# --- the static site's script: the same answers in the browser ------------------------------------

HARNESS = Path(__file__).parent / "js" / "search_harness.js"


@pytest.fixture(scope="module")
def static_index(pages, publication, tmp_path_factory) -> Path:
    links = Links(publication, static=True, page="search.html")
    path = tmp_path_factory.mktemp("static") / "search-index.js"
    path.write_text(pages.browse.search_index_script(links), encoding="utf-8")
    return path


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the script")
@pytest.mark.parametrize(
    "query_string",
    [
        "?q=22+U.S.C.+2347b",
        "?q=541(a)",
        "?q=civilian+control",
        "?type=Section",
        "?q=authorization&year=1976&status=verified",
        "?q=section&type=Subsection&type=Paragraph",
    ],
)
def test_static_search_script_answers_as_the_server_does(
    pages, publication, static_index, query_string
):
    script = sitemap.ASSETS["search.js"].make(None, None)  # type: ignore[arg-type]
    script_file = static_index.parent / "search.js"
    script_file.write_bytes(script)
    ran = subprocess.run(
        ["node", str(HARNESS), str(script_file), str(static_index), query_string],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    shown = json.loads(ran.stdout)
    params = parse_qs(query_string.lstrip("?"))
    links = Links(publication, static=True, page="search.html")
    html = pages.browse.search_page(links, params)
    server = re.findall(r'<li><a href="([^"]+)">', html[html.index('id="results"') :])
    assert shown["results"] == server[: len(shown["results"])] and shown["results"]
    entries = pages.browse.search_entries
    found = search(entries, params.get("q", [""])[0], {k: v for k, v in params.items() if k != "q"})
    assert shown["heading"].startswith(f"{len(found)} resource")
    counts = facet_counts(found)
    for name, values in shown["facets"].items():
        chosen = params.get(name, [])
        assert values == [[v, n] for v, n in counts[name] if v not in chosen], name
