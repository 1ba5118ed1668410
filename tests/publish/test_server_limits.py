"""The server's bounds and fairness (issue 13): no URL made from the Host header, fair turns for
the query workers, the answer cache, and the serve command's options for them.

What needs real worker processes (memory and byte caps, one query per client) is in
test_live_server.py; the in-process app is the session's ``client`` (tests/publish/conftest.py).
"""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from imet_kg.cli import cli
from imet_kg.errors import ImetKgError
from imet_kg.publish.addressing import DEFAULT_BASE_URL, public_base_url, service_description
from imet_kg.publish.endpoint import Answer
from imet_kg.publish.scheduling import PENALTY, AnswerCache, FairQueue
from imet_kg.publish.workers import cache_key

EVIL = {"host": "evil.example"}

# --- issue 13, item 4: the Host header ------------------------------------------------------------


@pytest.mark.parametrize(("path", "target"), [("/resources/", "/resources"), ("/def", "/def/")])
def test_redirects_are_relative_whatever_the_host_header(client, path, target):
    reply = client.get(path, headers=EVIL, follow_redirects=False)
    assert reply.status_code in (307, 308)
    assert reply.headers["location"] == target


def test_a_slash_redirect_keeps_the_query_and_never_names_another_host(client):
    reply = client.get("/resources/?a=1", headers=EVIL, follow_redirects=False)
    assert reply.headers["location"] == "/resources?a=1"
    reply = client.get("//evil.example/", follow_redirects=False)
    assert not reply.headers.get("location", "").startswith("//")


def test_the_service_description_names_the_configured_base_not_the_host(client):
    reply = client.get("/sparql", headers={**EVIL, "accept": "application/n-triples"})
    assert reply.status_code == 200
    assert b"evil.example" not in reply.content
    graph = Graph().parse(data=reply.content, format="nt")
    assert set(graph.subjects()) == {URIRef(DEFAULT_BASE_URL + "sparql")}


def test_service_description_of_a_public_base():
    graph = service_description("https://imet.example/kg/")
    assert set(graph.subjects()) == {URIRef("https://imet.example/kg/sparql")}


@pytest.mark.parametrize(
    ("given", "host", "port", "expected"),
    [
        (None, "127.0.0.1", 8000, "http://127.0.0.1:8000/"),
        (None, "::1", 8080, "http://[::1]:8080/"),
        ("https://imet.example/kg", "0.0.0.0", 80, "https://imet.example/kg/"),
        ("https://imet.example/", "0.0.0.0", 80, "https://imet.example/"),
    ],
)
def test_public_base_url(given, host, port, expected):
    assert public_base_url(given, host, port) == expected


@pytest.mark.parametrize("bad", ["imet.example", "ftp://imet.example/", "https://x/?q=1", "/kg/"])
def test_a_base_url_that_is_not_an_absolute_http_url_is_refused(bad):
    with pytest.raises(ImetKgError, match="--base-url"):
        public_base_url(bad, "127.0.0.1", 8000)


@pytest.mark.usefixtures("session_graph_in_commands")
def test_serve_passes_its_limit_options(monkeypatch):
    import imet_kg.publish.server as server_module

    seen = {}

    def fake_run_server(dataset, queries, host, port, limits, context, shapes, **options):
        seen.update(limits=limits, **options)

    monkeypatch.setattr(server_module, "run_server", fake_run_server)
    options = ["--max-memory", "100", "--max-bytes", "5000", "--base-url", "https://x.example/"]
    result = CliRunner().invoke(cli, ["serve", "--port", "0", *options, "--warm-cache"])
    assert result.exit_code == 0, result.output
    assert (seen["limits"].max_memory, seen["limits"].max_bytes) == (100, 5000)
    assert seen["base_url"] == "https://x.example/" and seen["warm_cache"] is True
    assert (seen["store"] / "READY").is_file()  # the workers open the persistent store (issue 9)
    result = CliRunner().invoke(cli, ["serve", "--port", "0", "--store", "memory"])
    assert result.exit_code == 0, result.output
    assert seen["store"] is None and seen["warm_cache"] is False
    assert seen["base_url"] == "http://127.0.0.1:0/"  # the bound host and port


