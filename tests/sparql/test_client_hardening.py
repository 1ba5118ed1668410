"""Issue 13: the HTTP clients' redirects and timeouts, against real servers on 127.0.0.1.

- Credentials never reach another origin: a redirect that leaves the endpoint's origin (scheme,
  host, port) is refused before anything is sent there; one that would turn a POST into a GET is
  refused too; a same-origin redirect that keeps the method is followed.
- The timeout is a deadline for the whole request: a server trickling its answer one byte at a
  time cannot keep a client waiting longer than it, headers or body.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from local_http import (
    ASK_TRUE,
    JSON_TYPE,
    answers,
    local_servers,
    one_line_error,
    redirects,
    trickle,
)

from imet_kg.sparql.client import Credentials, SparqlClient
from imet_kg.sparql.gsp import GraphStore

BASIC = Credentials("u", "p")
G1 = "https://w3id.org/imet-kg/id/graph/one"


@pytest.fixture
def start():
    with local_servers() as start:
        yield start


# --- Redirects ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_credentials_are_never_sent_to_another_origin(start, status):
    elsewhere = start(answers())
    endpoint = start(redirects(elsewhere.url(), status))
    message = one_line_error(lambda: SparqlClient(endpoint.url(), BASIC).query("ASK {}"))
    assert elsewhere.seen == []  # not asked at all, so no Authorization header either
    assert message.startswith(f"SPARQL endpoint {endpoint.url()}: redirected to ")
    assert f"{elsewhere.url()} (HTTP {status})" in message and "another origin" in message


def test_digest_credentials_and_graph_uploads_stay_on_the_origin_too(start):
    elsewhere = start(answers())
    endpoint = start(redirects(elsewhere.url(), 307))
    digest = Credentials("u", "p", "digest")
    one_line_error(lambda: SparqlClient(endpoint.url(), digest).query("ASK {}"))
    message = one_line_error(lambda: GraphStore(endpoint.url(), BASIC).put(G1, b""))
    assert message.startswith(f"graph store {endpoint.url()}: PUT graph <{G1}>: redirected to ")
    assert elsewhere.seen == []


def test_a_redirect_to_another_scheme_or_host_is_another_origin(start):
    endpoint = start(redirects("https://localhost/sparql"))
    message = one_line_error(lambda: SparqlClient(endpoint.url()).query("ASK {}"))
    assert "redirected to https://localhost/sparql (HTTP 302)" in message
    assert "another origin" in message


def test_a_same_origin_redirect_of_a_get_is_followed_with_the_credentials(start):
    def respond(handler):
        if handler.path.startswith("/old"):
            return 301, {"Location": "/sparql" + handler.path.removeprefix("/old")}, b""
        if handler.headers.get("Authorization") != BASIC.basic_header():
            return 401, {}, b"who are you?"
        return 200, {"Content-Type": JSON_TYPE}, ASK_TRUE

    server = start(respond)
    assert SparqlClient(server.url("/old"), BASIC).query("ASK {}").data == ASK_TRUE
    assert [r["path"].split("?")[0] for r in server.seen] == ["/old", "/sparql"]


def test_a_redirect_that_would_turn_a_post_into_a_get_is_refused(start):
    server = start(redirects("/elsewhere", 302))
    client = SparqlClient(server.url(), always_post=True)
    message = one_line_error(lambda: client.query("ASK {}"))
    assert f"redirected to {server.url('/elsewhere')} (HTTP 302)" in message
    assert "would turn the POST into a GET" in message
    assert [r["method"] for r in server.seen] == ["POST"]  # and no GET after it


def test_a_307_keeps_the_post_and_its_body(start):
    def respond(handler):
        if handler.path == "/old":
            return 307, {"Location": "/sparql"}, b""
        return 200, {"Content-Type": JSON_TYPE}, ASK_TRUE

    server = start(respond)
    SparqlClient(server.url("/old"), always_post=True).query("ASK {}")
    assert [(r["method"], r["path"], r["body"][:6]) for r in server.seen] == [
        ("POST", "/old", b"query="),
        ("POST", "/sparql", b"query="),
    ]


# --- The timeout is a deadline for the whole request ----------------------------------------------

# Half a second: each trickled byte comes sooner (every 0.2 s), so only a deadline for the
# whole request ends these answers (they take 8 to 22 s in all).
TIMEOUT = 0.5


def test_a_trickling_query_answer_ends_at_the_timeout(start):
    server = start(trickle(every=0.2))  # ~110 bytes: 22 s if each read had its own timeout
    started = time.monotonic()
    message = one_line_error(lambda: SparqlClient(server.url(), timeout=TIMEOUT).query("ASK {}"))
    assert time.monotonic() - started < 3
    assert message == f"SPARQL endpoint {server.url()}: no answer within {TIMEOUT:g} s (timed out)"


def test_a_trickling_graph_store_ends_at_the_timeout(start):
    server = start(trickle(every=0.2, body=b""))
    started = time.monotonic()
    message = one_line_error(lambda: GraphStore(server.url(), timeout=TIMEOUT).put(G1, b""))
    assert time.monotonic() - started < 3
    assert message.endswith(f"PUT graph <{G1}>: no answer within {TIMEOUT:g} s (timed out)")


def test_a_trickling_answer_body_or_error_page_ends_at_the_timeout(start):
    body = start(trickle(every=0.2, body=b"x" * 40, head_too=False))
    error = start(trickle(every=0.2, body=b"x" * 40, status="500 Oops", head_too=False))
    for url in (body.url(), error.url()):
        started = time.monotonic()
        message = one_line_error(lambda: SparqlClient(url, timeout=TIMEOUT).query("ASK {}"))  # noqa: B023
        assert time.monotonic() - started < 3
        assert message == f"SPARQL endpoint {url}: no answer within {TIMEOUT:g} s (timed out)"


def test_an_answer_without_a_length_cut_at_the_timeout_is_not_taken_for_a_whole_one(start):
    # Its body ends where the connection does: cut off, it must not read as a short answer.
    server = start(trickle(every=0.2, body=b"x" * 40, head_too=False, sized=False))
    message = one_line_error(lambda: SparqlClient(server.url(), timeout=TIMEOUT).query("ASK {}"))
    assert message.endswith(f"no answer within {TIMEOUT:g} s (timed out)")


# --- One way out ----------------------------------------------------------------------------------

_OPENS_A_CONNECTION = re.compile(
    r"urlopen\(|build_opener\(|HTTPS?Connection\b|create_connection\(|socket\.socket\("
    r"|^\s*(?:import|from)\s+(?:requests|httpx|aiohttp|urllib3)\b",
    re.MULTILINE,
)
_USES_SPARQLWRAPPER = re.compile(r"^\s*(?:import|from)\s+SPARQLWrapper\b", re.MULTILINE)


def _modules_matching(pattern: re.Pattern) -> list[str]:
    package = Path(__file__).resolve().parents[2] / "imet_kg"
    return sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    )


def test_only_the_transport_opens_outbound_connections():
    """So the deadline and the redirect rule above hold for every request the package makes.

    SPARQLWrapper sends through ``urllib.request.urlopen``, that is through the opener the
    transport installs around each query (``transport.sending``): the client is the one module
    that uses it, and the redirect and trickle tests above go through it.
    """
    assert _modules_matching(_OPENS_A_CONNECTION) == ["sparql/transport.py"]
    assert _modules_matching(_USES_SPARQLWRAPPER) == ["sparql/client.py"]
