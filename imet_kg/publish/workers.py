"""The query workers: processes that hold a copy of the graph and answer queries with a deadline.

rdflib cannot be interrupted inside a thread, so each query runs in a worker *process*
(:mod:`imet_kg.publish.query_worker`), which stops a query at the time limit itself; one still
running a moment later has its process killed and replaced, as does one over the memory limit,
and the client gets 503. The web server itself never evaluates a query, so it stays responsive.
:class:`QueryPool` hands queries to idle workers from an asyncio server, fairly between clients
(:mod:`imet_kg.publish.scheduling`).
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
import warnings
from collections import Counter
from collections.abc import Coroutine, Iterable
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

from rdflib import Dataset, Graph

from imet_kg.errors import ImetKgError, QueryError
from imet_kg.publish.endpoint import Answer, QueryRefused, negotiate, over_time_limit
from imet_kg.publish.limits import DEFAULT_LIMITS, Limits
from imet_kg.publish.scheduling import AnswerCache, FairQueue
from imet_kg.sparql.text import query_form

log = logging.getLogger(__name__)
KILL_GRACE = 1.0
"""Seconds past the time limit after which a worker that has not stopped its query is killed."""
WARM_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
"""What the query page asks for: the saved queries' answers are kept in these formats."""
WARM_CLIENT = "(start)"
LOWEST_PRIORITY = 19
"""The niceness of a worker running a heavy client's query (see :mod:`.scheduling`)."""


