"""``imet-kg build``, ``validate`` and ``export``: the graph itself, checked and written out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from imet_kg.cli.support import (
    data_option,
    endpoint_options,
    notice,
    output_format,
    progress_reporter,
    reports_errors,
    store_option,
    write_output,
)
from imet_kg.errors import EXIT_OK, EXIT_VIOLATIONS
from imet_kg.kg.bundle import Bundle
from imet_kg.kg.canonical import DUMP_FORMATS
from imet_kg.paths import DEFAULT_OUT_DIR
from imet_kg.rdf.serialize import EXPORT_FORMATS


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT_DIR,
    show_default=True,
    help="Folder for the release files.",
)
@data_option("Data folder to build from (default: the shipped data).")
@store_option
@reports_errors
def build(out: Path, data_dir: Path | None, store: str) -> None:
    """Build the graph, validate it, and write the release to OUT.

    Writes the graph as Turtle, JSON-LD, N-Triples and TriG, the validation report (Turtle and
    text), and each saved query's result (CSV, or Turtle for CONSTRUCT). Nothing but the report is
    written when the graph does not conform. Each step is shown on stderr when it is a terminal.
    """
    from imet_kg.kg.release import build_release

    bundle = Bundle(data_dir=data_dir, store=store, out=out, notice=notice)
    summary = build_release(out, bundle, progress=progress_reporter())
    click.echo(summary.text())
    sys.exit(EXIT_OK if summary.conforms else EXIT_VIOLATIONS)


@click.command("validate")
@click.argument("paths", nargs=-1, metavar="[FILES]...", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json"]),
    default="text",
    show_default=True,
    help="Report format: readable text, the SHACL report graph, or JSON.",
)
@click.option(
    "--alone",
    is_flag=True,
    help="Validate FILES with the ontology only, not with the shipped data.",
)
@data_option("Data folder to validate, or to validate FILES with (default: the shipped data).")
@endpoint_options
@reports_errors
def validate_command(
    paths: tuple[Path, ...],
    fmt: str,
    alone: bool,
    data_dir: Path | None,
    url: str | None,
    user: str | None,
    password: str | None,
    auth: str,
    timeout: float,
) -> None:
    """Validate the shipped graph, or the given RDF files, against the shipped SHACL shapes.

    Each file's format comes from its extension (.ttl .nt .nq .trig .jsonld .rdf). FILES are
    validated together with the shipped graph (a claim may cite a shipped source), a file taking
    the place of the shipped file of the same name (an edited copy of data/funding.ttl replaces
    funding.ttl); --alone validates them with the ontology only (for its subclass axioms).
    Reading a file never makes a network request. With --endpoint, the graph is fetched from a
    store that `imet-kg push` loaded (with the shipped ontology where the store lacks it) and
    validated here. Exit 0 conforms, 1 violations, 2 unreadable input or a store that fails.
    """
    from imet_kg.kg.fast_validation import validate_dataset, validate_on_store
    from imet_kg.kg.graph import load_files, ontology_files

    if url and (paths or alone or data_dir):
        raise click.UsageError("--endpoint validates the store: no FILES, --alone or --data")
    if alone and not paths:
        raise click.UsageError("--alone needs FILES to validate")
    bundle = Bundle(data_dir=data_dir, notice=notice)
    # The shapes compiled to SPARQL, as `build` validates: pySHACL's results (a differential test
    # holds them to it) in a second where pySHACL takes ten on the whole graph.
    if url:
        from imet_kg.stores.remote import RemoteStore

        dataset = RemoteStore(url, user, password, auth, timeout).fetch_for_validation()
        result = validate_dataset(dataset, bundle.shapes)
    elif paths:
        if alone:
            files = [*ontology_files(bundle.ontology_dir), *paths]
        else:
            files = _shipped_and_given(bundle.files, paths)
        result = validate_dataset(load_files(files), bundle.shapes)
    else:
        # The graph itself is validated in its persistent store, as `build` does (validate has
        # no --store memory): an rdflib copy of it took 2 GB and 50 s at a million triples.
        result = validate_on_store(bundle.engine.store, bundle.shapes, union_default_graph=False)
    if fmt == "turtle":
        write_output(result.report_graph.serialize(format="turtle").encode(), None)
    elif fmt == "json":
        issues = [issue.__dict__ | {"graphs": list(issue.graphs)} for issue in result.issues]
        payload = {"conforms": result.conforms, "issues": issues}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(result.text, nl=False)
    sys.exit(EXIT_OK if result.conforms else EXIT_VIOLATIONS)


def _shipped_and_given(shipped: list[Path], given: tuple[Path, ...]) -> list[Path]:
    """The shipped files and the given ones, a given file replacing the shipped file that loads
    into the same named graph (so an edited copy is not checked together with its original)."""
    from imet_kg.kg.graph import graph_iri

    replaced = {graph_iri(path) for path in given}
    return [path for path in shipped if graph_iri(path) not in replaced] + list(given)


#: The export format an ``-o`` file's extension stands for.
EXPORT_SUFFIXES = {
    ".ttl": "turtle",
    ".jsonld": "json-ld",
    ".nt": "nt",
    ".trig": "trig",
    ".nq": "nquads",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default=None,
    help="Triple formats carry the union; trig and nquads keep one named graph per source file. "
    "Default: from the -o file's extension, else turtle.",
)
@click.option(
    "-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default stdout)."
)
@data_option("Data folder to export (default: the shipped data).")
@store_option
@reports_errors
def export(fmt: str | None, out: Path | None, data_dir: Path | None, store: str) -> None:
    """Export the whole graph (ontology and data) in a standard RDF format.

    Every format is byte-stable from run to run. With the Oxigraph store (the default), Turtle,
    N-Triples, TriG and N-Quads are written by Oxigraph with RDFC-1.0 blank node labels, and
    JSON-LD is streamed with the project's context (prefixes; one node object per subject);
    RDF/XML, and everything with --store memory, comes from rdflib.
    """
    fmt = output_format(out, fmt, EXPORT_SUFFIXES, "turtle")
    bundle = Bundle(data_dir=data_dir, store=store, notice=notice)
    if store == "oxigraph" and fmt in DUMP_FORMATS:
        from imet_kg.kg.canonical import canonical_dump

        write_output(canonical_dump(bundle.engine.store, fmt, bundle.context), out)
        return
    from imet_kg.rdf.serialize import export_dataset

    export_dataset(bundle.dataset, fmt, out, context=bundle.context)
