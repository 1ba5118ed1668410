"""``imet-kg links``: check the graph's Wikidata links, and suggest candidates for review."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from imet_kg.cli.support import notice, progress_reporter, reports_errors
from imet_kg.errors import EXIT_OK, EXIT_VIOLATIONS
from imet_kg.kg.bundle import Bundle
from imet_kg.links.wikidata import (
    DEFAULT_ENDPOINT,
    DEFAULT_SUGGESTIONS_FILE,
    DEFAULT_TIMEOUT,
    STATUSES,
    check_wikidata_links,
    suggest_links,
)
from imet_kg.namespaces import ID
from imet_kg.sparql.client import check_url

_ENDPOINT = click.option(
    "--endpoint",
    default=DEFAULT_ENDPOINT,
    show_default=True,
    metavar="URL",
    help="SPARQL endpoint with Wikidata's data (or a local copy); http(s) only.",
)
_TIMEOUT = click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds each request may take in all, from connecting to the answer's last byte.",
)


def _short(iri: object) -> str:
    text = str(iri)
    for base, prefix in ((str(ID), "id:"), ("http://www.wikidata.org/entity/", "wd:")):
        if text.startswith(base):
            return prefix + text.removeprefix(base)
    return text


@click.group()
def links() -> None:
    """Links to other datasets (data/links.ttl): check them, or suggest new ones for review."""


@links.command()
@_ENDPOINT
@_TIMEOUT
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@reports_errors
def check(endpoint: str, timeout: float, fmt: str) -> None:
    """Check each Wikidata link: does the item exist, and is its English label unchanged?

    Exit 0 when every link is ok, 1 when any is stale, redirected, missing or cannot be checked,
    2 when the endpoint cannot be queried.
    """
    check_url(endpoint)  # before loading the graph
    graph = Bundle(notice=notice).dataset
    results = check_wikidata_links(graph, endpoint, timeout=timeout, progress=progress_reporter())
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        width = max(len(status) for status in STATUSES)
        for r in results:
            detail = repr(r.found_label) if r.ok else r.message
            click.echo(f"{r.status.ljust(width)}  {_short(r.subject)}  {_short(r.item)}  {detail}")
        counts = ", ".join(
            f"{sum(r.status == s for r in results)} {s}"
            for s in STATUSES
            if any(r.status == s for r in results)
        )
        click.echo(
            f"{len(results)} Wikidata link(s) checked against {endpoint}: {counts or 'none'}"
        )
    sys.exit(EXIT_OK if all(r.ok for r in results) else EXIT_VIOLATIONS)


@links.command()
@_ENDPOINT
@_TIMEOUT
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_SUGGESTIONS_FILE,
    show_default=True,
    help="The review file (Turtle); never a file under data/.",
)
@reports_errors
def suggest(endpoint: str, timeout: float, out: Path) -> None:
    """Propose Wikidata items for organizations, programs and laws that have no Wikidata link.

    Candidates share an exact English label with the resource (rdfs:label, skos:prefLabel or
    skos:altLabel); each is written with its Wikidata types (P31) as an unverified SSSOM mapping
    record to a review file, never into data/. A person decides which to accept.
    """
    check_url(endpoint)  # before loading the graph
    suggestions = suggest_links(Bundle(notice=notice).dataset, endpoint, out, timeout=timeout)
    for s in suggestions:
        click.echo(f"{_short(s.subject)}  {_short(s.item)}  {s.label!r}")
    click.echo(f"wrote {len(suggestions)} candidate(s) for review to {out}")
