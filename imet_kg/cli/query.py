"""``imet-kg query`` and ``queries``: run the saved queries (or any query file), list them."""

from __future__ import annotations

import json
from pathlib import Path

import click

from imet_kg.cli.support import (
    data_option,
    endpoint_options,
    notice,
    parse_params,
    reports_errors,
    store_option,
    table_width,
    write_output,
)
from imet_kg.kg.bundle import Bundle
from imet_kg.sparql.results import RESULT_FORMATS


@click.command()
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
@click.option(
    "--full", is_flag=True, help="Table: never cut a value to fit the terminal (pipes never do)."
)
@data_option("Data folder to query (default: the shipped data).")
@store_option
@endpoint_options
@reports_errors
def query(
    query: str,
    params: tuple[str, ...],
    fmt: str,
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
    """Run a saved query (by NAME, e.g. purposes) or a .rq file (by PATH) on the graph.

    With --endpoint it runs on a remote SPARQL store instead, over the union of the graphs that
    `imet-kg push` put there (or the store's default graph if there are none).
    """
    from imet_kg.sparql.results import render_result
    from imet_kg.sparql.saved import find_query, run_query

    bundle = Bundle(data_dir=data_dir, store=store, notice=notice)
    saved = find_query(query, bundle.queries_dir)
    values = parse_params(params)
    saved.bindings(values)  # reject bad parameters before the graph is built
    if url:
        from imet_kg.stores.remote import RemoteStore

        result = RemoteStore(url, user, password, auth, timeout).run(saved, values)
    else:
        result = run_query(bundle.engine, saved, values)
    write_output(render_result(result, fmt, table_width(full, out)), out)


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
    """List the saved queries with their summaries and parameters."""
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
            default = f" (default {p.default})" if p.default is not None else " (required)"
            click.echo(f"{'':{width}}    --param {p.name}=<{p.type}>{default}")
