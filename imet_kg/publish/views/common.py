"""What every page view shares: where links point, terms as pages show them, the Jinja setup."""

from __future__ import annotations

import json
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from imet_kg import __version__
from imet_kg.namespaces import BASE, SCHEMA
from imet_kg.publish import sitemap
from imet_kg.publish.resources import Publication, path_of
from imet_kg.publish.views.tables import finish_tables

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"

SOURCE_PREDICATES = (DCTERMS.source, PROV.wasDerivedFrom, PROV.wasQuotedFrom)
INBOUND_SHOWN = 60
# Shown first on every page, in this order; the other properties follow by label.
_FIRST_PROPERTIES = (RDF.type, RDFS.label, SKOS.prefLabel, DCTERMS.title)


class Links:
    """Where a page's links point.

    Args:
        publication: the published resources.
        static: False for the web server (links are paths from the site root: ``/id/...``);
            True for the static site (links are relative files: ``../section-541.html``), so it
            works from any folder and from the file system.
        page: the site-relative file of the page being rendered (static mode), e.g.
            ``id/faa/section-543.html``.
    """

    def __init__(self, publication: Publication, static: bool = False, page: str = "index.html"):
        self.publication = publication
        self.static = static
        self.current = page

    def _to(self, target: str) -> str:
        """The href of a site file: from the site root (server), or relative (static site)."""
        if not self.static:
            return "/" + quote(target)
        relative = posixpath.relpath(target, posixpath.dirname(self.current) or ".")
        return quote(relative)

    def document(self, document: sitemap.Document) -> str:
        """The href of a site-wide document: its server route, or its static file."""
        if self.static:
            assert document.file is not None, f"the static site has no {document.name}"
            return self._to(document.file)
        assert document.route is not None, f"the server has no {document.name}"
        return quote(document.route)

    def resource(self, term: object) -> str | None:
        """The href of a term's page: a published IRI's page, else the IRI (None for literals)."""
        if isinstance(term, URIRef) and term in self.publication.iris:
            return self.page(path_of(term))
        if isinstance(term, URIRef) and str(term).startswith(("http://", "https://")):
            return str(term)
        return None

    def page(self, path: str) -> str:
        """The href of the page of the resource at a site path, e.g. ``id/program/imet``."""
        if self.static:
            return self._to(sitemap.resource_file(path, "html"))
        return "/" + quote(path)  # the resource itself: content negotiation picks HTML

    def representation(self, term: URIRef, extension: str) -> str:
        """The href of one of a resource's files, e.g. ``.ttl``."""
        return self._to(sitemap.resource_file(path_of(term), extension))

    def home(self) -> str:
        return self.document(sitemap.HOME)

    def asset(self, name: str) -> str:
        """The href of a static file, e.g. ``style.css``."""
        return self.document(sitemap.ASSETS[name])

    def chart(self, extension: str, dollars: str = "nominal") -> str:
        """The href of the funding chart, ``svg`` or ``png``, in ``nominal`` or ``constant``
        dollars."""
        return self.document(
            sitemap.CHARTS[extension if dollars == "nominal" else f"{extension}-constant"]
        )

    def query_page(self) -> str:
        """The server's query editor, or the static site's saved queries with their results."""
        return self.document(sitemap.SAVED_QUERIES if self.static else sitemap.QUERY_PAGE)

    def resource_index(self) -> str:
        return self.document(sitemap.RESOURCE_INDEX)

    def search(self, query: str = "", facets: dict[str, list[str]] | None = None) -> str:
        """The search page, asking ``query`` with these facet values chosen."""
        params = [("q", query)] if query else []
        params += [(name, v) for name, values in (facets or {}).items() for v in values]
        target = self.document(sitemap.SEARCH_PAGE)
        return f"{target}?{urlencode(params)}" if params else target

    def search_index(self) -> str:
        return self.document(sitemap.SEARCH_INDEX)

    def chart_page(self) -> str:
        """The page with the funding chart, its figures and the site's navigation."""
        return self.document(sitemap.CHART_PAGE)

    def dump(self, extension: str) -> str:
        """The href of the whole graph as ``ttl``, ``trig`` or ``nt``."""
        return self.document(sitemap.DUMPS[extension])

    def sparql(self, query: str) -> str | None:
        """A link to the query page with ``query`` in the editor (None on the static site)."""
        if self.static:
            return None
        return f"{sitemap.QUERY_PAGE.route}?{urlencode({'edit': query})}"

    def sparql_csv(self, query: str) -> str | None:
        """The endpoint's CSV answer to ``query`` (None on the static site, which has none)."""
        if self.static:
            return None
        return f"{sitemap.QUERY_PAGE.route}?{urlencode({'query': query, 'format': 'csv'})}"


