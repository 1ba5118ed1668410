"""``imet-kg query`` and ``queries``: run a saved query (or any query file or text), list them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from imet_kg.cli.support import (
    data_option,
    endpoint_options,
    notice,
    output_format,
    parse_params,
    reports_errors,
    store_option,
    table_width,
    write_output,
)
from imet_kg.kg.bundle import Bundle
from imet_kg.sparql.results import RESULT_FORMATS

if TYPE_CHECKING:
    from imet_kg.sparql.saved import SavedQuery

#: The result format an ``-o`` file's extension stands for (SPARQL results, or RDF for graphs).
RESULT_SUFFIXES = {
    ".txt": "table",
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".srj": "json",
    ".xml": "xml",
    ".srx": "xml",
    ".ttl": "turtle",
    ".jsonld": "json-ld",
    ".nt": "nt",
}


@click.command()
@click.argument("query", required=False)
@click.option(
    "-q",
    "--text",
    metavar="SPARQL",
    help="Run this query text instead of a saved query or file.",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a query parameter (repeatable). An IRI may be a prefixed name (faa:section-546) "
    "or the parameter's short form (section=546); see `imet-kg queries`.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS),
    default=None,
    help="SELECT/ASK: table, csv, tsv, json, xml. CONSTRUCT/DESCRIBE: turtle, json-ld, nt. "
    "Default: from the -o file's extension, else table (Turtle for graphs).",
)
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option(
    "--full", is_flag=True, help="Table: never cut a value to fit the terminal (pipes never do)."
)
@data_option("Data folder to query (default: the shipped data).")
@store_option
@endpoint_options
@reports_errors
def query(
    query: str | None,
    text: str | None,
    params: tuple[str, ...],
    fmt: str | None,
    out: Path | None,
    full: bool,
    data_dir: Path | None,
    store: str,
    url: str | None,
    user: str | None,
    password: str | None,
    auth: str,
    timeout: float,
) -> None:
    """Run a saved query (by NAME, e.g. purposes), a .rq file (by PATH), the query on stdin (-)
    or the text of -q on the graph.

    The project's prefixes (imet:, faa:, country:, rdfs: ...) need no PREFIX line. With --endpoint
    it runs on a remote SPARQL store instead, over the union of the graphs that `imet-kg push`
    put there (or the store's default graph if there are none).
    """
    from imet_kg.sparql.held import check_iris_held
    from imet_kg.sparql.results import render_result
    from imet_kg.sparql.saved import run_query

    fmt = output_format(out, fmt, RESULT_SUFFIXES, "table")
    bundle = Bundle(data_dir=data_dir, store=store, notice=notice)
    saved = _query_to_run(query, text, bundle)
    values = parse_params(params)
    saved.bindings(values)  # reject bad parameters before the graph is built
    if url:
        from imet_kg.stores.remote import RemoteStore

        remote = RemoteStore(url, user, password, auth, timeout)
        check_iris_held(remote, saved, values)
        result = remote.run(saved, values)
    else:
        check_iris_held(bundle.engine, saved, values)
        result = run_query(bundle.engine, saved, values)
    write_output(render_result(result, fmt, table_width(full, out)), out)


def _query_to_run(query: str | None, text: str | None, bundle: Bundle) -> SavedQuery:
    from imet_kg.sparql.prefixes import project_prefixes
    from imet_kg.sparql.saved import find_query, query_from_text

    if (query is None) == (text is None):
        raise click.UsageError(
            "Missing argument 'QUERY' (a saved query's name, a .rq file or - for stdin) or -q TEXT"
            if query is None
            else "give a QUERY or -q TEXT, not both"
        )
    # The data folder's own prefixes (a --data folder may declare new ones) are built in too.
    prefixes = project_prefixes((bundle.ontology_dir, bundle.data_dir))
    if text is not None:
        return query_from_text(text, "-q", prefixes=prefixes)
    if query == "-":
        return query_from_text(sys.stdin.buffer.read(), "stdin", prefixes=prefixes)
    return find_query(query, bundle.queries_dir, prefixes)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@reports_errors
def queries(fmt: str) -> None:
    """List the saved queries with their summaries and parameters (and their short forms)."""
    saved = Bundle().queries
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
            default = f"default {p.default}" if p.default is not None else "required"
            example = p.short_example()
            short = f"; short form: {p.name}={example}" if example else ""
            click.echo(f"{'':{width}}    --param {p.name}=<{p.type}> ({default}{short})")
