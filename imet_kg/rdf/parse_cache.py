"""Turtle files already parsed in this process, by their bytes: parse a file once, copy it after.

rdflib's Turtle parser takes about 0.1 ms a statement, ten times what copying the statements into
a graph takes, and a long-running process (the server, a test session, a script that builds the
graph twice) reads the same shipped files again and again. The key is the file's bytes (their
SHA-256), its base IRI and the format, so an edited file is parsed again and a hit is exact.

A hit gives what a parse would: the same statements, with new blank nodes (a parse never shares
blank nodes with another parse), and the file's prefixes bound as the parser binds them.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph

# A file bigger than this is parsed each time: the cache is for the shipped files (the largest is
# about 0.3 MB), not for a user's million statements.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_STATEMENTS = 400_000

Parsed = tuple[tuple[tuple, ...], tuple[tuple[str, str], ...]]
_PARSED: OrderedDict[tuple[str, str, bytes], Parsed] = OrderedDict()
_LOCK = threading.Lock()


def cache_key(graph: Graph, fmt: str, base: str, data: bytes) -> tuple[str, str, bytes] | None:
    """The key of a file's parse into ``graph``, or None if such parses are not cached (a
    Dataset names a graph for the file itself, which a copy would not do the same way)."""
    from rdflib import ConjunctiveGraph

    if fmt != "turtle" or len(data) > MAX_FILE_BYTES or isinstance(graph, ConjunctiveGraph):
        return None
    return (fmt, base, hashlib.sha256(data).digest())


def replay(graph: Graph, key: tuple[str, str, bytes] | None) -> bool:
    """Add a cached parse's statements and prefixes to ``graph``; False if there is none."""
    from rdflib import BNode

    with _LOCK:
        parsed = _PARSED.get(key) if key is not None else None
        if parsed is None:
            return False
        _PARSED.move_to_end(key)
    statements, bindings = parsed
    fresh: dict[BNode, BNode] = {}

    def renamed(term):
        if not isinstance(term, BNode):
            return term
        new = fresh.get(term)
        if new is None:
            new = fresh[term] = BNode()
        return new

    graph.addN((renamed(s), renamed(p), renamed(o), graph) for s, p, o in statements)
    for prefix, namespace in bindings:
        graph.bind(prefix, namespace)
    return True


class Recorder:
    """Records one parse of a file into ``graph`` so that :meth:`keep` can cache it.

    Only a parse into an empty graph is kept (its statements are then the file's alone), and
    only once the caller has checked it: :meth:`keep` is called after every check has passed.
    """

    def __init__(self, graph: Graph, key: tuple[str, str, bytes] | None) -> None:
        self.graph = graph
        self.key = key if key is not None and len(graph) == 0 else None
        self.bindings: list[tuple[str, str]] = []

    @contextmanager
    def binds(self) -> Iterator[None]:
        """Record the prefixes the parser binds while the block runs."""
        if self.key is None:
            yield
            return
        original_bind = self.graph.bind

        def recording_bind(prefix, namespace, *args, **kwargs):
            self.bindings.append((prefix, namespace))
            return original_bind(prefix, namespace, *args, **kwargs)

        # rdflib's Turtle parser binds the file's prefixes by calling graph.bind once each, after
        # the statements: recording those calls is how a hit binds exactly what a parse binds.
        self.graph.bind = recording_bind  # type: ignore[method-assign]
        try:
            yield
        finally:
            del self.graph.bind

    def keep(self) -> None:
        """Cache the recorded parse (if it was recorded and is not too big)."""
        if self.key is None:
            return
        statements = tuple(self.graph.triples((None, None, None)))
        if len(statements) > MAX_STATEMENTS:
            return
        with _LOCK:  # a server's threads may load files at once
            _PARSED[self.key] = (statements, tuple(self.bindings))
            while sum(len(kept) for kept, _ in _PARSED.values()) > MAX_STATEMENTS:
                _PARSED.popitem(last=False)
