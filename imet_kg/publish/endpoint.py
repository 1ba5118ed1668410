"""The read-only SPARQL engine behind ``/sparql``: query checks, limits, and worker processes.

What is refused, before anything is evaluated (``check_query``):

* SPARQL Update, LOAD included: 403, "this endpoint is read-only";
* ``SERVICE`` anywhere in the query (sub-queries, OPTIONAL, EXISTS ...): 403, the endpoint makes
  no outward requests;
* ``FROM`` / ``FROM NAMED`` naming anything but a graph of the dataset: 403 (rdflib would try to
  fetch it from the web; the workers also switch rdflib's graph loading off);
* a query that does not parse, or is longer than ``Limits.max_query_length``: 400.

Limits (``Limits``): each query runs in a worker *process* that holds its own copy of the graph.
rdflib cannot be interrupted inside a thread, so a query still running after ``time_limit``
seconds has its process killed and replaced, and the client gets **503 Service Unavailable**; the
web server itself never evaluates a query, so it stays responsive. Results are capped at
``max_rows`` rows (or triples for CONSTRUCT/DESCRIBE): the first ``max_rows`` are sent with the
headers ``X-IMET-Truncated: true`` and ``X-IMET-Result-Limit: <max_rows>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection

from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.query import Result

from imet_kg.errors import ImetKgError
from imet_kg.publish.conneg import choose
from imet_kg.rdf.serialize import serialize_graph
from imet_kg.sparql.results import render_result
from imet_kg.sparql.text import sparql_syntax_error

log = logging.getLogger(__name__)

# Media types per result kind, in the order the endpoint prefers them for "*/*".
TABLE_MEDIA_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
GRAPH_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "text/plain": "nt",
}
# The ``format`` request parameter overrides Accept (handy for download links).
FORMAT_PARAMETER: dict[str, tuple[str, str]] = {
    "json": ("table", "application/sparql-results+json"),
    "xml": ("table", "application/sparql-results+xml"),
    "csv": ("table", "text/csv"),
    "tsv": ("table", "text/tab-separated-values"),
    "turtle": ("graph", "text/turtle"),
    "nt": ("graph", "application/n-triples"),
    "json-ld": ("graph", "application/ld+json"),
    "rdf-xml": ("graph", "application/rdf+xml"),
}
UPDATE_REFUSED = (
    "this endpoint is read-only: SPARQL Update requests (INSERT, DELETE, LOAD, CLEAR, CREATE, "
    "DROP, COPY, MOVE, ADD) are refused"
)


@dataclass(frozen=True)
class Limits:
    """The endpoint's limits.

    Attributes:
        time_limit: seconds a query may run before its worker is killed (answer 503).
        max_rows: rows (SELECT) or triples (CONSTRUCT/DESCRIBE) sent at most; more are cut and
            flagged with ``X-IMET-Truncated: true``.
        workers: worker processes, i.e. queries evaluated at the same time.
        max_query_length: characters a query may have (answer 400 beyond).
        queue_timeout: seconds a query may wait for a free worker (answer 503 beyond).
    """

    time_limit: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    max_query_length: int = 100_000
    queue_timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.time_limit <= 0 or self.max_rows < 1 or self.workers < 1:
            raise ImetKgError("limits: time limit > 0, max rows >= 1 and workers >= 1 are needed")


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to a query: status, body, Content-Type and extra headers."""

    status: int
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, status: int, message: str) -> Answer:
        return cls(status, (message.rstrip() + "\n").encode("utf-8"), "text/plain; charset=utf-8")


class QueryRefused(ImetKgError):
    """A query the endpoint will not run; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self):
        return type(self), (self.status, str(self))


def _nodes(tree: object) -> Iterable[object]:
    """Every node of a parsed or translated query (CompValue, ParseResults, lists), iteratively."""
    stack = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif hasattr(node, "asList") and hasattr(node, "__iter__"):  # pyparsing ParseResults
            stack.extend(list(node))
            with contextlib.suppress(Exception):
                stack.extend(node.values())


def check_query(text: str, graph_names: Iterable[URIRef], limits: Limits = DEFAULT_LIMITS):
    """Parse a query and refuse what a read-only, offline endpoint must not run.

    Args:
        text: the query.
        graph_names: the named graphs FROM / FROM NAMED may name.
        limits: for the maximum query length.

    Returns:
        rdflib's translated query, ready for ``graph.query``.

    Raises:
        QueryRefused: 400 for an empty, too long or malformed query; 403 for an update, LOAD,
            SERVICE, or FROM / FROM NAMED naming a graph the dataset does not hold.
    """
    if not text.strip():
        raise QueryRefused(400, "the request has no query (send query=...)")
    if len(text) > limits.max_query_length:
        raise QueryRefused(400, f"the query is longer than {limits.max_query_length} characters")
    try:
        parsed = parseQuery(text)
    except Exception as exc:
        try:
            parseUpdate(text)
        except Exception:
            raise QueryRefused(400, sparql_syntax_error(exc)) from None
        raise QueryRefused(403, UPDATE_REFUSED) from None
    for node in _nodes(parsed):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise QueryRefused(
                403, "SERVICE is refused: this endpoint makes no requests to other endpoints"
            )
    try:
        query = translateQuery(parsed)
    except Exception as exc:
        raise QueryRefused(400, f"invalid query: {str(exc).splitlines()[0]}") from None
    for node in _nodes(query.algebra):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise QueryRefused(
                403, "SERVICE is refused: this endpoint makes no requests to other endpoints"
            )
    allowed = set(graph_names)
    for clause in query.algebra.get("datasetClause") or []:
        iri = clause.get("default") or clause.get("named")
        if iri not in allowed:
            raise QueryRefused(
                403,
                f"FROM <{iri}> is refused: FROM and FROM NAMED may only name this dataset's "
                "graphs (the endpoint never fetches a graph)",
            )
    return query


def query_form(query) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, from a translated query."""
    return query.algebra.name.removesuffix("Query").upper()


