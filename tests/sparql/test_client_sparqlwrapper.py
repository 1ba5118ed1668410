"""Issue 8 with issue 13: queries are sent by SPARQLWrapper (the project's named SPARQL client),
through the transport's opener, which is installed for one query only.

Real servers on 127.0.0.1 (tests/local_http.py) record what arrives.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
import SPARQLWrapper
from local_http import ASK_TRUE, answers, local_servers, one_line_error, redirects, trickle

from imet_kg.sparql.client import JSON_ACCEPT, RDF_ACCEPT, USER_AGENT, Credentials, SparqlClient
from imet_kg.sparql.transport import ErrorAnswer

from conftest import free_port

BASIC = Credentials("u", "p")
DIGEST = Credentials("u", "p", "digest")


@pytest.fixture
def start():
    with local_servers() as start:
        yield start


def _parameters(request: dict) -> dict[str, list[str]]:
    """The protocol parameters of a recorded request: from its URL, or its form-encoded body."""
    text = request["body"].decode() or urllib.parse.urlsplit(request["path"]).query
    return urllib.parse.parse_qs(text, keep_blank_values=True)


def test_queries_are_sent_by_sparqlwrapper_with_only_the_standard_parameters(start, monkeypatch):
    sent_by_sparqlwrapper = []
    real_query = SPARQLWrapper.SPARQLWrapper.query

    def counted(wrapper):
        sent_by_sparqlwrapper.append(wrapper.method)
        return real_query(wrapper)

    monkeypatch.setattr(SPARQLWrapper.SPARQLWrapper, "query", counted)
    server = start(answers())
    client = SparqlClient(server.url())
    client.query("ASK { ?s ?p ?o }", default_graphs=["urn:x:g"])
    client.query("CONSTRUCT WHERE { ?s ?p ?o } # " + "x" * 3000)  # by POST
    assert sent_by_sparqlwrapper == ["GET", "POST"]
    agent = f"SPARQLWrapper/{SPARQLWrapper.__version__}"
    assert agent in USER_AGENT and USER_AGENT.startswith("imet-kg/")
    get, post = server.seen
    assert (get["method"], post["method"]) == ("GET", "POST")
    assert [r["headers"]["User-Agent"] for r in server.seen] == [USER_AGENT, USER_AGENT]
    assert [r["headers"]["Accept"] for r in server.seen] == [JSON_ACCEPT, RDF_ACCEPT]
    assert post["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert _parameters(get) == {"query": ["ASK { ?s ?p ?o }"], "default-graph-uri": ["urn:x:g"]}
    assert set(_parameters(post)) == {"query"}  # no format=, output= or results=


def test_basic_credentials_go_with_a_post_too(start):
    def respond(handler):
        if handler.headers.get("Authorization") != BASIC.basic_header():
            return 401, {}, b"who are you?"
        return 200, {"Content-Type": "application/sparql-results+json"}, ASK_TRUE

    server = start(respond)
    assert SparqlClient(server.url(), BASIC, always_post=True).query("ASK {}").data == ASK_TRUE
    assert [r["method"] for r in server.seen] == ["POST"]


def test_an_endpoint_url_with_parameters_of_its_own_keeps_them(start):
    server = start(answers())
    SparqlClient(server.url("/sparql?key=k1&x=")).query("ASK {}")
    [request] = server.seen
    path, _, query_string = request["path"].partition("?")
    assert path == "/sparql" and "?" not in query_string  # one "?", as a URL has
    assert _parameters(request) == {"key": ["k1"], "x": [""], "query": ["ASK {}"]}


@pytest.mark.parametrize(
    ("status", "reason"),
    [(401, "Unauthorized"), (404, "Not Found"), (414, "Request-URI Too Long")],
)  # SPARQLWrapper raises its own classes for these: they read like any other status
def test_sparqlwrappers_own_errors_read_as_the_status_and_the_servers_message(
    start, status, reason
):
    server = start(answers(status, b"<p>no\nsuch</p>", "text/html"))
    message = one_line_error(lambda: SparqlClient(server.url()).query("ASK {}"))
    assert message.startswith(f"SPARQL endpoint {server.url()}: HTTP {status} {reason}")
    assert message.endswith(": no such")


def test_an_error_page_is_read_up_to_64_kb(start):
    server = start(answers(500, b"x" * 100_000, "text/plain"))
    with pytest.raises(Exception) as failure:
        SparqlClient(server.url()).query("ASK {}")
    behind = failure.value.__cause__.__context__  # EndpointError <- SPARQLWrapper's <- urllib's
    assert isinstance(behind, ErrorAnswer) and len(behind.body) == 65536
    assert str(failure.value).endswith("x" * 10 + "…")


# --- The transport's opener is installed for one query only ---------------------------------------


@pytest.fixture(params=["none installed", "one installed"])
def installed_before(request) -> Iterator[urllib.request.OpenerDirector | None]:
    """The opener urllib has before the query: none (the usual case), or someone else's."""
    before = None if request.param == "none installed" else urllib.request.build_opener()
    urllib.request.install_opener(before)
    yield before
    urllib.request.install_opener(None)


def _installed() -> urllib.request.OpenerDirector | None:
    return urllib.request._opener  # urllib has no public getter


def test_the_previous_opener_is_back_after_every_kind_of_query(start, installed_before):
    answered, failing = start(answers()), start(answers(500, b"oops"))
    slow, moving = start(trickle(every=0.2)), start(redirects("http://localhost:1/elsewhere"))
    unreachable = f"http://127.0.0.1:{free_port()}/sparql"
    SparqlClient(answered.url(), DIGEST).query("ASK {}")
    assert _installed() is installed_before
    for url, problem in [
        (failing.url(), "HTTP 500"),
        (slow.url(), "no answer within 0.5 s"),
        (moving.url(), "another origin"),
        (unreachable, "connection refused"),
    ]:
        message = one_line_error(lambda: SparqlClient(url, DIGEST, timeout=0.5).query("ASK {}"))  # noqa: B023
        assert problem in message
        assert _installed() is installed_before, problem


def test_no_opener_holding_a_digest_password_outlives_its_query(start):
    # SPARQLWrapper's setHTTPAuth(DIGEST) would install one process-wide, so plain urlopen (and
    # every later client) would answer this origin's challenges with the password.
    def respond(handler):
        if handler.headers.get("Authorization", "").startswith("Digest "):
            return 200, {"Content-Type": "application/sparql-results+json"}, ASK_TRUE
        challenge = 'Digest realm="r", nonce="n1", qop="auth", algorithm="MD5"'
        return 401, {"WWW-Authenticate": challenge}, b"denied"

    server = start(respond)
    assert SparqlClient(server.url(), DIGEST).query("ASK {}").data == ASK_TRUE
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url(), timeout=5)
    assert refused.value.code == 401
    assert [bool(r["headers"].get("Authorization")) for r in server.seen] == [False, True, False]
