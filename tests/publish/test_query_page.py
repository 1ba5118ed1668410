"""The query page (issue 12): YASGUI served from this package, the query in the page's address,
saved queries bound server-side, and the static site's page with precomputed answers.

In process (the session's ``client``); the browser drives the page in test_browser.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from imet_kg.namespaces import BASE
from imet_kg.publish import sitemap
from imet_kg.publish.views import Links, Pages

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
YASGUI_DIR = sitemap.STATIC_DIR / "yasgui"


class _Assets(HTMLParser):
    """The scripts and style sheets a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(found["src"] or "")
        if tag == "link" and found.get("rel") == "stylesheet":
            self.urls.append(found.get("href") or "")


def assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


def script_json(html: str, element_id: str) -> object:
    pattern = rf'<script type="application/json" id="{element_id}">(.*?)</script>'
    found = re.search(pattern, html, re.S)
    assert found is not None, element_id
    return json.loads(found.group(1))


def page(client, **params: str):
    return client.get("/sparql?" + urlencode(params), headers={"accept": BROWSER})


def test_the_page_loads_yasgui_from_this_server(client):
    reply = client.get("/sparql", headers={"accept": BROWSER})
    assert reply.status_code == 200
    urls = assets(reply.text)
    assert "/static/yasgui/yasgui.min.js" in urls
    assert "/static/yasgui/yasgui.min.css" in urls
    for url in urls:
        assert url.startswith("/static/"), url  # nothing from a CDN
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in ("text/javascript", "text/css")
    # The bundle's banner names its licences, published beside it.
    for name in ("LICENSE.txt", "THIRD-PARTY-LICENSES.txt"):
        assert client.get(f"/static/yasgui/{name}").headers["content-type"].startswith("text/plain")


def test_the_vendored_bundle_is_complete_and_fetches_nothing_itself():
    script = (YASGUI_DIR / "yasgui.min.js").read_text(encoding="utf-8")
    styles = (YASGUI_DIR / "yasgui.min.css").read_text(encoding="utf-8")
    assert "MIT License" in (YASGUI_DIR / "LICENSE.txt").read_text(encoding="utf-8")
    assert "codemirror" in (YASGUI_DIR / "THIRD-PARTY-LICENSES.txt").read_text(encoding="utf-8")
    assert script.startswith("/*! YASGUI") and "LICENSE.txt" in script.splitlines()[0]
    assert re.fullmatch(r"\d+\.\d+\.\d+\n", (YASGUI_DIR / "VERSION").read_text())
    # No web fonts or style sheets from elsewhere, no source map the server does not have.
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", styles)
    assert "@import" not in styles
    assert "sourceMappingURL" not in script and "sourceMappingURL" not in styles
    for host in ("fonts.googleapis", "cdn.jsdelivr", "unpkg.com", "cdnjs"):
        assert host not in script and host not in styles


def test_a_query_in_the_address_comes_back_in_the_page_escaped(client):
    query = 'SELECT ("</script><script>alert(1)</script>" AS ?x) WHERE {}'
    reply = page(client, query=query)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "alert(1)</script>" not in reply.text
    config = script_json(reply.text, "query-config")
    assert config["query"] == query
    assert config["run"] is True
    assert config["endpoint"] == "/sparql"


def test_edit_shows_a_query_without_running_it(client):
    config = script_json(page(client, edit="ASK {}").text, "query-config")
    assert config["query"] == "ASK {}"
    assert config["run"] is False


def test_clients_that_want_results_still_get_results(client):
    query = "ASK {}"
    for accept in (None, "*/*", "application/sparql-results+json,*/*;q=0.9"):
        headers = {"accept": accept} if accept else {}
        reply = client.get("/sparql?" + urlencode({"query": query}), headers=headers)
        assert reply.status_code == 200, accept
        assert reply.json()["boolean"] is True
    # format= wins over a browser's Accept: the download links of the page.
    csv = page(client, query="SELECT (1 AS ?one) WHERE {}", format="csv")
    assert csv.headers["content-type"].startswith("text/csv")


