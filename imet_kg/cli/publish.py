"""The ``serve``, ``chart`` and ``site`` commands: publish the graph on the web."""

from __future__ import annotations

import socket
from pathlib import Path

import click

from imet_kg.cli.support import (
    data_option,
    notice,
    output_format,
    progress_reporter,
    reports_errors,
    store_option,
    write_output,
)
from imet_kg.errors import ImetKgError
from imet_kg.kg.bundle import Bundle
from imet_kg.publish.limits import DEFAULT_LIMITS, Limits


def _need_serve_extra(what: str) -> ImetKgError:
    return ImetKgError(f"{what} needs the [serve] extra: pip install 'imet-kg[serve]'")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--time-limit",
    default=DEFAULT_LIMITS.time_limit,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a SPARQL query may run; longer ones are stopped with 503.",
)
@click.option(
    "--max-rows",
    default=DEFAULT_LIMITS.max_rows,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows (or triples) a result may have; the rest is cut, flagged X-IMET-Truncated.",
)
@click.option(
    "--workers",
    default=DEFAULT_LIMITS.workers,
    show_default=True,
    type=click.IntRange(min=1),
    help="Query worker processes (queries evaluated at the same time).",
)
@click.option(
    "--max-memory",
    default=DEFAULT_LIMITS.max_memory,
    show_default=True,
    type=click.IntRange(min=16),
    help="Megabytes a query may take in its worker; over it the worker is replaced (503).",
)
@click.option(
    "--max-bytes",
    default=DEFAULT_LIMITS.max_bytes,
    show_default=True,
    type=click.IntRange(min=1024),
    help="Bytes an answer may have; a larger one is not sent (413).",
)
@click.option(
    "--base-url",
    help="The server's public address, for the URLs it writes (default: http://HOST:PORT/).",
)
@click.option(
    "--warm-cache",
    is_flag=True,
    help="Answer the saved queries once at start, so that the query page's examples are instant.",
)
@data_option("Data folder to serve (default: the shipped data).")
@store_option
@reports_errors
def serve(
    host: str,
    port: int,
    time_limit: float,
    max_rows: int,
    workers: int,
    max_memory: int,
    max_bytes: int,
    base_url: str | None,
    warm_cache: bool,
    data_dir: Path | None,
    store: str,
) -> None:
    """Serve the graph: SPARQL endpoint, IRIs with content negotiation, pages and the chart.

    Open http://HOST:PORT/ in a browser. Every IRI of the graph answers at its path
    (/id/..., /def/...) with HTML, Turtle, JSON-LD or N-Triples, as Accept asks. The endpoint
    at /sparql is read-only. Stop with Ctrl+C.
    """
    try:
        from imet_kg.publish.addressing import public_base_url
        from imet_kg.publish.server import run_server
    except ImportError as exc:
        raise _need_serve_extra("imet-kg serve") from exc
    base_url = public_base_url(base_url, host, port)  # checked before the graph is loaded
    limits = Limits(
        time_limit=time_limit,
        max_rows=max_rows,
        workers=workers,
        max_memory=max_memory,
        max_bytes=max_bytes,
    )
    _check_can_listen(host, port)  # before the graph is loaded and "serving" is said
    bundle = Bundle(data_dir=data_dir, store=store, notice=notice)
    dataset = bundle.dataset
    store_folder = None
    if store == "oxigraph":  # the query workers open the persistent store read-only
        from imet_kg.kg.persistent import PersistentStore

        bundle.engine  # noqa: B018 (built if needed; its shared lock is held while serving)
        store_folder = PersistentStore(bundle.files, bundle.out).folder
    from imet_kg.kg.graph import triple_count

    click.echo(
        f"imet-kg: serving {triple_count(dataset)} triples on http://{host}:{port}/", err=True
    )
    run_server(
        dataset,
        bundle.queries,
        host,
        port,
        limits,
        bundle.context,
        bundle.shapes,
        base_url=base_url,
        warm_cache=warm_cache,
        store=store_folder,
    )


def _check_can_listen(host: str, port: int) -> None:
    """Bind ``host:port`` once, as the server will (SO_REUSEADDR, so a port in TIME_WAIT is
    free), and let it go; a port another process listens on fails here, in one line."""
    try:
        socket.create_server((host, port)).close()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        hint = " (another server? choose one with --port)" if port else ""
        raise ImetKgError(f"cannot listen on {host}:{port}: {reason}{hint}") from None


@click.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write; its extension (.svg or .png) picks the format. Default: SVG on stdout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["svg", "png"]),
    help="Chart format (default: from the file's extension, else svg).",
)
@click.option(
    "--dollars",
    type=click.Choice(["nominal", "constant"]),
    default="nominal",
    show_default=True,
    help="Amounts as enacted, or in constant dollars of the last year of the vendored BLS "
    "CPI-U annual averages.",
)
@data_option("Data folder to chart (default: the shipped data).")
@reports_errors
def chart(out: Path | None, fmt: str | None, dollars: str, data_dir: Path | None) -> None:
    """Draw IMET funding by fiscal year (authorization, appropriation, request, actual).

    One series per kind of figure and source, read from the graph with a SPARQL query, in
    nominal or constant US dollars. SVG needs nothing extra; PNG needs matplotlib (the [serve]
    extra).
    """
    from imet_kg.publish.chart import chart_bytes

    fmt = output_format(out, fmt, {".svg": "svg", ".png": "png"}, "svg", known_only=True)
    dataset = Bundle(data_dir=data_dir, notice=notice).dataset
    write_output(chart_bytes(dataset, fmt, dollars=dollars), out)


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the site (replaced as a whole when the new site is complete).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace OUT even if it is a non-empty folder that holds no previous site.",
)
@data_option("Data folder to publish (default: the shipped data).")
@reports_errors
def site(out: Path, force: bool, data_dir: Path | None) -> None:
    """Write the pages and per-resource .ttl/.jsonld/.nt files as a static site.

    Links are relative, so the folder can be served by any static host or opened from the file
    system (start at index.html).
    """
    try:
        from imet_kg.publish.site import build_site, refuse_foreign_folder
    except ImportError as exc:
        raise _need_serve_extra("imet-kg site") from exc
    refuse_foreign_folder(out, force)  # before the graph is loaded: a refusal is quick
    bundle = Bundle(data_dir=data_dir, notice=notice)
    summary = build_site(
        out,
        bundle.dataset,
        bundle.queries,
        context=bundle.context,
        progress=progress_reporter(),
        shapes=bundle.shapes,
        force=force,
    )
    click.echo(summary.text())