@dataclass
class ValueView:
    """A term as a page shows it."""

    text: str
    href: str | None = None
    kind: str = "iri"  # iri, literal, bnode
    note: str = ""  # language or datatype
    long: bool = False
    nested: list[tuple[ValueView, list[ValueView]]] = field(default_factory=list)


@dataclass
class PropertyView:
    """A predicate and its values (outbound) or subjects (inbound)."""

    label: str
    qname: str
    href: str | None
    values: list[ValueView]
    total: int = 0


def environment() -> Environment:
    """The Jinja environment of every page: the package's templates, every value escaped."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt name in a template fails instead of vanishing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["version"] = __version__
    env.globals["base"] = BASE
    return env


class View:
    """The helpers every view renders with: terms, property tables, page contexts.

    Args:
        publication: the published resources.
        env: the Jinja environment (see :func:`environment`).
    """

    def __init__(self, publication: Publication, env: Environment) -> None:
        self.publication = publication
        self.graph = publication.graph
        self.env = env

    def render(self, template: str, context: dict) -> str:
        """A page from its template; its tables scroll in their own box and offer CSV."""
        return finish_tables(self.env.get_template(template).render(context))

    def page_context(self, links: Links, title: str, **extra: object) -> dict:
        """What the base template needs, with ``extra`` on top."""
        return {"links": links, "title": title, "alternates": [], "iri": None, **extra}

    def value(self, term: object, links: Links, depth: int = 0) -> ValueView:
        """A term as a page shows it: a literal with its language or datatype, a linked IRI, or a
        blank node with its own properties (two levels deep)."""
        pub = self.publication
        if isinstance(term, Literal):
            text, note = literal_text(term, pub.qname)
            return ValueView(text=text, kind="literal", note=note, long=len(text) > 160)
        if isinstance(term, BNode):
            nested = []
            if depth < 2:
                for predicate in sorted(set(self.graph.predicates(term)), key=str):
                    values = sorted(
                        (
                            self.value(o, links, depth + 1)
                            for o in self.graph.objects(term, predicate)
                        ),
                        key=lambda v: (v.text, _content(v)),
                    )
                    nested.append((self.value(predicate, links, depth + 1), values))
            return ValueView(text="(blank node)", kind="bnode", nested=nested)
        label = pub.label(term)
        return ValueView(text=label, href=links.resource(term), kind="iri", note="")

    def optional_value(self, term: object | None, links: Links) -> ValueView | None:
        """:meth:`value`, or None for a missing term."""
        return None if term is None else self.value(term, links)

    def sorted_values(self, terms: Iterable[object], links: Links) -> list[ValueView]:
        """Terms as values, IRIs first, then by text (and, where texts tie, by link: the graph
        gives terms in an order that changes from run to run)."""
        views = [self.value(term, links) for term in terms]
        return sorted(views, key=_value_order)

    def values_of(self, subject: object, predicate: URIRef, links: Links) -> list[ValueView]:
        """A property's values, sorted as :meth:`sorted_values` does."""
        return self.sorted_values(self.graph.objects(subject, predicate), links)

    def outbound(
        self, iri: URIRef, links: Links, skip: Iterable[URIRef] = ()
    ) -> list[PropertyView]:
        """The resource's properties and their values."""
        skipped = set(skip)
        groups: dict[URIRef, list] = defaultdict(list)
        for predicate, obj in self.graph.predicate_objects(iri):
            if predicate not in skipped:
                groups[predicate].append(obj)
        return self.property_views(groups, links)

    def inbound(self, iri: URIRef, links: Links) -> list[PropertyView]:
        """What points at the resource, by predicate (the first ``INBOUND_SHOWN`` of each)."""
        groups: dict[URIRef, list] = defaultdict(list)
        for subject, predicate in self.graph.subject_predicates(iri):
            groups[predicate].append(subject)
        views = self.property_views(groups, links)
        for view in views:
            view.total = len(view.values)
            view.values = view.values[:INBOUND_SHOWN]
        return views

    def sources(self, iri: URIRef, links: Links) -> list[PropertyView]:
        """Where the resource's statements come from."""
        groups = {p: list(self.graph.objects(iri, p)) for p in SOURCE_PREDICATES}
        return self.property_views({p: v for p, v in groups.items() if v}, links)

    def property_views(self, groups: dict, links: Links) -> list[PropertyView]:
        """Predicate → terms as a property table, type and labels first."""
        pub = self.publication

        def order(predicate: URIRef) -> tuple:
            first = _FIRST_PROPERTIES
            return (
                first.index(predicate) if predicate in first else len(first),
                pub.label(predicate).lower(),
            )

        return [
            PropertyView(
                label=pub.label(predicate),
                qname=pub.qname(predicate),
                href=links.resource(predicate),
                values=self.sorted_values(groups[predicate], links),
            )
            for predicate in sorted(groups, key=order)
        ]

    def description(self, iri: URIRef) -> str:
        """The resource's description, comment or definition (the first found), else ""."""
        for predicate in (SCHEMA.description, DCTERMS.description, RDFS.comment, SKOS.definition):
            value = self.graph.value(iri, predicate)
            if isinstance(value, Literal):
                return str(value)
        return ""

    def text_of(self, subject: object | None, predicate: URIRef) -> str:
        """A property's value as text ("" when the subject or the value is missing)."""
        if subject is None:
            return ""
        return str(self.graph.value(subject, predicate) or "")


