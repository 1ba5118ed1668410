"""What every ``imet-kg`` command shares: exit codes, one-line errors, output, parameters."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import click

from imet_kg.errors import ImetKgError, QueryError
from imet_kg.rdf.files import write_atomic

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def fail(message: str) -> None:
    """Print ``imet-kg: error: <message>`` on stderr and exit with code 2."""
    click.echo(f"imet-kg: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def reports_errors(command: Callable) -> Callable:
    """Turn the library's errors into one line on stderr and exit code 2."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ImetKgError as exc:
            fail(str(exc))
        except OSError as exc:  # e.g. an output folder that cannot be written
            fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))

    return wrapper


def write_output(data: bytes, out: Path | None) -> None:
    """Write to ``out`` atomically, or to stdout when ``out`` is None."""
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomic(out, data)


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """Turn ``--param NAME=VALUE`` options into a dict.

    Raises:
        QueryError: for an option without ``=`` or without a name.
    """
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {pair!r} is not NAME=VALUE")
        params[name.strip()] = value
    return params
