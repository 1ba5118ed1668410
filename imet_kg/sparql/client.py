"""The one SPARQL HTTP client: queries through SPARQLWrapper's public API, with one user agent,
one timeout rule and one wording for every failure (also used by the Graph Store client, gsp.py).

Queries are sent by SPARQLWrapper (the project's named SPARQL client), inside
:func:`imet_kg.sparql.transport.sending`: SPARQLWrapper calls ``urllib.request.urlopen``, which
goes through the opener ``sending`` installs for that one query, so the timeout is a deadline for
the whole request, redirects stay on the endpoint's origin and keep their method, and the
previous opener is back when the query is done. Two choices follow from that:

- Digest: SPARQLWrapper's ``setHTTPAuth(DIGEST)`` would install an opener of its own, holding the
  password, inside ``query()``: it would replace the deadline and redirect rules and outlive the
  query. The transport's opener answers Digest challenges instead (any realm, this origin only);
  Basic goes through ``setHTTPAuth(BASIC)`` and ``setCredentials``.
- HTTP errors: SPARQLWrapper raises its own classes for 400, 401, 404, 414 and 500 from inside
  ``except HTTPError``; the error urllib raised is their context, and is what gets worded.
"""

from __future__ import annotations

import json
import math
import re
import socket
import ssl
import sys
import urllib.error
import urllib.parse
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from http.client import HTTPException

import SPARQLWrapper as sparqlwrapper
from SPARQLWrapper import BASIC, GET, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from imet_kg import __version__
from imet_kg.errors import EndpointError, one_line
from imet_kg.sparql.protocol import AUTH_SCHEMES, DEFAULT_TIMEOUT
from imet_kg.sparql.text import GRAPH_FORMS, has_from, query_form
from imet_kg.sparql.transport import FAILURES, Credentials, ErrorAnswer, RedirectRefused, sending

__all__ = [
    "AUTH_SCHEMES",
    "DEFAULT_TIMEOUT",
    "JSON_MEDIA_TYPES",
    "MAX_GET_URL",
    "RDF_ACCEPT",
    "USER_AGENT",
    "Answer",
    "Credentials",
    "SparqlClient",
    "check_timeout",
    "check_url",
    "credentials",
    "endpoint_error",
    "first_line",
]

# Public endpoints ask clients to name themselves (Wikidata's User-Agent policy). Queries go
# through SPARQLWrapper, Graph Store requests through urllib directly; both travel on urllib.
USER_AGENT = (
    f"imet-kg/{__version__} (https://w3id.org/imet-kg/) "
    f"SPARQLWrapper/{sparqlwrapper.__version__} "
    f"Python-urllib/{sys.version_info.major}.{sys.version_info.minor}"
)
# Queries whose GET URL would be longer than this go by POST (many servers cap URLs near 8 KB;
# proxies and some stores at 2 KB).
MAX_GET_URL = 2000
# N-Triples first: every literal keeps its datatype (Virtuoso 7 writes an xsd:decimal with an
# integral value as a bare Turtle integer, which is wrong).
RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_MAX_MESSAGE = 200

# What a SELECT or ASK asks for, best first (VIVO answers application/javascript).
_JSON_ACCEPTED = (
    "application/sparql-results+json",
    "application/json",
    "text/javascript",
    "application/javascript",
)
JSON_ACCEPT = ", ".join(_JSON_ACCEPTED)
JSON_MEDIA_TYPES = frozenset(_JSON_ACCEPTED)


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


