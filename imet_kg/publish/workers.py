"""The query workers: processes that hold a copy of the graph and answer queries with a deadline.

rdflib cannot be interrupted inside a thread, so each query runs in a worker *process*
(:mod:`imet_kg.publish.query_worker`); a query still running after the time limit has its process
killed and replaced, and the client gets 503. The web server itself never evaluates a query, so
it stays responsive. :class:`QueryPool` hands queries to idle workers from an asyncio server.
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
from multiprocessing.connection import Connection

from rdflib import Dataset, Graph

from imet_kg.errors import ImetKgError
from imet_kg.publish.endpoint import Answer
from imet_kg.publish.limits import DEFAULT_LIMITS, Limits

log = logging.getLogger(__name__)


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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.serialize(buffer, format="nquads")
    else:
        dataset.serialize(buffer, format="nt")
    return buffer.getvalue()
