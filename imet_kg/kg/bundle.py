"""The bundle: the graph and what goes with it: shapes, JSON-LD context, saved queries; loaded once.

Every command that needs more than the graph takes a :class:`Bundle` instead of assembling the
pieces itself. Each piece is read on first use, so a command pays only for what it touches.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from imet_kg.errors import InputError
from imet_kg.paths import DATA_DIR, DEFAULT_OUT_DIR, ONTOLOGY_DIR, QUERIES_DIR, RESOURCE_ROOT

if TYPE_CHECKING:
    from rdflib import Dataset, Graph

    from imet_kg.kg.embedded import EmbeddedStore
    from imet_kg.sparql.saved import SavedQuery

SHAPES_FILE_NAME = "imet-shapes.ttl"
CONTEXT_FILE_NAME = "context.jsonld"
#: The query engines: the embedded Oxigraph store (persistent, the default) or rdflib in memory.
STORES = ("oxigraph", "memory")


def release_dir() -> Path:
    """The release folder commands share (its ``store/`` holds the persistent store):
    ``$IMET_KG_DIST`` if set, else ``dist``."""
    return Path(os.environ.get("IMET_KG_DIST") or DEFAULT_OUT_DIR)


def data_origin(data_dir: Path | None) -> str:
    """Where a data folder comes from: ``--data`` (chosen), ``bundled`` (the copy an installed
    wheel carries: a checkout's edits do not reach it) or ``checkout`` (the source tree the
    package runs from, as in an editable install)."""
    if data_dir is not None:
        return "--data"
    return "bundled" if RESOURCE_ROOT.name == "_bundled" else "checkout"


class DataNotice(str):
    """The line that names the data folder a command reads. ``routine`` is false when the line
    warns (a checkout's ``data/`` that is not used): a command line shows a routine line on a
    terminal only, and a warning always."""

    routine: bool = True


def data_notice(data_dir: Path, origin: str, cwd: Path | None = None) -> DataNotice:
    """The line a command prints about the data it loads, e.g.
    ``imet-kg: data: /usr/lib/python3/site-packages/imet_kg/_bundled/data (bundled)``.

    With the bundled data and a ``data/`` folder in ``cwd`` that is another folder, the line says
    that folder is not used (and is not routine): editing a checkout beside a plain install
    changes nothing until ``--data`` names it.
    """
    line = f"imet-kg: data: {data_dir.resolve()} ({origin})"
    local = (cwd or Path.cwd()) / "data"
    if origin == "bundled" and local.is_dir() and local.resolve() != data_dir.resolve():
        warning = DataNotice(f"{line}; ./data is not used: give --data data to load it")
        warning.routine = False
        return warning
    return DataNotice(line)


def load_context(path: Path) -> dict:
    """Read a JSON-LD context file (a local file: contexts are never fetched).

    Raises:
        InputError: if the file is missing or is not a JSON object.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, None, "no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, getattr(exc, "lineno", None), f"malformed JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise InputError(path, None, "a JSON-LD context file holds one JSON object")
    return document


class Bundle:
    """The knowledge graph, its shapes, its JSON-LD context and the saved queries.

    Args:
        ontology_dir: the ontology folder (terms, code lists, shapes, context).
        data_dir: the data folder (one named graph per file); None for the shipped one.
        queries_dir: the saved queries' folder.
        store: what queries run on: ``oxigraph`` (the persistent store under ``out``, built
            or rebuilt as needed) or ``memory`` (rdflib, parsed in this process).
        out: the release folder whose ``store/`` holds the persistent store
            (default :func:`release_dir`).
        notice: called with one-line messages: the data folder, when it is first read (see
            :func:`data_notice`), and when the persistent store is (re)built.
    """

    def __init__(
        self,
        ontology_dir: Path = ONTOLOGY_DIR,
        data_dir: Path | None = None,
        queries_dir: Path = QUERIES_DIR,
        store: str = "oxigraph",
        out: Path | None = None,
        notice: Callable[[str], None] = lambda _: None,
    ) -> None:
        if store not in STORES:
            raise ValueError(f"unknown store {store!r} (choose from {', '.join(STORES)})")
        self.ontology_dir = Path(ontology_dir)
        self.data_origin = data_origin(data_dir)
        # Resolved: the persistent store is keyed by its files' paths, and `--data data` in a
        # checkout is the shipped folder, not a new one to build a store for.
        self.data_dir = Path(data_dir).resolve() if data_dir is not None else DATA_DIR
        self.queries_dir = Path(queries_dir)
        self.store = store
        self.out = Path(out) if out is not None else release_dir()
        self.notice = notice
        self._data_announced = False

    def announce_data(self) -> None:
        """Say once, through ``notice``, which data folder this bundle reads."""
        if not self._data_announced:
            self._data_announced = True
            self.notice(data_notice(self.data_dir, self.data_origin))

    @cached_property
    def files(self) -> list[Path]:
        """The ontology and data files, in load order (one named graph each)."""
        from imet_kg.kg.graph import knowledge_graph_files

        self.announce_data()
        return knowledge_graph_files(self.ontology_dir, self.data_dir)

    @cached_property
    def engine(self) -> Dataset | EmbeddedStore:
        """What queries run on: the persistent Oxigraph store, or the rdflib dataset."""
        if self.store == "memory":
            return self.dataset
        from imet_kg.kg.persistent import PersistentStore

        return PersistentStore(self.files, self.out, self.notice).open()

    def __repr__(self) -> str:
        return f"Bundle(data_dir={str(self.data_dir)!r})"

    @cached_property
    def dataset(self) -> Dataset:
        """The knowledge graph: one named graph per ontology and data file."""
        from imet_kg.kg.graph import build_graph

        self.announce_data()
        return build_graph(self.ontology_dir, self.data_dir)

    @cached_property
    def shapes(self) -> Graph:
        """The SHACL shapes graph."""
        from imet_kg.kg.graph import load_shapes

        return load_shapes(self.ontology_dir / SHAPES_FILE_NAME)

    @cached_property
    def context(self) -> dict:
        """The JSON-LD context the exports are compacted with."""
        return load_context(self.ontology_dir / CONTEXT_FILE_NAME)

    @cached_property
    def queries(self) -> list[SavedQuery]:
        """The saved queries, sorted by name."""
        from imet_kg.sparql.saved import load_queries

        return load_queries(self.queries_dir)
