"""The SPARQL HTTP client and the Graph Store client, against real servers on 127.0.0.1.

A real ``oxigraph serve`` answers queries, PUTs and DELETEs; a small ``http.server`` in a thread
plays the endpoints that fail (HTTP errors, slow answers, HTML, Basic and Digest challenges) and
records what the client sent. Nothing reaches beyond the local machine.
"""

from __future__ import annotations

import hashlib
import socket
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from local_http import (
    ASK_TRUE,
    JSON_TYPE,
    Reply,
    Responder,
    answers,
    local_servers,
    one_line_error,
)

from imet_kg.errors import EndpointError, QueryError
from imet_kg.sparql.client import (
    MAX_GET_URL,
    RDF_ACCEPT,
    USER_AGENT,
    Credentials,
    SparqlClient,
    check_timeout,
)
from imet_kg.sparql.gsp import GraphStore, graph_url

from conftest import free_port

EMPTY_SELECT = b'{"head": {"vars": []}, "results": {"bindings": []}}'
G1, G2 = "https://w3id.org/imet-kg/id/graph/one", "https://w3id.org/imet-kg/id/graph/two"


@pytest.fixture(autouse=True)
def no_public_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any outgoing connection that is not to this machine."""
    real = socket.create_connection

    def local_only(address, *args, **kwargs):
        if address[0] not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"a test tried to reach {address[0]}: tests stay on 127.0.0.1")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)


# --- Scripted local servers (tests/local_http.py) -----------------------------------------------


@pytest.fixture
def local_server() -> Iterator[Callable[..., tuple[str, list[dict]]]]:
    """Start servers answering with ``respond(handler) -> (status, headers, body)``."""
    with local_servers() as start:

        def started(respond: Responder) -> tuple[str, list[dict]]:
            server = start(respond)
            return server.url(), server.seen

        yield started


def basic_only(user: str, password: str):
    expected = Credentials(user, password).basic_header()

    def respond(handler) -> Reply:
        if handler.headers.get("Authorization") != expected:
            return 401, {"WWW-Authenticate": 'Basic realm="test"'}, b"who are you?"
        return 200, {"Content-Type": JSON_TYPE}, ASK_TRUE

    return respond


def digest_only(user: str, password: str, realm: str):
    """A server that wants RFC 2617 Digest (MD5, qop=auth) for ``user`` in ``realm`` and, like
    Virtuoso, refuses a request without reading its body."""
    nonce = hashlib.md5(str(time.time()).encode()).hexdigest()
    md5 = lambda text: hashlib.md5(text.encode()).hexdigest()  # noqa: E731

    def respond(handler) -> Reply:
        header = handler.headers.get("Authorization", "")
        if header.startswith("Digest "):
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[7:]))
            ha1 = md5(f"{user}:{realm}:{password}")
            ha2 = md5(f"{handler.command}:{fields['uri']}")
            parts = (ha1, nonce, fields["nc"], fields["cnonce"], fields["qop"], ha2)
            if fields["username"] == user and fields["response"] == md5(":".join(parts)):
                return 200, {"Content-Type": JSON_TYPE}, ASK_TRUE
        challenge = f'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm="MD5"'
        handler.unread = True
        return 401, {"WWW-Authenticate": challenge, "Content-Type": "text/plain"}, b"denied"

    return respond


# --- Queries: method, parameters, headers ---------------------------------------------------------


def test_a_short_query_goes_by_get_a_long_one_by_post(local_server):
    url, seen = local_server(answers(body=EMPTY_SELECT))
    client = SparqlClient(url)
    client.query("SELECT * WHERE { ?s ?p ?o }")
    long_query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * MAX_GET_URL
    assert client.uses_post(long_query) and not client.uses_post("ASK {}")
    client.query(long_query)
    short, long = seen
    assert short["method"] == "GET" and short["body"] == b""
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(short["path"]).query) == {
        "query": ["SELECT * WHERE { ?s ?p ?o }"]
    }  # only the query: no format=/output= parameters
    assert long["method"] == "POST"
    assert long["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(long["body"].decode()) == {"query": [long_query]}
    for request in seen:
        assert request["headers"]["User-Agent"] == USER_AGENT
        assert JSON_TYPE in request["headers"]["Accept"]


def test_always_post_sends_even_a_short_query_by_post(local_server):
    url, seen = local_server(answers(body=EMPTY_SELECT))
    assert SparqlClient(url, always_post=True).query("SELECT * { ?s ?p ?o }").bindings() == []
    [request] = seen
    assert request["method"] == "POST" and request["body"].startswith(b"query=")


def test_default_graphs_are_sent_unless_the_query_has_a_from(local_server):
    url, seen = local_server(answers())
    client = SparqlClient(url)
    client.query("ASK { ?s ?p ?o }", default_graphs=[G1, G2])
    client.query(f"ASK FROM <{G1}> {{ ?s ?p ?o }}", default_graphs=[G2])
    with_graphs, with_from = (
        urllib.parse.parse_qs(urllib.parse.urlsplit(r["path"]).query) for r in seen
    )
    assert with_graphs["default-graph-uri"] == [G1, G2]
    assert "default-graph-uri" not in with_from


def test_construct_asks_for_n_triples_first(local_server):
    url, seen = local_server(answers(body=b"", kind="application/n-triples"))
    answer = SparqlClient(url).query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert (answer.form, answer.media_type, answer.data) == (
        "CONSTRUCT",
        "application/n-triples",
        b"",
    )
    assert seen[0]["headers"]["Accept"] == RDF_ACCEPT


def test_the_form_is_read_from_the_query_not_from_its_comments(local_server):
    url, seen = local_server(answers())
    client = SparqlClient(url)
    # A keyword guess (SPARQLWrapper's regex) would see ADD in "added" and send an update.
    client.query("#+ summary: what was added\nASK { ?s <urn:x:added> ?o }")
    assert seen[0]["method"] == "GET" and "query=" in seen[0]["path"]
    with pytest.raises(QueryError, match="update"):
        client.query("DELETE WHERE { ?s ?p ?o }")
    assert len(seen) == 1


def test_default_graphs_select_the_data_on_a_real_oxigraph(oxigraph_server_factory):
    server = oxigraph_server_factory()
    store = GraphStore(server.store_url)
    store.put(G1, b'<urn:x:a> <urn:x:p> "1" .\n')
    store.put(G2, b'<urn:x:b> <urn:x:p> "2" .\n<urn:x:c> <urn:x:p> "3" .\n')
    client = SparqlClient(server.query_url)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    sizes = [
        client.query(count, graphs).bindings()[0]["n"]["value"] for graphs in ([G1], [G1, G2], [])
    ]
    assert sizes == ["1", "3", "0"]  # Oxigraph's own default graph is empty
    long_count = count + " # " + "x" * MAX_GET_URL  # by POST, with the same parameters
    assert client.query(long_count, [G2]).bindings()[0]["n"]["value"] == "2"


# --- Authentication -------------------------------------------------------------------------------


def test_basic_auth_is_sent_with_each_request(local_server):
    url, seen = local_server(basic_only("u", "p"))
    assert SparqlClient(url, Credentials("u", "p")).query("ASK {}").data == ASK_TRUE
    assert len(seen) == 1  # no challenge round trip
    with pytest.raises(EndpointError) as refused:
        SparqlClient(url, Credentials("u", "wrong")).query("ASK {}")
    assert "HTTP 401" in str(refused.value) and "check --user, --password and --auth" in str(
        refused.value
    )
    with pytest.raises(EndpointError, match=r"HTTP 401 .*wants credentials.*who are you"):
        SparqlClient(url).query("ASK {}")


def test_digest_auth_learns_the_realm_and_leaves_no_password_behind(local_server):
    url, _ = local_server(digest_only("u", "p", realm="not-the-default"))
    client = SparqlClient(url, Credentials("u", "p", "digest"))
    assert client.query("ASK {}").data == ASK_TRUE
    assert client.query("ASK {}").data == ASK_TRUE  # the realm is remembered
    # No opener holding the password outlives the request (SPARQLWrapper installed one
    # process-wide), so a client without credentials is not authenticated with someone else's.
    with pytest.raises(EndpointError, match="HTTP 401"):
        SparqlClient(url).query("ASK {}")
    with pytest.raises(EndpointError, match="HTTP 401"):
        SparqlClient(url, Credentials("u", "wrong", "digest")).query("ASK {}")


def test_graph_store_digest_and_basic(local_server):
    url, seen = local_server(digest_only("u", "p", realm="store"))
    GraphStore(url, Credentials("u", "p", "digest")).put(G1, b"")
    assert [r["method"] for r in seen] == ["HEAD", "PUT"]  # the challenge, then the answer
    with pytest.raises(EndpointError, match=r"graph store .*: PUT graph <.*one>: HTTP 401"):
        GraphStore(url, Credentials("u", "wrong", "digest")).put(G1, b"")
    basic_url, basic_seen = local_server(basic_only("u", "p"))
    GraphStore(basic_url, Credentials("u", "p")).put(None, b"")
    assert basic_seen[-1]["path"].endswith("?default")
    assert basic_seen[-1]["headers"]["User-Agent"] == USER_AGENT


def test_a_large_digest_upload_to_a_store_that_refuses_before_reading_the_body(local_server):
    # Refused unread, a 16 MB body breaks the connection: the challenge must come first.
    url, seen = local_server(digest_only("u", "p", realm="SPARQL"))
    big = b'<urn:x:s> <urn:x:p> "' + b"x" * 16_000_000 + b'" .\n'
    store = GraphStore(url, Credentials("u", "p", "digest"))
    store.put(G1, big)
    store.put(G2, big)
    assert [(r["method"], len(r["body"])) for r in seen] == [
        ("HEAD", 0), ("PUT", len(big)), ("PUT", len(big))
    ]  # fmt: skip
    message = one_line_error(lambda: GraphStore(url, Credentials("u", "no", "digest")).put(G1, big))
    assert "PUT graph <" in message and "HTTP 401 Unauthorized (check --user" in message


# --- Failures, each one line ----------------------------------------------------------------------


def test_timeout_is_honoured_to_the_fraction_of_a_second(local_server):
    url, _ = local_server(answers(delay=2))
    started = time.monotonic()
    message = one_line_error(lambda: SparqlClient(url, timeout=0.3).query("ASK {}"))
    assert time.monotonic() - started < 1.5
    assert message == f"SPARQL endpoint {url}: no answer within 0.3 s (timed out)"
    with pytest.raises(EndpointError, match="positive"):
        check_timeout(0)  # never "no timeout"
    with pytest.raises(EndpointError, match="positive"):
        GraphStore(url, timeout=-1)


def test_connection_refused():
    url = f"http://127.0.0.1:{free_port()}/sparql"
    message = one_line_error(lambda: SparqlClient(url).query("ASK {}"))
    assert message == f"SPARQL endpoint {url}: unreachable (connection refused)"
    message = one_line_error(lambda: GraphStore(url).put(G1, b""))
    assert message == f"graph store {url}: PUT graph <{G1}>: unreachable (connection refused)"


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, "Internal Server Error"), (400, "Bad Request"), (503, "Service Unavailable")],
)  # SPARQLWrapper raised its own classes for 500 and 400; all read the same now
def test_an_http_error_keeps_its_status_reason_and_the_servers_message(
    local_server, status, reason
):
    page = b"<html><body><h1>Oops</h1>\n<p>the store\nfell over</p></body></html>"
    url, _ = local_server(answers(status, page, "text/html"))
    message = one_line_error(lambda: SparqlClient(url).query("ASK {}"))
    assert message == f"SPARQL endpoint {url}: HTTP {status} {reason}: Oops the store fell over"


def test_an_answer_that_is_not_sparql_results(local_server):
    url, _ = local_server(answers(body=b"<html>maintenance</html>", kind="text/html"))
    answer = SparqlClient(url).query("SELECT * { ?s ?p ?o }")
    message = one_line_error(answer.bindings)
    assert message.startswith(f"SPARQL endpoint {url}: query failed: the answer is text/html")
    assert "query endpoint" in message
    broken, _ = local_server(answers(body=b'{"head": {}}'))
    message = one_line_error(SparqlClient(broken).query("SELECT * { ?s ?p ?o }").bindings)
    assert message.endswith("query failed: the answer is not SPARQL JSON results")


def test_oxigraph_syntax_error_message_reaches_the_user(oxigraph_server_factory):
    server = oxigraph_server_factory()
    message = one_line_error(lambda: SparqlClient(server.query_url).query("SELECT * { ?s ?p }"))
    assert message.startswith(f"SPARQL endpoint {server.query_url}: HTTP 400 Bad Request: ")
    assert "error" in message  # Oxigraph's own words follow


def test_only_http_urls():
    for make in (SparqlClient, GraphStore):
        with pytest.raises(EndpointError, match="not an http"):
            make("file:///etc/passwd")


# --- Graph Store Protocol: PUT and DELETE on a real Oxigraph --------------------------------------


def test_put_replaces_and_delete_removes_a_graph(oxigraph_server_factory):
    server = oxigraph_server_factory()
    store, client = GraphStore(server.store_url), SparqlClient(server.query_url)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def size(graph: str) -> str:
        return client.query(count, [graph]).bindings()[0]["n"]["value"]

    store.put(G1, b'<urn:x:a> <urn:x:p> "1" .\n<urn:x:a> <urn:x:p> "2" .\n')
    store.put(G1, b'<urn:x:a> <urn:x:p> "3" .\n')  # PUT replaces, it does not add
    store.put(G2, b'<urn:x:b> <urn:x:p> "two" .\n', media_type="text/turtle")
    assert (size(G1), size(G2)) == ("1", "1")
    assert store.delete(G1) is True
    assert (size(G1), size(G2)) == ("0", "1")
    assert store.delete(G1) is False  # no such graph any more (HTTP 404)
    assert (
        graph_url(server.store_url, G1)
        == f"{server.store_url}?graph={urllib.parse.quote(G1, safe='')}"
    )
    missing = f"{server.base}/no-such-store"
    message = one_line_error(lambda: GraphStore(missing).put(G1, b""))
    assert message.startswith(f"graph store {missing}: PUT graph <{G1}>: HTTP 404 Not Found")