class _Worker:
    """One ``python -m imet_kg.publish.query_worker`` process, spoken to over stdin and stdout."""

    def __init__(self, source: str | bytes, limits: Limits) -> None:
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
        self.to_worker.send((source, limits))

    def wait_ready(self, timeout: float) -> bool:
        try:
            return bool(self.from_worker.poll(timeout)) and self.from_worker.recv() == "ready"
        except (EOFError, OSError):
            return False

    def ask(self, request: tuple, timeout: float) -> tuple[Answer, str] | None:
        """Send a query; return ``(answer, verdict)`` (see :mod:`imet_kg.publish.query_worker`),
        or None if it did not come within ``timeout``."""
        self.to_worker.send(request)
        if not self.from_worker.poll(timeout):
            return None
        return self.from_worker.recv()

    def lower_priority(self) -> None:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.process.pid, LOWEST_PRIORITY)

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

    Queries wait for a worker in a :class:`~imet_kg.publish.scheduling.FairQueue`, one client
    (remote address) may have ``limits.per_client`` queries running or waiting (429 beyond), and
    answers are kept in an :class:`~imet_kg.publish.scheduling.AnswerCache`.

    Args:
        dataset: the graph to query (each worker gets a copy, sent as N-Quads), unless ``store``
            is given.
        limits: time limit, row limit, number of workers.
        warm: query texts answered once at start, behind any client's query (the saved queries,
            for ``imet-kg serve --warm-cache``), so that their answers come from the cache.
        store: the folder of the persistent Oxigraph store holding the same graph: each worker
            opens it read-only (no copy to parse: a worker starts, or is replaced, in a moment).
    """

    def __init__(
        self,
        dataset: Dataset,
        limits: Limits = DEFAULT_LIMITS,
        warm: Iterable[str] = (),
        store: Path | None = None,
    ) -> None:
        self.limits = limits
        self._source: str | bytes = str(store) if store is not None else _to_nquads(dataset)
        self._queue: FairQueue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._tasks: set[asyncio.Future] = set()
        self._closed = False
        self._warm = list(warm)
        self._in_flight: Counter[str] = Counter()
        self.cache = AnswerCache(limits.cache_bytes)
        self.warmed = asyncio.Event()
        self.timeouts = 0

    def _new_worker(self) -> _Worker:
        worker = _Worker(self._source, self.limits)
        self._all.add(worker)
        if not worker.wait_ready(120):
            self._discard(worker)
            raise ImetKgError("a query worker failed to start")
        return worker

    def _discard(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.stop(kill=True)

    async def start(self) -> None:
        """Start the workers and wait until each has loaded the graph; then answer the queries
        to warm the cache with, in the background (``warmed`` is set when done)."""
        self._queue = FairQueue(self.limits.workers)
        self.warmed = asyncio.Event()
        workers = await asyncio.gather(
            *(asyncio.to_thread(self._new_worker) for _ in range(self.limits.workers))
        )
        for worker in workers:
            self._queue.put(worker)
        self._background(self._warm_cache())

    async def _warm_cache(self) -> None:
        for text in self._warm:
            key = cache_key(text, WARM_ACCEPT, None)
            if key and self.cache.get(key) is None:
                answer = await self._run_in_worker(text, WARM_ACCEPT, None, WARM_CLIENT, True)
                self.cache.put(key, answer)
        self.warmed.set()

    async def stop(self) -> None:
        """Stop every worker (running queries are killed)."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self._all):
            idle = self._queue is not None and self._queue.holds(worker)
            await asyncio.to_thread(worker.stop, not idle)
        self._all.clear()

    def _background(self, coroutine: Coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

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
                    assert self._queue is not None
                    self._queue.put(worker)
                return

        self._background(spawn())

    async def run(
        self,
        text: str,
        accept: str | None = None,
        fmt: str | None = None,
        client: str = "local",
    ) -> Answer:
        """Answer a query: from the cache, else in a worker within the limits.

        Args:
            client: who asks (the remote address): its turns are counted and limited.

        Returns:
            The answer (``X-IMET-Cache: hit`` when it came from the cache); 429 if the client
            already has its share of queries running; 503 if the time limit passed (the worker is
            killed and replaced) or no worker became free in time.
        """
        if self._queue is None or self._closed:
            return Answer.error(503, "503 the query workers are not running")
        key = cache_key(text, accept, fmt)
        cached = self.cache.get(key) if key else None
        if cached is not None:
            return replace(cached, headers={**cached.headers, "X-IMET-Cache": "hit"})
        if self._in_flight[client] >= self.limits.per_client:
            return Answer(
                429,
                "429 this client already has as many queries running or waiting as this "
                f"endpoint allows ({self.limits.per_client}); send the next when an answer has "
                "come\n".encode(),
                "text/plain; charset=utf-8",
                {"Retry-After": "1"},
            )
        self._in_flight[client] += 1
        try:
            answer = await self._run_in_worker(text, accept, fmt, client)
        finally:
            self._in_flight[client] -= 1
            if not self._in_flight[client]:
                del self._in_flight[client]
        if key:
            self.cache.put(key, answer)
        return answer

    async def _run_in_worker(
        self,
        text: str,
        accept: str | None,
        fmt: str | None,
        client: str,
        background: bool = False,
    ) -> Answer:
        assert self._queue is not None
        turn = self._queue.get(client, background)
        try:
            grant = await asyncio.wait_for(turn, None if background else self.limits.queue_timeout)
        except TimeoutError:
            return Answer.error(503, "503 every query worker is busy; try again later")
        worker = grant.item
        if grant.heavy:
            # Below everything else on the machine (the web process serving cached answers and
            # pages included). A process cannot raise its priority again: the worker is
            # replaced after this query.
            worker.lower_priority()
        # The worker stops a query at the limit itself; killing it is for one that cannot be.
        deadline = self.limits.time_limit + KILL_GRACE
        future = asyncio.ensure_future(asyncio.to_thread(worker.ask, (text, accept, fmt), deadline))
        started = time.perf_counter()

        def settle(done: asyncio.Future) -> None:
            # Runs whether or not the client is still waiting: the worker goes back to the pool
            # if it answered and can go on, and is killed and replaced if not.
            reply = None if done.cancelled() or done.exception() else done.result()
            verdict = reply[1] if reply else "killed"
            assert self._queue is not None
            self._queue.release(grant, time.perf_counter() - started, verdict != "ok")
            if verdict in ("ok", "stopped") and not grant.heavy:
                self._queue.put(worker)
                return
            self._discard(worker)
            if not self._closed:
                self._replace()

        future.add_done_callback(settle)
        try:
            reply = await asyncio.shield(future)
        except (EOFError, OSError):
            return Answer.error(
                503,
                "503 the query worker stopped while running this query: it may have needed more "
                f"memory than this endpoint allows a query ({self.limits.max_memory} MB); "
                "it is being replaced",
            )
        if reply is None:
            self.timeouts += 1
            return over_time_limit(self.limits.time_limit, time.perf_counter() - started)
        answer, verdict = reply
        if verdict == "stopped" and answer.status == 503:
            self.timeouts += 1
        return answer


def cache_key(text: str, accept: str | None, fmt: str | None) -> tuple[str, str] | None:
    """The answer cache's key: the query text and the media type it would be sent as (None if
    the query is not one that could be answered; the worker then says why)."""
    try:
        return text, negotiate(query_form(text), accept, fmt)[1]
    except (QueryRefused, QueryError):
        return None


def _to_nquads(dataset: Graph) -> bytes:
    buffer = io.BytesIO()
    if isinstance(dataset, Dataset):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.serialize(buffer, format="nquads")
    else:
        dataset.serialize(buffer, format="nt")
    return buffer.getvalue()