def check_url(url: str) -> None:
    """Refuse, with an EndpointError, anything but an http(s) URL with a host (no file:, ftp:)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{url}: not an http:// or https:// URL")


def check_timeout(timeout: float) -> float:
    """The one timeout rule: positive seconds, a deadline for each whole request.

    Raises:
        EndpointError: for zero (urllib would read it as "fail at once"), less, or NaN.
    """
    if not timeout > 0:
        raise EndpointError(f"timeout {timeout!r}: give a positive number of seconds")
    return float(timeout)


# --- Queries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """An endpoint's answer to a query, not yet parsed.

    Attributes:
        url: the endpoint, for messages.
        form: SELECT, ASK, CONSTRUCT or DESCRIBE.
        media_type: the answer's Content-Type, without parameters.
        data: the answer's bytes.
    """

    url: str
    form: str
    media_type: str
    data: bytes

    def bindings(self) -> list[dict]:
        """The ``results.bindings`` list of a SELECT answer in SPARQL Results JSON, as parsed JSON.

        Raises:
            EndpointError: if the answer is not SPARQL Results JSON.
        """
        if self.media_type not in JSON_MEDIA_TYPES:
            raise self.not_results()
        try:
            bindings = json.loads(self.data)["results"]["bindings"]
        except (ValueError, TypeError, KeyError) as exc:
            raise self.error("the answer is not SPARQL JSON results") from exc
        if not isinstance(bindings, list):
            raise self.error("the answer is not SPARQL JSON results")
        return bindings

    def error(self, problem: str) -> EndpointError:
        """The error for this answer: it came back, but is not what the query asks for."""
        return EndpointError(f"SPARQL endpoint {self.url}: query failed: {problem}")

    def not_results(self) -> EndpointError:
        """The error for an answer in a media type that is not SPARQL results."""
        return self.error(
            f"the answer is {self.media_type}, not SPARQL results "
            "(is this a SPARQL query endpoint?)"
        )


class SparqlClient:
    """Send SPARQL queries to one endpoint (SPARQL 1.1 Protocol) through SPARQLWrapper.

    Queries go by GET while their URL stays under ``MAX_GET_URL`` characters, by POST
    (form-encoded) otherwise or when ``always_post`` is set. SELECT and ASK ask for SPARQL
    Results JSON; CONSTRUCT and DESCRIBE for N-Triples, then Turtle, then RDF/XML. Only the
    standard Accept header is sent (no ``format=`` or ``output=`` parameters).

    Args:
        url: the SPARQL query endpoint.
        auth: credentials, if the endpoint asks for them (sent to its origin only).
        timeout: seconds each query may take in all, from connecting to its answer's last byte.
        always_post: send every query by POST (the Wikidata link checks do: their queries list
            many items, and POST answers are not cached by the query service).

    Raises:
        EndpointError: if the URL is not http(s) or the timeout is not positive.
    """

    def __init__(
        self,
        url: str,
        auth: Credentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        always_post: bool = False,
    ) -> None:
        check_url(url)
        self.url = url
        self.auth = auth
        self.timeout = check_timeout(timeout)
        self.always_post = always_post

    def __repr__(self) -> str:
        return f"SparqlClient({self.url!r})"

    def uses_post(self, text: str, default_graphs: Sequence[str] = ()) -> bool:
        """Say whether :meth:`query` would send this query by POST rather than GET."""
        if self.always_post:
            return True
        return len(self.url) + 1 + len(_encoded(text, default_graphs)) > MAX_GET_URL

    def query(self, text: str, default_graphs: Sequence[str] = ()) -> Answer:
        """Send a query and return the endpoint's answer, unparsed (see :class:`Answer`).

        Args:
            text: the query (SPARQL 1.1; updates are refused).
            default_graphs: graph IRIs whose merge is the query's default graph, sent as
                ``default-graph-uri`` parameters; not sent when the query has a ``FROM`` of its
                own (the protocol's parameters would override it).

        Raises:
            QueryError: if the text is an update or no query at all.
            EndpointError: if the endpoint cannot be reached, answers with an HTTP error, does
                not answer in time or redirects elsewhere (one line, see :func:`endpoint_error`).
        """
        form = query_form(text)
        graphs = () if has_from(text) else tuple(default_graphs)
        wrapper = self._wrapper(text, form, graphs)
        digest = self.auth if self.auth is not None and self.auth.scheme == "digest" else None
        try:
            with sending(self.url, self.timeout, digest), wrapper.query().response as response:
                media_type = response.headers.get_content_type()
                data = response.read()  # all of it, inside the deadline
        except (SPARQLWrapperException, *FAILURES) as exc:
            raise endpoint_error(
                "SPARQL endpoint", self.url, _urllib_error(exc), self.timeout, self.auth
            ) from exc
        return Answer(self.url, form, media_type, data)

    def _wrapper(self, text: str, form: str, graphs: tuple[str, ...]) -> SPARQLWrapper:
        post = self.uses_post(text, graphs)
        endpoint, own_parameters = self.url, []
        if not post and "?" in self.url:  # SPARQLWrapper would add a second "?"
            endpoint, _, query_string = self.url.partition("?")
            own_parameters = urllib.parse.parse_qsl(query_string, keep_blank_values=True)
        wrapper = SPARQLWrapper(endpoint, agent=USER_AGENT)
        wrapper.setOnlyConneg(True)  # the Accept header only: no format=/output= parameters
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # its own guess of the form, unused
            wrapper.setQuery(text)
        # A documented attribute: setQuery() guesses the form with a regex that reads words in
        # comments and names ("added" holds ADD, and an update would be sent as update=).
        wrapper.queryType = form
        wrapper.setMethod(POST if post else GET)
        wrapper.setRequestMethod(URLENCODED)
        # Whole seconds for urlopen's per-socket timeout; the transport's deadline is the bound.
        wrapper.setTimeout(math.ceil(self.timeout))
        wrapper.setReturnFormat(TURTLE if form in GRAPH_FORMS else JSON)
        wrapper.addCustomHttpHeader("Accept", RDF_ACCEPT if form in GRAPH_FORMS else JSON_ACCEPT)
        for name, value in own_parameters:
            wrapper.addParameter(name, value)
        for iri in graphs:
            wrapper.addParameter("default-graph-uri", iri)
        if self.auth is not None and self.auth.scheme == "basic":
            wrapper.setHTTPAuth(BASIC)
            wrapper.setCredentials(self.auth.user, self.auth.password)
        return wrapper


def _encoded(text: str, graphs: Sequence[str]) -> str:
    """The query's parameters, form-encoded as SPARQLWrapper does (quote_plus, "/" kept)."""
    pairs = [*(("default-graph-uri", iri) for iri in graphs), ("query", text)]
    return urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote_plus, safe="/")


