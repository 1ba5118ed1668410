"""HTML pages for the graph's resources, shared by the web server and the static site.

One :class:`Pages` object renders every page of a :class:`~imet_kg.publish.resources.Publication`:
a page per resource (label, types, properties, inbound links, sources), with special layouts for
statute provisions (the text as a legal document: section, subsection, paragraph, with its U.S.
Code citation, amendment history and links to OLRC and govinfo), programs (purposes, agencies,
funding chart) and the ontology (every term documented). A :class:`Links` object says where links
point: the server's paths, or relative files of the static site. Jinja2 escapes every value.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

from imet_kg import __version__
from imet_kg.namespaces import BASE, ELI, IMET, SCHEMA
from imet_kg.publish.chart import CHART_PROGRAM, Series, funding_series, render_svg
from imet_kg.publish.resources import (
    ONTOLOGY_IRI,
    RDF_REPRESENTATIONS,
    SHAPES_IRI,
    Publication,
    file_stem,
    is_published_iri,
    path_of,
)
from imet_kg.sparql.saved import SavedQuery

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

PROVISION_TYPES = (
    IMET.Part,
    IMET.Chapter,
    IMET.Section,
    IMET.Subsection,
    IMET.Paragraph,
    IMET.Clause,
)
SOURCE_PREDICATES = (DCTERMS.source, PROV.wasDerivedFrom, PROV.wasQuotedFrom)
# Properties that point at a provision as the legal ground of something.
GROUNDING_PREDICATES = (
    IMET.statedBy,
    IMET.legalBasis,
    IMET.authorizedBy,
    IMET.legalAuthority,
    IMET.citesProvision,
    IMET.actProvision,
)
INBOUND_SHOWN = 60
_NUMBERED = {IMET.Subsection, IMET.Paragraph, IMET.Clause}


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
        if not self.static:
            return "/" + quote(target)
        relative = posixpath.relpath(target, posixpath.dirname(self.current) or ".")
        return quote(relative)

    def resource(self, term: object) -> str | None:
        """The href of a term's page: a published IRI's page, else the IRI (None for literals)."""
        if isinstance(term, URIRef) and term in self.publication.iris:
            return self.page(path_of(term))
        if isinstance(term, URIRef) and str(term).startswith(("http://", "https://")):
            return str(term)
        return None

    def page(self, path: str) -> str:
        """The href of the page of the resource at a site path, e.g. ``id/program/imet``."""
        return self._to(file_stem(path) + ".html") if self.static else "/" + quote(path)

    def representation(self, term: URIRef, extension: str) -> str:
        """The href of one of a resource's files, e.g. ``.ttl``."""
        return self._to(f"{file_stem(path_of(term))}.{extension}")

    def home(self) -> str:
        return self._to("index.html") if self.static else "/"

    def asset(self, name: str) -> str:
        return self._to(f"static/{name}")

    def chart(self, extension: str) -> str:
        return self._to(f"chart/funding.{extension}")

    def query_page(self) -> str:
        return self._to("queries/index.html") if self.static else "/sparql"

    def resource_index(self) -> str:
        return self._to("resources.html") if self.static else "/resources"

    def data(self, name: str) -> str:
        return self._to(f"data/{name}")

    def sparql(self, query: str) -> str | None:
        """A link to the query page with ``query`` in the editor (None on the static site)."""
        return None if self.static else "/sparql?" + urlencode({"edit": query})


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


@dataclass
class ProvisionNode:
    """One provision in a statute document."""

    iri: URIRef
    href: str | None
    anchor: str
    kind: str
    designation: str
    heading: str
    text: Markup
    citation: str
    children: list[ProvisionNode]


def _anchor(iri: URIRef) -> str:
    return "p-" + re.sub(r"[^A-Za-z0-9]+", "-", path_of(iri)).strip("-")


