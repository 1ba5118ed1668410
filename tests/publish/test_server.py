"""Routing tests in process (Starlette's TestClient): conneg, SPARQL protocol, limits, documents.

The time limit, which kills a worker process, is tested against a live server in
test_live_server.py.
"""

from __future__ import annotations

import json
import socket
import urllib.parse

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from imet_kg.namespaces import BASE, ELI, ID, IMET
from imet_kg.publish import sitemap
from imet_kg.sparql.saved import load_queries, run_query

SECTION = ID["faa/section-543"]


def get(client, path: str, accept: str | None = None, **headers: str):
    if accept is not None:
        headers["accept"] = accept
    return client.get(path, headers=headers)


def sparql(client, query: str, accept: str | None = None, method: str = "POST", **params):
    headers = {"accept": accept} if accept else {}
    if method == "GET":
        return client.get(
            "/sparql?" + urllib.parse.urlencode({"query": query, **params}), headers=headers
        )
    body = urllib.parse.urlencode({"query": query, **params}).encode()
    headers["content-type"] = "application/x-www-form-urlencoded"
    return client.post("/sparql", content=body, headers=headers)


def post(client, body: bytes, content_type: str, accept: str | None = None):
    headers = {"content-type": content_type}
    if accept:
        headers["accept"] = accept
    return client.post("/sparql", content=body, headers=headers)


# --- dereferenceable IRIs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type", "rdf_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
    ],
)
def test_iri_answers_each_rdf_format_with_its_triples(client, accept, media_type, rdf_format):
    reply = get(client, "/id/faa/section-543", accept)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith(media_type)
    assert "Accept" in reply.headers.get("vary", "")
    extension = {"turtle": "ttl", "json-ld": "jsonld", "nt": "nt"}[rdf_format]
    assert reply.headers.get("content-location") == f"/id/faa/section-543.{extension}"
    graph = Graph().parse(data=reply.content, format=rdf_format)
    assert (SECTION, RDFS.label, Literal("FAA §543", lang="en")) in graph
    assert (ID["faa/section-543/1"], ELI.is_part_of, SECTION) in graph  # inbound links too
    assert (SECTION, RDF.type, IMET.Section) in graph


def test_iri_answers_html_to_browsers_and_to_any(client):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (browser, "*/*", None):
        reply = get(client, "/id/faa/section-543", accept)
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/html")
        assert "Congressional declaration of purpose" in reply.text
    assert 'rel="alternate"; type="text/turtle"' in reply.headers.get("link", "")


def test_representation_urls_are_direct(client):
    reply = get(client, "/id/faa/section-543.ttl", "text/html")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/turtle")
    reply = get(client, "/id/faa/section-543.html")
    assert reply.status_code == 200 and "§ 543." in reply.text


def test_iri_resolves_whatever_host_and_at_the_iris_full_path(client):
    reply = get(client, "/id/program/imet", "text/turtle", host="w3id.org")
    assert reply.status_code == 200
    full_path = urllib.parse.urlparse(str(ID["program/imet"])).path  # /imet-kg/id/program/imet
    reply = get(client, full_path, "application/n-triples")
    assert reply.status_code == 200
    assert f"<{ID['program/imet']}>".encode() in reply.content


def test_unknown_iri_is_404(client):
    assert get(client, "/id/no/such/thing", "text/turtle").status_code == 404
    reply = get(client, "/id/no/such/thing", "text/html")
    assert reply.status_code == 404 and "Not found" in reply.text
    assert get(client, "/def/NoSuchTerm").status_code == 404


def test_unsupported_media_type_is_406_with_the_alternatives(client):
    reply = get(client, "/id/faa/section-543", "application/pdf")
    assert reply.status_code == 406
    assert "text/turtle" in reply.text and "application/ld+json" in reply.text


def test_every_iri_of_the_graph_answers_with_turtle(client, publication):
    iris = publication.sorted_iris()
    assert len(iris) > 300
    failures = []
    for iri in iris:
        reply = get(client, "/" + str(iri)[len(BASE) :], "text/turtle")
        parsed = []
        if reply.status_code == 200:
            # Oxigraph's parser: strict, and 30 times faster than rdflib's over 1,400 documents.
            parsed = list(ox.parse(reply.content, format=ox.RdfFormat.TURTLE))
        named_graph = iri in publication.named_graphs  # its content, which need not name it
        node = ox.NamedNode(str(iri))
        mentioned = bool(parsed) and (
            named_graph or any(node in (t.subject, t.predicate, t.object) for t in parsed)
        )
        if reply.status_code != 200 or not mentioned:
            failures.append((iri, reply.status_code, mentioned))
    assert failures == []


