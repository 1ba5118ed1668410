"""``imet-kg generate`` (synthetic benchmark data) and ``imet-kg ingest training`` (FMTR tables)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from imet_kg.cli.support import (
    data_folder,
    data_option,
    notice,
    progress_reporter,
    reports_errors,
    write_output,
)


@click.command()
@click.option(
    "--records",
    type=click.IntRange(min=0),
    required=True,
    help="How many training records to make (85,000 make about 1.1M triples).",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Output file; .nt, .nq, .ttl or .trig (N-Triples and N-Quads are streamed).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generator.")
@reports_errors
def generate(records: int, out: Path, seed: int) -> None:
    """Write SYNTHETIC training records for benchmarks: not real data.

    FMTR-shaped lines (fiscal year FY1976-2025, about 150 countries, 2,000 courses, 150
    institutions, students, cost) in the named graph id/graph/synthetic, each marked
    imet:verificationStatus imet:Synthetic. The same seed gives the same file. Refuses a path
    under the data folder.
    """
    from imet_kg.ingest.synthetic import write_synthetic

    started = time.perf_counter()
    count = write_synthetic(out, records, seed)
    elapsed = time.perf_counter() - started
    click.echo(
        f"wrote {out}: {records} synthetic records, {count} triples in {elapsed:.1f} s "
        "(benchmark data, not real)",
        err=True,
    )


@click.command("training")
@click.argument("table", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file (.ttl, .trig, .nt or .nq); Turtle on stdout without it.",
)
@click.option(
    "--skip-bad",
    is_flag=True,
    help="Leave bad rows out (they are listed) instead of writing nothing.",
)
@data_option("Data folder whose countries the rows name (default: the shipped data).")
@reports_errors
def training(table: Path, out: Path | None, skip_bad: bool, data_dir: Path | None) -> None:
    """Map an FMTR-style training table (CSV) to training records in a named graph of its own.

    Columns (header row, any order): fiscal_year, country, program, course_title, institution,
    location, students, source_title, source_address; optional: course_id, topic, cost,
    page_or_table, verification. Each bad row is reported with its line number; nothing is
    written unless every row is good or --skip-bad is given.
    """
    from imet_kg.errors import InputError
    from imet_kg.ingest.countries import CountryRegister
    from imet_kg.ingest.training import (
        BadRowsError,
        ingest_training,
        output_format,
        serialize_ingest,
    )

    fmt = output_format(out)
    progress = progress_reporter()
    folder, data_line = data_folder(data_dir)  # named with the result, as ingest does
    register = CountryRegister.from_data_dir(folder)
    progress(f"reading {table} ...")
    try:
        result = ingest_training(table, register, skip_bad=skip_bad)
    except BadRowsError as exc:
        for row in exc.bad:
            click.echo(f"imet-kg: bad row: {row.message(table)}", err=True)
        summary = f"{len(exc.bad)} bad row(s): nothing written (--skip-bad leaves them out)"
        raise InputError(table, None, summary) from exc
    for row in result.bad:
        click.echo(f"imet-kg: skipped bad row: {row.message(table)}", err=True)
    progress(f"{len(result.rows)} good row(s); writing {fmt} ...")
    write_output(serialize_ingest(result, fmt), out)
    notice(data_line)
    left_out = f"; {len(result.bad)} bad row(s) left out" if result.bad else ""
    click.echo(
        f"wrote {out or 'stdout'}: {len(result.rows)} training record(s) in graph "
        f"id/graph/{result.name}{left_out}",
        err=True,
    )
