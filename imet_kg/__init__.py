"""IMET-KG: a legal-text knowledge graph of the US International Military Education and Training
program (IMET) and the statute that governs it.

The public API, importable from here (each name is loaded on first use, so ``import imet_kg``
stays cheap for the command line)::

    from imet_kg import Bundle, build_graph, validate, find_query, run_query, render_result
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "1.0.0"

# Public name -> the module that owns it.
_PUBLIC = {
    "Bundle": "imet_kg.kg.bundle",
    "build_graph": "imet_kg.kg.graph",
    "load_files": "imet_kg.kg.graph",
    "union_graph": "imet_kg.kg.graph",
    "validate": "imet_kg.kg.validation",
    "ValidationResult": "imet_kg.kg.validation",
    "build_release": "imet_kg.kg.release",
    "find_query": "imet_kg.sparql.saved",
    "load_queries": "imet_kg.sparql.saved",
    "run_query": "imet_kg.sparql.saved",
    "SavedQuery": "imet_kg.sparql.saved",
    "render_result": "imet_kg.sparql.results",
    "export_dataset": "imet_kg.rdf.serialize",
    "serialize_graph": "imet_kg.rdf.serialize",
    "RemoteStore": "imet_kg.stores.remote",
    "push_dataset": "imet_kg.stores.remote",
    "ImetKgError": "imet_kg.errors",
}

__all__ = [
    "Bundle",
    "ImetKgError",
    "RemoteStore",
    "SavedQuery",
    "ValidationResult",
    "__version__",
    "build_graph",
    "build_release",
    "export_dataset",
    "find_query",
    "load_files",
    "load_queries",
    "push_dataset",
    "render_result",
    "run_query",
    "serialize_graph",
    "union_graph",
    "validate",
]

if TYPE_CHECKING:
    from imet_kg.errors import ImetKgError
    from imet_kg.kg.bundle import Bundle
    from imet_kg.kg.graph import build_graph, load_files, union_graph
    from imet_kg.kg.release import build_release
    from imet_kg.kg.validation import ValidationResult, validate
    from imet_kg.rdf.serialize import export_dataset, serialize_graph
    from imet_kg.sparql.results import render_result
    from imet_kg.sparql.saved import SavedQuery, find_query, load_queries, run_query
    from imet_kg.stores.remote import RemoteStore, push_dataset


def __getattr__(name: str) -> object:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'imet_kg' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
