"""The web server: a read-only SPARQL endpoint, dereferenceable IRIs, pages and the chart.

``create_app(dataset, queries, limits)`` returns a Starlette (ASGI) application; what it serves,
and where, is the site map's (:mod:`imet_kg.publish.sitemap`):

* ``/sparql``: SPARQL 1.1 Protocol, GET (``?query=``) and POST (form ``query=`` or an
  ``application/sparql-query`` body); results by Accept: ``application/sparql-results+json``
  (default), ``+xml``, ``text/csv``, ``text/tab-separated-values``; graphs as ``text/turtle``
  (default), ``application/n-triples``, ``application/ld+json``, ``application/rdf+xml``; or by
  ``format=json|xml|csv|tsv|turtle|nt|json-ld|rdf-xml``. Read-only: updates, LOAD, SERVICE and
  FROM outside the dataset are refused with 403; time, memory and size limits as
  :mod:`imet_kg.publish.endpoint` describes (503 over the time or memory limit, 413 for an answer
  over ``--max-bytes``); one query at a time per client address (429), turns shared fairly and
  repeated queries answered from a cache (:mod:`imet_kg.publish.scheduling`). Without a query,
  browsers get the query page and RDF clients the service description (naming ``base_url``,
  never the request's Host).
* ``/id/...`` and ``/def/...``: every IRI of the graph, at its path whatever host the server runs
  on (``/imet-kg/id/...``, the IRI's full path, works too). **Direct content negotiation, no
  303**: the IRI answers 200 with the representation Accept asks for: ``text/html`` (the default,
  for browsers and ``*/*``), ``text/turtle``, ``application/ld+json`` or
  ``application/n-triples``, with ``Vary: Accept``, a ``Content-Location`` naming the
  representation's own URL (``/id/faa/section-543.ttl``) and ``Link: rel="alternate"`` headers
  for the others; 406 lists them when none is acceptable, 404 answers an IRI the graph does not
  hold. The representation URLs (``.html``, ``.ttl``, ``.jsonld``, ``.nt``) are the same files
  the static site (``imet-kg site``) writes.
* the site map's documents: ``/`` (home), ``/resources`` (every IRI by type),
  ``/chart/funding.svg`` and ``.png``, ``/data/imet-kg.ttl``, ``.trig`` and ``.nt`` (the whole
  graph), ``/static/...``. Any other path gets the "not found" page (or plain text).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qs

from rdflib import Dataset, Graph, URIRef
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from imet_kg.publish import sitemap
from imet_kg.publish.addressing import (
    DEFAULT_BASE_URL,
    public_base_url,
    service_description,
    slash_redirect,
)
from imet_kg.publish.conneg import choose
from imet_kg.publish.endpoint import UPDATE_REFUSED, Answer
from imet_kg.publish.limits import DEFAULT_LIMITS, Limits
from imet_kg.publish.resources import BY_MEDIA_TYPE, REPRESENTATIONS, Publication, Representation
from imet_kg.publish.views import Links, Pages
from imet_kg.publish.views.query_page import QueryPageRequest, page_request
from imet_kg.publish.workers import QueryPool
from imet_kg.rdf.serialize import serialize_graph
from imet_kg.sparql.saved import SavedQuery

MAX_BODY = 1_000_000
_OFFERED = [rep.media_type for rep in REPRESENTATIONS]


class _Site:
    """The application's state: the site map's content, the query workers, a cache of bodies."""

    def __init__(
        self,
        dataset: Dataset,
        queries: list[SavedQuery],
        limits: Limits,
        context: dict | None,
        shapes: Graph | None,
        base_url: str,
        warm_cache: bool,
        store: Path | None,
    ) -> None:
        self.limits = limits
        self.base_url = base_url
        self.publication = Publication(dataset, context, shapes)
        self.content = sitemap.Content(Pages(self.publication, queries), limits)
        local = [query.bound_text() for query in queries if not query.endpoint]
        self.pool = QueryPool(dataset, limits, warm=local if warm_cache else (), store=store)
        self.cache: dict[tuple, bytes] = {}
        self.links = Links(self.publication, static=False)

    async def cached(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        """A body made once (off the event loop: pages take a while) and then kept."""
        body = self.cache.get(key)
        if body is None:
            body = await run_in_threadpool(make)
            self.cache[key] = body
        return body

    async def document(self, request: Request, document: sitemap.Document) -> Response:
        if not document.available(self.content):
            return self.not_found(request, sitemap.site_path(request.url.path))
        if document.answer is not None and request.url.query:  # e.g. /search?q=... (not cached)
            params = parse_qs(request.url.query)
            body = await run_in_threadpool(document.answer, self.content, self.links, params)
            return Response(body, media_type=document.content_type)
        body = await self.cached(
            ("document", document.name), lambda: document.make(self.content, self.links)
        )
        return Response(body, media_type=document.content_type)

    # --- resources -------------------------------------------------------------------------------

    async def representation(self, iri: URIRef, representation: Representation) -> bytes:
        return await self.cached(
            (representation.extension, iri),
            lambda: sitemap.resource_body(self.content, iri, representation, self.links),
        )

    def link_header(self, iri: URIRef) -> str:
        return ", ".join(
            f'<{self.links.representation(iri, rep.extension)}>; rel="alternate"; '
            f'type="{rep.media_type}"'
            for rep in REPRESENTATIONS
        )

    async def resource(self, request: Request, path: str) -> Response:
        iri = self.publication.resolve(path)
        if iri is not None:
            media_type = choose(request.headers.get("accept"), _OFFERED)
            headers = {"Vary": "Accept", "Link": self.link_header(iri)}
            if media_type is None:
                listing = "\n".join(f"{rep.media_type}" for rep in REPRESENTATIONS)
                return PlainTextResponse(
                    f"406 Not Acceptable: {iri} is available as\n{listing}\n",
                    status_code=406,
                    headers=headers,
                )
            representation = BY_MEDIA_TYPE[media_type]
            headers["Content-Location"] = self.links.representation(iri, representation.extension)
            body = await self.representation(iri, representation)
            return Response(
                body, media_type=sitemap.content_type(representation.media_type), headers=headers
            )
        found = self.publication.resolve_file(path)
        if found is not None:
            iri, representation = found
            body = await self.representation(iri, representation)
            return Response(
                body,
                media_type=sitemap.content_type(representation.media_type),
                headers={"Link": self.link_header(iri)},
            )
        return self.not_found(request, path)

    def not_found(self, request: Request, path: str) -> Response:
        if choose(request.headers.get("accept"), ["text/html", "text/plain"]) == "text/html":
            return Response(
                self.content.pages.site.not_found_page(self.links, path),
                status_code=404,
                media_type="text/html; charset=utf-8",
            )
        return PlainTextResponse(f"404 Not Found: the graph has no resource at /{path}\n", 404)

    # --- SPARQL ----------------------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        params = parse_qs(request.url.query, keep_blank_values=True)
        queries = params.get("query", [])
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            length = int(request.headers.get("content-length") or 0)
            if length > MAX_BODY:
                return PlainTextResponse(f"413 the request body exceeds {MAX_BODY} bytes\n", 413)
            body = await request.body()
            if len(body) > MAX_BODY:
                return PlainTextResponse(f"413 the request body exceeds {MAX_BODY} bytes\n", 413)
            if content_type == "application/x-www-form-urlencoded":
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                if "update" in form:
                    return PlainTextResponse(f"403 {UPDATE_REFUSED}\n", 403)
                params.update({k: v for k, v in form.items() if k != "query"})
                queries = [*queries, *form.get("query", [])]
            elif content_type == "application/sparql-query":
                queries = [*queries, body.decode("utf-8", "replace")]
            elif content_type == "application/sparql-update":
                return PlainTextResponse(f"403 {UPDATE_REFUSED}\n", 403)
            else:
                return PlainTextResponse(
                    "415 send the query as application/x-www-form-urlencoded (query=...) or as "
                    "an application/sparql-query body\n",
                    415,
                )
        if "update" in params:
            return PlainTextResponse(f"403 {UPDATE_REFUSED}\n", 403)
        if "default-graph-uri" in params or "named-graph-uri" in params:
            return PlainTextResponse(
                "400 default-graph-uri and named-graph-uri are not supported: the default graph "
                "is the union of the dataset's graphs; name them with GRAPH or FROM\n",
                400,
            )
        if len(queries) > 1:
            return PlainTextResponse("400 send one query per request\n", 400)
        if request.method == "GET" and "format" not in params and _wants_page(request):
            return await self.query_page(params)
        if not queries:
            return await self.sparql_without_query(request)
        formats = params.get("format", [])
        started = time.perf_counter()
        answer: Answer = await self.pool.run(
            queries[0],
            request.headers.get("accept"),
            formats[0] if formats else None,
            client=request.client.host if request.client else "unknown",
        )
        elapsed = (time.perf_counter() - started) * 1000
        headers = dict(answer.headers)
        headers["Vary"] = "Accept"
        headers["Server-Timing"] = f"query;dur={elapsed:.1f}"
        headers["Cache-Control"] = "no-store"
        return Response(
            answer.body, status_code=answer.status, media_type=answer.media_type, headers=headers
        )

    async def query_page(self, params: dict[str, list[str]]) -> Response:
        """The query page for a browser, with the query of its address (and its results)."""
        asked = page_request(params, self.content.pages.site)
        if asked == QueryPageRequest():
            body = await self.cached(
                ("document", sitemap.QUERY_PAGE.name),
                lambda: sitemap.QUERY_PAGE.make(self.content, self.links),
            )
        else:
            page = self.content.pages.site
            shown = sitemap.shown_limits(self.limits)
            text = await run_in_threadpool(page.query_page, self.links, shown, asked)
            body = text.encode("utf-8")
        return Response(
            body,
            status_code=400 if asked.error else 200,
            media_type=sitemap.QUERY_PAGE.content_type,
            headers={"Vary": "Accept"},
        )

    async def sparql_without_query(self, request: Request) -> Response:
        accept = request.headers.get("accept")
        offered = ["text/html", "text/turtle", "application/n-triples", "application/ld+json"]
        chosen = choose(accept, offered)
        if chosen == "text/html":
            response = await self.document(request, sitemap.QUERY_PAGE)
            response.headers["Vary"] = "Accept"
            return response
        if chosen is None:
            return PlainTextResponse("400 the request has no query (send query=...)\n", 400)
        fmt = {
            "text/turtle": "turtle",
            "application/n-triples": "nt",
            "application/ld+json": "json-ld",
        }[chosen]
        body = serialize_graph(service_description(self.base_url), fmt)
        return Response(body, media_type=chosen, headers={"Vary": "Accept"})


def _wants_page(request: Request) -> bool:
    """A browser (Accept prefers HTML to results) gets the query page, not the bare results."""
    offered = ["application/sparql-results+json", "text/turtle", "text/html"]
    return choose(request.headers.get("accept"), offered) == "text/html"


def create_app(
    dataset: Dataset,
    queries: Iterable[SavedQuery] = (),
    limits: Limits = DEFAULT_LIMITS,
    context: dict | None = None,
    shapes: Graph | None = None,
    base_url: str = DEFAULT_BASE_URL,
    warm_cache: bool = False,
    store: Path | None = None,
) -> Starlette:
    """Build the web application over a dataset.

    Args:
        dataset: the knowledge graph (see :func:`imet_kg.kg.graph.build_graph`); it is not changed.
        queries: the saved queries, shown as examples on the query page.
        limits: the SPARQL endpoint's limits (time, rows, worker processes).
        context: the JSON-LD context for ``.jsonld`` representations.
        shapes: the SHACL shapes, published under ``/def/shapes/`` (not queryable).
        base_url: the server's public address, ending with "/" (the service description names
            the endpoint with it); requests' Host headers are never used to make a URL.
        warm_cache: answer the saved queries once at start (when no client waits), so that
            their answers come from the answer cache.
        store: the persistent Oxigraph store's folder holding the same graph, for the query
            workers to open read-only (else each parses a copy of ``dataset``).

    Returns:
        A Starlette app; its lifespan starts and stops the query workers, so run it with an
        ASGI server that runs lifespan events (uvicorn does).
    """
    # Over 60 lines through its docstring only (an entry per option); the body is the wiring.
    site = _Site(dataset, list(queries), limits, context, shapes, base_url, warm_cache, store)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await site.pool.start()
        try:
            yield
        finally:
            await site.pool.stop()

    async def not_found(request: Request, exc: HTTPException) -> Response:
        moved = slash_redirect(app, request)
        if moved is not None:
            return moved
        return site.not_found(request, sitemap.site_path(request.url.path))

    app = Starlette(
        routes=_routes(site),
        lifespan=lifespan,
        exception_handlers={404: not_found},
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "HEAD"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=["X-IMET-Truncated", "X-IMET-Result-Limit", "Content-Location"],
            )
        ],
    )
    # Starlette's own trailing-slash redirect builds an absolute URL from the Host header.
    app.router.redirect_slashes = False
    app.state.site = site
    return app


def _routes(site: _Site) -> list[Route]:
    """The site map's documents, the endpoint, and the resources (also at the IRIs' full path)."""

    def serve(document: sitemap.Document) -> Callable:
        async def handler(request: Request) -> Response:
            return await site.document(request, document)

        return handler

    async def published(request: Request) -> Response:
        return await site.resource(request, sitemap.site_path(request.url.path))

    async def def_root(request: Request) -> Response:
        # The ontology's IRI ends with a slash: send /def there.
        prefix = sitemap.IRI_PATH if request.url.path.startswith(sitemap.IRI_PATH + "/") else ""
        return RedirectResponse(f"{prefix}/def/", status_code=308)

    async def sparql(request: Request) -> Response:
        return await site.sparql(request)

    routes = [Route(document.route, serve(document)) for document in sitemap.SERVED]
    routes.append(Route(sitemap.QUERY_PAGE.route, sparql, methods=["GET", "POST"]))
    routes += [Route(f"{prefix}/def", def_root) for prefix in ("", sitemap.IRI_PATH)]
    routes += [Route(pattern, published) for pattern in sitemap.resource_routes()]
    return routes


def run_server(
    dataset: Dataset,
    queries: Iterable[SavedQuery],
    host: str = "127.0.0.1",
    port: int = 8000,
    limits: Limits = DEFAULT_LIMITS,
    context: dict | None = None,
    shapes: Graph | None = None,
    log_level: str = "info",
    base_url: str | None = None,
    warm_cache: bool = False,
    store: Path | None = None,
) -> None:
    """Serve the graph with uvicorn until interrupted (see :func:`create_app`).

    Raises:
        ImetKgError: for a base URL that is not an absolute http(s) URL.
    """
    import uvicorn

    base = public_base_url(base_url, host, port)
    app = create_app(dataset, queries, limits, context, shapes, base, warm_cache, store)
    # No proxy headers: uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 as the client's
    # address, so a local client could pose as many and escape the one-query-per-client rule.
    config = uvicorn.Config(
        app, host=host, port=port, log_level=log_level, lifespan="on", proxy_headers=False
    )
    server = uvicorn.Server(config)
    asyncio.run(server.serve())