def negotiate(form: str, accept: str | None, fmt: str | None) -> tuple[str, str]:
    """Choose the result format for a query form from the ``format`` parameter or Accept.

    Returns:
        ``(render format, media type)``.

    Raises:
        QueryRefused: 400 for an unknown or unfitting ``format``; 406 when Accept allows nothing
            this kind of result can be sent as.
    """
    kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "table"
    offered = GRAPH_MEDIA_TYPES if kind == "graph" else TABLE_MEDIA_TYPES
    if fmt:
        if fmt not in FORMAT_PARAMETER or FORMAT_PARAMETER[fmt][0] != kind:
            names = [name for name, (k, _) in FORMAT_PARAMETER.items() if k == kind]
            raise QueryRefused(
                400, f"format={fmt!r} does not fit a {form} result (use {', '.join(names)})"
            )
        media_type = FORMAT_PARAMETER[fmt][1]
        return offered[media_type], media_type
    media_type = choose(accept, list(offered))
    if media_type is None:
        raise QueryRefused(
            406,
            f"a {form} result can be sent as {', '.join(offered)}; the Accept header allows none",
        )
    return offered[media_type], media_type


def answer_query(
    dataset: Graph,
    text: str,
    accept: str | None = None,
    fmt: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    graph_names: Iterable[URIRef] | None = None,
) -> Answer:
    """Check, run and render one query in this process (the workers call this).

    Never raises for the client's mistakes: they come back as 4xx answers.
    """
    if graph_names is None:
        graph_names = graph_names_of(dataset)
    try:
        query = check_query(text, graph_names, limits)
        form = query_form(query)
        render_format, media_type = negotiate(form, accept, fmt)
        try:
            result = dataset.query(query)
            body, truncated = _render(result, form, render_format, limits.max_rows)
        except QueryRefused:
            raise
        except Exception as exc:  # rdflib raises many types while evaluating
            raise QueryRefused(400, f"the query failed: {str(exc).splitlines()[0]}") from None
    except QueryRefused as refused:
        return Answer.error(refused.status, f"{refused.status} {refused}")
    headers = {"X-IMET-Result-Limit": str(limits.max_rows)}
    if truncated:
        headers["X-IMET-Truncated"] = "true"
    charset = "; charset=utf-8" if media_type.startswith("text/") else ""
    return Answer(200, body, media_type + charset, headers)


