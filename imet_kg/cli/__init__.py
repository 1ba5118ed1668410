"""The ``imet-kg`` command line: a thin layer over the library's functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from imet_kg import __version__
from imet_kg.cli.links import links
from imet_kg.cli.publish import chart, serve, site
from imet_kg.cli.support import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_VIOLATIONS,
    parse_params,
    reports_errors,
    write_output,
)
from imet_kg.kg.graph import build_graph, load_files, ontology_files
from imet_kg.kg.release import build_release
from imet_kg.kg.validation import validate
from imet_kg.paths import DATA_DIR, DEFAULT_OUT_DIR, QUERIES_DIR
from imet_kg.rdf.serialize import EXPORT_FORMATS, export_dataset
from imet_kg.sparql.results import RESULT_FORMATS, render_result
from imet_kg.sparql.saved import find_query, load_queries, run_query
from imet_kg.stores.remote import (
    AUTH_SCHEMES,
    DEFAULT_TIMEOUT,
    RemoteStore,
    credentials,
    push_dataset,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imet-kg")
def cli() -> None:
    """IMET-KG: a knowledge graph of the US International Military Education and Training program.

    Build, validate, query and export the graph of the IMET program and the statute that governs
    it (Foreign Assistance Act of 1961, Part II, Chapter 5; 22 U.S.C. 2347-2347h).
    Exit codes: 0 success, 1 validation violations, 2 bad input or other error.
    """


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT_DIR,
    show_default=True,
    help="Folder for the release files.",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DATA_DIR,
    help="Data folder to build from (default: the shipped data).",
)
@reports_errors
def build(out: Path, data_dir: Path) -> None:
    """Build the graph, validate it, and write the release to OUT.

    Writes the graph as Turtle, JSON-LD, N-Triples and TriG, the validation report (Turtle and
    text), and each saved query's result (CSV, or Turtle for CONSTRUCT). Nothing but the report is
    written when the graph does not conform.
    """
    summary = build_release(
        out, progress=lambda message: click.echo(message, err=True), data_dir=data_dir
    )
    click.echo(summary.text())
    sys.exit(EXIT_OK if summary.conforms else EXIT_VIOLATIONS)


def store_options(url_option: str, url_help: str):
    """Add the options for talking to a remote store: its URL, credentials and a timeout."""

    def decorate(command):
        options = [
            click.option(url_option, "url", metavar="URL", help=url_help),
            click.option(
                "--user", envvar="IMET_KG_USER", help="Account on the store [$IMET_KG_USER]."
            ),
            click.option(
                "--password", envvar="IMET_KG_PASSWORD", help="Its password [$IMET_KG_PASSWORD]."
            ),
            click.option(
                "--auth",
                type=click.Choice(AUTH_SCHEMES),
                default="basic",
                show_default=True,
                help="HTTP authentication (Virtuoso's /sparql-auth and GSP endpoints use digest).",
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(min=0, min_open=True),
                default=DEFAULT_TIMEOUT,
                show_default=True,
                metavar="SECONDS",
                help="Give up when the store does not answer within this time.",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


ENDPOINT_HELP = (
    "Run on a remote SPARQL store instead: its query endpoint (Oxigraph /query, Virtuoso /sparql, "
    "Fuseki /DATASET/query, GraphDB /repositories/ID)."
)


@cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json"]),
    default="text",
    show_default=True,
    help="Report format: readable text, the SHACL report graph, or JSON.",
)
@store_options("--endpoint", ENDPOINT_HELP)
@reports_errors
def validate_command(
    paths: tuple[Path, ...],
    fmt: str,
    url: str | None,
    user: str | None,
    password: str | None,
    auth: str,
    timeout: float,
) -> None:
    """Validate the shipped graph, or the given RDF files, against the shipped SHACL shapes.

    Each file's format comes from its extension (.ttl .nt .nq .trig .jsonld .rdf). The shipped
    ontology is validated with the files, so class targets see its subclass axioms. Reading a file
    never makes a network request. With --endpoint, the graph is fetched from a store that
    `imet-kg push` loaded (with the shipped ontology where the store lacks it) and validated here.
    Exit 0 conforms, 1 violations, 2 unreadable input or a store that fails.
    """
    if url and paths:
        raise click.UsageError("give FILES or --endpoint, not both")
    if url:
        dataset = RemoteStore(url, user, password, auth, timeout).fetch_for_validation()
    else:
        dataset = load_files([*ontology_files(), *paths]) if paths else build_graph()
    result = validate(dataset)
    if fmt == "turtle":
        write_output(result.report_graph.serialize(format="turtle").encode(), None)
    elif fmt == "json":
        issues = [issue.__dict__ | {"graphs": list(issue.graphs)} for issue in result.issues]
        payload = {"conforms": result.conforms, "issues": issues}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(result.text, nl=False)
    sys.exit(EXIT_OK if result.conforms else EXIT_VIOLATIONS)


@cli.command()
@click.argument("query")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a query parameter (repeatable); see `imet-kg queries`.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS),
    default="table",
    show_default=True,
    help="SELECT/ASK: table, csv, tsv, json, xml. CONSTRUCT/DESCRIBE: turtle, json-ld, nt.",
)
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@store_options("--endpoint", ENDPOINT_HELP)
@reports_errors
def query(
    query: str,
    params: tuple[str, ...],
    fmt: str,
    out: Path | None,
    url: str | None,
    user: str | None,
    password: str | None,
    auth: str,
    timeout: float,
) -> None:
    """Run a saved query (by NAME, e.g. purposes) or a .rq file (by PATH) on the graph.

    With --endpoint it runs on a remote SPARQL store instead, over the union of the graphs that
    `imet-kg push` put there (or the store's default graph if there are none).
    """
    saved = find_query(query, QUERIES_DIR)
    values = parse_params(params)
    saved.bindings(values)  # reject bad parameters before the graph is built
    if url:
        result = RemoteStore(url, user, password, auth, timeout).run(saved, values)
    else:
        result = run_query(build_graph(), saved, values)
    write_output(render_result(result, fmt), out)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@reports_errors
def queries(fmt: str) -> None:
    """List the saved queries with their summaries and parameters."""
    saved = load_queries(QUERIES_DIR)
    if fmt == "json":
        listing = [
            {"name": q.name, "summary": q.summary, "params": [p.as_dict() for p in q.params]}
            for q in saved
        ]
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    width = max(len(q.name) for q in saved)
    for q in saved:
        click.echo(f"{q.name.ljust(width)}  {q.summary}")
        for p in q.params:
            default = f" (default {p.default})" if p.default is not None else " (required)"
            click.echo(f"{'':{width}}    --param {p.name}=<{p.type}>{default}")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="turtle",
    show_default=True,
    help="Triple formats carry the union; trig and nquads keep one named graph per source file.",
)
@click.option(
    "-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default stdout)."
)
@reports_errors
def export(fmt: str, out: Path | None) -> None:
    """Export the whole graph (ontology and data) in a standard RDF format."""
    from imet_kg.kg.release import load_context

    export_dataset(build_graph(), fmt, out, context=load_context())


@cli.command()
@store_options(
    "--gsp",
    "The store's Graph Store Protocol endpoint (Oxigraph /store, Virtuoso "
    "/sparql-graph-crud-auth, Fuseki /DATASET/data, GraphDB /repositories/ID/rdf-graphs/service).",
)
@reports_errors
def push(
    url: str | None, user: str | None, password: str | None, auth: str, timeout: float
) -> None:
    """Upload the graph to a SPARQL 1.1 store, one named graph per source file.

    Each graph (https://w3id.org/imet-kg/id/graph/<file>) replaces the store's graph of that name
    (HTTP PUT), so pushing again leaves the store as it was; the store's other graphs stay.
    Query it with `imet-kg query NAME --endpoint URL`.
    """
    if not url:
        raise click.UsageError("--gsp URL is required")
    report = push_dataset(build_graph(), url, credentials(user, password, auth), timeout)
    click.echo(report.text(), nl=False)


# Commands that live in their own modules.
for command in (links, serve, chart, site):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``imet-kg`` script: usage errors, too, end in one line and exit 2."""
    try:
        code = cli.main(prog_name="imet-kg", standalone_mode=False)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        click.echo(f"imet-kg: error: {exc.format_message()}{hint}", err=True)
        sys.exit(EXIT_ERROR)
    except click.ClickException as exc:
        click.echo(f"imet-kg: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("imet-kg: aborted", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
