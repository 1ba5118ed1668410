"""Remote SPARQL stores: push the graph by the Graph Store Protocol, query it by SPARQLWrapper.

Any SPARQL 1.1 store works: Oxigraph, Virtuoso, Fuseki, GraphDB. ``push_dataset`` PUTs each named
graph of the dataset to the store's Graph Store HTTP Protocol endpoint (PUT replaces the graph, so
pushing twice leaves the store as pushing once). :class:`RemoteStore` runs queries against the
store's SPARQL query endpoint and parses the answers into the same rdflib objects a local query
gives, so results render, compare and validate the same way.

Which data a remote query sees: stores differ in what their default graph is (Oxigraph: an empty
graph of its own unless started with ``--union-default-graph``; Virtuoso: every graph on the
server, its system graphs included; Fuseki and GraphDB: a graph of their own, or a union, as
configured). So the client does not rely on it. It lists the graphs the store holds under the
project's graph namespace (``https://w3id.org/imet-kg/id/graph/``, one per source file, as ``push``
names them) and sends them as ``default-graph-uri`` parameters (SPARQL 1.1 Protocol): the query's
default graph is then their merge, which is what a local query sees. A store without such graphs
is queried on its own default graph, and a query with its own ``FROM`` keeps it.
"""

from __future__ import annotations

import base64
import io
import re
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD
from rdflib.query import Result
from SPARQLWrapper import DIGEST, GET, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from imet_kg import __version__
from imet_kg.errors import EndpointError, QueryError, one_line
from imet_kg.kg.graph import graph_iri, ontology_files
from imet_kg.namespaces import GRAPH, bind_prefixes
from imet_kg.rdf.files import parse_into
from imet_kg.sparql.saved import SavedQuery
from imet_kg.sparql.text import mask_strings_iris_comments

AUTH_SCHEMES = ("basic", "digest")
DEFAULT_TIMEOUT = 30.0
USER_AGENT = f"imet-kg/{__version__} (https://w3id.org/imet-kg; SPARQLWrapper)"
GRAPH_NAMESPACE = str(GRAPH)
# Queries whose GET URL would be longer than this go by POST (many servers cap URLs near 8 KB;
# proxies and some stores at 2 KB).
MAX_GET_URL = 2000

_GRAPH_SIZES = f"""SELECT ?g (COUNT(*) AS ?triples)
WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_NAMESPACE}")) }}
GROUP BY ?g"""
_DEFAULT_GRAPH_SIZE = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
_ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_GRAPH_TRIPLES = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}"

# rdflib parser formats for the media types stores answer CONSTRUCT and DESCRIBE queries with.
_RDF_MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/n3": "n3",
    "text/rdf+n3": "n3",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RESULT_MEDIA_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
}


@dataclass(frozen=True)
class Credentials:
    """A user name and password for a store, and the HTTP authentication scheme to send them with.

    Attributes:
        user: the account name.
        password: its password.
        scheme: ``basic`` (sent with every request) or ``digest`` (answered to a challenge; what
            Virtuoso's ``/sparql-graph-crud-auth`` and ``/sparql-auth`` ask for).
    """

    user: str
    password: str
    scheme: str = "basic"

    def __post_init__(self) -> None:
        if self.scheme not in AUTH_SCHEMES:
            raise EndpointError(
                f"unknown authentication {self.scheme!r} (choose from {', '.join(AUTH_SCHEMES)})"
            )

    def __repr__(self) -> str:  # never show the password in tracebacks or logs
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r})"


def credentials(
    user: str | None, password: str | None, scheme: str = "basic"
) -> Credentials | None:
    """Make :class:`Credentials` from command-line options, or None when no user is given.

    Raises:
        EndpointError: if only one of user and password is given, or the scheme is unknown.
    """
    if user is None and password is None:
        return None
    if user is None or password is None:
        raise EndpointError("give both --user and --password, or neither")
    return Credentials(user, password, scheme)


