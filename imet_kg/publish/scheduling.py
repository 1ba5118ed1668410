"""Who gets a query worker next, and answers that need no worker at all.

A few clients looping expensive queries must not starve everyone else (issue 13). Three rules:

* **One turn at a time.** :class:`FairQueue` hands idle workers to waiting clients by the
  worker-seconds each client used lately (decaying with a half-life), fewest first, so a client
  that just held a worker for seconds waits behind those that did not.
* **A worker kept for the well-behaved.** A client whose query was stopped by a limit (time or
  memory) lately is *heavy*: heavy clients together may hold all workers but one, and a heavy
  client's query runs at the lowest CPU priority (its worker is replaced afterwards, as a process
  cannot raise its priority again). Every worker runs a little below the web process, so that
  cached answers and pages stay quick while the workers are busy.
* **No worker for a known answer.** The graph is read-only, so an answer never goes stale:
  :class:`AnswerCache` keeps answers by query text and media type (the saved queries' answers are
  made at start), and a cached answer is sent without queueing.

The server also lets each client (remote address) have only ``Limits.per_client`` queries running
or waiting at once (429 beyond), which :class:`QueryPool` enforces with these classes.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from imet_kg.publish.endpoint import Answer

T = TypeVar("T")
HALF_LIFE = 10.0
"""Seconds after which a client's recorded worker time counts half."""
PENALTY = 60.0
"""Seconds a client stays heavy after one of its queries was stopped by a limit."""


@dataclass
class _Client:
    usage: float = 0.0
    updated: float = 0.0
    stopped_at: float | None = None


@dataclass(frozen=True)
class _Waiter:
    order: int
    client: str
    future: asyncio.Future
    background: bool


@dataclass(frozen=True)
class Grant(Generic[T]):
    """A worker handed to a client; give it back with :meth:`FairQueue.release`."""

    item: T
    client: str
    heavy: bool


class FairQueue(Generic[T]):
    """Idle workers, handed to waiting clients fairly (see the module's docstring).

    Args:
        capacity: the number of workers (idle, busy or being replaced).
        clock: seconds, monotonic (tests pass their own).
    """

    def __init__(self, capacity: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.clock = clock
        self._idle: list[T] = []
        self._waiters: list[_Waiter] = []
        self._clients: dict[str, _Client] = {}
        self._heavy_holding = 0
        self._order = itertools.count()

    def _client(self, name: str) -> _Client:
        client = self._clients.get(name)
        if client is None:
            client = self._clients[name] = _Client(updated=self.clock())
        return client

    def usage(self, name: str) -> float:
        """The client's worker-seconds, halved every ``HALF_LIFE`` seconds."""
        client = self._client(name)
        now = self.clock()
        client.usage *= 0.5 ** ((now - client.updated) / HALF_LIFE)
        client.updated = now
        return client.usage

    def is_heavy(self, name: str) -> bool:
        """Whether a query of the client was stopped by a limit in the last ``PENALTY`` s."""
        stopped = self._client(name).stopped_at
        return stopped is not None and self.clock() - stopped < PENALTY

    def _may_take(self, name: str) -> bool:
        # With one worker there is none to keep back: order alone decides.
        return (
            self.capacity < 2 or not self.is_heavy(name) or self._heavy_holding < self.capacity - 1
        )

    def holds(self, item: T) -> bool:
        """Whether the worker is idle here."""
        return item in self._idle

    def put(self, item: T) -> None:
        """An idle worker: to the first waiter in line that may take it, else to the idle list."""
        self._idle.append(item)
        self._dispatch()

    def _dispatch(self) -> None:
        while self._idle:
            self._waiters = [w for w in self._waiters if not w.future.done()]
            eligible = [w for w in self._waiters if self._may_take(w.client)]
            if not eligible:
                return
            waiter = min(eligible, key=self._rank)
            self._waiters.remove(waiter)
            waiter.future.set_result(self._grant(self._idle.pop(), waiter.client))

    def _rank(self, waiter: _Waiter) -> tuple[bool, bool, float, int]:
        heavy = self.is_heavy(waiter.client)
        return (waiter.background, heavy, self.usage(waiter.client), waiter.order)

    def _grant(self, item: T, name: str) -> Grant[T]:
        heavy = self.is_heavy(name)
        self._heavy_holding += heavy
        return Grant(item, name, heavy)

    async def get(self, name: str, background: bool = False) -> Grant[T]:
        """Wait for a worker; cancel the wait (e.g. with ``asyncio.wait_for``) to give up.

        Args:
            background: wait behind every other client (work nobody is waiting for).
        """
        future: asyncio.Future[Grant[T]] = asyncio.get_running_loop().create_future()
        self._waiters.append(_Waiter(next(self._order), name, future, background))
        self._dispatch()  # an idle worker kept back from heavy waiters may be this one's
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # granted as the wait was given up
                self.release(future.result(), 0.0, stopped=False)
                self.put(future.result().item)
            raise

    def release(self, grant: Grant[T], seconds: float, stopped: bool) -> None:
        """Record a finished turn: the worker time it took, and whether a limit stopped it.

        The worker itself goes back with :meth:`put` (or its replacement does, once started).
        """
        self._heavy_holding -= grant.heavy
        self.usage(grant.client)
        client = self._clients[grant.client]
        client.usage += seconds
        if stopped:
            client.stopped_at = self.clock()
        self._forget_idle_clients()
        self._dispatch()  # a heavy client's turn may have been waiting for this one to end

    def _forget_idle_clients(self) -> None:
        if len(self._clients) > 10_000:  # bounded memory, whatever the number of addresses
            waiting = {w.client for w in self._waiters}
            for name in [n for n in self._clients if n not in waiting][:5_000]:
                del self._clients[name]


class AnswerCache:
    """Answers kept by (query text, media type), least recently used out first.

    Args:
        budget: bytes of answer bodies kept at most; 0 keeps nothing.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._answers: OrderedDict[tuple[str, str], Answer] = OrderedDict()
        self.hits = 0

    def get(self, key: tuple[str, str]) -> Answer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
            self.hits += 1
        return answer

    def put(self, key: tuple[str, str], answer: Answer) -> None:
        """Keep a successful answer (errors may be the server's state, so they are not kept)."""
        cost = len(answer.body) + len(key[0])
        if answer.status != 200 or cost > self.budget or key in self._answers:
            return
        self._answers[key] = answer
        self.size += cost
        while self.size > self.budget:
            old_key, old = self._answers.popitem(last=False)
            self.size -= len(old.body) + len(old_key[0])
