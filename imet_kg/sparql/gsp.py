"""A small SPARQL 1.1 Graph Store HTTP Protocol client: PUT a graph, DELETE a graph.

SPARQLWrapper speaks the query and update protocol only, so graph uploads go through urllib, with
the SPARQL client's user agent, timeout rule and error wording (:mod:`imet_kg.sparql.client`).
Each :class:`GraphStore` has its own urllib opener and installs none process-wide.

Credentials go with every request, Digest ones too: a server that refuses a PUT for want of
credentials may answer 401 and close the connection before the body is sent (Virtuoso does,
for graphs of a few hundred KB), and the client then sees only a broken pipe, never the
challenge. So the Digest challenge is asked for once, by a request without a body (HEAD), and
each request carries its answer (urllib's digest handler counts the nonce's uses).
"""

from __future__ import annotations

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

_FAILURES = (OSError, ValueError)  # urllib's errors (HTTPError, URLError) are OSErrors


def graph_url(store_url: str, graph: str | None) -> str:
    """The URL of one graph of the store: ``?graph=<IRI>``, or ``?default`` for None."""
    param = urllib.parse.urlencode({"graph": graph}) if graph is not None else "default"
    return f"{store_url}{'&' if '?' in store_url else '?'}{param}"


class GraphStore:
    """A store's Graph Store endpoint (e.g. Oxigraph ``/store``, Virtuoso
    ``/sparql-graph-crud-auth``, Fuseki ``/DATASET/data``).

    Args:
        url: the Graph Store endpoint.
        auth: credentials, Basic or Digest (any realm), sent with every request.
        timeout: seconds to wait for the connection and for each read of the answer.

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
        self._opener = urllib.request.build_opener()
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
        except _FAILURES as exc:
            if missing_ok and getattr(exc, "code", None) == 404:
                return False
            broke = data and self.auth and not isinstance(exc, urllib.error.HTTPError)
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
        self._authorize(request)
        with self._opener.open(request, timeout=self.timeout) as response:
            response.read()

    def _authorize(self, request: urllib.request.Request) -> None:
        if self.auth is not None and self.auth.scheme == "basic":
            request.add_unredirected_header("Authorization", self.auth.basic_header())
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
            self._opener.open(probe, timeout=self.timeout).close()
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
            self._authorize(probe)
            self._opener.open(probe, timeout=self.timeout).close()
        except urllib.error.HTTPError as exc:
            return exc if exc.code in (401, 403) else None
        except _FAILURES:
            return None
        return None


def _digest_challenge(exc: urllib.error.HTTPError) -> dict[str, str] | None:
    for header in exc.headers.get_all("WWW-Authenticate") or ():
        scheme, _, params = header.strip().partition(" ")
        if scheme.lower() == "digest":
            return urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
    return None
