"""Saved SPARQL queries: read their ``#+`` headers, bind parameters as RDF terms, run them.

Any query is a saved query here: a ``.rq`` file without a header, or text from the command line,
is one without summary or parameters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import yaml
from rdflib import Graph, Literal, URIRef

from imet_kg.errors import QueryError
from imet_kg.paths import QUERIES_DIR
from imet_kg.sparql.params import PARAM_TYPES, QueryParam, did_you_mean, sparql_term
from imet_kg.sparql.prefixes import missing_prologue, project_prefixes
from imet_kg.sparql.text import (
    SERVICE_REFUSED,
    check_syntax,
    has_service,
    outer_where_brace,
    query_form,
    sparql_syntax_error,
)

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query
    from rdflib.query import Result


class QueryEngine(Protocol):
    """A store that answers SPARQL text with an rdflib Result (e.g. the embedded Oxigraph store)."""

    def query(self, text: str, name: str = ...) -> Result: ...


HEADER_KEYS = frozenset({"summary", "description", "tags", "params", "endpoint"})
PARAM_KEYS = frozenset({"name", "type", "default", "short"})

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SYNTAX_ERROR_LINE = re.compile(r"(SPARQL syntax error: line )(\d+)")


@dataclass(frozen=True)
class SavedQuery:
    """A query file and the metadata in its ``#+`` header.

    Attributes:
        name: the file name without ``.rq``.
        path: where it was read from.
        text: the whole file (header lines are SPARQL comments, so this is the query).
        form: SELECT, ASK, CONSTRUCT or DESCRIBE.
        summary: one line saying what question it answers.
        description: longer explanation, if any.
        tags: keywords.
        params: declared parameters, in header order.
        endpoint: for linking queries, the remote endpoint they are meant for.
        prefixes: the prefixes its text and its parameter values may use undeclared; None for
            the shipped graph's (:func:`imet_kg.sparql.prefixes.project_prefixes`).
    """

    name: str
    path: Path
    text: str
    form: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[QueryParam, ...] = ()
    endpoint: str | None = None
    prefixes: Mapping[str, str] | None = field(default=None, compare=False, repr=False)

    def bindings(
        self, values: dict[str, str] | None = None, prefixes: Mapping[str, str] | None = None
    ) -> dict[str, URIRef | Literal]:
        """Resolve parameter values (given as text) and defaults into RDF terms.

        Args:
            values: parameter values as typed, by name.
            prefixes: the prefixes a prefixed-name value may use (default: the query's).

        Raises:
            QueryError: for an unknown parameter, a missing required one, or a badly typed value.
        """
        values = dict(values or {})
        known = {param.name: param for param in self.params}
        for name in sorted(set(values) - set(known)):
            accepted = ", ".join(known) or "none"
            raise QueryError(
                f"query {self.name}: unknown parameter {name}{did_you_mean(name, known)}"
                f" (accepted: {accepted})"
            )
        prefixes = prefixes if prefixes is not None else self.known_prefixes()
        terms = {}
        for param in self.params:
            value = values.get(param.name, param.default)
            if value is None:
                raise QueryError(f"query {self.name}: parameter {param.name} is required")
            terms[param.name] = param.to_term(str(value), prefixes)
        return terms

    def known_prefixes(self) -> Mapping[str, str]:
        """The prefixes its text and values may use without declaring them."""
        return project_prefixes() if self.prefixes is None else self.prefixes

    def bound_text(self, values: dict[str, str] | None = None) -> str:
        """Return the query text with its parameters bound by a VALUES block.

        The block goes first in the outermost WHERE group, so the bindings hold everywhere in the
        group, as rdflib's initBindings would, and any SPARQL 1.1 store gives the same answer.
        Values are written by :func:`imet_kg.sparql.params.sparql_term`, which escapes them so
        that no value can change the query: they are never spliced in as raw text.
        """
        terms = self.bindings(values)
        if not terms:
            return self.text
        variables = " ".join(f"?{name}" for name in terms)
        row = " ".join(sparql_term(term) for term in terms.values())
        block = f"\n  VALUES ({variables}) {{ ({row}) }}\n"
        at = outer_where_brace(self.text, self.name) + 1
        return self.text[:at] + block + self.text[at:]


def parse_header(text: str, path: Path | str) -> dict:
    """Read the YAML in a query file's leading ``#+`` lines.

    Returns:
        The header's keys and values; ``{}`` for a file without ``#+`` lines.

    Raises:
        QueryError: if the header is not valid YAML, or has unknown keys.
    """
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[2:].removeprefix(" "))
        elif line.strip() and not line.startswith("#"):
            break
    if not lines:
        return {}
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (header line {mark.line + 1})" if mark else ""
        raise QueryError(f"{path}: malformed '#+' header{where}") from exc
    if not isinstance(header, dict):
        raise QueryError(f"{path}: the '#+' header must be 'key: value' lines")
    unknown = sorted(set(header) - HEADER_KEYS)
    if unknown:
        raise QueryError(f"{path}: unknown header key(s) {', '.join(unknown)}")
    return header


def _params(header: dict, text: str, path: Path | str) -> tuple[QueryParam, ...]:
    specs = header.get("params") or []
    if not isinstance(specs, list):
        raise QueryError(f"{path}: 'params' must be a list")
    params = []
    for spec in specs:
        if not isinstance(spec, dict) or not _VARIABLE_NAME.match(str(spec.get("name", ""))):
            raise QueryError(f"{path}: each parameter needs a 'name' that is a SPARQL variable")
        name = spec["name"]
        unknown = sorted(set(spec) - PARAM_KEYS)
        if unknown:
            raise QueryError(f"{path}: parameter {name} has unknown key(s) {', '.join(unknown)}")
        kind = spec.get("type", "string")
        if kind not in PARAM_TYPES:
            raise QueryError(f"{path}: parameter {name} has unknown type {kind!r}")
        if not re.search(rf"[?$]{name}\b", text):
            raise QueryError(f"{path}: parameter {name} is not used in the query")
        default, short = spec.get("default"), spec.get("short")
        if short is not None and (kind != "iri" or str(short).count("{}") != 1):
            raise QueryError(f"{path}: parameter {name}: 'short' is an IRI with one {{}} (iri)")
        param = QueryParam(name, kind, None if default is None else str(default), short)
        if param.default is not None:
            param.to_term(param.default)  # a bad default fails at load time, not at run time
        params.append(param)
    return tuple(params)


def load_query(path: Path, prefixes: Mapping[str, str] | None = None) -> SavedQuery:
    """Read and check a query file: a saved query with its ``#+`` header, or any ``.rq`` file.

    Raises:
        QueryError: if the file is missing or not UTF-8 text, its header is malformed, a parameter
            is not used, or the SPARQL does not parse.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise QueryError(f"{path}: no such query file") from exc
    except IsADirectoryError as exc:
        raise QueryError(f"{path}: is a folder, not a query file") from exc
    return query_from_text(_decode(data, path), str(path), path, prefixes)


def _decode(data: bytes, where: object) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise QueryError(f"{where}:{line}: not UTF-8 text (byte {exc.start + 1})") from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise QueryError(f"{where}:{line}: a NUL byte: not a text file")
    return text.removeprefix("\ufeff")


def query_from_text(
    text: str | bytes,
    name: str,
    path: Path | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> SavedQuery:
    """Make a query from SPARQL text (a file's, or one given on the command line or stdin).

    The project's prefixes the text uses without declaring are declared on a first line of their
    own; line numbers in messages are those of ``text``.

    Args:
        text: the query, optionally with a ``#+`` header; bytes must be UTF-8.
        name: what messages call it (a path, ``-`` for stdin).
        path: the file it was read from, if any.
        prefixes: the prefixes it may use undeclared (default: the shipped graph's).

    Raises:
        QueryError: as :func:`load_query`.
    """
    if isinstance(text, bytes):
        text = _decode(text, name)
    header = parse_header(text, name)
    summary = header.get("summary", "")
    if not isinstance(summary, str):
        raise QueryError(f"{name}: the header's 'summary' must be text")
    prologue = missing_prologue(text, prefixes)
    if prologue:
        text = f"{prologue}\n{text}"
    try:
        check_syntax(text, name)
    except QueryError as exc:
        if not prologue:
            raise
        # The message counts the prologue's line; the user's file does not have it.
        shifted = _SYNTAX_ERROR_LINE.sub(lambda m: f"{m[1]}{max(int(m[2]) - 1, 1)}", str(exc))
        raise QueryError(shifted) from exc
    tags = header.get("tags") or []
    return SavedQuery(
        name=path.stem if path is not None else name,
        path=path if path is not None else Path(name),
        text=text,
        form=query_form(text),
        summary=" ".join(summary.split()),
        description=" ".join(str(header.get("description") or "").split()),
        tags=tuple(str(tag) for tag in (tags if isinstance(tags, list) else [tags])),
        params=_params(header, text, name),
        endpoint=header.get("endpoint"),
        prefixes=prefixes,
    )


def load_queries(folder: Path = QUERIES_DIR) -> list[SavedQuery]:
    """Read every ``*.rq`` file of a folder, sorted by name.

    Raises:
        QueryError: as :func:`load_query`, or for a file without a ``#+ summary:``: a saved query
            says what question it answers.
    """
    queries = [load_query(path) for path in sorted(folder.glob("*.rq"))]
    for query in queries:
        if not query.summary.strip():
            raise QueryError(f"{query.path}: a saved query needs a '#+ summary:' header")
    return queries


def find_query(
    name_or_path: str, folder: Path = QUERIES_DIR, prefixes: Mapping[str, str] | None = None
) -> SavedQuery:
    """Find a saved query by name (``purposes``) or by the path of a ``.rq`` file.

    ``prefixes`` are those it may use undeclared (default: the shipped graph's).

    Raises:
        QueryError: if there is no such query (naming the closest saved query's name).
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".rq" or candidate.exists():
        return load_query(candidate, prefixes)
    path = folder / f"{name_or_path}.rq"
    if not path.exists():
        names = [p.stem for p in sorted(folder.glob("*.rq"))]
        raise QueryError(
            f"unknown query {name_or_path!r}{did_you_mean(name_or_path, names)}"
            f" (saved queries: {', '.join(names)})"
        )
    return load_query(path, prefixes)


def run_query(
    graph: Graph | QueryEngine, query: SavedQuery, params: dict[str, str] | None = None
) -> Result:
    """Run a saved query on a local graph, dataset or store.

    Args:
        graph: an rdflib Graph or Dataset (a Dataset built by build_graph queries the union), or
            a store that answers SPARQL text (:class:`imet_kg.kg.embedded.EmbeddedStore`).
        query: the saved query.
        params: parameter values as text, by name; defaults fill the rest.

    Returns:
        rdflib's Result: rows for SELECT, a boolean for ASK, a graph for CONSTRUCT/DESCRIBE.

    Raises:
        QueryError: for bad parameters or a query the engine rejects.
    """
    text = query.bound_text(params)
    if has_service(text):
        raise QueryError(f"query {query.name}: {SERVICE_REFUSED}")
    if not isinstance(graph, Graph):
        return graph.query(text, f"query {query.name}")
    import rdflib.plugins.sparql as rdflib_sparql

    # rdflib fetches a graph named in FROM / FROM NAMED from the web unless told not to; a local
    # query reads only the local graph.
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    try:
        prepared = prepared_query(text)
    except Exception as exc:
        raise QueryError(f"query {query.name}: {sparql_syntax_error(exc)}") from exc
    try:
        return graph.query(prepared)
    except Exception as exc:  # rdflib raises many types for evaluation errors
        raise QueryError(f"query {query.name}: {first_line(exc)}") from exc


@lru_cache(maxsize=512)
def prepared_query(text: str) -> Query:
    """Parse and translate a query once per process: rdflib's parser costs 10-100 ms a query.

    rdflib evaluates a prepared query without changing it (that is what ``prepareQuery`` is for),
    so the cached algebra is safe to share between runs and threads.

    Raises:
        Exception: whatever rdflib's parser raises for malformed SPARQL (callers word it with
            :func:`imet_kg.sparql.text.sparql_syntax_error`).
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    return translateQuery(parseQuery(text))


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type's name when it has none."""
    lines = str(exc).splitlines()
    return lines[0] if lines and lines[0].strip() else type(exc).__name__