def _urllib_error(exc: BaseException) -> BaseException:
    """The HTTP error behind one of SPARQLWrapper's exceptions (its context), or ``exc``."""
    cause = exc.__context__
    if isinstance(exc, SPARQLWrapperException) and isinstance(cause, urllib.error.HTTPError):
        return cause
    return exc


# --- One wording for failures ---------------------------------------------------------------------


def first_line(exc: BaseException | str) -> str:
    """An exception (or text) on one line, cut to 200 characters."""
    text = one_line(str(exc)) or type(exc).__name__
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def endpoint_error(
    service: str,
    url: str,
    exc: BaseException,
    timeout: float,
    auth: Credentials | None = None,
    action: str = "",
) -> EndpointError:
    """Say in one line why a request failed: ``{service} {url}: [{action}: ]{problem}``.

    The problem is one of: ``HTTP {status} {reason}`` (with a hint about credentials for 401 and
    403, which depends on ``auth``) and the server's message; ``no answer within {timeout} s
    (timed out)``; ``unreachable (connection refused | unknown host | TLS: ...)``; ``connection
    failed: ...``. Answers that arrive but are unreadable are worded by :meth:`Answer.error`
    (``query failed: ...``). ``service`` names the URL (``SPARQL endpoint``, ``graph store``),
    ``exc`` is what :func:`imet_kg.sparql.transport.fetch` raised (or urllib below SPARQLWrapper);
    a refused redirect reads
    ``redirected to {url} (HTTP {status}): ...``.
    """
    prefix = f"{service} {url}: {action}: " if action else f"{service} {url}: "
    return EndpointError(prefix + _problem(exc, timeout, auth))


def _problem(exc: BaseException, timeout: float, auth: Credentials | None) -> str:
    if isinstance(exc, RedirectRefused):
        return str(exc)
    status = _http_status(exc)
    if status is not None:
        code, reason, body = status
        text = f"HTTP {code} {reason}".rstrip() + _auth_hint(code, auth)
        return f"{text}: {body}" if body else text
    cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(cause, TimeoutError):  # socket.timeout is TimeoutError
        return f"no answer within {timeout:g} s (timed out)"
    if isinstance(cause, ConnectionRefusedError):
        return "unreachable (connection refused)"
    if isinstance(cause, socket.gaierror):
        return "unreachable (unknown host)"
    if isinstance(cause, (ssl.SSLError, ssl.CertificateError)):
        return f"unreachable (TLS: {first_line(cause)})"
    if isinstance(cause, (OSError, HTTPException)):  # reset, closed early, answer cut short
        return f"connection failed: {first_line(cause)}"
    return f"request failed: {first_line(exc)}"


def _auth_hint(code: int, auth: Credentials | None) -> str:
    if code not in (401, 403):
        return ""
    if auth is not None:
        return " (check --user, --password and --auth)"
    if code == 401:
        return " (the endpoint wants credentials)"
    return " (the endpoint refuses this client, or wants credentials)"


def _http_status(exc: BaseException) -> tuple[int, str, str] | None:
    """(status, reason, the server's message) of an HTTP error answer; None for other failures."""
    if not isinstance(exc, urllib.error.HTTPError):
        return None
    if isinstance(exc, ErrorAnswer):  # read in time by the transport, perhaps by SPARQLWrapper too
        return exc.code, str(exc.reason or ""), _server_message(exc.body)
    try:
        body = exc.read()
    except Exception:  # the body may be cut short too
        body = b""
    return exc.code, str(exc.reason or ""), _server_message(body)


def _server_message(body: bytes) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    if re.search(r"<(html|body|h1|p|title)\b", text, re.IGNORECASE):  # an HTML error page
        text = re.sub(r"<[^>]*>", " ", text)
    return first_line(text) if text.strip() else ""
