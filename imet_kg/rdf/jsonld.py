"""JSON-LD output: rdflib's compacted JSON-LD, made stable from run to run."""

from __future__ import annotations

import json

from rdflib import Graph

from imet_kg.namespaces import PREFIXES
from imet_kg.rdf.files import refuse_remote_contexts

_LIST_CONTAINERS = ("@list", ["@list"])


def default_context() -> dict:
    """Return a JSON-LD context made of the project's prefixes only.

    Returns:
        A ``{"@context": {...}}`` document mapping each prefix to its namespace IRI.
    """
    return {"@context": {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}}


def jsonld_bytes(graph: Graph, context: dict | None) -> bytes:
    """The graph as compacted JSON-LD, byte for byte the same from run to run: keys sorted, and
    every array that is a set (not an ``@list``) sorted by its items' JSON text.

    Args:
        graph: the graph, its statements in a stable order (rdflib writes them in store order).
        context: the ``{"@context": ...}`` document or the bare context object (inline only);
            ``default_context()`` if None.

    Raises:
        InputError: if ``context`` refers to a remote context.
    """
    document = default_context() if context is None else context
    # Accept the context file as loaded ({"@context": ...}) or the bare context object; rdflib
    # wants the bare one, and would fetch a string, so strings are refused.
    bare = document.get("@context", document)
    refuse_remote_contexts({"@context": bare})
    data = graph.serialize(format="json-ld", context=bare, auto_compact=True, encoding="utf-8")
    result = json.loads(data)
    list_terms = _list_terms(bare)
    if isinstance(result, dict):
        result = {
            key: value if key == "@context" else _sort_sets(value, key in list_terms, list_terms)
            for key, value in result.items()
        }
    else:
        result = _sort_sets(result, False, list_terms)
    text = json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def _list_terms(context: object) -> set[str]:
    # Terms declared "@container": "@list" hold ordered arrays, which must not be sorted.
    contexts = context if isinstance(context, list) else [context]
    terms = {"@list"}
    for ctx in contexts:
        if isinstance(ctx, dict):
            for term, definition in ctx.items():
                if isinstance(definition, dict) and definition.get("@container") in (
                    _LIST_CONTAINERS
                ):
                    terms.add(term)
    return terms


def _sort_sets(value: object, ordered: bool, list_terms: set[str]) -> object:
    # JSON-LD arrays are sets unless they are lists; rdflib fills them in store order, so sort
    # them (by their JSON text) to make the output stable.
    if isinstance(value, dict):
        return {key: _sort_sets(item, key in list_terms, list_terms) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sort_sets(item, False, list_terms) for item in value]
        if ordered:
            return items
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value
