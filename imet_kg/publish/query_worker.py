"""A SPARQL query worker process (``python -m imet_kg.publish.query_worker``) the pool starts.

It reads the graph (N-Quads) and the limits from its standard input, says "ready", then answers
each query it is sent with an :class:`imet_kg.publish.endpoint.Answer`, until it is sent None or its
input closes. Messages are :class:`multiprocessing.connection.Connection` frames on stdin and
stdout. The pool (:mod:`imet_kg.publish.workers`) kills the process when a query overruns the
time limit.
"""

from __future__ import annotations

import os
import sys
from multiprocessing.connection import Connection


def main() -> None:
    """Serve queries on stdin/stdout until told to stop."""
    # The frames go on the original stdout; anything printed goes to stderr instead.
    out_fd = os.dup(1)
    os.dup2(2, 1)
    incoming = Connection(os.dup(0), writable=False)
    outgoing = Connection(out_fd, readable=False)

    import rdflib.plugins.sparql
    from rdflib import Dataset

    from imet_kg.publish.endpoint import Answer, answer_query, graph_names_of

    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # never fetch a FROM graph from the web
    try:
        nquads, limits = incoming.recv()
    except (EOFError, OSError):
        return
    dataset = Dataset(default_union=True)
    dataset.parse(data=nquads, format="nquads")
    names = graph_names_of(dataset)
    outgoing.send("ready")
    while True:
        try:
            message = incoming.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        text, accept, fmt = message
        try:
            answer = answer_query(dataset, text, accept, fmt, limits, names)
        except Exception as exc:  # a bug, not the client's fault
            answer = Answer.error(500, f"500 internal error: {type(exc).__name__}: {exc}")
        try:
            outgoing.send(answer)
        except OSError:
            return


if __name__ == "__main__":
    sys.exit(main())
