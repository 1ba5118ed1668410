"""What the ``imet-kg`` commands share: exit codes, one-line errors, output, common options."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import click

from imet_kg.errors import EXIT_ERROR, ImetKgError, QueryError
from imet_kg.rdf.files import write_atomic
from imet_kg.sparql.protocol import AUTH_SCHEMES, DEFAULT_TIMEOUT


def fail(message: str) -> None:
    """Print ``imet-kg: error: <message>`` on stderr and exit with code 2."""
    click.echo(f"imet-kg: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


#: What a shell reports for a program killed by SIGPIPE, as for `yes | head`.
EXIT_BROKEN_PIPE = 141


def reader_went_away() -> None:
    """End quietly when the reader closed the pipe (`imet-kg queries | head`), as Unix tools do.

    Not an error line (nothing went wrong) and not click's exit 1 (which means violations here).
    Stdout goes to /dev/null first, so the interpreter's final flush does not fail again.
    """
    with contextlib.suppress(OSError, ValueError):  # a stdout without a file descriptor
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(EXIT_BROKEN_PIPE)


def reports_errors(command: Callable) -> Callable:
    """Turn the library's errors into one line on stderr and exit code 2."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ImetKgError as exc:
            fail(str(exc))
        except BrokenPipeError:
            reader_went_away()
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
    """Turn ``--param NAME=VALUE`` options into a dict (the value is kept as typed).

    Raises:
        QueryError: for an option without ``=`` or without a name, or a name given twice.
    """
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise QueryError(f"--param {pair!r} is not NAME=VALUE")
        if name in params:
            raise QueryError(f"--param {name} is given twice")
        params[name] = value
    return params


def output_format(
    out: Path | None,
    fmt: str | None,
    by_suffix: dict[str, str],
    default: str,
    known_only: bool = False,
) -> str:
    """The format to write: ``--format`` if given, else the one the ``-o`` file's extension
    names, else ``default``.

    Args:
        out: the ``-o`` file, or None for stdout.
        fmt: the ``--format`` option, or None when absent.
        by_suffix: file extension (``.ttl``) to format name.
        default: the format for stdout or an extension not in ``by_suffix``.
        known_only: refuse an extension not in ``by_suffix`` when ``--format`` is absent (a chart
            in ``.gif`` would be SVG under a lying name).

    Raises:
        ImetKgError: for an empty ``-o``, a ``--format`` that the extension contradicts, or (with
            ``known_only``) an unknown extension.
    """
    if out is not None and not out.name:
        raise ImetKgError("-o needs a file name")
    named = by_suffix.get(out.suffix.lower()) if out is not None else None
    if fmt is None:
        if named is None and known_only and out is not None and out.suffix:
            raise ImetKgError(f"{out}: the file is {' or '.join(by_suffix)} (or give --format)")
        return named or default
    if named is not None and named != fmt:
        raise ImetKgError(f"--format {fmt} does not match {out} (a {named} file): drop one")
    return fmt


def data_option(help_text: str) -> Callable:
    """The ``--data DIR`` option: a data folder to use instead of the shipped one."""
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help=help_text,
    )


def store_options(url_option: str, url_help: str) -> Callable:
    """Add the options for talking to a remote store: its URL, credentials and a timeout."""

    def decorate(command: Callable) -> Callable:
        options = [
            click.option(url_option, "url", metavar="URL", help=url_help),
            click.option(
                "--user", envvar="IMET_KG_USER", help="Account on the store [$IMET_KG_USER]."
            ),
            click.option(
                "--password", envvar="IMET_KG_PASSWORD", help="Its password [$IMET_KG_PASSWORD]."
            ),
            click.option(
                "--auth",
                type=click.Choice(AUTH_SCHEMES),
                default="basic",
                show_default=True,
                help="HTTP authentication (Virtuoso's /sparql-auth and GSP endpoints use digest).",
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(min=0, min_open=True),
                default=DEFAULT_TIMEOUT,
                show_default=True,
                metavar="SECONDS",
                help="Give up on any request not answered in full (last byte) within this time.",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


#: The remote-store options of ``query`` and ``validate``: ``--endpoint URL`` and credentials.
endpoint_options = store_options(
    "--endpoint",
    "Run on a remote SPARQL store instead: its query endpoint (Oxigraph /query, Virtuoso /sparql, "
    "Fuseki /DATASET/query, GraphDB /repositories/ID).",
)


def store_option(command: Callable) -> Callable:
    """The ``--store`` option: the embedded Oxigraph store (default) or rdflib in memory."""
    return click.option(
        "--store",
        "store",
        type=click.Choice(["oxigraph", "memory"]),
        default="oxigraph",
        show_default=True,
        help="Query engine: the persistent embedded Oxigraph store under $IMET_KG_DIST/store "
        "(default dist/store; built or rebuilt when an input changed), or rdflib in memory.",
    )(command)


def notice(message: str) -> None:
    """Print a one-line notice (not an error) on stderr. A routine one (``message.routine``, as
    the line naming the data folder is unless it warns) only when stderr is a terminal, so pipes,
    logs and the one-line errors stay as they were."""
    if getattr(message, "routine", False) and not is_terminal("stderr"):
        return
    click.echo(message, err=True)


def data_folder(data_dir: Path | None) -> tuple[Path, str]:
    """The data folder a command reads without a :class:`~imet_kg.kg.bundle.Bundle` (``--data``
    or the shipped one), and the line that names it as a bundle does (for :func:`notice`)."""
    from imet_kg.kg.bundle import data_notice, data_origin
    from imet_kg.paths import DATA_DIR

    folder = data_dir.resolve() if data_dir is not None else DATA_DIR
    return folder, data_notice(folder, data_origin(data_dir))


def is_terminal(stream: str) -> bool:
    """Whether ``stream`` ("stdout" or "stderr") is a terminal a person watches, not a pipe."""
    handle = getattr(sys, stream, None)
    return handle is not None and handle.isatty()


def table_width(full: bool, out: Path | None) -> int | None:
    """The width a text table fits: the terminal's (``$COLUMNS`` first), or None (no cutting)
    with ``--full``, with ``-o FILE``, or when stdout is a pipe."""
    if full or out is not None or not is_terminal("stdout"):
        return None
    return shutil.get_terminal_size().columns


def progress_reporter() -> Callable[[str], None]:
    """A progress callback for long work: each step on stderr with the seconds so far, on a
    terminal only; in a pipe or a log it says nothing (the summary on stdout is the result)."""
    if not is_terminal("stderr"):
        return lambda _: None
    started = time.monotonic()

    def report(message: str) -> None:
        # Notices passed on as steps (the store build's) carry the prefix already.
        step = message.removeprefix("imet-kg: ")
        click.echo(f"imet-kg: [{time.monotonic() - started:5.1f}s] {step}", err=True)

    return report
