"""The main job: build the graph, validate it, and write a release folder."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset
from rdflib.namespace import OWL, RDF, SH

from imet_kg.errors import ImetKgError
from imet_kg.kg.bundle import Bundle
from imet_kg.kg.canonical import DUMP_FORMATS, canonical_dump
from imet_kg.kg.embedded import EmbeddedStore
from imet_kg.kg.graph import triple_count
from imet_kg.kg.persistent import STORE_FOLDER, PersistentStore
from imet_kg.kg.validation import ValidationResult, validate
from imet_kg.namespaces import IMET, IMETSH
from imet_kg.rdf.serialize import serialize_dataset
from imet_kg.rdf.temporaries import remove_stale_temporaries, replace_folder, temporary_name
from imet_kg.sparql.results import render_result
from imet_kg.sparql.saved import run_query

RELEASE_NAME = "imet-kg"
#: A file every release folder holds, so build knows a folder it may replace.
RELEASE_MARKER = "imet-kg-release.txt"
RELEASE_FORMATS = {"turtle": "ttl", "json-ld": "jsonld", "nt": "nt", "trig": "trig"}


@dataclass
class BuildSummary:
    """What a build produced: the counts a release note needs and the files written."""

    conforms: bool
    triples: int
    named_graphs: int
    classes: int
    shapes: int
    queries: int
    violations: int
    seconds: float
    files: list[Path] = field(default_factory=list)

    def text(self) -> str:
        state = "conforms" if self.conforms else f"DOES NOT CONFORM ({self.violations} violations)"
        return (
            f"IMET-KG: {self.triples} triples in {self.named_graphs} named graphs, "
            f"{self.classes} classes, {self.shapes} shapes, {self.queries} saved queries; "
            f"graph {state}; {len(self.files)} files written in {self.seconds:.1f} s"
        )


def count_shapes(shapes) -> int:
    """Count the named shapes (imetsh:Snn-...) of a shapes graph."""
    named = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        named.update(s for s in shapes.subjects(RDF.type, kind) if str(s).startswith(str(IMETSH)))
    return len(named)


_CLASSES = f"""SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{
  ?c a <{OWL.Class}> FILTER(STRSTARTS(STR(?c), "{IMET}"))
}}"""


def count_classes(engine: Dataset | EmbeddedStore) -> int:
    """Count the classes the project's ontology defines."""
    return int(next(iter(engine.query(_CLASSES)))[0])


