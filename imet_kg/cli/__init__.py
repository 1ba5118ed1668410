"""The ``imet-kg`` command line: one module per command group, each command a thin call into the
library; this module wires them into one group and turns usage errors into one line."""

from __future__ import annotations

import sys

import click

from imet_kg import __version__
from imet_kg.cli.graph import build, export, validate_command
from imet_kg.cli.links import links
from imet_kg.cli.publish import chart, serve, site
from imet_kg.cli.query import queries, query
from imet_kg.cli.stores import push
from imet_kg.cli.support import EXIT_ERROR, EXIT_OK


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imet-kg")
def cli() -> None:
    """IMET-KG: a knowledge graph of the US International Military Education and Training program.

    Build, validate, query and export the graph of the IMET program and the statute that governs
    it (Foreign Assistance Act of 1961, Part II, Chapter 5; 22 U.S.C. 2347-2347h).
    Exit codes: 0 success, 1 validation violations, 2 bad input or other error.
    """


for command in (build, validate_command, query, queries, export, push, links, serve, chart, site):
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
