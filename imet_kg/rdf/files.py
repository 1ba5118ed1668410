"""Read RDF files into graphs (one-line errors, no network) and write files atomically."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax import SAXParseException

from imet_kg.errors import ImetKgError, InputError, one_line
from imet_kg.rdf import parse_cache
from imet_kg.rdf.oxigraph_terms import quiet_rdflib
from imet_kg.rdf.temporaries import remove_stale_temporaries, temporary_name

if TYPE_CHECKING:
    from rdflib import Graph

# rdflib's parsers are imported where a file is parsed, not here: writing a file (write_atomic)
# is all the command line needs from this module on its fast paths.

RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".n3": "n3",
}

# Names for messages; rdflib also accepts "nt" for N-Triples, so both are listed.
_FORMAT_LABELS = {
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "nt": "N-Triples",
    "nquads": "N-Quads",
    "trig": "TriG",
    "json-ld": "JSON-LD",
    "xml": "RDF/XML",
    "n3": "N3",
}

_IRI_UNSAFE = re.compile(r'[\x00-\x20\x7f<>"{}|\\^`%#?/]')
# Formats whose files Oxigraph parses as a check (its parser is strict about IRIs); for the
# others (JSON-LD, N3) the IRIs of the parsed graph are checked one by one.
_STRICT_FORMATS = frozenset({"turtle", "trig", "xml"})
_LINE_FORMATS = frozenset({"nt", "ntriples", "nquads"})
_JSONLD_FORMATS = frozenset({"json-ld", "application/ld+json"})
_CONTEXT_ADVICE = (
    "contexts are never fetched; inline it or use the project's ontology/context.jsonld"
)
_MAX_REASON = 300
# rdflib's RDF/XML handler reports "<system id>:<line>:<column>: <message>".
_XML_LOCATION = re.compile(r":(\d+):(\d+): (.*)$", re.DOTALL)
# An entity whose replacement text refers to other entities (the "billion laughs"), or to a
# file or URL (SYSTEM/PUBLIC), or a parameter entity. Plain ones, as ontology editors write for
# namespaces (<!ENTITY owl "http://www.w3.org/2002/07/owl#">), are fine.
_ENTITY_DECLARATION = re.compile(
    rb"<!ENTITY\s+(%\s*)?[^\s>]+\s+(?:(SYSTEM|PUBLIC)\b|(\"[^\"]*\"|'[^']*'))"
)


def format_for_path(path: Path) -> str:
    """Return the rdflib parser format for a file, from its extension.

    Args:
        path: The RDF file; only its suffix is looked at (case-insensitively).

    Returns:
        An rdflib format name, e.g. ``"turtle"``.

    Raises:
        InputError: If the extension is not one of ``RDF_FORMATS``.
    """
    suffix = Path(path).suffix.lower()
    try:
        return RDF_FORMATS[suffix]
    except KeyError:
        known = ", ".join(RDF_FORMATS)
        shown = f"'{suffix}'" if suffix else "none"
        raise InputError(
            Path(path), None, f"unknown RDF file extension {shown} (known: {known})"
        ) from None


def iri_segment(text: str) -> str:
    """``text`` made safe as one segment of an IRI path: spaces, controls, ``% # ? /`` and the
    characters IRIs exclude (``<>"{}|\\^```) are percent-encoded; other characters stay.

    A file called ``my data.ttl`` gives the named graph ``.../id/graph/my%20data``.
    """
    return _IRI_UNSAFE.sub(lambda match: f"%{ord(match.group()):02X}", text)


def parse_into(graph: Graph, path: Path, fmt: str | None = None) -> None:
    """Parse an RDF file into ``graph``, turning any failure into a one-line ``InputError``.

    Relative IRIs resolve against the file's ``file:`` URI, as with ``graph.parse(path)``.
    For TriG and N-Quads pass the ``Dataset`` (or one of its graphs): the file's named graphs
    go into the dataset, and its default-graph triples into ``graph``.

    A JSON-LD file is read with ``json`` first and refused if it names a remote context
    (see ``refuse_remote_contexts``), so parsing never touches the network.

    Args:
        graph: The graph to add the triples to, e.g. a named graph of a ``Dataset``.
        path: The file to read.
        fmt: An rdflib parser format; by default chosen from the extension.

    Raises:
        InputError: If the file is missing or unreadable, its extension unknown, its syntax
            malformed (with the 1-based line number when it can be found), or it is JSON-LD
            with a remote ``@context`` or ``@import``.
        ValueError: If ``fmt`` is not an rdflib parser format.
    """
    # Over 60 lines with its docstring: the checks before and after the parse are one sequence
    # (refusals first, then the parser, then what the parser let through), kept in one place.
    import rdflib.plugin
    from rdflib.parser import Parser
    from rdflib.plugin import PluginException

    path = Path(path)
    fmt = fmt or format_for_path(path)
    try:
        rdflib.plugin.get(fmt, Parser)
    except PluginException:
        raise ValueError(f"no rdflib parser is called {fmt!r}") from None
    label = _FORMAT_LABELS.get(fmt, fmt)
    data = _read_bytes(path)
    if fmt in _JSONLD_FORMATS:
        refuse_remote_contexts(_load_json(path, data), path)
    if fmt == "xml":
        refuse_entity_expansion(data, path)
    if fmt in _LINE_FORMATS:
        # rdflib's line parsers take time quadratic in a line's length (a 1 MB literal: 7 s,
        # 4 MB: minutes); Oxigraph's parser is linear and says where a file goes wrong.
        from imet_kg.rdf.oxigraph_terms import parse_lines_into

        parse_lines_into(graph, data, fmt == "nquads", path, label)
        return
    base = path.absolute().as_uri()
    key = parse_cache.cache_key(graph, fmt, base, data)
    if parse_cache.replay(graph, key):
        return  # these very bytes were parsed and checked before, in this process
    recorder = parse_cache.Recorder(graph, key)
    try:
        # rdflib parses the very bytes that were checked (the file is read once); publicID
        # keeps the file's URI as the base IRI, as graph.parse(path) would. Its warnings
        # (an IRI it cannot write, an ill-typed literal: with a traceback) would reach stderr;
        # the checks below and the shapes say what is wrong instead.
        with quiet_rdflib(), recorder.binds():
            graph.parse(data=data, format=fmt, publicID=base)
    except RecursionError as exc:
        raise InputError(path, None, f"{label} nested too deeply to read") from exc
    except Exception as exc:
        # Parsers raise many types (BadSyntax, ParserError, SAXParseException, ValueError, ...);
        # all of them mean "this file is not valid <format>".
        line, reason = _locate(exc, fmt, data)
        raise InputError(path, line, f"malformed {label}: {_shorten(reason)}") from exc
    # rdflib accepts IRIs that RDF (and Oxigraph, where the graph is validated and stored)
    # refuses: "<http://e/a b>", "%.o", a backslash.
    from imet_kg.rdf.oxigraph_terms import check_iris

    check_iris(graph if fmt not in _STRICT_FORMATS else None, data, fmt, path, label)
    recorder.keep()


def refuse_remote_contexts(document: object, path: Path | None = None) -> None:
    """Refuse JSON-LD that would make a JSON-LD processor fetch a context.

    Every ``@context`` value, at any depth (scoped contexts in term definitions included),
    must be an inline object or null: a string (or a string in a list) is a reference to a
    remote or relative context. ``@import`` inside a context is refused too.

    Args:
        document: Parsed JSON (a JSON-LD document, or a context object).
        path: The file it came from, for the message.

    Raises:
        InputError: On the first context reference found.
    """
    # Iterative walk: deeply nested JSON must not hit the recursion limit here.
    stack: list[tuple[object, bool]] = [(document, False)]
    while stack:
        node, in_context = stack.pop()
        if isinstance(node, list):
            stack.extend((item, in_context) for item in node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, str):
                            raise InputError(
                                path,
                                None,
                                f"remote JSON-LD @context '{item}' refused ({_CONTEXT_ADVICE})",
                            )
                        stack.append((item, True))
                elif key == "@import" and in_context:
                    raise InputError(
                        path, None, f"JSON-LD @import '{value}' refused ({_CONTEXT_ADVICE})"
                    )
                else:
                    stack.append((value, in_context))


def refuse_entity_expansion(data: bytes, path: Path | None = None) -> None:
    """Refuse RDF/XML whose DTD declares entities that expand to other entities or to files.

    Nested entities make a few kilobytes expand to gigabytes ("billion laughs"), and expat takes
    minutes to give up; external ones would read files or URLs. Entities holding plain text (the
    namespace abbreviations ontology editors write) are allowed.

    Raises:
        InputError: On the first such declaration, with its line.
    """
    if b"<!ENTITY" not in data:
        return
    for match in _ENTITY_DECLARATION.finditer(data):
        parameter, external, value = match.groups()
        if parameter or external or (value and (b"&" in value or b"%" in value)):
            line = data[: match.start()].count(b"\n") + 1
            kind = "external" if external else "parameter" if parameter else "nested"
            reason = f"RDF/XML with a {kind} DTD entity refused (entities may only hold text)"
            raise InputError(path, line, reason)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    The data goes to a temporary file in the same folder, which then replaces ``path``; on
    any failure the temporary file is removed and ``path`` is left as it was. Parent folders
    are created. A replaced file keeps its permissions; a new one gets the umask's default.

    Args:
        path: The file to write.
        data: The content; ``str`` is written as UTF-8.

    Raises:
        ImetKgError: If the file cannot be written (the ``OSError`` is chained).
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp: Path | None = None
    _refuse_file_in_the_way(path)
    remove_stale_temporaries(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp, fd = _create_temp(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            raise ImetKgError(f"{path}: cannot write: {one_line(reason)}") from exc
        raise


def _refuse_file_in_the_way(path: Path) -> None:
    # mkdir(parents=True) says only "File exists" when a parent folder is an ordinary file.
    if path.is_dir():
        raise ImetKgError(f"{path}: cannot write: it is a folder; give a file name")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ImetKgError(f"{path}: cannot write: {parent} is a file, not a folder")
            return


def _create_temp(path: Path) -> tuple[Path, int]:
    # os.open with mode 0o666 lets the umask decide the permissions, as for a normal write
    # (tempfile.mkstemp would make the file private, 0o600).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = temporary_name(path)
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from exc


def _load_json(path: Path, data: bytes) -> dict | list:
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, f"malformed JSON-LD: {exc.msg}") from exc
    except RecursionError as exc:
        raise InputError(path, None, "JSON-LD nested too deeply to read") from exc
    except UnicodeDecodeError as exc:
        line, reason = _decode_error(data, exc)
        raise InputError(path, line, f"malformed JSON-LD: {reason}") from exc
    if not isinstance(document, dict | list):
        raise InputError(path, None, "malformed JSON-LD: the top level is not an object or array")
    return document


def _locate(exc: Exception, fmt: str, data: bytes) -> tuple[int | None, str]:
    """Find the 1-based line and a short reason for a parser's exception."""
    from rdflib.exceptions import ParserError
    from rdflib.plugins.parsers.notation3 import BadSyntax

    if isinstance(exc, BadSyntax):
        # Turtle, TriG and N3. BadSyntax keeps the whole (decoded) document in _str and the
        # character offset of the error in _i; its own `lines` is a 0-based count kept while
        # skipping whitespace, so it can trail the offset by a line; count up to _i instead.
        reason = getattr(exc, "_why", None) or str(exc)
        try:
            text = exc._str.decode("utf-8")
            return text[: exc._i].count("\n") + 1, reason
        except (AttributeError, TypeError, UnicodeDecodeError):
            lines = getattr(exc, "lines", None)
            return (lines + 1 if isinstance(lines, int) else None), reason
    if isinstance(exc, SAXParseException):
        return exc.getLineNumber(), exc.getMessage()
    if isinstance(exc, UnicodeDecodeError):
        return _decode_error(data, exc)
    if isinstance(exc, json.JSONDecodeError):
        return exc.lineno, exc.msg
    message = str(exc) or type(exc).__name__
    if isinstance(exc, ParserError) and fmt == "xml":
        match = _XML_LOCATION.search(message)
        if match:
            return int(match.group(1)), match.group(3)
    return None, message


def _decode_error(data: bytes, exc: UnicodeDecodeError) -> tuple[int | None, str]:
    # A parser may have decoded a chunk, so its offsets are not file offsets: decode again.
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as whole:
        bad = data[whole.start : whole.start + 1].hex()
        return data[: whole.start].count(b"\n") + 1, f"not UTF-8 (byte 0x{bad})"
    return None, one_line(str(exc))


def _shorten(reason: str) -> str:
    reason = one_line(reason)
    return reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 1] + "…"