def olrc_url(uslm_id: str) -> str | None:
    """The OLRC (uscode.house.gov) address of a U.S. Code section from its USLM id."""
    match = re.match(r"^/us/usc/t(\d+)/s([0-9a-z]+)", uslm_id)
    if not match:
        return None
    title, section = match.groups()
    return (
        "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title"
        f"{title}-section{section}&num=0&edition=prelim"
    )


def govinfo_url(uslm_id: str) -> str | None:
    """The govinfo link-service address of a U.S. Code section from its USLM id."""
    match = re.match(r"^/us/usc/t(\d+)/s([0-9a-z]+)", uslm_id)
    if not match:
        return None
    title, section = match.groups()
    return f"https://www.govinfo.gov/link/uscode/{title}/{section}?link-type=html"


class Pages:
    """Render the HTML pages of a publication.

    Args:
        publication: the published resources.
        queries: the saved queries (the query page's examples).
    """

    def __init__(self, publication: Publication, queries: Iterable[SavedQuery] = ()) -> None:
        self.publication = publication
        self.graph = publication.graph
        self.queries = list(queries)
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals["version"] = __version__
        self.env.globals["base"] = BASE

    # --- shared pieces ---------------------------------------------------------------------------

    def value(self, term: object, links: Links, depth: int = 0) -> ValueView:
        pub = self.publication
        if isinstance(term, Literal):
            note = ""
            if term.language:
                note = f"@{term.language}"
            elif term.datatype and term.datatype != XSD.string:
                note = pub.qname(term.datatype)
            text = str(term)
            if term.datatype == XSD.decimal and _looks_like_money(text):
                note = f"{note} (${float(text):,.0f})".strip()
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
                        key=lambda v: v.text,
                    )
                    nested.append((self.value(predicate, links, depth + 1), values))
            return ValueView(text="(blank node)", kind="bnode", nested=nested)
        label = pub.label(term)
        return ValueView(text=label, href=links.resource(term), kind="iri", note="")

    def _sorted_values(self, terms: Iterable[object], links: Links) -> list[ValueView]:
        views = [self.value(term, links) for term in terms]
        return sorted(views, key=lambda v: (v.kind != "iri", v.text.lower(), v.note))

    def outbound(
        self, iri: URIRef, links: Links, skip: Iterable[URIRef] = ()
    ) -> list[PropertyView]:
        skipped = set(skip)
        groups: dict[URIRef, list] = defaultdict(list)
        for predicate, obj in self.graph.predicate_objects(iri):
            if predicate not in skipped:
                groups[predicate].append(obj)
        return self._property_views(groups, links)

    def inbound(self, iri: URIRef, links: Links) -> list[PropertyView]:
        groups: dict[URIRef, list] = defaultdict(list)
        for subject, predicate in self.graph.subject_predicates(iri):
            groups[predicate].append(subject)
        views = self._property_views(groups, links)
        for view in views:
            view.total = len(view.values)
            view.values = view.values[:INBOUND_SHOWN]
        return views

    def _property_views(self, groups: dict, links: Links) -> list[PropertyView]:
        pub = self.publication

        def order(predicate: URIRef) -> tuple:
            first = (RDF.type, RDFS.label, SKOS.prefLabel, DCTERMS.title)
            return (
                first.index(predicate) if predicate in first else len(first),
                pub.label(predicate).lower(),
            )

        return [
            PropertyView(
                label=pub.label(predicate),
                qname=pub.qname(predicate),
                href=links.resource(predicate),
                values=self._sorted_values(groups[predicate], links),
            )
            for predicate in sorted(groups, key=order)
        ]

    def sources(self, iri: URIRef, links: Links) -> list[PropertyView]:
        groups = {p: list(self.graph.objects(iri, p)) for p in SOURCE_PREDICATES}
        return self._property_views({p: v for p, v in groups.items() if v}, links)

    def _alternates(self, iri: URIRef, links: Links) -> list[dict]:
        return [
            {
                "label": rep.label,
                "media_type": rep.media_type,
                "href": links.representation(iri, rep.extension),
                "extension": rep.extension,
            }
            for rep in RDF_REPRESENTATIONS
        ]

    def _context(self, links: Links, title: str, **extra) -> dict:
        return {"links": links, "title": title, "alternates": [], "iri": None, **extra}

    # --- the resource page -----------------------------------------------------------------------

    def resource_page(self, iri: URIRef, links: Links) -> str:
        """The HTML page of a published resource (statute, program, ontology or generic layout)."""
        pub = self.publication
        types = set(self.graph.objects(iri, RDF.type))
        status = self.graph.value(iri, IMET.verificationStatus)
        context = self._context(
            links,
            pub.label(iri),
            iri=iri,
            alternates=self._alternates(iri, links),
            types=self._sorted_values(types, links),
            description=self._description(iri),
            outbound=self.outbound(iri, links),
            inbound=self.inbound(iri, links),
            sources=self.sources(iri, links),
            graphs=[self.value(g, links) for g in pub.graphs_of(iri)],
            status=self.value(status, links) if status is not None else None,
            qname=pub.qname(iri),
            describe_link=links.sparql(f"DESCRIBE <{iri}>"),
        )
        if iri == ONTOLOGY_IRI:
            context.update(self._ontology_context(links))
            return self.env.get_template("ontology.html").render(context)
        if iri == SHAPES_IRI and self.publication.shapes is not None:
            context.update(self._shapes_context(links))
            return self.env.get_template("shapes.html").render(context)
        if types & set(PROVISION_TYPES):
            context.update(self._statute_context(iri, links))
            return self.env.get_template("statute.html").render(context)
        if IMET.Program in types:
            context.update(self._program_context(iri, links))
            return self.env.get_template("program.html").render(context)
        return self.env.get_template("resource.html").render(context)

    def _description(self, iri: URIRef) -> str:
        for predicate in (SCHEMA.description, DCTERMS.description, RDFS.comment, SKOS.definition):
            value = self.graph.value(iri, predicate)
            if isinstance(value, Literal):
                return str(value)
        return ""

    # --- statute ---------------------------------------------------------------------------------

    def _children(self, iri: URIRef) -> list[URIRef]:
        children = [c for c in self.graph.subjects(ELI.is_part_of, iri) if isinstance(c, URIRef)]
        return sorted(children, key=lambda c: (self._order(c), str(c)))

    def _order(self, iri: URIRef) -> int:
        value = self.graph.value(iri, IMET.documentOrder)
        try:
            return int(value) if value is not None else 1_000_000
        except (TypeError, ValueError):
            return 1_000_000

    def _provision_kind(self, iri: URIRef) -> URIRef | None:
        types = set(self.graph.objects(iri, RDF.type))
        for kind in PROVISION_TYPES:
            if kind in types:
                return kind
        return None

    def _designation(self, iri: URIRef, kind: URIRef | None) -> str:
        number = self.graph.value(iri, ELI.number)
        if number is None:
            return ""
        if kind == IMET.Section:
            return f"§ {number}."
        if kind == IMET.Chapter:
            return f"Chapter {number}"
        if kind == IMET.Part:
            return f"Part {number}"
        return f"({number})"

    def _provision_tree(self, iri: URIRef, links: Links, depth: int = 0) -> ProvisionNode:
        kind = self._provision_kind(iri)
        text = str(self.graph.value(iri, SCHEMA.text) or "")
        children = self._children(iri) if depth < 8 else []
        inline: list[tuple[int, int, URIRef]] = []
        shown: list[URIRef] = []
        for child in children:
            child_text = str(self.graph.value(child, SCHEMA.text) or "")
            at = text.find(child_text) if child_text else -1
            if self._provision_kind(child) == IMET.Clause and at >= 0:
                inline.append((at, at + len(child_text), child))
            else:
                shown.append(child)
        heading = self.graph.value(iri, IMET.codeHeading) or self.graph.value(iri, IMET.actHeading)
        return ProvisionNode(
            iri=iri,
            href=links.resource(iri),
            anchor=_anchor(iri),
            kind=self.publication.qname(kind).split(":")[-1].lower() if kind else "provision",
            designation=self._designation(iri, kind),
            heading=str(heading or ""),
            text=self._text_with_clauses(text, inline, links),
            citation=str(self.graph.value(iri, DCTERMS.bibliographicCitation) or ""),
            children=[self._provision_tree(child, links, depth + 1) for child in shown],
        )

    def _text_with_clauses(self, text: str, inline: list, links: Links) -> Markup:
        """The provision's text, its inline clauses linked (and anchored) where they occur."""
        pieces: list[Markup] = []
        at = 0
        for start, end, clause in sorted(inline, key=lambda item: item[0]):
            if start < at:
                continue
            href = links.resource(clause) or "#"
            pieces.append(escape(text[at:start]))
            pieces.append(
                Markup('<a class="clause" id="{}" href="{}" title="{}">{}</a>').format(
                    _anchor(clause),
                    href,
                    self.publication.label(clause),
                    text[start:end],
                )
            )
            at = end
        pieces.append(escape(text[at:]))
        return Markup("").join(pieces)

    def _ancestors(self, iri: URIRef) -> list[URIRef]:
        chain = []
        current = self.graph.value(iri, ELI.is_part_of)
        while isinstance(current, URIRef) and current not in chain and len(chain) < 10:
            chain.append(current)
            current = self.graph.value(current, ELI.is_part_of)
        return list(reversed(chain))

    def _subtree(self, iri: URIRef) -> list[URIRef]:
        found, pending = [], [iri]
        while pending:
            node = pending.pop()
            if node in found:
                continue
            found.append(node)
            pending.extend(self.graph.subjects(ELI.is_part_of, node))
        return found

    def _statute_context(self, iri: URIRef, links: Links) -> dict:
        subtree = self._subtree(iri)
        in_subtree = set(subtree)
        effects = {e for p in subtree for e in self.graph.subjects(IMET.affectedProvision, p)}
        history = []
        for effect in effects:
            date = self.graph.value(effect, DCTERMS.date)
            law = self.graph.value(effect, IMET.affectingLaw)
            history.append(
                {
                    "date": str(date or ""),
                    "effect": self.value(effect, links),
                    "law": self.value(law, links) if law is not None else None,
                    "law_number": str(self.graph.value(law, ELI.id_local) or "") if law else "",
                    "type": self.value(self.graph.value(effect, IMET.effectType), links)
                    if self.graph.value(effect, IMET.effectType) is not None
                    else None,
                    "description": str(self.graph.value(effect, DCTERMS.description) or ""),
                    "statutes_at_large": str(self.graph.value(effect, IMET.statutesAtLarge) or ""),
                    "affected": self._sorted_values(
                        (
                            p
                            for p in self.graph.objects(effect, IMET.affectedProvision)
                            if p in in_subtree
                        ),
                        links,
                    ),
                    "sources": self._sorted_values(
                        self.graph.objects(effect, DCTERMS.source), links
                    ),
                }
            )
        history.sort(key=lambda row: (row["date"] or "9999", row["law_number"], row["effect"].text))
        grounded = []
        for provision in subtree:
            for predicate in GROUNDING_PREDICATES:
                for subject in self.graph.subjects(predicate, provision):
                    grounded.append(
                        {
                            "subject": self.value(subject, links),
                            "types": self._sorted_values(
                                self.graph.objects(subject, RDF.type), links
                            ),
                            "predicate": self.value(predicate, links),
                            "provision": self.value(provision, links),
                            "order": self._order(provision),
                        }
                    )
        grounded.sort(key=lambda row: (row["order"], row["predicate"].text, row["subject"].text))
        uslm = str(self.graph.value(iri, IMET.uslmId) or "")
        section_uslm = uslm
        if not section_uslm:
            for ancestor in reversed(self._ancestors(iri)):
                if self.graph.value(ancestor, IMET.uslmId):
                    section_uslm = str(self.graph.value(ancestor, IMET.uslmId))
                    break
        codifications = []
        for record in self.graph.subjects(IMET.actProvision, iri):
            code = self.graph.value(record, IMET.codeSection)
            status = self.graph.value(record, IMET.verificationStatus)
            codifications.append(
                {
                    "record": self.value(record, links),
                    "code": self.value(code, links) if code is not None else None,
                    "status": self.value(status, links) if status is not None else None,
                }
            )
        act = None
        for ancestor in self._ancestors(iri):
            if (ancestor, RDF.type, IMET.PublicLaw) in self.graph:
                act = ancestor
        return {
            "document": self._provision_tree(iri, links),
            "breadcrumb": [self.value(a, links) for a in self._ancestors(iri)],
            "act": self.value(act, links) if act is not None else None,
            "act_citation": str(self.graph.value(act, DCTERMS.bibliographicCitation) or "")
            if act is not None
            else "",
            "citation": str(self.graph.value(iri, DCTERMS.bibliographicCitation) or ""),
            "uslm": uslm,
            "olrc": olrc_url(section_uslm) if section_uslm else None,
            "govinfo": govinfo_url(section_uslm) if section_uslm else None,
            "act_heading": str(self.graph.value(iri, IMET.actHeading) or ""),
            "history": history,
            "grounded": grounded,
            "codifications": codifications,
        }

    # --- program ---------------------------------------------------------------------------------

    @cached_property
    def series(self) -> list[Series]:
        return funding_series(self.graph)

    def chart_svg(self, links: Links) -> str:
        """The funding chart as SVG, its points linked to their observations' pages."""

        def link(observation: str) -> str | None:
            return links.resource(URIRef(observation))

        return render_svg(self.series, link=link)

    def _program_context(self, iri: URIRef, links: Links) -> dict:
        purposes = []
        for concept in self.graph.objects(iri, IMET.purpose):
            stated = self.graph.value(concept, IMET.statedBy)
            purposes.append(
                {
                    "concept": self.value(concept, links),
                    "notation": str(self.graph.value(concept, SKOS.notation) or ""),
                    "definition": str(self.graph.value(concept, SKOS.definition) or ""),
                    "provision": self.value(stated, links) if stated is not None else None,
                    "citation": str(self.graph.value(stated, DCTERMS.bibliographicCitation) or "")
                    if stated is not None
                    else "",
                    "text": str(self.graph.value(stated, SCHEMA.text) or "")
                    if stated is not None
                    else "",
                }
            )
        purposes.sort(key=lambda row: (row["notation"], row["concept"].text))
        agencies = []
        for association in self.graph.objects(iri, PROV.qualifiedAssociation):
            agent = self.graph.value(association, PROV.agent)
            role = self.graph.value(association, PROV.hadRole)
            status = self.graph.value(association, IMET.verificationStatus)
            agencies.append(
                {
                    "association": self.value(association, links),
                    "agent": self.value(agent, links) if agent is not None else None,
                    "role": self.value(role, links) if role is not None else None,
                    "status": self.value(status, links) if status is not None else None,
                    "sources": self._sorted_values(
                        self.graph.objects(association, DCTERMS.source), links
                    ),
                    "quoted": self._sorted_values(
                        self.graph.objects(association, PROV.wasQuotedFrom), links
                    ),
                    "basis": self._sorted_values(
                        self.graph.objects(association, IMET.legalBasis), links
                    ),
                }
            )
        agencies.sort(
            key=lambda row: (row["agent"].text if row["agent"] else "", row["association"].text)
        )
        chart = None
        if iri == CHART_PROGRAM and self.series:
            rows = []
            for series in self.series:
                for point in series.points:
                    rows.append(
                        {
                            "year": point.fiscal_year,
                            "kind": series.kind_label,
                            "program": series.program_label,
                            "amount": "" if point.amount is None else f"${point.amount:,.0f}",
                            "qualifier": point.qualifier,
                            "value_status": point.value_status,
                            "source": series.source,
                            "status": point.status,
                            "observation": links.resource(URIRef(point.observation)),
                        }
                    )
            rows.sort(key=lambda r: (r["year"], r["kind"], r["program"], r["source"]))
            chart = {
                "svg": Markup(self.chart_svg(links)),
                "rows": rows,
                "svg_href": links.chart("svg"),
                "png_href": links.chart("png"),
            }
        parts = self._sorted_values(self.graph.subjects(DCTERMS.isPartOf, iri), links)
        return {
            "purposes": purposes,
            "agencies": agencies,
            "chart": chart,
            "parts": parts,
            "alt_labels": sorted(str(v) for v in self.graph.objects(iri, SKOS.altLabel)),
        }

    # --- ontology --------------------------------------------------------------------------------

    def _ontology_context(self, links: Links) -> dict:
        pub = self.publication
        ontology = pub.ontology_graph()
        groups = {
            "Classes": [],
            "Object properties": [],
            "Datatype properties": [],
            "Other properties": [],
            "Concept schemes": [],
            "Code-list concepts": [],
            "Other terms": [],
        }
        terms = sorted(
            {s for s in ontology.subjects() if is_published_iri(s) and s != ONTOLOGY_IRI},
            key=lambda t: pub.qname(t).lower(),
        )
        for term in terms:
            types = set(ontology.objects(term, RDF.type))
            if types & {OWL.Class, RDFS.Class}:
                group = "Classes"
            elif OWL.ObjectProperty in types:
                group = "Object properties"
            elif OWL.DatatypeProperty in types:
                group = "Datatype properties"
            elif types & {RDF.Property, OWL.AnnotationProperty}:
                group = "Other properties"
            elif SKOS.ConceptScheme in types:
                group = "Concept schemes"
            elif any((t, RDF.type, OWL.Class) in ontology for t in types):
                group = "Code-list concepts"
            else:
                group = "Other terms"
            details = []
            for label, predicate in (
                ("Subclass of", RDFS.subClassOf),
                ("Subproperty of", RDFS.subPropertyOf),
                ("Domain", RDFS.domain),
                ("Range", RDFS.range),
                ("In scheme", SKOS.inScheme),
                ("Notation", SKOS.notation),
                ("Source", DCTERMS.source),
                ("See also", RDFS.seeAlso),
            ):
                values = self._sorted_values(ontology.objects(term, predicate), links)
                if values:
                    details.append((label, values))
            comment = ontology.value(term, RDFS.comment) or ontology.value(term, SKOS.definition)
            groups[group].append(
                {
                    "term": self.value(term, links),
                    "qname": pub.qname(term),
                    "iri": str(term),
                    "anchor": str(term)[len(str(IMET)) :] or "ontology",
                    "types": self._sorted_values(types, links),
                    "comment": str(comment or ""),
                    "details": details,
                }
            )
        header = [
            (label, self._sorted_values(ontology.objects(ONTOLOGY_IRI, predicate), links))
            for label, predicate in (
                ("Title", DCTERMS.title),
                ("Version", OWL.versionInfo),
                ("Version IRI", OWL.versionIRI),
                ("License", DCTERMS.license),
                ("Creator", DCTERMS.creator),
                ("Created", DCTERMS.created),
                ("See also", RDFS.seeAlso),
            )
        ]
        return {
            "term_groups": [(name, items) for name, items in groups.items() if items],
            "ontology_header": [(label, values) for label, values in header if values],
            "term_count": sum(len(items) for items in groups.values()),
        }

    # --- shapes ----------------------------------------------------------------------------------

    def _shapes_context(self, links: Links) -> dict:
        shapes = self.publication.shapes
        assert shapes is not None
        named = sorted(
            {
                s
                for kind in (SH.NodeShape, SH.PropertyShape)
                for s in shapes.subjects(RDF.type, kind)
                if isinstance(s, URIRef) and str(s).startswith(str(SHAPES_IRI)) and s != SHAPES_IRI
            },
            key=str,
        )
        rows = []
        for shape in named:
            targets = [
                o
                for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
                for o in shapes.objects(shape, p)
            ]
            path = shapes.value(shape, SH.path)
            severity = shapes.value(shape, SH.severity)
            messages = sorted(
                str(m)
                for m in shapes.objects(shape, SH.message)
                if getattr(m, "language", "en") in ("en", None)
            )
            rows.append(
                {
                    "shape": self.value(shape, links),
                    "qname": self.publication.qname(shape),
                    "targets": self._sorted_values(targets, links),
                    "path": self.value(path, links) if isinstance(path, URIRef) else None,
                    "severity": self.publication.qname(severity).removeprefix("sh:")
                    if severity
                    else "",
                    "message": "; ".join(messages),
                    "sources": self._sorted_values(shapes.objects(shape, DCTERMS.source), links),
                }
            )
        return {"shapes": rows}

    # --- site pages ------------------------------------------------------------------------------

    def home_page(self, links: Links) -> str:
        """The landing page: what the graph is and where to start."""
        pub = self.publication
        starts = []
        for path in ("id/program/imet", "id/faa/part-II/chapter-5", "id/faa/section-543", "def/"):
            iri = pub.resolve(path)
            if iri is not None:
                starts.append(
                    {"value": self.value(iri, links), "description": self._description(iri)}
                )
        return self.env.get_template("home.html").render(
            self._context(
                links,
                "IMET-KG",
                starts=starts,
                resource_count=len(pub.iris),
                triple_count=len(pub.graph),
                queries=self.queries,
            )
        )

    def resource_index_page(self, links: Links) -> str:
        """Every published resource, grouped by type."""
        pub = self.publication
        groups: dict[str, list[ValueView]] = defaultdict(list)
        for iri in pub.sorted_iris():
            types = sorted(pub.label(t) for t in self.graph.objects(iri, RDF.type)) or ["(no type)"]
            groups[types[0]].append(self.value(iri, links))
        ordered = sorted(groups.items(), key=lambda item: item[0].lower())
        for _, values in ordered:
            values.sort(key=lambda v: v.text.lower())
        return self.env.get_template("index_resources.html").render(
            self._context(links, "All resources", groups=ordered, count=len(pub.iris))
        )

    def query_page(self, links: Links, limits: dict | None = None) -> str:
        """The server's query page: an editor with the saved queries as examples."""
        examples = [
            {
                "name": q.name,
                "summary": q.summary,
                "description": q.description,
                "form": q.form,
                "text": q.bound_text(),
            }
            for q in self.queries
        ]
        return self.env.get_template("query.html").render(
            self._context(
                links,
                "SPARQL query",
                examples=examples,
                examples_json=Markup(_script_json(examples)),
                limits=limits or {},
                base_json=Markup(_script_json(BASE)),
            )
        )

    def saved_queries_page(self, links: Links, results: dict[str, dict]) -> str:
        """The static site's query page: each saved query with its text and its result table.

        Args:
            links: static links.
            results: per query name, ``{"vars": [...], "rows": [[ValueView...]], "total": n}``
                (see :meth:`result_table`), or ``{"text": "..."}`` for graph results.
        """
        return self.env.get_template("saved_queries.html").render(
            self._context(links, "Saved queries", queries=self.queries, results=results)
        )

    def result_table(self, result, links: Links, max_rows: int = 200) -> dict:
        """A SELECT result as a table of values for :meth:`saved_queries_page`."""
        variables = [str(v) for v in result.vars or []]
        rows = []
        total = 0
        for row in result:
            total += 1
            if len(rows) < max_rows:
                rows.append(
                    [self.value(row[v], links) if row[v] is not None else None for v in variables]
                )
        return {"vars": variables, "rows": rows, "total": total}

    def not_found_page(self, links: Links, path: str) -> str:
        """The page for a path the graph does not publish."""
        return self.env.get_template("not_found.html").render(
            self._context(links, "Not found", path=path, iri=None)
        )


def _looks_like_money(text: str) -> bool:
    try:
        return float(text) >= 1000
    except ValueError:
        return False


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no "</script>", no HTML-significant characters)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
