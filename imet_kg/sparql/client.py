"""The one SPARQL HTTP client: queries through SPARQLWrapper's public API, with one user agent,
one timeout rule and one wording for every failure (also used by the Graph Store client, gsp.py).

SPARQLWrapper 2.0.0 is used through its public API only. Two of its choices shape this module:

- Digest auth: SPARQLWrapper answers the challenge through a urllib opener holding the password,
  which it installs process-wide (``urllib.request.install_opener``). Left there, it would answer
  later challenges from the same endpoint for any request of the process, including a client
  given no credentials. So the client puts urllib's default opener back as soon as the request
  is answered. Not thread-safe: two threads making digest queries at once could swap openers
  (the project runs its queries one at a time). The password manager matches only the realm it
  is given, so the client learns the realm from the server's 401 challenge and retries once.
  The Graph Store client (gsp.py) builds its own opener and installs none.
- HTTP errors: it raises its own classes for 400, 401, 404, 414 and 500, keeping the body only in
  its message; :func:`endpoint_error` reads back status, reason and the server's message.
"""

from __future__ import annotations

import ast
import base64
import json
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

import SPARQLWrapper as sparqlwrapper
from SPARQLWrapper import GET, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

from imet_kg import __version__
from imet_kg.errors import EndpointError, one_line
from imet_kg.sparql.protocol import AUTH_SCHEMES, DEFAULT_TIMEOUT
from imet_kg.sparql.text import GRAPH_FORMS, has_from, query_form

# Public endpoints ask clients to name themselves (Wikidata's User-Agent policy).
USER_AGENT = (
    f"imet-kg/{__version__} (https://w3id.org/imet-kg/) SPARQLWrapper/{sparqlwrapper.__version__}"
)
# Queries whose GET URL would be longer than this go by POST (many servers cap URLs near 8 KB;
# proxies and some stores at 2 KB).
MAX_GET_URL = 2000
# N-Triples first: every literal keeps its datatype (Virtuoso 7 writes an xsd:decimal with an
# integral value as a bare Turtle integer, which is wrong).
RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_MAX_MESSAGE = 200
# What sending a request can raise: SPARQLWrapper's HTTP errors, urllib's (OSError), http.client's,
# and ValueError for a URL urllib cannot use (a port that is not a number).
_FAILURES = (SPARQLWrapperException, OSError, HTTPException, ValueError)

