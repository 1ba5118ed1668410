"""Saved SPARQL queries: read their ``#+`` headers, bind parameters as RDF terms, run them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from imet_kg.errors import QueryError
from imet_kg.paths import QUERIES_DIR
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
PARAM_TYPES = ("iri", "string", "integer", "decimal", "date")

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class QueryParam:
    """A parameter a saved query declares in its header.

    Attributes:
        name: the SPARQL variable it binds (without ``?``).
        type: one of ``iri``, ``string``, ``integer``, ``decimal``, ``date``.
        default: the value used when none is given (as text), or None if the parameter is required.
    """

    name: str
    type: str
    default: str | None = None

    def to_term(self, value: str) -> URIRef | Literal:
        """Turn a value given as text into the RDF term this parameter binds.

        Raises:
            QueryError: if the value is not a valid ``type``.
        """
        try:
            if self.type == "iri":
                if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$", value):
                    raise ValueError("not an absolute IRI")
                return URIRef(value)
            if self.type == "integer":
                return Literal(int(value), datatype=XSD.integer)
            if self.type == "decimal":
                return Literal(Decimal(value), datatype=XSD.decimal)
            if self.type == "date":
                term = Literal(value, datatype=XSD.date)
                if not term.ill_typed and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                    return term
                raise ValueError("not a date YYYY-MM-DD")
            return Literal(value)
        except (ValueError, InvalidOperation) as exc:
            raise QueryError(
                f"parameter {self.name}: {value!r} is not a valid {self.type}"
            ) from exc

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "type": self.type, "default": self.default}


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

    def bindings(self, values: dict[str, str] | None = None) -> dict[str, URIRef | Literal]:
        """Resolve parameter values (given as text) and defaults into RDF terms.

        Raises:
            QueryError: for an unknown parameter, a missing required one, or a badly typed value.
        """
        values = dict(values or {})
        known = {param.name: param for param in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            accepted = ", ".join(known) or "none"
            raise QueryError(
                f"query {self.name}: unknown parameter {', '.join(unknown)} (accepted: {accepted})"
            )
        terms = {}
        for param in self.params:
            value = values.get(param.name, param.default)
            if value is None:
                raise QueryError(f"query {self.name}: parameter {param.name} is required")
            terms[param.name] = param.to_term(str(value))
        return terms

    def bound_text(self, values: dict[str, str] | None = None) -> str:
        """Return the query text with its parameters bound by a VALUES block.

        The block goes first in the outermost WHERE group, so the bindings hold everywhere in the
        group, as rdflib's initBindings would, and any SPARQL 1.1 store gives the same answer.
        Values are serialised as RDF terms (``term.n3()``), never spliced in as raw text.
        """
        terms = self.bindings(values)
        if not terms:
            return self.text
        variables = " ".join(f"?{name}" for name in terms)
        row = " ".join(term.n3() for term in terms.values())
        block = f"\n  VALUES ({variables}) {{ ({row}) }}\n"
        at = outer_where_brace(self.text, self.name) + 1
        return self.text[:at] + block + self.text[at:]


def parse_header(text: str, path: Path) -> dict:
    """Read the YAML in a query file's leading ``#+`` lines.

    Raises:
        QueryError: if the header is missing, is not valid YAML, or has unknown keys.
    """
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[2:].removeprefix(" "))
        elif line.strip() and not line.startswith("#"):
            break
    if not lines:
        raise QueryError(f"{path}: no '#+ summary:' header")
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


def _params(header: dict, text: str, path: Path) -> tuple[QueryParam, ...]:
    specs = header.get("params") or []
    if not isinstance(specs, list):
        raise QueryError(f"{path}: 'params' must be a list")
    params = []
    for spec in specs:
        if not isinstance(spec, dict) or not _VARIABLE_NAME.match(str(spec.get("name", ""))):
            raise QueryError(f"{path}: each parameter needs a 'name' that is a SPARQL variable")
        name = spec["name"]
        kind = spec.get("type", "string")
        if kind not in PARAM_TYPES:
            raise QueryError(f"{path}: parameter {name} has unknown type {kind!r}")
        if not re.search(rf"[?$]{name}\b", text):
            raise QueryError(f"{path}: parameter {name} is not used in the query")
        default = spec.get("default")
        param = QueryParam(name, kind, None if default is None else str(default))
        if param.default is not None:
            param.to_term(param.default)  # a bad default fails at load time, not at run time
        params.append(param)
    return tuple(params)


def load_query(path: Path) -> SavedQuery:
    """Read and check a saved query file.

    Raises:
        QueryError: if the file is missing, its header is malformed or incomplete, a parameter is
            not used, or the SPARQL does not parse.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise QueryError(f"{path}: no such query file") from exc
    header = parse_header(text, path)
    summary = header.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise QueryError(f"{path}: the header needs a 'summary'")
    check_syntax(text, str(path))
    tags = header.get("tags") or []
    return SavedQuery(
        name=path.stem,
        path=path,
        text=text,
        form=query_form(text),
        summary=" ".join(summary.split()),
        description=" ".join(str(header.get("description") or "").split()),
        tags=tuple(str(tag) for tag in (tags if isinstance(tags, list) else [tags])),
        params=_params(header, text, path),
        endpoint=header.get("endpoint"),
    )


def load_queries(folder: Path = QUERIES_DIR) -> list[SavedQuery]:
    """Read every ``*.rq`` file of a folder, sorted by name."""
    return [load_query(path) for path in sorted(folder.glob("*.rq"))]


def find_query(name_or_path: str, folder: Path = QUERIES_DIR) -> SavedQuery:
    """Find a saved query by name (``purposes``) or by the path of a ``.rq`` file.

    Raises:
        QueryError: if there is no such query.
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".rq" or candidate.exists():
        return load_query(candidate)
    path = folder / f"{name_or_path}.rq"
    if not path.exists():
        names = ", ".join(p.stem for p in sorted(folder.glob("*.rq")))
        raise QueryError(f"unknown query {name_or_path!r} (saved queries: {names})")
    return load_query(path)


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
