"""The server's public address, and the responses that name a URL: never from the Host header.

A client may send any ``Host``; a server that echoes it into redirects or into its service
description lets a third party make it point elsewhere (issue 13). Redirects are relative, and
absolute URLs start from a configured base (``imet-kg serve --base-url``, by default the bound
host and port).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match

from imet_kg.errors import ImetKgError
from imet_kg.publish import sitemap
from imet_kg.publish.endpoint import GRAPH_MEDIA_TYPES, TABLE_MEDIA_TYPES

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


def public_base_url(given: str | None, host: str, port: int) -> str:
    """The server's public address: the one given (checked, ending with "/"), else the bound
    host and port.

    Raises:
        ImetKgError: for a given address that is not an absolute http(s) URL.
    """
    if given is None:
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
    parts = urlsplit(given)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ImetKgError(f"--base-url {given!r}: give an absolute http(s) URL, e.g. https://host/")
    return given if given.endswith("/") else given + "/"


def service_description(base_url: str) -> Graph:
    """The SPARQL service description of the endpoint at ``<base_url>sparql``."""
    graph = Graph()
    graph.bind("sd", SD)
    service = URIRef(base_url + sitemap.QUERY_PAGE.route.lstrip("/"))
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for media_type in list(TABLE_MEDIA_TYPES)[:4] + list(GRAPH_MEDIA_TYPES)[:4]:
        graph.add((service, SD.resultFormat, Literal(media_type)))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    return graph


def slash_redirect(app: Starlette, request: Request) -> Response | None:
    """A relative redirect to the path with (or without) its trailing slash, if that one exists.

    Starlette's own (``Router.redirect_slashes``, switched off) builds an absolute URL from Host.
    """
    path = request.url.path
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    other = "/" + other.lstrip("/")  # never "//host/...": that is a URL of another host
    scope = {**request.scope, "path": other}
    if other == path or not any(
        route.matches(scope)[0] == Match.FULL for route in app.router.routes
    ):
        return None
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(other + query, status_code=307)
