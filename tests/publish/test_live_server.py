"""A real ``imet-kg serve`` on 127.0.0.1: the limits that need worker processes. The time limit
stops a query (the worker goes on, the server stays responsive), a query over the memory limit
has its worker replaced, an answer over the byte limit is not sent, and a client gets one query
at a time while others are served. (Everything else is tested in process, in test_server.py and
test_server_limits.py.)

Clients are told apart by their address: each test client binds its own loopback address
(127.0.0.2, 127.0.0.3, ...; Linux routes all of 127/8 to the loopback interface).
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse

import pytest
from server_support import Reply, fetch, running_server

TIME_LIMIT = 2.0
MAX_MEMORY_MB = 64
MAX_BYTES = 100_000
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def doubling(times: int, select: str) -> str:
    """A short query whose string doubles ``times`` times: 16 * 2**times characters."""
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(times))
    return f'SELECT {select} WHERE {{ BIND("0123456789abcdef" AS ?s0) {binds} }}'


@pytest.fixture(scope="module")
def server():
    options = ["--time-limit", str(TIME_LIMIT), "--workers", "2"]
    options += ["--max-memory", str(MAX_MEMORY_MB), "--max-bytes", str(MAX_BYTES)]
    with running_server(*options) as live:
        yield live


def sparql(server, query: str):
    body = urllib.parse.urlencode({"query": query}).encode()
    return fetch(server.url("/sparql"), data=body, content_type="application/x-www-form-urlencoded")


def sparql_from(server, address: str, query: str, claims: str | None = None) -> Reply:
    """POST a query from the local address ``address`` (a client of its own); ``claims`` is sent
    as X-Forwarded-For (another address the client pretends to be)."""
    parts = urllib.parse.urlsplit(server.base)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=30, source_address=(address, 0)
    )
    try:
        body = urllib.parse.urlencode({"query": query})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if claims:
            headers["X-Forwarded-For"] = claims
        connection.request("POST", "/sparql", body=body, headers=headers)
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, headers, response.read())
    finally:
        connection.close()


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
    other = sparql_from(server, "127.0.0.2", "ASK { ?s ?p ?o }")  # the second worker is free
    responsive = time.monotonic() - started
    thread.join(30)
    assert page.status == 200 and other.status == 200
    assert responsive < 1.5
    reply = outcome["reply"]
    assert reply.status == 503
    assert "time limit" in reply.text
    assert TIME_LIMIT <= outcome["seconds"] < TIME_LIMIT + 3
    # The endpoint keeps answering.
    for n in range(3):
        assert sparql(server, f"ASK {{ ?s ?p ?o }} # {n}").status == 200


def test_a_query_over_the_memory_limit_gets_503_and_its_worker_is_replaced(server):
    # 16 * 2**22 characters = 64 MB for the last string alone, from a 1 kB query.
    reply = sparql_from(server, "127.0.0.3", doubling(22, "(STRLEN(?s22) AS ?n)"))
    assert reply.status == 503
    assert f"more memory than this endpoint allows a query ({MAX_MEMORY_MB} MB)" in reply.text
    assert reply.text.count("\n") == 1
    # Both workers answer afterwards (the replaced one included): two clients at once.
    replies = {}
    threads = [
        threading.Thread(
            target=lambda a=address: replies.update(
                {a: sparql_from(server, a, f"SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o }} # {a}")}
            )
        )
        for address in ("127.0.0.4", "127.0.0.5")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [r.status for r in replies.values()] == [200, 200]


def test_an_answer_over_the_byte_limit_gets_413_and_nothing_else(server):
    # 16 * 2**13 = 131,072 characters: fewer than --max-rows, more than --max-bytes.
    reply = sparql_from(server, "127.0.0.6", doubling(13, "?s13"))
    assert reply.status == 413
    assert reply.text.startswith(
        f"413 the answer is larger than this endpoint's limit of {MAX_BYTES}"
    )
    assert len(reply.body) < 200
    # 16 kB is fine. Asked by another client: after the 413 this one counts as heavy, and its
    # queries run at the lowest priority, which on a loaded machine can reach the 2 s limit.
    assert sparql_from(server, "127.0.0.9", doubling(10, "?s10")).status == 200


def test_one_query_at_a_time_per_client_while_others_are_served(server):
    outcome = {}
    thread = threading.Thread(
        target=lambda: outcome.update(slow=sparql_from(server, "127.0.0.1", SLOW_QUERY + " #7"))
    )
    thread.start()
    time.sleep(0.5)
    second = sparql_from(server, "127.0.0.1", "ASK { ?s ?p ?o } # 7")
    # A forwarded-for header does not make the same client another one (uvicorn would trust
    # it from 127.0.0.1, its default forwarded_allow_ips).
    disguised = sparql_from(server, "127.0.0.1", "ASK { ?s ?p ?o } # 7b", claims="10.9.9.9")
    other = sparql_from(server, "127.0.0.8", "ASK { ?s ?p ?o } # 8")
    thread.join(30)
    assert second.status == 429
    assert disguised.status == 429
    assert second.header("retry-after") == "1"
    assert "already has as many queries running or waiting" in second.text
    assert other.status == 200
    assert outcome["slow"].status == 503  # the time limit
    assert sparql_from(server, "127.0.0.1", "ASK { ?s ?p ?o } # 7").status == 200  # its turn now
