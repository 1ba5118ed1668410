"""The site map: what the graph's publication offers, where, and how each body is made.

Both the web server (:mod:`imet_kg.publish.server`) and the static site
(:mod:`imet_kg.publish.site`) read it, and so do the pages' links (:class:`Links`), so the three
always agree. Two kinds of things are published:

* each published resource (see :mod:`imet_kg.publish.resources`): its page and its RDF files,
  ``<path>.html``, ``.ttl``, ``.jsonld``, ``.nt`` (``def/`` is stored as ``def/index.*``). The
  server answers the resource's own path (``/id/faa/section-543``) with content negotiation, also
  under the IRI's full path (``/imet-kg/id/...``), and each file's path directly;
* the site-wide :class:`Document` s below: home, resource index, search (with its index for the
  static site), query pages, the funding chart's page and its SVG and PNG in nominal and constant
  dollars, the whole graph, and the style sheet and scripts. A document has a server route, a
  static file, or both; one whose ``answer`` is set also answers query parameters on the server
  (``/search?q=...``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from rdflib import Graph, URIRef

from imet_kg.namespaces import BASE
from imet_kg.publish.chart import render_png
from imet_kg.publish.resources import HTML, REPRESENTATIONS, Representation, file_stem, path_of
from imet_kg.rdf.serialize import serialize_dataset

if TYPE_CHECKING:  # the views link through this module, so it cannot import them at run time
    from imet_kg.publish.limits import Limits
    from imet_kg.publish.views import Links, Pages

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The server also answers a resource at its IRI's full path (/imet-kg/id/...), so a proxy can
# forward w3id.org's paths unchanged.
IRI_PATH = urlparse(BASE).path.rstrip("/")
RESOURCE_ROOTS = ("id", "def")


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: text is always UTF-8."""
    return media_type + "; charset=utf-8" if media_type.startswith("text/") else media_type


@dataclass(frozen=True)
class Content:
    """What the bodies are made from.

    Attributes:
        pages: the pages, and through them the publication (graph, dataset, JSON-LD context).
        limits: the SPARQL endpoint's limits, shown on the server's query page (None: no server).
    """

    pages: Pages
    limits: Limits | None = None


def _always(content: Content) -> bool:
    return True


@dataclass(frozen=True)
class Document:
    """A site-wide document.

    Attributes:
        name: what it is, for messages and cache keys.
        media_type: its media type.
        make: builds its body, given the content and the links of the place it is published at.
        route: its path on the server; None when the server does not offer it.
        file: its file in the static site; None when the static site does not hold it.
        available: whether the content has it (the chart needs funding figures).
        answer: on the server, builds the body for a request with query parameters (the search
            page's ``?q=``); None: the parameters are ignored.
    """

    name: str
    media_type: str
    make: Callable[[Content, Links], bytes]
    route: str | None = None
    file: str | None = None
    available: Callable[[Content], bool] = _always
    answer: Callable[[Content, Links, Mapping[str, list[str]]], bytes] | None = None

    @property
    def content_type(self) -> str:
        return content_type(self.media_type)


def shown_limits(limits: Limits | None) -> dict:
    """The endpoint's limits as the query page shows them (none for the static site)."""
    if limits is None:
        return {}
    return {"time_limit": f"{limits.time_limit:g}", "max_rows": limits.max_rows}


def _query_page(content: Content, links: Links) -> bytes:
    return content.pages.site.query_page(links, shown_limits(content.limits)).encode("utf-8")


def _saved_queries(content: Content, links: Links) -> bytes:
    site = content.pages.site
    results = site.query_results(content.pages.publication.dataset, links)
    return site.saved_queries_page(links, results).encode("utf-8")


def _has_chart(content: Content) -> bool:
    return bool(content.pages.program.series)


def _has_constant_chart(content: Content) -> bool:
    """The constant-dollar chart needs the deflator to cover every year charted."""
    return _has_chart(content) and content.pages.program.constant_missing is None


def _dump(export_format: str) -> Callable[[Content, Links], bytes]:
    def make(content: Content, links: Links) -> bytes:
        publication = content.pages.publication
        return serialize_dataset(publication.dataset, export_format, context=publication.context)

    return make


def _asset(path: Path) -> Callable[[Content, Links], bytes]:
    return lambda content, links: path.read_bytes()


HOME = Document(
    "home page",
    "text/html",
    lambda content, links: content.pages.site.home_page(links).encode("utf-8"),
    route="/",
    file="index.html",
)
RESOURCE_INDEX = Document(
    "resource index",
    "text/html",
    lambda content, links: content.pages.browse.resource_index_page(links).encode("utf-8"),
    route="/resources",
    file="resources.html",
)
# The server's query page shares /sparql with the endpoint, which shows it to a browser; the
# static site, which cannot run queries, has it with the saved queries' answers, and the saved
# queries with their results as a plain page.
QUERY_PAGE = Document("query page", "text/html", _query_page, route="/sparql", file="sparql.html")
SAVED_QUERIES = Document("saved queries", "text/html", _saved_queries, file="queries/index.html")
CHART_PAGE = Document(
    "funding chart page",
    "text/html",
    lambda content, links: content.pages.program.chart_page(links).encode("utf-8"),
    route="/chart/",
    file="chart/index.html",
    available=_has_chart,
)