def test_a_saved_query_is_bound_on_the_server(client, queries):
    saved = next(q for q in queries if q.name == "country-profile")
    iri = BASE + "id/country/jordan"
    reply = page(client, example="country-profile", country=iri)
    assert reply.status_code == 200
    config = script_json(reply.text, "query-config")
    assert config["query"] == saved.bound_text({"country": iri})
    assert f"<{iri}>" in config["query"]
    assert config["chosen"] == "country-profile"
    assert config["values"] == {"country": iri}
    assert config["run"] is True


def test_a_value_that_is_not_a_term_is_refused_on_the_page(client):
    hostile = BASE + "id/country/x> } DELETE { ?s ?p ?o } WHERE { <a:b"
    reply = page(client, example="country-profile", country=hostile)
    assert reply.status_code == 400
    config = script_json(reply.text, "query-config")
    assert config["query"] is None  # the editor keeps the saved query's own text
    assert "country" in config["error"]
    unknown = script_json(page(client, example="no-such-query").text, "query-config")
    assert "no-such-query" in unknown["error"]


def test_the_examples_carry_their_parameters(client, queries):
    examples = script_json(client.get("/sparql", headers={"accept": BROWSER}).text, "saved-queries")
    by_name = {e["name"]: e for e in examples}
    assert set(by_name) == {q.name for q in queries}
    for saved in queries:
        assert by_name[saved.name]["params"] == [p.as_dict() for p in saved.params]
        assert by_name[saved.name]["text"] == saved.bound_text()


def test_completion_and_result_prefixes_come_from_the_graph(client):
    config = script_json(client.get("/sparql", headers={"accept": BROWSER}).text, "query-config")
    assert config["prefixes"]["imet"] == BASE + "def/"
    assert BASE + "def/Program" in config["terms"]["classes"]
    assert "http://www.w3.org/2000/01/rdf-schema#label" in config["terms"]["properties"]


# The static page runs every saved query it shows; two (a table and a graph) keep the test quick.
STATIC_EXAMPLES = ("purposes", "program-card")


@pytest.fixture(scope="module")
def static_pages(publication, queries) -> Pages:
    return Pages(publication, [q for q in queries if q.name in STATIC_EXAMPLES])


@pytest.fixture(scope="module")
def static_page(static_pages, publication) -> str:
    links = Links(publication, static=True, page=sitemap.QUERY_PAGE.file)
    return static_pages.site.query_page(links)


def test_the_static_site_has_the_page_with_the_answers(static_page):
    assert sitemap.QUERY_PAGE.file in {d.file for d in sitemap.WRITTEN}
    urls = assets(static_page)
    assert "static/yasgui/yasgui.min.js" in urls
    assert all(not url.startswith(("/", "http")) for url in urls)  # relative: any folder
    config = script_json(static_page, "query-config")
    assert config["endpoint"] is None and config["static"] is True
    assert "no live SPARQL endpoint" in static_page
    answers = config["answers"]
    assert set(answers) == set(STATIC_EXAMPLES)
    purposes = json.loads(answers["purposes"]["data"])
    assert len(purposes["results"]["bindings"]) == 3
    assert answers["purposes"]["contentType"] == "application/sparql-results+json"
    assert answers["program-card"]["contentType"] == "text/turtle"
    assert "w3id.org/imet-kg" in answers["program-card"]["data"]


def test_the_static_site_runs_each_saved_query_once_for_both_query_pages(static_page, static_pages):
    """The static query page and the saved queries page share one result per query."""
    site = static_pages.site
    dataset = site.publication.dataset
    purposes = next(q for q in site.queries if q.name == "purposes")
    assert site.saved_result(dataset, purposes) is site.saved_result(dataset, purposes)
    links = Links(site.publication, static=True, page=sitemap.SAVED_QUERIES.file)
    table = site.query_results(dataset, links)["purposes"]  # read again after the answers
    assert table["total"] == 3 and len(table["rows"]) == 3
