"""A small SPARQL 1.1 Graph Store HTTP Protocol client: PUT a graph, DELETE a graph.

SPARQLWrapper speaks the query and update protocol only, so graph uploads go through urllib, with
the SPARQL client's user agent, timeout rule and error wording (:mod:`imet_kg.sparql.client`).
Each :class:`GraphStore` has its own urllib opener: Digest auth here never touches the
process-wide opener.
"""

from __future__ import annotations

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
        auth: credentials: Basic is sent with every request, Digest answers the challenge
            (any realm).
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
        handlers: list[urllib.request.BaseHandler] = []
        if auth is not None and auth.scheme == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, auth.user, auth.password)
            handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
        self._opener = urllib.request.build_opener(*handlers)

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
        request = urllib.request.Request(graph_url(self.url, graph), data=data, method=method)
        request.add_header("User-Agent", USER_AGENT)
        if media_type is not None:
            request.add_header("Content-Type", media_type)
        if self.auth is not None and self.auth.scheme == "basic":
            request.add_header("Authorization", self.auth.basic_header())
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
        except _FAILURES as exc:
            if missing_ok and getattr(exc, "code", None) == 404:
                return False
            action = f"{method} graph <{graph or 'default'}>"
            raise endpoint_error(
                "graph store", self.url, exc, self.timeout, self.auth, action
            ) from exc
        return True
