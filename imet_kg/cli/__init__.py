"""The ``imet-kg`` command line: one module per command group, each command a thin call into the
library; this module wires them into one group and turns usage errors into one line."""

from __future__ import annotations

import sys
from importlib import import_module

import click

from imet_kg import __version__
from imet_kg.errors import EXIT_ERROR, EXIT_OK

#: Each command and the module that defines it, in the order ``--help`` lists them. A command's
#: module is imported only when the command runs (or ``--help`` lists them all), so
#: ``imet-kg query`` loads neither the web server nor pySHACL nor the remote-store code.
COMMANDS = {
    "build": "imet_kg.cli.graph:build",
    "validate": "imet_kg.cli.graph:validate_command",
    "query": "imet_kg.cli.query:query",
    "queries": "imet_kg.cli.query:queries",
    "export": "imet_kg.cli.graph:export",
    "push": "imet_kg.cli.stores:push",
    "links": "imet_kg.cli.links:links",
    "serve": "imet_kg.cli.publish:serve",
    "chart": "imet_kg.cli.publish:chart",
    "site": "imet_kg.cli.publish:site",
    "ingest": "imet_kg.cli.ingest:ingest",
    "generate": "imet_kg.cli.generate:generate",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module when the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        return getattr(import_module(module), attribute)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="imet-kg")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """IMET-KG: a knowledge graph of the US International Military Education and Training program.

    Build, validate, query and export the graph of the IMET program and the statute that governs
    it (Foreign Assistance Act of 1961, Part II, Chapter 5; 22 U.S.C. 2347-2347h).
    Exit codes: 0 success, 1 validation violations, 2 bad input or other error.
    """
    if ctx.invoked_subcommand is None:  # bare `imet-kg`: the help is the answer, not an error
        click.echo(ctx.get_help())


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