# What SPARQLWrapper's Accept header for JSON asks for (VIVO answers application/javascript).
JSON_MEDIA_TYPES = frozenset(
    {
        "application/sparql-results+json",
        "application/json",
        "text/javascript",
        "application/javascript",
    }
)


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

    def basic_header(self) -> str:
        """The ``Authorization`` header value for HTTP Basic."""
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


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
    """The one timeout rule: positive seconds, for the connection and for each read.

    Raises:
        EndpointError: for zero (SPARQLWrapper reads it as "no timeout"), less, or NaN.
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
    Results JSON; CONSTRUCT and DESCRIBE for N-Triples, then Turtle, then RDF/XML.

    Args:
        url: the SPARQL query endpoint.
        auth: credentials, if the endpoint asks for them.
        timeout: seconds to wait for the connection and for each read of the answer.
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
        self._realm = "SPARQL"  # SPARQLWrapper's default, and Virtuoso's

    def __repr__(self) -> str:
        return f"SparqlClient({self.url!r})"

    def uses_post(self, text: str, default_graphs: Sequence[str] = ()) -> bool:
        """Say whether :meth:`query` would send this query by POST rather than GET."""
        if self.always_post:
            return True
        pairs = [*(("default-graph-uri", iri) for iri in default_graphs), ("query", text)]
        # Encoded as SPARQLWrapper encodes GET parameters (quote_plus, "/" kept).
        encoded = urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote_plus, safe="/")
        return len(self.url) + 1 + len(encoded) > MAX_GET_URL

    def query(self, text: str, default_graphs: Sequence[str] = ()) -> Answer:
        """Send a query and return the endpoint's answer, unparsed (see :class:`Answer`).

        Args:
            text: the query (SPARQL 1.1; updates are refused).
            default_graphs: graph IRIs whose merge is the query's default graph, sent as
                ``default-graph-uri`` parameters; not sent when the query has a ``FROM`` of its
                own (the protocol's parameters would override it).

        Raises:
            QueryError: if the text is an update or no query at all.
            EndpointError: if the endpoint cannot be reached, answers with an HTTP error or does
                not answer in time (one line, see :func:`endpoint_error`).
        """
        form = query_form(text)
        graphs = () if has_from(text) else tuple(default_graphs)
        try:
            return self._send(text, form, graphs)
        except _FAILURES as exc:
            if not self._learn_realm(exc):
                raise self._error(exc) from exc
        try:  # once more, with the realm of the server's Digest challenge
            return self._send(text, form, graphs)
        except _FAILURES as exc:
            raise self._error(exc) from exc

    def _learn_realm(self, exc: BaseException) -> bool:
        """Take the realm of a Digest challenge SPARQLWrapper could not answer; say if it is new.

        SPARQLWrapper's password manager answers only the realm given to ``setCredentials``.
        """
        if self.auth is None or self.auth.scheme != "digest" or not isinstance(exc, Unauthorized):
            return False
        realm = _digest_realm(exc)
        if realm is None or realm == self._realm:
            return False
        self._realm = realm
        return True

    def _send(self, text: str, form: str, graphs: tuple[str, ...]) -> Answer:
        wrapper = SPARQLWrapper(self.url, agent=USER_AGENT)
        wrapper.setOnlyConneg(True)  # standard Accept headers only, no format=/output= parameters
        wrapper.setRequestMethod(URLENCODED)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # its own guess of the form, unused
            wrapper.setQuery(text)
        # Both documented attributes. setQuery() guesses the form with a regex that reads words
        # in comments and names ("added" holds ADD, an update); setTimeout() casts to int, and
        # 0.5 -> 0 means no timeout at all; urlopen, which gets this value, takes a float.
        wrapper.queryType = form
        wrapper.timeout = self.timeout
        if self.auth is not None:
            wrapper.setCredentials(self.auth.user, self.auth.password, realm=self._realm)
            wrapper.setHTTPAuth(self.auth.scheme.upper())
        if form in GRAPH_FORMS:
            wrapper.setReturnFormat(TURTLE)
            wrapper.addCustomHttpHeader("Accept", RDF_ACCEPT)
        else:
            wrapper.setReturnFormat(JSON)
        for iri in graphs:
            wrapper.addParameter("default-graph-uri", iri)
        wrapper.setMethod(POST if self.uses_post(text, graphs) else GET)
        try:
            answer = wrapper.query()
        finally:
            if self.auth is not None and self.auth.scheme == "digest":
                urllib.request.install_opener(None)  # see the module docstring
        with answer.response as response:
            media_type = response.headers.get_content_type()
            data = response.read()
        return Answer(self.url, form, media_type, data)

    def _error(self, exc: BaseException) -> EndpointError:
        return endpoint_error("SPARQL endpoint", self.url, exc, self.timeout, self.auth)


def _digest_realm(exc: BaseException) -> str | None:
    """The realm of the Digest challenge behind a 401, if the server sent one."""
    cause = exc.__context__
    is_http = isinstance(cause, urllib.error.HTTPError)
    challenge = cause.headers.get("WWW-Authenticate", "") if is_http else ""
    match = re.match(r'\s*Digest\s.*?\brealm="([^"]*)"', challenge, re.IGNORECASE)
    return match.group(1) if match else None


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
    ``exc`` is what urllib, http.client or SPARQLWrapper raised.
    """
    prefix = f"{service} {url}: {action}: " if action else f"{service} {url}: "
    return EndpointError(prefix + _problem(exc, timeout, auth))


def _problem(exc: BaseException, timeout: float, auth: Credentials | None) -> str:
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
    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = exc.read()
        except Exception:  # the body may time out or be cut short too
            body = b""
        return exc.code, str(exc.reason or ""), _server_message(body)
    # SPARQLWrapper raises its own class from inside `except HTTPError`, so urllib's error (status,
    # reason) is the context; the body it had read survives only in its message, as a bytes repr.
    cause = exc.__context__
    if not isinstance(exc, SPARQLWrapperException) or not isinstance(cause, urllib.error.HTTPError):
        return None
    _, found, shown = str(exc).partition("\n\nResponse:\n")
    try:
        body = ast.literal_eval(shown) if found else b""
    except (ValueError, SyntaxError):
        body = b""
    return cause.code, str(cause.reason or ""), _server_message(body)


def _server_message(body: bytes) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    if re.search(r"<(html|body|h1|p|title)\b", text, re.IGNORECASE):  # an HTML error page
        text = re.sub(r"<[^>]*>", " ", text)
    return first_line(text) if text.strip() else ""
