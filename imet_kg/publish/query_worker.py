"""A SPARQL query worker process (``python -m imet_kg.publish.query_worker``) the pool starts.

It reads the graph and the limits from its standard input, says "ready", then answers
each query it is sent with ``(answer, verdict)`` until it is sent None or its input closes.
Messages are :class:`multiprocessing.connection.Connection` frames on stdin and stdout. The
graph comes as the folder of the persistent Oxigraph store (:mod:`imet_kg.kg.persistent`), which
the worker opens read-only in a fraction of a second (issue 9), or as N-Quads it parses into
rdflib.

The worker keeps its own limits, so that the common case costs no restart:

* **time**: an alarm stops a query at the time limit (503) and the worker goes on. A query stuck
  in one long C call cannot be interrupted; the pool (:mod:`imet_kg.publish.workers`) kills the
  process a little after the limit.
* **memory**: once the graph is loaded, the process's address space is capped at its size plus
  ``Limits.max_memory`` MB; a query that needs more gets MemoryError, answers 503 and the worker
  exits (verdict ``retire``), to be replaced by a fresh one.

The verdict is ``ok``, ``stopped`` (a limit stopped the query: its client is charged for it) or
``retire``.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sys
import time
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph, URIRef

    from imet_kg.kg.embedded import EmbeddedStore
    from imet_kg.publish.endpoint import Answer
    from imet_kg.publish.limits import Limits


class _Deadline(BaseException):
    """Raised by the alarm; a BaseException, so rdflib's ``except Exception`` lets it through."""


#: Seconds after which the alarm fires again, should its exception have been swallowed.
_ALARM_AGAIN = 0.05


def _on_alarm(signum: int, frame: object) -> None:
    # A signal can land inside a finaliser or a weakref callback, where Python prints the
    # exception as "unraisable" and goes on (seen: the query then ran to its end). So the alarm
    # is set again before raising; answer_within_limits cancels it once the query has stopped.
    signal.setitimer(signal.ITIMER_REAL, _ALARM_AGAIN)
    raise _Deadline


def limit_memory(megabytes: int) -> int | None:
    """Cap this process's address space at its current size plus ``megabytes``.

    Returns:
        The cap in bytes, or None where the size cannot be read (no /proc: not Linux, where
        RLIMIT_AS is not enforced anyway).
    """
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
    cap = current + megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return cap


def answer_within_limits(
    dataset: Graph | EmbeddedStore,
    text: str,
    accept: str | None,
    fmt: str | None,
    limits: Limits,
    names: frozenset[URIRef],
) -> tuple[Answer, str]:
    """Answer one query under the alarm; ``(answer, verdict)`` as the module says."""
    from imet_kg.publish.endpoint import Answer, answer_query, over_time_limit

    started = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, limits.time_limit)
        try:
            answer = answer_query(dataset, text, accept, fmt, limits, names)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Deadline:
        return over_time_limit(limits.time_limit, time.monotonic() - started), "stopped"
    except MemoryError:
        message = (
            f"503 the query needed more memory than this endpoint allows a query "
            f"({limits.max_memory} MB); its worker was replaced"
        )
        return Answer.error(503, message), "retire"
    except Exception as exc:  # a bug, not the client's fault
        return Answer.error(500, f"500 internal error: {type(exc).__name__}: {exc}"), "ok"
    return answer, "stopped" if answer.status == 413 else "ok"


def open_graph(source: str | bytes) -> Graph | EmbeddedStore:
    """The persistent store's folder opened read-only, or N-Quads parsed into rdflib."""
    if isinstance(source, str):
        import pyoxigraph as ox

        from imet_kg.kg.embedded import EmbeddedStore

        return EmbeddedStore(ox.Store.read_only(source))
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    dataset.parse(data=source, format="nquads")
    return dataset


WORKER_NICENESS = 5
"""Queries yield the CPU to the web process, which answers from its cache and serves pages."""


def main() -> None:
    """Serve queries on stdin/stdout until told to stop."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    # The frames go on the original stdout; anything printed goes to stderr instead.
    out_fd = os.dup(1)
    os.dup2(2, 1)
    incoming = Connection(os.dup(0), writable=False)
    outgoing = Connection(out_fd, readable=False)

    import rdflib.plugins.sparql

    from imet_kg.publish.endpoint import graph_names_of

    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # never fetch a FROM graph from the web
    try:
        source, limits = incoming.recv()
    except (EOFError, OSError):
        return
    dataset = open_graph(source)
    del source
    names = graph_names_of(dataset)
    signal.signal(signal.SIGALRM, _on_alarm)
    limit_memory(limits.max_memory)
    outgoing.send("ready")
    while True:
        try:
            message = incoming.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        text, accept, fmt = message
        answer, verdict = answer_within_limits(dataset, text, accept, fmt, limits, names)
        try:
            outgoing.send((answer, verdict))
        except (OSError, MemoryError):
            return
        if verdict == "retire":
            return


if __name__ == "__main__":
    sys.exit(main())