def _chart_document(extension: str, dollars: str) -> Document:
    constant = dollars == "constant"
    name = f"chart/funding{'-constant' if constant else ''}.{extension}"
    if extension == "svg":

        def make(content: Content, links: Links) -> bytes:
            return content.pages.program.chart_svg(links, dollars).encode("utf-8")

    else:

        def make(content: Content, links: Links) -> bytes:
            return render_png(*content.pages.program.chart_in(dollars))

    return Document(
        f"funding chart ({extension.upper()}, {dollars} dollars)",
        "image/svg+xml" if extension == "svg" else "image/png",
        make,
        route=f"/{name}",
        file=name,
        available=_has_constant_chart if constant else _has_chart,
    )


# Keyed "svg", "png" (nominal dollars) and "svg-constant", "png-constant".
CHARTS = {
    f"{extension}{'' if dollars == 'nominal' else '-constant'}": _chart_document(extension, dollars)
    for dollars in ("nominal", "constant")
    for extension in ("svg", "png")
}
SEARCH_PAGE = Document(
    "search page",
    "text/html",
    lambda content, links: content.pages.browse.search_page(links, {}).encode("utf-8"),
    route="/search",
    file="search.html",
    answer=lambda content, links, params: content.pages.browse.search_page(links, params).encode(
        "utf-8"
    ),
)
SEARCH_INDEX = Document(
    "search index",
    "text/javascript",
    lambda content, links: content.pages.browse.search_index_script(links).encode("utf-8"),
    file="search-index.js",
)
DUMPS = {
    extension: Document(
        f"whole graph ({label})",
        media_type,
        _dump(export_format),
        route=f"/data/imet-kg.{extension}",
        file=f"data/imet-kg.{extension}",
    )
    for extension, export_format, media_type, label in (
        ("ttl", "turtle", "text/turtle", "Turtle"),
        ("trig", "trig", "application/trig", "TriG"),
        ("nt", "nt", "application/n-triples", "N-Triples"),
    )
}
# .txt: the licences published beside vendored code (static/yasgui/LICENSE.txt ...).
_ASSET_TYPES = {".css": "text/css", ".js": "text/javascript", ".txt": "text/plain"}
# Keyed by the path under static/: ``style.css``, ``yasgui/yasgui.min.js`` (vendored YASGUI).
ASSETS = {
    name: Document(
        name,
        _ASSET_TYPES[path.suffix],
        _asset(path),
        route=f"/static/{name}",
        file=f"static/{name}",
    )
    for path in sorted(STATIC_DIR.rglob("*"))
    if path.is_file() and path.suffix in _ASSET_TYPES
    for name in [path.relative_to(STATIC_DIR).as_posix()]
}
# GitHub Pages: an empty .nojekyll file makes it serve every file as it is.
NOJEKYLL = Document(
    ".nojekyll", "application/octet-stream", lambda content, links: b"", file=".nojekyll"
)

DOCUMENTS: tuple[Document, ...] = (
    HOME,
    RESOURCE_INDEX,
    QUERY_PAGE,
    SAVED_QUERIES,
    SEARCH_PAGE,
    SEARCH_INDEX,
    CHART_PAGE,
    *CHARTS.values(),
    *DUMPS.values(),
    *ASSETS.values(),
    NOJEKYLL,
)
# What the server routes as plain documents (the query page is the endpoint's business).
SERVED = tuple(d for d in DOCUMENTS if d.route is not None and d is not QUERY_PAGE)
WRITTEN = tuple(d for d in DOCUMENTS if d.file is not None)


# --- the resources ---------------------------------------------------------------------------


def resource_file(path: str, extension: str) -> str:
    """The file of a resource's representation: ``id/faa/section-543.ttl``, ``def/index.html``."""
    return f"{file_stem(path)}.{extension}"


def resource_files(iri: URIRef) -> list[tuple[str, Representation]]:
    """Every file of a published resource, its page first."""
    return [(resource_file(path_of(iri), rep.extension), rep) for rep in REPRESENTATIONS]


def resource_body(
    content: Content,
    iri: URIRef,
    representation: Representation,
    links: Links,
    description: Graph | None = None,
) -> bytes:
    """A resource's page or RDF file (``description``: its description, if already computed)."""
    if representation is HTML:
        return content.pages.resource_page(iri, links).encode("utf-8")
    return content.pages.publication.serialize(iri, representation, description)


def resource_file_bodies(
    content: Content, iri: URIRef, links_for: Callable[[str], Links]
) -> Iterator[tuple[str, bytes]]:
    """Every file of a published resource with its body, for the static site (``links_for``: the
    links of a page at a file): its page, and its RDF files, which share one ordering of its
    description's statements."""
    publication = content.pages.publication
    description = publication.describe(iri)
    rdf_files = publication.serializations(iri, description)
    for file, representation in resource_files(iri):
        if representation is HTML:
            yield file, resource_body(content, iri, HTML, links_for(file), description)
        else:
            yield file, rdf_files[representation]


def resource_routes() -> list[str]:
    """The server's route patterns for the resources: their paths, and the IRIs' full paths."""
    return [
        f"{prefix}/{root}/{{rest:path}}" for prefix in ("", IRI_PATH) for root in RESOURCE_ROOTS
    ]


def site_path(url_path: str) -> str:
    """The publication's path for a server path: ``/imet-kg/id/x`` and ``/id/x`` → ``id/x``."""
    return url_path.removeprefix(IRI_PATH + "/").lstrip("/")
