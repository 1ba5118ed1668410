"""A real ``imet-kg serve`` on 127.0.0.1: the time limit kills a worker process, the server
stays responsive, and the pool replaces the worker. (Everything else is tested in process, in
test_server.py.)"""

from __future__ import annotations

import threading
import time
import urllib.parse

import pytest
from server_support import fetch, running_server

TIME_LIMIT = 2.0
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server():
    with running_server("--time-limit", str(TIME_LIMIT), "--workers", "2") as live:
        yield live


def sparql(server, query: str):
    body = urllib.parse.urlencode({"query": query}).encode()
    return fetch(server.url("/sparql"), data=body, content_type="application/x-www-form-urlencoded")


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
