"""``imet-kg push``: load the graph into an external SPARQL store."""

from __future__ import annotations

from pathlib import Path

import click

from imet_kg.cli.support import (
    data_option,
    notice,
    progress_reporter,
    reports_errors,
    store_options,
)
from imet_kg.kg.bundle import Bundle


@click.command()
@store_options(
    "--gsp",
    "The store's Graph Store Protocol endpoint (Oxigraph /store, Virtuoso "
    "/sparql-graph-crud-auth, Fuseki /DATASET/data, GraphDB /repositories/ID/rdf-graphs/service).",
)
@data_option("Data folder to push (default: the shipped data).")
@reports_errors
def push(
    url: str | None,
    user: str | None,
    password: str | None,
    auth: str,
    timeout: float,
    data_dir: Path | None,
) -> None:
    """Upload the graph to a SPARQL 1.1 store, one named graph per source file.

    Each graph (https://w3id.org/imet-kg/id/graph/<file>) replaces the store's graph of that name
    (HTTP PUT), so pushing again leaves the store as it was; the store's other graphs stay.
    Query it with `imet-kg query NAME --endpoint URL`.
    """
    from imet_kg.sparql.client import check_url
    from imet_kg.stores.remote import credentials, push_dataset

    if not url:
        raise click.UsageError("--gsp URL is required")
    check_url(url)  # before loading the graph
    dataset = Bundle(data_dir=data_dir, notice=notice).dataset
    login = credentials(user, password, auth)
    report = push_dataset(dataset, url, login, timeout, progress=progress_reporter())
    click.echo(report.text(), nl=False)
