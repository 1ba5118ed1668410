"""HTTP tests against a real ``imet-kg serve`` on 127.0.0.1: conneg, SPARQL protocol, limits."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from server_support import fetch, running_server

from imet_kg.namespaces import BASE, ELI, ID, IMET
from imet_kg.publish.resources import Publication
from imet_kg.sparql.saved import load_queries, run_query

TIME_LIMIT = 2.0
MAX_ROWS = 1000
SECTION = ID["faa/section-543"]
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server():
    options = ("--time-limit", str(TIME_LIMIT), "--max-rows", str(MAX_ROWS), "--workers", "2")
    with running_server(*options) as live:
        yield live


def sparql(server, query: str, accept: str | None = None, method: str = "POST", **params):
    if method == "GET":
        url = server.url("/sparql?" + urllib.parse.urlencode({"query": query, **params}))
        return fetch(url, accept=accept)
    body = urllib.parse.urlencode({"query": query, **params}).encode()
    return fetch(
        server.url("/sparql"),
        accept=accept,
        data=body,
        content_type="application/x-www-form-urlencoded",
    )


# --- dereferenceable IRIs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type", "rdf_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
    ],
)
def test_iri_answers_each_rdf_format_with_its_triples(server, accept, media_type, rdf_format):
    reply = fetch(server.url("/id/faa/section-543"), accept=accept)
    assert reply.status == 200
    assert reply.header("content-type").startswith(media_type)
    assert "Accept" in reply.header("vary")
    extension = {"turtle": "ttl", "json-ld": "jsonld", "nt": "nt"}[rdf_format]
    assert reply.header("content-location") == f"/id/faa/section-543.{extension}"
    graph = Graph().parse(data=reply.body, format=rdf_format)
    assert (SECTION, RDFS.label, Literal("FAA §543", lang="en")) in graph
    assert (ID["faa/section-543/1"], ELI.is_part_of, SECTION) in graph  # inbound links too
    assert (SECTION, RDF.type, IMET.Section) in graph


def test_iri_answers_html_to_browsers_and_to_any(server):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (browser, "*/*", None):
        reply = fetch(server.url("/id/faa/section-543"), accept=accept)
        assert reply.status == 200
        assert reply.header("content-type").startswith("text/html")
        assert "Congressional declaration of purpose" in reply.text
    assert 'rel="alternate"; type="text/turtle"' in reply.header("link")


def test_representation_urls_are_direct(server):
    reply = fetch(server.url("/id/faa/section-543.ttl"), accept="text/html")
    assert reply.status == 200 and reply.header("content-type").startswith("text/turtle")
    reply = fetch(server.url("/id/faa/section-543.html"))
    assert reply.status == 200 and "§ 543." in reply.text


def test_iri_resolves_whatever_host_and_at_the_iris_full_path(server):
    reply = fetch(
        server.url("/id/program/imet"), accept="text/turtle", headers={"Host": "w3id.org"}
    )
    assert reply.status == 200
    full_path = urllib.parse.urlparse(str(ID["program/imet"])).path  # /imet-kg/id/program/imet
    reply = fetch(server.url(full_path), accept="application/n-triples")
    assert reply.status == 200
    assert f"<{ID['program/imet']}>".encode() in reply.body


def test_unknown_iri_is_404(server):
    assert fetch(server.url("/id/no/such/thing"), accept="text/turtle").status == 404
    reply = fetch(server.url("/id/no/such/thing"), accept="text/html")
    assert reply.status == 404 and "Not found" in reply.text
    assert fetch(server.url("/def/NoSuchTerm")).status == 404


def test_unsupported_media_type_is_406_with_the_alternatives(server):
    reply = fetch(server.url("/id/faa/section-543"), accept="application/pdf")
    assert reply.status == 406
    assert "text/turtle" in reply.text and "application/ld+json" in reply.text


def test_every_iri_of_the_graph_answers_with_turtle(server, graph):
    publication = Publication(graph)
    iris = publication.sorted_iris()
    assert len(iris) > 300

    def check(iri: URIRef) -> tuple[URIRef, int, bool]:
        path = str(iri)[len(BASE) :]
        reply = fetch(server.url("/" + path), accept="text/turtle")
        parsed = Graph().parse(data=reply.body, format="turtle") if reply.status == 200 else None
        named_graph = iri in publication.named_graphs  # its content, which need not name it
        mentioned = bool(parsed) and (named_graph or any(iri in triple for triple in parsed))
        return iri, reply.status, mentioned

    with ThreadPoolExecutor(4) as pool:
        failures = [row for row in pool.map(check, iris) if row[1] != 200 or not row[2]]
    assert failures == []


def test_ontology_is_served_with_every_term_documented(server, graph):
    reply = fetch(server.url("/def/"), accept="text/turtle")
    assert reply.status == 200
    ontology = Graph().parse(data=reply.body, format="turtle")
    assert (URIRef(str(IMET)), RDF.type, OWL.Ontology) in ontology
    terms = {s for s in ontology.subjects(RDFS.isDefinedBy, URIRef(str(IMET)))}
    assert IMET.Program in terms
    page = fetch(server.url("/def/"), accept="text/html").text
    for term in terms:
        assert f'id="{str(term)[len(str(IMET)) :]}"' in page, term
    assert fetch(server.url("/def"), accept="text/html").status == 200  # redirected to /def/
    term_page = fetch(server.url("/def/Program"), accept="text/html")
    assert term_page.status == 200 and "Program" in term_page.text


# --- the SPARQL endpoint -------------------------------------------------------------------------


def test_shapes_are_served_under_def_shapes(server):
    reply = fetch(server.url("/def/shapes/"), accept="text/turtle")
    assert reply.status == 200
    shapes = Graph().parse(data=reply.body, format="turtle")
    assert len(shapes) > 300
    first = next(s for s in shapes.subjects() if str(s).startswith(str(IMET) + "shapes/S"))
    assert fetch(server.url("/" + str(first)[len(BASE) :]), accept="text/turtle").status == 200


def test_select_by_get_and_post_in_each_result_format(server):
    query = f"SELECT ?label WHERE {{ <{SECTION}> <{RDFS.label}> ?label }}"
    for method in ("GET", "POST"):
        reply = sparql(server, query, "application/sparql-results+json", method)
        assert reply.status == 200
        assert reply.header("content-type").startswith("application/sparql-results+json")
        rows = json.loads(reply.body)["results"]["bindings"]
        assert rows == [{"label": {"type": "literal", "value": "FAA §543", "xml:lang": "en"}}]
    assert b"FAA \xc2\xa7543" in sparql(server, query, "text/csv").body
    assert sparql(server, query, "text/tab-separated-values").body.startswith(b"?label")
    assert b"<sparql" in sparql(server, query, "application/sparql-results+xml").body
    body = fetch(
        server.url("/sparql"),
        accept="application/sparql-results+json",
        data=query.encode(),
        content_type="application/sparql-query",
    )
    assert body.status == 200 and json.loads(body.body)["results"]["bindings"]


def test_ask_and_construct(server):
    reply = sparql(server, f"ASK {{ ?s a <{IMET.Program}> }}")
    assert json.loads(reply.body) == {"head": {}, "boolean": True}
    construct = f"CONSTRUCT {{ ?s a <{IMET.Section}> }} WHERE {{ ?s a <{IMET.Section}> }}"
    reply = sparql(server, construct, "text/turtle")
    assert reply.header("content-type").startswith("text/turtle")
    assert (SECTION, RDF.type, IMET.Section) in Graph().parse(data=reply.body, format="turtle")
    assert sparql(server, construct, "application/sparql-results+json").status == 406


@pytest.mark.parametrize("saved", load_queries(), ids=lambda q: q.name)
def test_each_saved_query_runs_on_the_endpoint_as_locally(server, graph, saved):
    local = run_query(graph, saved)
    if saved.form in ("CONSTRUCT", "DESCRIBE"):
        reply = sparql(server, saved.bound_text(), "application/n-triples")
        assert reply.status == 200, reply.text
        assert len(Graph().parse(data=reply.body, format="nt")) == len(local.graph)
        return
    reply = sparql(server, saved.bound_text(), "application/sparql-results+json")
    assert reply.status == 200, reply.text
    data = json.loads(reply.body)
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
def test_updates_are_refused_and_change_nothing(server, update):
    before = json.loads(sparql(server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").body)
    assert sparql(server, update).status == 403
    assert "read-only" in sparql(server, update).text
    form = urllib.parse.urlencode({"update": update}).encode()
    reply = fetch(
        server.url("/sparql"), data=form, content_type="application/x-www-form-urlencoded"
    )
    assert reply.status == 403
    reply = fetch(
        server.url("/sparql"), data=update.encode(), content_type="application/sparql-update"
    )
    assert reply.status == 403
    after = json.loads(sparql(server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").body)
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
def test_outward_requests_are_refused_and_never_made(server, template):
    listener = _Listener()
    try:
        reply = sparql(server, template % listener.port)
        assert reply.status == 403, reply.text
        assert not listener.contacted()
    finally:
        listener.close()
    assert "SERVICE" in reply.text or "read-only" in reply.text or "FROM" in reply.text


def test_from_a_graph_of_the_dataset_is_allowed(server):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ID['graph/statute']}> WHERE {{ ?s ?p ?o }}"
    reply = sparql(server, query)
    assert reply.status == 200
    assert int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"]) > 100


def test_malformed_query_is_400_with_the_position(server):
    reply = sparql(server, "SELECT ?x WHERE { ?x ?y }")
    assert reply.status == 400
    assert "syntax error" in reply.text


def test_result_size_limit_truncates_and_says_so(server):
    reply = sparql(server, "SELECT * WHERE { ?s ?p ?o }", "text/csv")
    assert reply.status == 200
    assert reply.header("x-imet-truncated") == "true"
    assert reply.header("x-imet-result-limit") == str(MAX_ROWS)
    assert reply.text.count("\n") == MAX_ROWS + 1  # header line + MAX_ROWS rows
    small = sparql(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 5", "text/csv")
    assert small.header("x-imet-truncated") == ""


def test_time_limit_stops_the_query_and_the_server_stays_responsive(server):
    outcome = {}

    def slow() -> None:
        started = time.monotonic()
        outcome["reply"] = sparql(server, SLOW_QUERY)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    page = fetch(server.url("/id/program/imet"), accept="text/turtle")
    other = sparql(server, "ASK { ?s ?p ?o }")  # the second worker is free
    responsive = time.monotonic() - started
    thread.join(30)
    assert page.status == 200 and other.status == 200
    assert responsive < 1.5
    reply = outcome["reply"]
    assert reply.status == 503
    assert "time limit" in reply.text
    assert TIME_LIMIT <= outcome["seconds"] < TIME_LIMIT + 3
    # The killed worker is replaced: the endpoint keeps answering.
    for _ in range(3):
        assert sparql(server, "ASK { ?s ?p ?o }").status == 200


def test_query_page_lists_the_saved_queries(server):
    reply = fetch(server.url("/sparql"), accept="text/html")
    assert reply.status == 200
    for saved in load_queries():
        assert f'value="{saved.name}"' in reply.text
    assert "cdn" not in reply.text.lower()
    assert fetch(server.url("/static/query.js")).status == 200


def test_service_description_without_a_query(server):
    reply = fetch(server.url("/sparql"), accept="text/turtle")
    assert reply.status == 200
    assert b"SPARQL11Query" in reply.body


def test_chart_and_dumps(server):
    svg = fetch(server.url("/chart/funding.svg"))
    assert svg.status == 200 and svg.header("content-type") == "image/svg+xml"
    assert svg.body.startswith(b"<svg")
    png = fetch(server.url("/chart/funding.png"))
    assert png.status == 200 and png.body.startswith(b"\x89PNG")
    trig = fetch(server.url("/data/imet-kg.trig"))
    assert trig.status == 200
    assert len(Dataset().parse(data=trig.body, format="trig")) > 1000
