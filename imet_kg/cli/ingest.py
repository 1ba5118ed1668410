"""The ``imet-kg ingest`` commands: map tables users add (country figures) to the graph's terms."""

from __future__ import annotations

from pathlib import Path

import click

from imet_kg.cli.generate import training
from imet_kg.cli.support import (
    data_folder,
    data_option,
    notice,
    progress_reporter,
    reports_errors,
    write_output,
)


@click.group()
def ingest() -> None:
    """Map tables (CSV) to the graph's terms, e.g. the next year's per-country IMET figures."""


@ingest.command("country-figures")
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the Turtle here (atomically) instead of to stdout.",
)
@click.option(
    "--skip-bad",
    is_flag=True,
    help="Leave bad rows out (each is listed on stderr) instead of writing nothing.",
)
@data_option("Data folder whose countries the rows name (default: the shipped data).")
@reports_errors
def country_figures(
    csv_file: Path, out: Path | None, skip_bad: bool, data_dir: Path | None
) -> None:
    """Map a CSV file of per-country IMET figures to Data Cube observations (Turtle).

    Columns (header row, any order): country (a name or an ISO 3166-1 alpha-2/alpha-3 code, or
    Worldwide / Eastern Caribbean), fiscal_year, measure (funding, training-cost, students),
    figure_kind (request, estimate, allocation, actual, planned, projected, unspecified,
    appropriation, authorization), amount (as printed: 1,646 or $0.35), unit (USD or persons),
    scale (1, 1000, 1000000), source_title, source_address (http/https), page_or_table; optional:
    iso_code, region (as the source names it), qualifier (exactly, approximately, at-least,
    more-than, nearly), program (imet, expanded-imet), verification (verified, inferred,
    unverified; default unverified), notes.

    Bad rows (unknown country, non-numeric amount, missing source, duplicate key, ...) are listed
    as FILE:LINE: reason. Nothing is written unless every row is good, or --skip-bad leaves the
    bad ones out. The output is the named graph id/graph/country-figures-{file stem}.
    Exit 0 written, 2 bad rows or unreadable input.
    """
    from imet_kg.errors import InputError
    from imet_kg.ingest.countries import CountryRegister
    from imet_kg.ingest.country_figures import figures_graph, graph_name
    from imet_kg.ingest.figure_rows import read_rows
    from imet_kg.rdf.serialize import serialize_graph

    progress = progress_reporter()
    # The folder only decides the IRIs and labels of known countries: it is named with the
    # result, so that an error stays the one line on stderr.
    folder, data_line = data_folder(data_dir)
    register = CountryRegister.from_data_dir(folder)
    progress(f"reading {csv_file} ...")
    rows, bad = read_rows(csv_file, register)
    verb = "skipped bad row" if skip_bad else "bad row"
    for row in bad:
        click.echo(f"imet-kg: {verb}: {row.message(csv_file)}", err=True)
    if bad and not skip_bad:
        raise InputError(
            csv_file, None, f"{len(bad)} bad row(s); nothing written (--skip-bad leaves them out)"
        )
    if not rows:
        raise InputError(csv_file, None, "no valid rows: nothing written")
    progress(f"{len(rows)} good row(s), {len(bad)} bad; writing Turtle ...")
    write_output(serialize_graph(figures_graph(csv_file, rows), "turtle"), out)
    notice(data_line)
    if out is not None:
        click.echo(
            f"{out}: {len(rows)} figure(s) from {csv_file.name} in graph "
            f"{graph_name(csv_file)}; {len(bad)} bad row(s) left out",
            err=True,
        )


# FMTR-style training tables; the command lives beside `generate`, which shares its terms.
ingest.add_command(training)