def _render(result: Result, form: str, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    if form in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph
        truncated = len(graph) > max_rows
        if truncated:
            kept = Graph()
            for prefix, namespace in graph.namespaces():
                kept.bind(prefix, namespace)
            for triple in islice(sorted(graph), max_rows):
                kept.add(triple)
            graph = kept
        if fmt == "xml":
            return serialize_graph(graph, "xml"), truncated
        return serialize_graph(graph, fmt), truncated
    if form == "ASK":
        return render_result(result, fmt), False
    rows = list(islice(iter(result), max_rows + 1))
    truncated = len(rows) > max_rows
    capped = Result("SELECT")
    capped.vars = result.vars
    variables = [Variable(v) for v in (result.vars or [])]
    capped.bindings = [
        {var: row[var] for var in variables if row[var] is not None} for row in rows[:max_rows]
    ]
    return render_result(capped, fmt), truncated


def graph_names_of(dataset: Graph) -> frozenset[URIRef]:
    """The non-empty named graphs of a dataset (what FROM / FROM NAMED may name)."""
    if not isinstance(dataset, Dataset):
        return frozenset()
    return frozenset(
        g.identifier for g in dataset.graphs() if isinstance(g.identifier, URIRef) and len(g) > 0
    )


# --- worker processes --------------------------------------------------------------------------


class _Worker:
    """One ``python -m imet_kg.publish.query_worker`` process, spoken to over stdin and stdout."""

    def __init__(self, nquads: bytes, limits: Limits) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "imet_kg.publish.query_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # the worker's tracebacks go to the server's log
            close_fds=True,
        )
        self.to_worker = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.from_worker = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()
        self.to_worker.send((nquads, limits))

    def wait_ready(self, timeout: float) -> bool:
        try:
            return bool(self.from_worker.poll(timeout)) and self.from_worker.recv() == "ready"
        except (EOFError, OSError):
            return False

    def ask(self, request: tuple, timeout: float) -> Answer | None:
        """Send a query; return the answer, or None if it did not come within ``timeout``."""
        self.to_worker.send(request)
        if not self.from_worker.poll(timeout):
            return None
        return self.from_worker.recv()

    def stop(self, kill: bool = False) -> None:
        if not kill:
            with contextlib.suppress(OSError):
                self.to_worker.send(None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(2)
        if self.process.poll() is None:
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(2)
        for connection in (self.to_worker, self.from_worker):
            with contextlib.suppress(OSError):
                connection.close()


class QueryPool:
    """Worker processes that evaluate queries with a deadline; used from an asyncio server.

    Args:
        dataset: the graph to query (each worker gets a copy, sent as N-Quads).
        limits: time limit, row limit, number of workers.
    """

    def __init__(self, dataset: Dataset, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._nquads = _to_nquads(dataset)
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._tasks: set[asyncio.Future] = set()
        self._closed = False
        self.timeouts = 0

    def _new_worker(self) -> _Worker:
        worker = _Worker(self._nquads, self.limits)
        self._all.add(worker)
        if not worker.wait_ready(120):
            self._discard(worker)
            raise ImetKgError("a query worker failed to start")
        return worker

    def _discard(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.stop(kill=True)

    async def start(self) -> None:
        """Start the workers and wait until each has loaded the graph."""
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(
            *(asyncio.to_thread(self._new_worker) for _ in range(self.limits.workers))
        )
        for worker in workers:
            self._idle.put_nowait(worker)

    async def stop(self) -> None:
        """Stop every worker (running queries are killed)."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self._all):
            await asyncio.to_thread(worker.stop, not self._is_idle(worker))
        self._all.clear()

    def _is_idle(self, worker: _Worker) -> bool:
        return self._idle is not None and worker in getattr(self._idle, "_queue", ())

    def _replace(self) -> None:
        async def spawn() -> None:
            for _attempt in range(3):
                try:
                    worker = await asyncio.to_thread(self._new_worker)
                except ImetKgError:
                    log.exception("query worker failed to start; retrying")
                    continue
                if self._closed:
                    await asyncio.to_thread(self._discard, worker)
                else:
                    assert self._idle is not None
                    self._idle.put_nowait(worker)
                return

        task = asyncio.ensure_future(spawn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, text: str, accept: str | None = None, fmt: str | None = None) -> Answer:
        """Answer a query in a worker, within the time limit.

        Returns:
            The worker's answer; 503 if the time limit passed (the worker is killed and replaced)
            or no worker became free in time.
        """
        if self._idle is None or self._closed:
            return Answer.error(503, "503 the query workers are not running")
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.limits.queue_timeout)
        except TimeoutError:
            return Answer.error(503, "503 every query worker is busy; try again later")
        limit = self.limits.time_limit
        future = asyncio.ensure_future(asyncio.to_thread(worker.ask, (text, accept, fmt), limit))

        def settle(done: asyncio.Future) -> None:
            # Runs whether or not the client is still waiting: the worker goes back to the pool
            # if it answered, and is killed and replaced if it did not.
            answer = None if done.cancelled() or done.exception() else done.result()
            if answer is None:
                self._discard(worker)
                if not self._closed:
                    self._replace()
            else:
                assert self._idle is not None
                self._idle.put_nowait(worker)

        future.add_done_callback(settle)
        started = time.perf_counter()
        try:
            answer = await asyncio.shield(future)
        except (EOFError, OSError) as exc:
            return Answer.error(500, f"500 the query worker failed: {exc}")
        if answer is None:
            self.timeouts += 1
            elapsed = time.perf_counter() - started
            return Answer.error(
                503,
                f"503 the query ran longer than this endpoint's time limit of {limit:g} s "
                f"(stopped after {elapsed:.1f} s)",
            )
        return answer


def _to_nquads(dataset: Graph) -> bytes:
    buffer = io.BytesIO()
    if isinstance(dataset, Dataset):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.serialize(buffer, format="nquads")
    else:
        dataset.serialize(buffer, format="nt")
    return buffer.getvalue()
