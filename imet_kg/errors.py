"""The errors the command line shows as a one-line message with exit code 2."""

from __future__ import annotations

from pathlib import Path

#: The command line's exit codes: success, a graph that does not conform, an error (bad input,
#: unreachable endpoint, ...).
EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def one_line(text: str) -> str:
    """Squeeze ``text`` onto one line: runs of whitespace, newlines included, become one space.

    Args:
        text: Any message, e.g. the ``str()`` of a parser exception.

    Returns:
        The text with its whitespace collapsed and its ends stripped.
    """
    return " ".join(text.split())


class ImetKgError(Exception):
    """Base for errors that are the user's to fix, not bugs: the CLI prints ``str(error)``."""


class InputError(ImetKgError):
    """An input file is missing, unreadable or malformed.

    ``str()`` gives ``path:line: message``, leaving out the parts that are unknown.

    Attributes:
        path: The file, when known.
        line: The 1-based line number, as editors show it, when known.
        message: What is wrong, on one line.
    """

    def __init__(self, path: Path | None, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = one_line(message)
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path is None:
            return self.message if self.line is None else f"line {self.line}: {self.message}"
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"

    def __reduce__(self):
        # Exceptions pickle as cls(*args); ours takes three arguments, not the one formatted string.
        return type(self), (self.path, self.line, self.message)


class QueryError(ImetKgError):
    """A SPARQL query is malformed, a saved query is unknown, or a parameter is bad."""


class EndpointError(ImetKgError):
    """A remote SPARQL endpoint or graph store failed or refused a request."""
