"""Unit tests for the site map (imet_kg.publish.sitemap): one list of what is published, where."""

from __future__ import annotations

import pytest

from imet_kg.namespaces import ID, IMET
from imet_kg.publish import sitemap
from imet_kg.publish.resources import HTML, REPRESENTATIONS
from imet_kg.publish.views import Links


def test_each_document_is_somewhere_and_has_its_own_place():
    names = [d.name for d in sitemap.DOCUMENTS]
    routes = [d.route for d in sitemap.DOCUMENTS if d.route is not None]
    files = [d.file for d in sitemap.DOCUMENTS if d.file is not None]
    assert all(d.route or d.file for d in sitemap.DOCUMENTS)
    assert len(set(names)) == len(names)
    assert len(set(routes)) == len(routes)
    assert len(set(files)) == len(files)


def test_server_and_static_site_use_the_same_path_where_both_publish():
    """Files are at the same path; a page's route drops ``.html`` (``index.html`` is ``/``)."""
    both = [d for d in sitemap.DOCUMENTS if d.route and d.file]
    assert len(both) > 5
    for document in both:
        page = "/" + document.file.removesuffix(".html").removesuffix("index")
        path = page if document.media_type == "text/html" else "/" + document.file
        assert document.route == path, document.name


def test_what_each_side_publishes():
    served = {d.route for d in sitemap.SERVED}
    assert {"/", "/resources", "/chart/funding.svg", "/chart/funding.png"} <= served
    assert {"/data/imet-kg.ttl", "/data/imet-kg.trig", "/data/imet-kg.nt"} <= served
    assert {"/static/style.css", "/static/query.js"} <= served
    assert sitemap.QUERY_PAGE.route not in served  # the endpoint's route serves it
    written = {d.file for d in sitemap.WRITTEN}
    assert {"index.html", "resources.html", "queries/index.html", ".nojekyll"} <= written
    assert {"chart/funding.svg", "data/imet-kg.trig", "static/style.css"} <= written


def test_every_style_sheet_and_script_is_published():
    static = sitemap.STATIC_DIR
    scripts = [p for p in static.rglob("*") if p.suffix in (".css", ".js", ".txt")]
    on_disk = {p.relative_to(static).as_posix() for p in scripts}
    assert on_disk and set(sitemap.ASSETS) == on_disk
    assert {"yasgui/yasgui.min.js", "yasgui/LICENSE.txt"} <= on_disk  # vendored, with its licence
    assert sitemap.ASSETS["style.css"].content_type == "text/css; charset=utf-8"


@pytest.mark.parametrize(
    ("media_type", "content_type"),
    [
        ("text/html", "text/html; charset=utf-8"),
        ("text/turtle", "text/turtle; charset=utf-8"),
        ("image/svg+xml", "image/svg+xml"),
        ("application/trig", "application/trig"),
    ],
)
def test_text_is_sent_as_utf8(media_type, content_type):
    assert sitemap.content_type(media_type) == content_type


def test_a_resource_has_its_page_and_one_file_per_rdf_format():
    files = sitemap.resource_files(ID["faa/section-543"])
    assert files[0] == ("id/faa/section-543.html", HTML)
    assert [f for f, _ in files] == [f"id/faa/section-543.{r.extension}" for r in REPRESENTATIONS]
    ontology = [f for f, _ in sitemap.resource_files(IMET[""])]
    assert ontology == ["def/index.html", "def/index.ttl", "def/index.jsonld", "def/index.nt"]


def test_server_paths_of_resources():
    routes = sitemap.resource_routes()
    assert {"/id/{rest:path}", "/def/{rest:path}"} <= set(routes)
    assert {"/imet-kg/id/{rest:path}", "/imet-kg/def/{rest:path}"} <= set(routes)
    assert sitemap.site_path("/imet-kg/id/program/imet") == "id/program/imet"
    assert sitemap.site_path("/id/program/imet") == "id/program/imet"
    assert sitemap.site_path("/def/") == "def/"


def test_links_point_where_the_site_map_says(publication):
    server = Links(publication)
    assert server.home() == sitemap.HOME.route
    assert server.resource_index() == sitemap.RESOURCE_INDEX.route
    assert server.query_page() == sitemap.QUERY_PAGE.route
    assert server.chart("png") == sitemap.CHARTS["png"].route
    assert server.dump("trig") == sitemap.DUMPS["trig"].route
    assert server.asset("query.js") == sitemap.ASSETS["query.js"].route
    assert server.sparql("ASK {}") == "/sparql?edit=ASK+%7B%7D"
    static = Links(publication, static=True, page="index.html")
    assert static.home() == sitemap.HOME.file
    assert static.resource_index() == sitemap.RESOURCE_INDEX.file
    assert static.query_page() == sitemap.SAVED_QUERIES.file
    assert static.chart("svg") == sitemap.CHARTS["svg"].file
    assert static.dump("nt") == sitemap.DUMPS["nt"].file
    assert static.sparql("ASK {}") is None
    nested = Links(publication, static=True, page="id/faa/section-543.html")
    assert nested.home() == "../../index.html"
    assert nested.representation(ID["faa/section-543"], "ttl") == "section-543.ttl"