def build_release(
    out: Path,
    bundle: Bundle | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> BuildSummary:
    """Build, validate and write the release files into ``out``.

    With the Oxigraph store (the bundle's default), the graph is loaded into the persistent store
    ``out/store/<key>/`` (reused when the inputs have not changed), queried there, and the Turtle,
    N-Triples and TriG files are Oxigraph's byte-stable dumps; with the memory store, rdflib does
    it all. The release is written to a hidden folder beside ``out`` and swapped in whole when
    complete (the store moves with it), so an interrupted build (killed, disk full) leaves the
    previous release as it was; the next build removes what it left. If the graph does not
    conform, the release holds only the validation report.

    Args:
        out: the release folder (created if missing; a non-empty folder that is not a release
            is refused).
        bundle: the graph and its shapes, context and queries (default: the shipped ones).
        progress: called with a short message at each step.

    Returns:
        A :class:`BuildSummary`.
    """
    # Over 60 lines with its docstring: the steps share the staging folder and its cleanup on
    # any failure (one try block), which splitting would spread over several functions.
    started = time.perf_counter()
    out = Path(out)
    bundle = bundle or Bundle()
    _refuse_foreign_folder(out)
    remove_stale_temporaries(out, bundle.notice)
    staging = temporary_name(out, "release")
    staging.mkdir(parents=True)
    try:
        progress(f"loading ontology and data from {bundle.data_dir} ...")
        engine = _open_engine(bundle, out, progress)
        graphs = _named_graph_count(engine)
        triples = triple_count(engine)
        progress(f"  {triples} triples in {graphs} named graphs")
        progress("validating against the SHACL shapes ...")
        result = _validate(bundle, engine)
        files: list[Path] = []

        def emit(name: str, data: bytes) -> None:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
            files.append(out / name)

        emit(RELEASE_MARKER, b"An imet-kg release folder: `imet-kg build` replaces it whole.\n")
        emit("validation-report.ttl", result.report_graph.serialize(format="turtle").encode())
        emit("validation-report.txt", result.text.encode())
        if result.conforms:
            _write_exports_and_answers(bundle, engine, emit, progress)
        else:
            progress("the graph does not conform: see validation-report.txt; no release written")
        classes = count_classes(engine)
        _move_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildSummary(
        conforms=result.conforms,
        triples=triples,
        named_graphs=graphs,
        classes=classes,
        shapes=count_shapes(bundle.shapes),
        queries=len(bundle.queries),
        violations=len(result.violations),
        seconds=time.perf_counter() - started,
        files=[path for path in files if path.name != RELEASE_MARKER],
    )


def _refuse_foreign_folder(out: Path) -> None:
    """Refuse to replace a folder that holds something other than a release (or is a file)."""
    if out.exists() and not out.is_dir():
        raise ImetKgError(f"{out} exists and is not a folder")
    if not out.is_dir() or any(
        (out / name).exists() for name in (RELEASE_MARKER, STORE_FOLDER, "validation-report.txt")
    ):
        return
    if any(not entry.name.startswith(".") for entry in out.iterdir()):
        raise ImetKgError(
            f"{out} is not empty and is not an imet-kg release (build replaces the whole "
            "folder): choose another --out"
        )


def _move_into_place(staging: Path, out: Path) -> None:
    """Swap the finished release in for the old one, whole; the store moves with it (a rename
    just before the swap: see :func:`replace_folder`)."""
    store = out / STORE_FOLDER
    if store.is_dir():
        os.rename(store, staging / STORE_FOLDER)
    replace_folder(staging, out)


def _write_exports_and_answers(
    bundle: Bundle,
    engine: Dataset | EmbeddedStore,
    emit: Callable[[str, bytes], None],
    progress: Callable[[str], None],
) -> None:
    for fmt, suffix in RELEASE_FORMATS.items():
        progress(f"exporting {fmt} ...")
        emit(f"{RELEASE_NAME}.{suffix}", _export(bundle, engine, fmt))
    progress(f"running {len(bundle.queries)} saved queries ...")
    for query in bundle.queries:
        answer = run_query(engine, query)
        graph_result = answer.type in ("CONSTRUCT", "DESCRIBE")
        fmt, suffix = ("turtle", "ttl") if graph_result else ("csv", "csv")
        emit(f"results/{query.name}.{suffix}", render_result(answer, fmt))


def _open_engine(
    bundle: Bundle, out: Path, progress: Callable[[str], None]
) -> Dataset | EmbeddedStore:
    if bundle.store == "memory":
        return bundle.dataset
    return PersistentStore(bundle.files, out, progress).open()


def _validate(bundle: Bundle, engine: Dataset | EmbeddedStore) -> ValidationResult:
    if isinstance(engine, Dataset):
        return validate(engine, bundle.shapes)
    # The shapes compiled to SPARQL, one query per check over all focus nodes; a differential
    # test (tests/kg/test_fast_validation.py) holds it to pySHACL's results.
    from imet_kg.kg.fast_validation import validate_on_store

    return validate_on_store(engine.store, bundle.shapes, union_default_graph=False)


def _named_graph_count(engine: Dataset | EmbeddedStore) -> int:
    if isinstance(engine, Dataset):
        default = engine.default_graph.identifier
        return sum(1 for g in engine.graphs() if g.identifier != default)
    return len(engine.graph_names())


def _export(bundle: Bundle, engine: Dataset | EmbeddedStore, fmt: str) -> bytes:
    if isinstance(engine, Dataset) or fmt not in DUMP_FORMATS:
        return serialize_dataset(bundle.dataset, fmt, context=bundle.context)
    return canonical_dump(engine.store, fmt, bundle.context)