def test_ontology_is_served_with_every_term_documented(client):
    reply = get(client, "/def/", "text/turtle")
    assert reply.status_code == 200
    ontology = Graph().parse(data=reply.content, format="turtle")
    assert (URIRef(str(IMET)), RDF.type, OWL.Ontology) in ontology
    terms = {s for s in ontology.subjects(RDFS.isDefinedBy, URIRef(str(IMET)))}
    assert IMET.Program in terms
    page = get(client, "/def/", "text/html").text
    for term in terms:
        assert f'id="{str(term)[len(str(IMET)) :]}"' in page, term
    assert get(client, "/def", "text/html").status_code == 200  # redirected to /def/
    term_page = get(client, "/def/Program", "text/html")
    assert term_page.status_code == 200 and "Program" in term_page.text


def test_shapes_are_served_under_def_shapes(client):
    reply = get(client, "/def/shapes/", "text/turtle")
    assert reply.status_code == 200
    shapes = Graph().parse(data=reply.content, format="turtle")
    assert len(shapes) > 300
    first = next(s for s in shapes.subjects() if str(s).startswith(str(IMET) + "shapes/S"))
    assert get(client, "/" + str(first)[len(BASE) :], "text/turtle").status_code == 200


# --- the SPARQL endpoint -------------------------------------------------------------------------


def test_select_by_get_and_post_in_each_result_format(client):
    query = f"SELECT ?label WHERE {{ <{SECTION}> <{RDFS.label}> ?label }}"
    for method in ("GET", "POST"):
        reply = sparql(client, query, "application/sparql-results+json", method)
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("application/sparql-results+json")
        rows = json.loads(reply.content)["results"]["bindings"]
        assert rows == [{"label": {"type": "literal", "value": "FAA §543", "xml:lang": "en"}}]
    assert b"FAA \xc2\xa7543" in sparql(client, query, "text/csv").content
    assert sparql(client, query, "text/tab-separated-values").content.startswith(b"?label")
    assert b"<sparql" in sparql(client, query, "application/sparql-results+xml").content
    body = post(
        client, query.encode(), "application/sparql-query", "application/sparql-results+json"
    )
    assert body.status_code == 200 and json.loads(body.content)["results"]["bindings"]


def test_ask_and_construct(client):
    reply = sparql(client, f"ASK {{ ?s a <{IMET.Program}> }}")
    assert json.loads(reply.content) == {"head": {}, "boolean": True}
    construct = f"CONSTRUCT {{ ?s a <{IMET.Section}> }} WHERE {{ ?s a <{IMET.Section}> }}"
    reply = sparql(client, construct, "text/turtle")
    assert reply.headers["content-type"].startswith("text/turtle")
    assert (SECTION, RDF.type, IMET.Section) in Graph().parse(data=reply.content, format="turtle")
    assert sparql(client, construct, "application/sparql-results+json").status_code == 406