def script_json(value: object, compact: bool = False) -> str:
    """JSON safe inside a <script> element (no "</script>", no HTML-significant characters);
    ``compact`` drops the spaces (for the search index, which ships to every browser)."""
    separators = (",", ":") if compact else (", ", ": ")
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=separators)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _value_order(value: ValueView) -> tuple:
    return (
        value.kind != "iri",
        value.text.lower(),
        value.text,
        value.note,
        value.href or "",
        _content(value),
    )


def _content(value: ValueView) -> str:
    """What tells apart values that read the same: blank nodes, by their properties. (Their ids
    change from run to run, so without this, pages would list them in a different order each
    time.)"""
    return repr(value.nested)


_NUMERIC = {XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger, XSD.positiveInteger}
# Datatypes whose values read plainly; any other datatype is named beside the value.
_PLAIN_DATATYPES = {
    XSD.string,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.boolean,
    XSD.date,
    XSD.dateTime,
    XSD.gYear,
    XSD.gYearMonth,
    XSD.gMonthDay,
    XSD.anyURI,
    *_NUMERIC,
}


def literal_text(term: Literal, qname: Callable[[object], str] = str) -> tuple[str, str]:
    """A literal as people read it, and the note shown beside it (\"\" for none).

    English (the graph's language) and the everyday XSD datatypes go unmarked; other languages
    and datatypes are noted (``@fr``, ``imet:Code``). Amounts of money (decimals from 1,000 up)
    read ``$27,000,000``; integers from 10,000 up get thousands separators, smaller ones (fiscal
    years, positions) stay as they are.
    """
    text = str(term)
    if term.language:
        return text, "" if term.language.lower().startswith("en") else f"@{term.language}"
    datatype = term.datatype
    if datatype == XSD.decimal:
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return text, "xsd:decimal"
        if amount >= 1000:
            return f"${amount:,.0f}", ""
        return (f"{amount.normalize():f}" if amount == amount.to_integral() else text), ""
    if datatype in _NUMERIC:
        try:
            number = int(text)
        except ValueError:
            return text, qname(datatype)
        return (f"{number:,}" if abs(number) >= 10_000 else str(number)), ""
    if datatype is None or datatype in _PLAIN_DATATYPES:
        return text, ""
    return text, qname(datatype)