def test_serve_refuses_a_bad_base_url_in_one_line_before_loading_the_graph(monkeypatch):
    from imet_kg.kg.bundle import Bundle

    monkeypatch.setattr(Bundle, "dataset", property(lambda self: pytest.fail("graph loaded")))
    result = CliRunner().invoke(cli, ["serve", "--port", "0", "--base-url", "example.org"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "--base-url 'example.org'" in result.output


# --- issue 13, item 6: fair turns -----------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(coroutine):
    return asyncio.run(coroutine)


async def _waiting(queue: FairQueue, *names: str) -> dict[str, asyncio.Task]:
    tasks = {name: asyncio.ensure_future(queue.get(name)) for name in names}
    await asyncio.sleep(0)
    return tasks


def test_a_free_worker_goes_to_the_waiting_client_that_used_least():
    async def scenario() -> list[str]:
        clock = Clock()
        queue: FairQueue[str] = FairQueue(1, clock)
        queue.put("w")
        first = await queue.get("greedy")
        tasks = await _waiting(queue, "greedy", "modest")  # greedy asked first
        clock.now += 5
        queue.release(first, 5.0, stopped=False)
        queue.put("w")
        await asyncio.sleep(0)
        served = [name for name, task in tasks.items() if task.done()]
        for task in tasks.values():
            task.cancel()
        return served

    assert run(scenario()) == ["modest"]


def test_usage_halves_with_time():
    clock = Clock()
    queue: FairQueue[str] = FairQueue(1, clock)
    queue.put("w")
    grant = run(queue.get("a"))
    queue.release(grant, 8.0, stopped=False)
    clock.now += 10
    assert queue.usage("a") == pytest.approx(4.0)


def test_heavy_clients_together_keep_off_the_last_worker():
    async def scenario() -> tuple[bool, bool, bool]:
        clock = Clock()
        queue: FairQueue[str] = FairQueue(2, clock)
        for worker in ("w1", "w2"):
            queue.put(worker)
        for name in ("h1", "h2"):  # each had a query stopped by a limit
            grant = await queue.get(name)
            queue.release(grant, 10.0, stopped=True)
            queue.put(grant.item)
        assert queue.is_heavy("h1") and queue.is_heavy("h2")
        held = await queue.get("h1")
        tasks = await _waiting(queue, "h2")
        kept_back = not tasks["h2"].done()  # one worker is idle, but kept for the others
        good = await asyncio.wait_for(queue.get("good"), 1)
        queue.release(held, 1.0, stopped=False)
        queue.put(held.item)
        await asyncio.sleep(0)
        h2_served_after = tasks["h2"].done()
        clock.now += PENALTY + 1
        return kept_back, good.item in ("w1", "w2"), h2_served_after and not queue.is_heavy("h1")

    assert run(scenario()) == (True, True, True)


def test_one_worker_is_not_kept_back_from_a_heavy_client():
    async def scenario() -> str:
        queue: FairQueue[str] = FairQueue(1, Clock())
        queue.put("w")
        grant = await queue.get("h")
        queue.release(grant, 10.0, stopped=True)
        queue.put("w")
        return (await asyncio.wait_for(queue.get("h"), 1)).item

    assert run(scenario()) == "w"


def test_a_background_waiter_goes_after_everyone():
    async def scenario() -> list[str]:
        queue: FairQueue[str] = FairQueue(1, Clock())
        queue.put("w")
        held = await queue.get("a")
        warm = asyncio.ensure_future(queue.get("(start)", background=True))
        await asyncio.sleep(0)
        late = asyncio.ensure_future(queue.get("b"))
        await asyncio.sleep(0)
        queue.release(held, 0.1, stopped=False)
        queue.put("w")
        await asyncio.sleep(0)
        order = ["b"] if late.done() and not warm.done() else ["wrong"]
        queue.release(late.result(), 0.1, stopped=False)
        queue.put("w")
        await asyncio.sleep(0)
        return [*order, "(start)"] if warm.done() else order

    assert run(scenario()) == ["b", "(start)"]


def test_giving_up_a_wait_loses_no_worker():
    async def scenario() -> str:
        queue: FairQueue[str] = FairQueue(1, Clock())
        queue.put("w")
        held = await queue.get("a")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(queue.get("b"), 0.01)
        queue.release(held, 0.1, stopped=False)
        queue.put("w")
        return (await asyncio.wait_for(queue.get("c"), 1)).item

    assert run(scenario()) == "w"


# --- the answer cache -----------------------------------------------------------------------------


def ok(body: bytes) -> Answer:
    return Answer(200, body, "text/csv")


def test_the_cache_keeps_answers_within_its_budget_least_recent_out_first():
    cache = AnswerCache(budget=100)
    cache.put(("q1", "text/csv"), ok(b"x" * 40))
    cache.put(("q2", "text/csv"), ok(b"y" * 40))
    assert cache.get(("q1", "text/csv")) is not None  # q1 is now the more recent
    cache.put(("q3", "text/csv"), ok(b"z" * 40))
    assert cache.get(("q2", "text/csv")) is None
    assert cache.get(("q1", "text/csv")) and cache.get(("q3", "text/csv"))
    assert cache.size <= 100


def test_the_cache_keeps_no_error_and_nothing_over_its_budget():
    cache = AnswerCache(budget=100)
    cache.put(("q", "text/csv"), Answer.error(503, "503 busy"))
    cache.put(("big", "text/csv"), ok(b"x" * 200))
    assert cache.get(("q", "text/csv")) is None and cache.get(("big", "text/csv")) is None
    assert AnswerCache(budget=0).size == 0


def test_cache_key_is_the_text_and_the_negotiated_media_type():
    query = "SELECT * WHERE { ?s ?p ?o }"
    assert cache_key(query, None, None) == (query, "application/sparql-results+json")
    assert cache_key(query, "*/*", None) == cache_key(query, None, None)
    assert cache_key(query, None, "csv") == (query, "text/csv")
    assert cache_key("CONSTRUCT WHERE { ?s ?p ?o }", None, None)[1] == "text/turtle"
    assert cache_key("INSERT DATA { <a:b> <a:c> <a:d> }", None, None) is None
    assert cache_key(query, "image/png", None) is None


def test_a_repeated_query_comes_from_the_cache(client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type } # test_server_limits"
    body = {"query": query}
    first = client.post("/sparql", data=body)
    again = client.post("/sparql", data=body)
    assert first.status_code == again.status_code == 200
    assert "x-imet-cache" not in first.headers
    assert again.headers["x-imet-cache"] == "hit"
    assert again.content == first.content


# --- CPU priority (real worker processes over a three-triple graph) -------------------------------


def test_workers_run_below_the_web_process_and_a_heavy_clients_query_lowest():
    import os

    from rdflib import Dataset, Literal

    from imet_kg.publish.limits import Limits
    from imet_kg.publish.query_worker import WORKER_NICENESS
    from imet_kg.publish.workers import LOWEST_PRIORITY, QueryPool

    dataset = Dataset(default_union=True)
    for n in range(3):
        dataset.add((URIRef(f"http://example.org/{n}"), URIRef("http://example.org/p"), Literal(n)))
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE { "
        + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(14))
        + " }"
    )

    def niceness(pool: QueryPool) -> set[int]:
        return {os.getpriority(os.PRIO_PROCESS, w.process.pid) for w in pool._all}

    async def scenario() -> tuple:
        pool = QueryPool(dataset, Limits(workers=1, time_limit=0.3))
        await pool.start()
        try:
            started = niceness(pool)
            stopped = await pool.run(slow, client="h")  # stopped by the time limit: h is heavy
            (first,) = pool._all
            running = asyncio.ensure_future(pool.run(slow + " # again", client="h"))
            await asyncio.sleep(0.1)
            during = niceness(pool)
            await running
            await asyncio.wait_for(pool.run("ASK { ?s ?p ?o }", client="good"), 30)
            (after,) = pool._all
            return started, stopped.status, during, after is not first, niceness(pool)
        finally:
            await pool.stop()

    base = os.getpriority(os.PRIO_PROCESS, 0)
    started, status, during, replaced, later = run(scenario())
    expected = min(base + WORKER_NICENESS, 19)
    assert started == {expected} and status == 503
    assert during == {LOWEST_PRIORITY}
    assert replaced and later == {expected}