@pytest.mark.parametrize("saved", load_queries(), ids=lambda q: q.name)
def test_each_saved_query_runs_on_the_endpoint_as_locally(client, graph, saved):
    local = run_query(graph, saved)
    if saved.form in ("CONSTRUCT", "DESCRIBE"):
        reply = sparql(client, saved.bound_text(), "application/n-triples")
        assert reply.status_code == 200, reply.text
        assert len(Graph().parse(data=reply.content, format="nt")) == len(local.graph)
        return
    reply = sparql(client, saved.bound_text(), "application/sparql-results+json")
    assert reply.status_code == 200, reply.text
    data = json.loads(reply.content)
    if saved.form == "ASK":
        assert data["boolean"] == local.askAnswer
    else:
        assert len(data["results"]["bindings"]) == len(local)


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP DEFAULT",
    ],
)
def test_updates_are_refused_and_change_nothing(client, update):
    before = json.loads(sparql(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").content)
    assert sparql(client, update).status_code == 403
    assert "read-only" in sparql(client, update).text
    form = urllib.parse.urlencode({"update": update}).encode()
    assert post(client, form, "application/x-www-form-urlencoded").status_code == 403
    assert post(client, update.encode(), "application/sparql-update").status_code == 403
    after = json.loads(sparql(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").content)
    assert after == before


class _Listener:
    """A TCP socket on 127.0.0.1 that records whether anything connected to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(5)
        self.socket.settimeout(0.3)
        self.port = self.socket.getsockname()[1]

    def contacted(self) -> bool:
        try:
            connection, _ = self.socket.accept()
        except TimeoutError:
            return False
        connection.close()
        return True

    def close(self) -> None:
        self.socket.close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:%d/sparql> { ?s ?p ?o } }",
        "SELECT * { ?x a ?t OPTIONAL { SERVICE SILENT <http://127.0.0.1:%d/q> { ?x ?p ?o } } }",
        "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:%d/q> { ?s ?p ?o } } }",
        "SELECT * WHERE { { SELECT ?s { SERVICE <http://127.0.0.1:%d/q> { ?s ?p ?o } } } }",
        "LOAD <http://127.0.0.1:%d/data.ttl>",
        "SELECT * FROM <http://127.0.0.1:%d/data.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://127.0.0.1:%d/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_outward_requests_are_refused_and_never_made(client, template):
    listener = _Listener()
    try:
        reply = sparql(client, template % listener.port)
        assert reply.status_code == 403, reply.text
        assert not listener.contacted()
    finally:
        listener.close()
    assert "SERVICE" in reply.text or "read-only" in reply.text or "FROM" in reply.text


def test_from_a_graph_of_the_dataset_is_allowed(client):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ID['graph/statute']}> WHERE {{ ?s ?p ?o }}"
    reply = sparql(client, query)
    assert reply.status_code == 200
    assert int(json.loads(reply.content)["results"]["bindings"][0]["n"]["value"]) > 100


def test_malformed_query_is_400_with_the_position(client):
    reply = sparql(client, "SELECT ?x WHERE { ?x ?y }")
    assert reply.status_code == 400
    assert "syntax error" in reply.text


def test_result_size_limit_truncates_and_says_so(client, limits):
    reply = sparql(client, "SELECT * WHERE { ?s ?p ?o }", "text/csv")
    assert reply.status_code == 200
    assert reply.headers.get("x-imet-truncated") == "true"
    assert reply.headers.get("x-imet-result-limit") == str(limits.max_rows)
    assert reply.text.count("\n") == limits.max_rows + 1  # header line + max_rows rows
    small = sparql(client, "SELECT * WHERE { ?s ?p ?o } LIMIT 5", "text/csv")
    assert small.headers.get("x-imet-truncated", "") == ""


def test_query_page_lists_the_saved_queries(client, queries):
    reply = get(client, "/sparql", "text/html")
    assert reply.status_code == 200
    for saved in queries:
        assert f'value="{saved.name}"' in reply.text
    assert "cdn" not in reply.text.lower()
    assert get(client, "/static/query.js").status_code == 200


def test_service_description_without_a_query(client):
    reply = get(client, "/sparql", "text/turtle")
    assert reply.status_code == 200
    assert b"SPARQL11Query" in reply.content


# --- the site map's documents --------------------------------------------------------------------


def test_chart_and_dumps(client):
    svg = get(client, "/chart/funding.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")
    png = get(client, "/chart/funding.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    trig = get(client, "/data/imet-kg.trig")
    assert trig.status_code == 200
    assert len(Dataset().parse(data=trig.content, format="trig")) > 1000


@pytest.mark.parametrize("document", sitemap.SERVED, ids=lambda d: d.route)
def test_every_served_document_answers_at_its_route(client, document):
    reply = get(client, document.route)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == document.content_type
    assert reply.content


@pytest.mark.parametrize("path", ["/chart/funding.gif", "/data/imet-kg.xml", "/nothing/here"])
def test_any_other_path_gets_the_not_found_page(client, path):
    reply = get(client, path, "text/html")
    assert reply.status_code == 404 and "Not found" in reply.text
    reply = get(client, path, "text/plain")
    assert reply.status_code == 404 and reply.text.startswith("404 Not Found")