@dataclass(frozen=True)
class PushReport:
    """What :func:`push_dataset` uploaded.

    Attributes:
        url: the Graph Store endpoint.
        graphs: (graph IRI, number of triples) for each graph PUT, in the order sent; the IRI
            is None for the store's default graph.
    """

    url: str
    graphs: tuple[tuple[str | None, int], ...]

    @property
    def triples(self) -> int:
        return sum(count for _, count in self.graphs)

    def text(self) -> str:
        """One line per graph, then a summary line."""
        lines = [
            f"{count:7d} triples  <{iri}>" if iri else f"{count:7d} triples  (default graph)"
            for iri, count in self.graphs
        ]
        lines.append(f"Pushed {len(self.graphs)} graph(s), {self.triples} triples, to {self.url}")
        return "\n".join(lines) + "\n"


def push_dataset(
    dataset: Dataset,
    gsp_url: str,
    auth: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> PushReport:
    """Upload each named graph of ``dataset`` to a store, replacing the graph of the same name.

    Each graph goes as N-Triples in one HTTP ``PUT <gsp_url>?graph=<IRI>`` (SPARQL 1.1 Graph Store
    HTTP Protocol). PUT replaces the graph's content, so a second push leaves the store as the first
    did. Graphs of the store that the dataset does not have are left alone. Triples in the
    dataset's own default graph (none, for a graph made by ``build_graph``) go to ``?default``.

    Args:
        dataset: the graph, one named graph per source file.
        gsp_url: the store's Graph Store endpoint, e.g. ``http://localhost:7878/store`` (Oxigraph),
            ``http://localhost:8890/sparql-graph-crud-auth`` (Virtuoso),
            ``http://localhost:3030/ds/data`` (Fuseki),
            ``http://localhost:7200/repositories/ID/rdf-graphs/service`` (GraphDB).
        auth: credentials, if the store asks for them.
        timeout: seconds to wait for the store to answer each request.

    Returns:
        A :class:`PushReport` with the graphs and triple counts sent.

    Raises:
        EndpointError: if the URL is not http(s), the store cannot be reached, refuses a graph
            (HTTP error) or does not answer in time. Graphs sent before the failure stay.
    """
    _check_url(gsp_url)
    opener = _opener(gsp_url, auth)
    sent = []
    for iri, graph in _graphs_to_push(dataset):
        body = graph.serialize(format="nt", encoding="utf-8")
        param = urllib.parse.urlencode({"graph": iri}) if iri else "default"
        url = f"{gsp_url}{'&' if '?' in gsp_url else '?'}{param}"
        request = urllib.request.Request(url, data=body, method="PUT")
        request.add_header("Content-Type", "application/n-triples")
        request.add_header("User-Agent", USER_AGENT)
        if auth is not None and auth.scheme == "basic":
            request.add_header("Authorization", _basic(auth))
        try:
            with opener.open(request, timeout=timeout) as response:
                response.read()
        except Exception as exc:
            raise _endpoint_error(gsp_url, exc, timeout, f"PUT graph <{iri or 'default'}>") from exc
        sent.append((iri, len(graph)))
    return PushReport(gsp_url, tuple(sent))


def _graphs_to_push(dataset: Dataset) -> list[tuple[str | None, Graph]]:
    graphs = []
    for graph in dataset.graphs():
        if graph.identifier != DATASET_DEFAULT_GRAPH_ID:
            graphs.append((str(graph.identifier), graph))
    graphs.sort(key=lambda pair: pair[0])
    if len(dataset.default_graph):  # its own triples, not the union of the named graphs
        graphs.insert(0, (None, dataset.default_graph))
    return graphs


class _Client(SPARQLWrapper):
    """SPARQLWrapper with a private URL opener: a float timeout, Digest auth without touching the
    process-wide urllib opener (SPARQLWrapper installs one), and urllib's own HTTP errors."""

    def __init__(self, endpoint: str, auth: Credentials | None, timeout: float) -> None:
        super().__init__(endpoint, agent=USER_AGENT)
        self._timeout = timeout
        self._open = _opener(endpoint, auth).open
        self.setOnlyConneg(True)  # standard Accept headers only, no format=/output= parameters
        self.setRequestMethod(URLENCODED)
        if auth is not None:
            self.setCredentials(auth.user, auth.password)
            self.setHTTPAuth(auth.scheme.upper())

    def _createRequest(self) -> urllib.request.Request:
        if self.http_auth != DIGEST:
            return super()._createRequest()
        user, self.user = self.user, None  # our opener answers the Digest challenge
        try:
            return super()._createRequest()
        finally:
            self.user = user

    def _query(self):
        request = self._createRequest()
        return self._open(request, timeout=self._timeout), self.returnFormat

    def get_url_length(self) -> int:
        """The length of the URL a GET request for the current query would have."""
        return (
            len(self.endpoint)
            + 1
            + len(self._getRequestEncodedParameters(("query", self.queryString)))
        )


class RemoteStore:
    """A SPARQL 1.1 query endpoint holding the IMET-KG graph (see the module docstring).

    Args:
        query_url: the SPARQL query endpoint, e.g. ``http://localhost:7878/query`` (Oxigraph),
            ``http://localhost:8890/sparql`` (Virtuoso), ``http://localhost:3030/ds/query``
            (Fuseki), ``http://localhost:7200/repositories/ID`` (GraphDB).
        user: account name, if the endpoint asks for one.
        password: its password.
        auth: ``basic`` or ``digest``.
        timeout: seconds to wait for the store to connect and for each read of its answer.
        graphs: the graph IRIs whose merge the queries run on; by default the store's graphs
            under the project's graph namespace, or its default graph if it has none.

    Raises:
        EndpointError: if the URL is not http(s), or only one of user and password is given.
    """

    def __init__(
        self,
        query_url: str,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        timeout: float = DEFAULT_TIMEOUT,
        graphs: Sequence[str] | None = None,
    ) -> None:
        _check_url(query_url)
        self.url = query_url
        self.timeout = timeout
        self._auth = credentials(user, password, auth)
        self._graphs = tuple(graphs) if graphs is not None else None

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    def graph_sizes(self) -> dict[str, int]:
        """Count the triples of each graph the store holds under the project's graph namespace.

        Raises:
            EndpointError: if the store fails.
        """
        result = self.query(_GRAPH_SIZES, dataset=())
        return {str(row[0]): int(row[1].toPython()) for row in result}

    def graphs(self) -> tuple[str, ...]:
        """The graph IRIs queries run on: given to the constructor, or found on the store (once).

        An empty tuple means the store's own default graph.
        """
        if self._graphs is None:
            self._graphs = tuple(sorted(self.graph_sizes()))
        return self._graphs

    def query(self, text: str, dataset: Sequence[str] | None = None) -> Result:
        """Run a SPARQL query on the store and return rdflib's Result for it.

        SELECT and ASK answers are asked for as SPARQL Results JSON, CONSTRUCT and DESCRIBE answers
        as N-Triples (or Turtle); both are parsed into the objects a local ``graph.query`` returns
        (rows; a boolean; a ``result.graph``), so :func:`imet_kg.sparql.results.render_result`
        writes them the same way. A query whose GET URL would be long goes by POST (form-encoded).

        Args:
            text: the query (SPARQL 1.1; updates are refused).
            dataset: graph IRIs to merge as the default graph (``default-graph-uri``); by default
                :meth:`graphs`; ``()`` for the store's default graph. Ignored when the query has
                a FROM clause of its own.

        Raises:
            QueryError: if the text is an update or no query at all.
            EndpointError: if the store cannot be reached, answers with an HTTP error, does not
                answer within the timeout, or answers with something that is not SPARQL results.
        """
        form = query_form(text)
        client = _Client(self.url, self._auth, self.timeout)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper's own guess, unused
            client.setQuery(text)
        client.queryType = form  # SPARQLWrapper's guess reads words in comments, e.g. "added"
        if form in ("SELECT", "ASK"):
            client.setReturnFormat(JSON)
        else:
            client.setReturnFormat(TURTLE)
            # N-Triples first: every literal keeps its datatype (Virtuoso 7 writes an
            # xsd:decimal with an integral value as a bare Turtle integer, which is wrong).
            client.addCustomHttpHeader("Accept", RDF_ACCEPT)
        if not _has_from(text):
            for iri in self.graphs() if dataset is None else dataset:
                client.addDefaultGraph(iri)
        client.setMethod(POST if client.get_url_length() > MAX_GET_URL else GET)
        try:
            with client.query().response as response:
                media_type = response.headers.get_content_type()
                data = response.read()
        except Exception as exc:
            raise _endpoint_error(self.url, exc, self.timeout) from exc
        if form in ("SELECT", "ASK"):
            return self._parse_results(data, media_type)
        return self._parse_graph(data, media_type, form)

    def run(self, saved: SavedQuery, params: dict[str, str] | None = None) -> Result:
        """Run a saved query, its parameters bound as a local run binds them.

        Raises:
            QueryError: for bad parameters.
            EndpointError: if the store fails (the message names the query).
        """
        text = saved.bound_text(params)
        try:
            return self.query(text)
        except EndpointError as exc:
            raise EndpointError(f"query {saved.name}: {exc}") from exc

    def fetch_dataset(self) -> Dataset:
        """Copy the store's IMET-KG graphs into a local dataset, one named graph each.

        With no graphs under the project's namespace, the store's default graph is copied into
        the dataset's default graph. Each graph is fetched with its own CONSTRUCT query and its
        size checked against a COUNT, so a store that cuts long answers short (Virtuoso's
        ``ResultSetMaxRows``) gives an error, not a silently partial graph.

        Raises:
            EndpointError: if the store fails or returns fewer triples than it holds.
        """
        sizes = self.graph_sizes() if self._graphs is None else None
        names = tuple(sorted(sizes)) if sizes is not None else self.graphs()
        dataset = bind_prefixes(Dataset(default_union=True))
        if not names:
            expected = int(next(iter(self.query(_DEFAULT_GRAPH_SIZE, dataset=())))[0].toPython())
            graph = self.query(_ALL_TRIPLES, dataset=()).graph
            self._check_size(graph, expected, "its default graph")
            dataset.default_graph += graph
            return dataset
        for name in names:
            graph = self.query(_GRAPH_TRIPLES.format(name), dataset=()).graph
            if sizes is not None:
                self._check_size(graph, sizes[name], f"graph <{name}>")
            target = dataset.graph(URIRef(name))
            target += graph
        return dataset

    def fetch_for_validation(self) -> Dataset:
        """The store's IMET-KG graphs plus the shipped ontology graphs the store lacks.

        This is what ``validate`` checks: like a local ``validate FILES``, class targets need the
        ontology's subclass axioms.
        """
        dataset = self.fetch_dataset()
        have = {str(ctx.identifier) for ctx in dataset.graphs()}
        for path in ontology_files():
            if str(graph_iri(path)) not in have:
                parse_into(dataset.graph(graph_iri(path)), Path(path))
        return dataset

    def _check_size(self, graph: Graph, expected: int, what: str) -> None:
        if len(graph) < expected:
            raise EndpointError(
                f"{self.url}: returned {len(graph)} of the {expected} triples of {what}; "
                "the store caps result sizes (Virtuoso: raise ResultSetMaxRows)"
            )

    def _parse_results(self, data: bytes, media_type: str) -> Result:
        fmt = _RESULT_MEDIA_TYPES.get(media_type)
        if fmt is None:
            raise EndpointError(
                f"{self.url}: the answer is {media_type}, not SPARQL results: "
                "is this the store's SPARQL query endpoint?"
            )
        try:
            result = Result.parse(io.BytesIO(data), format=fmt)
        except Exception as exc:
            raise EndpointError(
                f"{self.url}: unreadable SPARQL results: {_first_line(exc)}"
            ) from exc
        if result.type == "SELECT":
            # RDF 1.1: "x"^^xsd:string is the plain literal "x"; some stores spell it out.
            result.bindings = [
                {var: _plain_string(term) for var, term in row.items()} for row in result.bindings
            ]
        return result

    def _parse_graph(self, data: bytes, media_type: str, form: str) -> Result:
        fmt = _RDF_MEDIA_TYPES.get(media_type)
        if fmt is None:
            raise EndpointError(
                f"{self.url}: the answer to a {form} query is {media_type}, not RDF"
            )
        parsed = Dataset() if fmt in ("nquads", "trig") else Graph()
        try:
            parsed.parse(data=data, format=fmt)
        except Exception as exc:
            raise EndpointError(
                f"{self.url}: unreadable {form} answer: {_first_line(exc)}"
            ) from exc
        # A fresh graph, like rdflib's own CONSTRUCT result: the store's prefixes (ns0:, ...) would
        # otherwise change how the result is written.
        graph = Graph()
        for s, p, o in parsed.triples((None, None, None)):
            graph.add((s, p, _plain_string(o)))
        result = Result(form)
        result.graph = graph
        return result


def _plain_string(term):
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


# A SPARQL keyword, not part of a variable (?from), prefixed name (ex:select) or other name.
_KEYWORD = r"(?<![?$:\w.-])({})(?![\w:-])"


def _masked(text: str) -> str:
    """The query with its comments, strings and IRIs blanked out, and its PREFIX/BASE lines."""
    masked = mask_strings_iris_comments(text)
    return re.sub(r"\b(PREFIX\s+[^\s:]*:|BASE\b)", " ", masked, flags=re.IGNORECASE)


def query_form(text: str) -> str:
    """Tell which form a SPARQL query has: SELECT, ASK, CONSTRUCT or DESCRIBE.

    Raises:
        QueryError: for an update, or text with none of the four keywords.
    """
    keyword = re.search(
        _KEYWORD.format(
            "SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH"
        ),
        _masked(text),
        flags=re.IGNORECASE,
    )
    if keyword is None:
        raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    form = keyword.group().upper()
    if form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise QueryError(f"{form} starts an update: only queries run on an endpoint")
    return form


def _has_from(text: str) -> bool:
    return re.search(_KEYWORD.format("FROM"), _masked(text), flags=re.IGNORECASE) is not None


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{url}: not an http:// or https:// URL")


def _basic(auth: Credentials) -> str:
    token = base64.b64encode(f"{auth.user}:{auth.password}".encode()).decode("ascii")
    return f"Basic {token}"


def _opener(url: str, auth: Credentials | None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if auth is not None and auth.scheme == "digest":
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, auth.user, auth.password)
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
    return urllib.request.build_opener(*handlers)


def _first_line(exc: BaseException) -> str:
    text = one_line(str(exc)) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _endpoint_error(url: str, exc: BaseException, timeout: float, doing: str = "") -> EndpointError:
    """Say in one line why a request to ``url`` failed."""
    prefix = f"{url}: {doing}: " if doing else f"{url}: "
    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = exc.read().decode("utf-8", "replace")
        except Exception:  # the body may time out or be cut short too
            body = ""
        detail = one_line(body)
        if len(detail) > 200:
            detail = detail[:199] + "…"
        reason = f"HTTP {exc.code} {exc.reason}".rstrip()
        if exc.code in (401, 403):
            reason += " (check --user, --password and --auth)"
        return EndpointError(prefix + reason + (f": {detail}" if detail else ""))
    cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(cause, (TimeoutError, socket.timeout)):
        return EndpointError(f"{prefix}no answer within {timeout:g} s (timed out)")
    if isinstance(cause, ConnectionRefusedError):
        return EndpointError(f"{prefix}cannot connect (connection refused)")
    if isinstance(cause, socket.gaierror):
        return EndpointError(f"{prefix}cannot connect (unknown host)")
    if isinstance(cause, ssl.SSLError):
        return EndpointError(f"{prefix}TLS error: {_first_line(cause)}")
    if isinstance(cause, OSError):
        return EndpointError(f"{prefix}cannot connect ({_first_line(cause)})")
    if isinstance(exc, (HTTPException, SPARQLWrapperException)):
        return EndpointError(f"{prefix}{_first_line(exc)}")
    return EndpointError(f"{prefix}{_first_line(exc)}")
