"""A small SPARQL 1.1 Graph Store HTTP Protocol client: PUT a graph, DELETE a graph.

Requests go through :func:`imet_kg.sparql.transport.fetch`, on the opener the SPARQL client's
queries take too (under SPARQLWrapper), with its user agent, timeout rule (a deadline for each
whole request) and error wording (:mod:`imet_kg.sparql.client`); redirects stay on the store's
origin and keep their method.

Credentials go with every request, Digest ones too: a server that refuses a PUT for want of
credentials may answer 401 and close the connection before the body is sent (Virtuoso does,
for graphs of a few hundred KB), and the client then sees only a broken pipe, never the
challenge. So the Digest challenge is asked for once, by a request without a body (HEAD), and
each request carries its answer (urllib's digest handler counts the nonce's uses).
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request

from imet_kg.sparql.client import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    Credentials,
    check_timeout,
    check_url,
    endpoint_error,
)
from imet_kg.sparql.transport import FAILURES, fetch


def graph_url(store_url: str, graph: str | None) -> str:
    """The URL of one graph of the store: ``?graph=<IRI>``, or ``?default`` for None."""
    param = urllib.parse.urlencode({"graph": graph}) if graph is not None else "default"
    return f"{store_url}{'&' if '?' in store_url else '?'}{param}"


class GraphStore:
    """A store's Graph Store endpoint (e.g. Oxigraph ``/store``, Virtuoso
    ``/sparql-graph-crud-auth``, Fuseki ``/DATASET/data``).

    Args:
        url: the Graph Store endpoint.
        auth: credentials, Basic or Digest (any realm), sent with every request to the store's
            origin and to no other.
        timeout: seconds each request may take in all, from connecting to the answer's end.

    Raises:
        EndpointError: if the URL is not http(s) or the timeout is not positive.
    """

    def __init__(
        self, url: str, auth: Credentials | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        check_url(url)
        self.url = url
        self.auth = auth
        self.timeout = check_timeout(timeout)
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        self._challenge: dict[str, str] | None = None
        if auth is not None and auth.scheme == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, auth.user, auth.password)
            self._digest = urllib.request.HTTPDigestAuthHandler(passwords)

    def __repr__(self) -> str:
        return f"GraphStore({self.url!r})"

    def put(
        self, graph: str | None, data: bytes, media_type: str = "application/n-triples"
    ) -> None:
        """Replace a graph's content with ``data`` (HTTP PUT); None is the store's default graph.

        Raises:
            EndpointError: if the store cannot be reached, refuses (HTTP error) or does not
                answer in time.
        """
        self._send("PUT", graph, data, media_type)

    def delete(self, graph: str | None) -> bool:
        """Remove a graph (HTTP DELETE); None empties the store's default graph.

        Returns:
            True if the store removed it, False if it had no such graph (HTTP 404).

        Raises:
            EndpointError: if the store cannot be reached, refuses (other HTTP errors) or does not
                answer in time.
        """
        return self._send("DELETE", graph, missing_ok=True)

    def _send(
        self,
        method: str,
        graph: str | None,
        data: bytes | None = None,
        media_type: str | None = None,
        missing_ok: bool = False,
    ) -> bool:
        url = graph_url(self.url, graph)
        try:
            try:
                self._open(method, url, data, media_type)
            except urllib.error.HTTPError as exc:
                if not self._renew_challenge(exc):
                    raise
                self._open(method, url, data, media_type)  # the nonce had expired
        except FAILURES as exc:
            if missing_ok and getattr(exc, "code", None) == 404:
                return False
            broke = data and self.auth and _broke_off(exc)
            failure = self._refusal(url) if broke else None
            action = f"{method} graph <{graph or 'default'}>"
            raise endpoint_error(
                "graph store", self.url, failure or exc, self.timeout, self.auth, action
            ) from exc
        return True

    def _open(self, method: str, url: str, data: bytes | None, media_type: str | None) -> None:
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("User-Agent", USER_AGENT)
        if media_type is not None:
            request.add_header("Content-Type", media_type)
        self._send_once(request)

    def _send_once(self, request: urllib.request.Request) -> None:
        """Send with the credentials: Basic as they are, Digest as the challenge's answer."""
        self._authorize(request)
        basic = self.auth if self.auth is not None and self.auth.scheme == "basic" else None
        fetch(request, self.timeout, basic)

    def _authorize(self, request: urllib.request.Request) -> None:
        if self._digest is None:
            return
        if self._challenge is None:
            self._challenge = self._ask_challenge(request.full_url)
        if self._challenge:
            answer = self._digest.get_authorization(request, self._challenge)
            if answer:
                request.add_unredirected_header("Authorization", f"Digest {answer}")

    def _ask_challenge(self, url: str) -> dict[str, str]:
        """The store's Digest challenge, asked for without a body; empty if it sends none."""
        probe = urllib.request.Request(url, method="HEAD", headers={"User-Agent": USER_AGENT})
        try:
            fetch(probe, self.timeout)
        except urllib.error.HTTPError as exc:
            return _digest_challenge(exc) or {}
        return {}

    def _renew_challenge(self, exc: urllib.error.HTTPError) -> bool:
        """Take a 401's new Digest challenge (a stale nonce); say whether to try once more."""
        if exc.code != 401 or self._digest is None:
            return False
        challenge = _digest_challenge(exc)
        if not challenge or challenge.get("nonce") == (self._challenge or {}).get("nonce"):
            return False
        self._challenge = challenge
        return True

    def _refusal(self, url: str) -> urllib.error.HTTPError | None:
        """After a failed upload, ask again without a body: a 401 or 403 means the credentials
        were refused (the server may have closed the connection before reading the body)."""
        probe = urllib.request.Request(url, method="HEAD", headers={"User-Agent": USER_AGENT})
        try:
            self._send_once(probe)
        except urllib.error.HTTPError as exc:
            return exc if exc.code in (401, 403) else None
        except FAILURES:
            return None
        return None


def _broke_off(exc: BaseException) -> bool:
    """Say whether the connection broke (not an HTTP error, a timeout or a refused redirect)."""
    cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    is_http = isinstance(exc, urllib.error.HTTPError)
    broke = isinstance(cause, (OSError, http.client.HTTPException))
    return broke and not is_http and not isinstance(cause, TimeoutError)


def _digest_challenge(exc: urllib.error.HTTPError) -> dict[str, str] | None:
    for header in exc.headers.get_all("WWW-Authenticate") or ():
        scheme, _, params = header.strip().partition(" ")
        if scheme.lower() == "digest":
            return urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
    return None
