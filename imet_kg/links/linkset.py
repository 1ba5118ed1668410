"""The link set: links from the graph's resources to other datasets, as SSSOM mapping records.

``data/links.ttl`` is generated from the rest of the graph with ``python -m imet_kg.links.linkset``,
so every URL is built mechanically from identifiers the graph already holds (USLM identifiers,
public law numbers, Statutes at Large citations, bill numbers) by a URL pattern the reference
material marks verified. The few links that are not built from the graph (Wikidata items, Federal
Register agency slugs, the USAspending account) are listed below with their justification. Never add
a Wikidata QID here that was not verified: ``imet-kg links suggest`` proposes candidates into a
review file, and a person decides.

Each link becomes an SSSOM mapping record (an :class:`imet:Link`, also typed ``owl:Axiom`` as SSSOM
maps its records to RDF) and, when it is not unverified, the plain triple
``subject predicate target`` as well.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from imet_kg.kg.graph import describe_graph
from imet_kg.namespaces import ID, IMET, SEMAPV, SSSOM, VOID, bind_prefixes
from imet_kg.paths import DATA_DIR

LINKS_FILE = DATA_DIR / "links.ttl"

#: The date the links below were curated (SSSOM mapping_date, ``dcterms:created``).
CURATION_DATE = date(2026, 11, 27)
MAINTAINERS = ID["agent/imet-kg-maintainers"]
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

#: Mapping predicates a link may use, strongest first. owl:sameAs only for true identity.
MAPPING_PREDICATES = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, RDFS.seeAlso)


@dataclass(frozen=True)
class TargetDataset:
    """A dataset links point into (a ``void:Dataset`` with the URI space of its link targets)."""

    key: str
    title: str
    uri_space: str
    note: str

    @property
    def iri(self) -> URIRef:
        return ID[f"external/{self.key}"]


DATASETS = {
    dataset.key: dataset
    for dataset in (
        TargetDataset(
            "wikidata",
            "Wikidata",
            WIKIDATA_ENTITY,
            "Wikidata items, by their entity IRIs. Only QIDs verified in Wikidata are linked.",
        ),
        TargetDataset(
            "olrc-uscode",
            "United States Code (Office of the Law Revision Counsel, uscode.house.gov)",
            "https://uscode.house.gov/",
            "The OLRC's U.S. Code, one page (granule) per section.",
        ),
        TargetDataset(
            "cornell-lii-uscode",
            "U.S. Code (Cornell Law School Legal Information Institute)",
            "https://www.law.cornell.edu/uscode/text/",
            "Cornell LII's edition of the U.S. Code, one page per section.",
        ),
        TargetDataset(
            "govinfo",
            "govinfo link service (U.S. Government Publishing Office)",
            "https://www.govinfo.gov/link/",
            "Stable links to the U.S. Code, the Statutes at Large (volumes 65 to 125) and public "
            "laws (from the 104th Congress).",
        ),
        TargetDataset(
            "congress-gov",
            "Congress.gov bill pages (Library of Congress)",
            "https://www.congress.gov/bill/",
            "One page per bill, by Congress, chamber and number.",
        ),
        TargetDataset(
            "federal-register",
            "Federal Register agency pages (federalregister.gov)",
            "https://www.federalregister.gov/agencies/",
            "One page per agency, by the Federal Register's agency slug.",
        ),
        TargetDataset(
            "usaspending",
            "USAspending.gov federal accounts",
            "https://www.usaspending.gov/federal_account/",
            "One page per Treasury federal account, by agency and main account code.",
        ),
    )
}


@dataclass(frozen=True)
class CurationRule:
    """A URL pattern applied mechanically to build link targets (SSSOM ``curation_rule``)."""

    key: str
    label: str
    template: str
    status: URIRef
    note: str

    @property
    def iri(self) -> URIRef:
        return ID[f"link-rule/{self.key}"]


_OLRC = (
    "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title{title}-section{section}"
    "&num=0&edition=prelim"
)
RULES = {
    rule.key: rule
    for rule in (
        CurationRule(
            "olrc-section",
            "OLRC U.S. Code section page",
            _OLRC,
            IMET.Verified,
            "The OLRC granule of a U.S. Code section (pattern verified).",
        ),
        CurationRule(
            "olrc-containing-section",
            "OLRC page of the section that contains a subsection",
            _OLRC,
            IMET.Verified,
            "No address form for a subsection is verified at OLRC, Cornell LII or govinfo, so a "
            "subsection links to the verified granule of its section, the page that prints it.",
        ),
        CurationRule(
            "cornell-lii-section",
            "Cornell LII U.S. Code section page",
            "https://www.law.cornell.edu/uscode/text/{title}/{section}",
            IMET.Verified,
            "Cornell LII's page of a U.S. Code section (pattern verified).",
        ),
        CurationRule(
            "govinfo-uscode",
            "govinfo link service: U.S. Code section",
            "https://www.govinfo.gov/link/uscode/{title}/{section}?type=usc&link-type=html",
            IMET.Verified,
            "govinfo's link to a U.S. Code section (pattern verified).",
        ),
        CurationRule(
            "govinfo-statute",
            "govinfo link service: Statutes at Large page",
            "https://www.govinfo.gov/link/statute/{volume}/{page}?link-type=pdf",
            IMET.Verified,
            "govinfo's link to a Statutes at Large page (pattern verified for volumes 65 to 125, "
            "and applied only to them and to numeric pages).",
        ),
        CurationRule(
            "govinfo-plaw",
            "govinfo link service: public law",
            "https://www.govinfo.gov/link/plaw/{congress}/public/{number}?link-type=pdf",
            IMET.Verified,
            "govinfo's link to a public law (pattern verified from the 104th Congress; older "
            "laws link through their Statutes at Large page).",
        ),
        CurationRule(
            "congress-gov-bill",
            "Congress.gov bill page",
            "https://www.congress.gov/bill/{congress-ordinal}-congress/{senate-bill|house-bill}/{number}",
            IMET.Verified,
            "The pattern is verified; the pages built with it for the bills in this graph are "
            "not, so those links are unverified.",
        ),
        CurationRule(
            "federal-register-agency",
            "Federal Register agency page",
            "https://www.federalregister.gov/agencies/{slug}",
            IMET.Verified,
            "The Federal Register's page of an agency, by its slug (pattern verified; each slug "
            "must be verified on its own).",
        ),
        CurationRule(
            "usaspending-federal-account",
            "USAspending federal account page",
            "https://www.usaspending.gov/federal_account/{agency}-{main}",
            IMET.Verified,
            "USAspending's page of a federal account, by agency and main account code (pattern "
            "verified; each account number must be verified on its own).",
        ),
    )
}


@dataclass(frozen=True)
class Link:
    """One link and what its mapping record says about it.

    Attributes:
        name: the local name of the record, ``id:link/{dataset}/{name}``.
        subject: the graph's own resource.
        predicate: the mapping predicate (one of ``MAPPING_PREDICATES``).
        target: the other dataset's IRI or URL.
        dataset: the key of the target dataset in ``DATASETS``.
        status: ``imet:Verified`` or ``imet:Unverified`` (an unverified link's triple is not
            asserted).
        comment: the justification in words.
        rule: the key of the curation rule in ``RULES`` that built the target, if one did.
        object_label: the target's label as recorded (Wikidata: its English label, which
            ``imet-kg links check`` compares with the endpoint's).
    """

    name: str
    subject: URIRef
    predicate: URIRef
    target: URIRef
    dataset: str
    status: URIRef
    comment: str
    rule: str | None = None
    object_label: str | None = None

    @property
    def iri(self) -> URIRef:
        return ID[f"link/{self.dataset}/{self.name}"]


# --- Curated links (not derived from the graph) --------------------------------------------------

# Wikidata QIDs verified in Wikidata (reference facts, section 3), with the item's English label.
# No QID was found for IMET, DSCA, the Foreign Assistance Act or the Arms Export Control Act: they
# stay unlinked until one is verified. Never guess a QID.
#
# skos:exactMatch, not owl:sameAs: the department and its Wikidata item are the same organization,
# but the item is a record about it with statements, qualifiers, ranks and sitelinks of its own.
# owl:sameAs would make every statement about either node hold of the other for any OWL reasoner
# (Wikidata's dissolved-or-renamed history, our typing and labels), which is more than either
# dataset claims; skos:exactMatch says the two can be used interchangeably, without that merge.
WIKIDATA_ITEMS = (
    ("org/dod", "Q11209", "United States Department of Defense"),
    ("org/dos", "Q789915", "United States Department of State"),
    ("org/congress", "Q11268", "United States Congress"),
)

# Federal Register agency slugs verified in the reference material. DSCA's slug
# ('defense-security-cooperation-agency') is unverified and left out: a slug is the Federal
# Register's identifier for the agency, like a QID is Wikidata's, and an unverified identifier is
# not guessed into the data. (The two unverified links that are kept, the congress.gov bill pages
# and the USAspending account, are asked for by the issue and are built from verified numbers or
# a documented account code.)
FEDERAL_REGISTER_SLUGS = (
    ("org/dos", "state-department"),
    ("org/dod", "defense-department"),
)

# IMET's federal account: agency 011, main account 1081 ("International Military Education and
# Training", Funds Appropriated to the President, appropriated under State/Foreign Operations,
# executed by Defense). The account number is UNVERIFIED.
USASPENDING_ACCOUNTS = (("program/imet", "011", "1081"),)


def curated_links() -> list[Link]:
    """The links that are listed by hand: Wikidata, Federal Register, USAspending."""
    links = []
    for path, qid, label in WIKIDATA_ITEMS:
        links.append(
            Link(
                name=slug(ID[path]),
                subject=ID[path],
                predicate=SKOS.exactMatch,
                target=URIRef(WIKIDATA_ENTITY + qid),
                dataset="wikidata",
                status=IMET.Verified,
                object_label=label,
                comment=(
                    f"Wikidata item {qid} ('{label}') is this organization; the QID was verified "
                    "in Wikidata. skos:exactMatch rather than owl:sameAs: the item is a record "
                    "about the organization with statements of its own, which owl:sameAs would "
                    "merge into this node."
                ),
            )
        )
    for path, agency_slug in FEDERAL_REGISTER_SLUGS:
        links.append(
            Link(
                name=slug(ID[path]),
                subject=ID[path],
                predicate=RDFS.seeAlso,
                target=URIRef(f"https://www.federalregister.gov/agencies/{agency_slug}"),
                dataset="federal-register",
                status=IMET.Verified,
                rule="federal-register-agency",
                comment=(
                    f"The Federal Register's agency page; the slug '{agency_slug}' is verified."
                ),
            )
        )
    for path, agency, main in USASPENDING_ACCOUNTS:
        links.append(
            Link(
                name=slug(ID[path]),
                subject=ID[path],
                predicate=RDFS.seeAlso,
                target=URIRef(f"https://www.usaspending.gov/federal_account/{agency}-{main}"),
                dataset="usaspending",
                status=IMET.Unverified,
                rule="usaspending-federal-account",
                comment=(
                    f"USAspending's page of federal account {agency}-{main}, believed to be IMET's "
                    "('International Military Education and Training', Funds Appropriated to the "
                    "President, appropriated under State/Foreign Operations, executed by "
                    "Defense). The URL pattern is verified; the account number is not, so the "
                    "link is unverified and its triple is not asserted."
                ),
            )
        )
    return links


# --- Links derived from the graph ----------------------------------------------------------------

_USC_SECTION = re.compile(r"^/us/usc/t(?P<title>[0-9]+)/s(?P<section>[0-9a-z]+)$")
_USC_SUBSECTION = re.compile(r"^/us/usc/t(?P<title>[0-9]+)/s(?P<section>[0-9a-z]+)/[a-z0-9]+$")
_PUBLIC_LAW = re.compile(r"^/us/pl/(?P<congress>[0-9]+)/(?P<number>[0-9]+)$")
_STATUTE = re.compile(r"^(?P<volume>[0-9]+) Stat\. (?P<page>[0-9]+)(?:-[0-9]+)?$")
_BILL = {"S.": "senate-bill", "H.R.": "house-bill"}
STATUTE_VOLUMES = range(65, 126)  # govinfo's statute links: volumes 65 to 125
FIRST_PLAW_CONGRESS = 104  # govinfo's public-law links: from the 104th Congress


def slug(iri: URIRef) -> str:
    """Name a link after its subject: ``id:usc/t22/s2347b`` -> ``usc-t22-s2347b``."""
    return str(iri).removeprefix(str(ID)).replace("/", "-")


def ordinal(number: int) -> str:
    """English ordinal as congress.gov writes it: 87 -> '87th', 101 -> '101st'."""
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    if 10 <= number % 100 <= 20:
        suffix = "th"
    return f"{number}{suffix}"


def _label(graph: Graph, node: URIRef) -> str:
    return str(graph.value(node, RDFS.label) or slug(node))


def code_links(graph: Graph) -> Iterator[Link]:
    """Each U.S. Code section to OLRC, Cornell LII and govinfo; each subsection to OLRC."""
    for code in sorted(graph.subjects(RDF.type, IMET.CodeSection)):
        match = _USC_SECTION.match(str(graph.value(code, IMET.uslmId) or ""))
        if not match:
            continue
        title, section = match["title"], match["section"]
        label, uslm = _label(graph, code), match.group(0)
        urls = {
            ("olrc-uscode", "olrc-section"): _OLRC.format(title=title, section=section),
            ("cornell-lii-uscode", "cornell-lii-section"): (
                f"https://www.law.cornell.edu/uscode/text/{title}/{section}"
            ),
            ("govinfo", "govinfo-uscode"): (
                f"https://www.govinfo.gov/link/uscode/{title}/{section}?type=usc&link-type=html"
            ),
        }
        for (dataset, rule), url in urls.items():
            yield Link(
                name=slug(code),
                subject=code,
                predicate=RDFS.seeAlso,
                target=URIRef(url),
                dataset=dataset,
                status=IMET.Verified,
                rule=rule,
                comment=(
                    f"{DATASETS[dataset].title}: the page of {label} (USLM {uslm}), built from the "
                    "section number by the verified URL pattern."
                ),
            )
    for subsection in sorted(graph.subjects(RDF.type, IMET.Subsection)):
        uslm = str(graph.value(subsection, IMET.uslmId) or "")
        match = _USC_SUBSECTION.match(uslm)
        if not match:
            continue
        citation = graph.value(subsection, DCTERMS.bibliographicCitation)
        yield Link(
            name=slug(subsection),
            subject=subsection,
            predicate=RDFS.seeAlso,
            target=URIRef(_OLRC.format(title=match["title"], section=match["section"])),
            dataset="olrc-uscode",
            status=IMET.Verified,
            rule="olrc-containing-section",
            comment=(
                f"The OLRC page of {match['title']} U.S.C. {match['section']}, which prints "
                f"{_label(graph, subsection)} ({citation}, USLM {uslm}). No address form for a "
                "subsection is verified, so the subsection links to its section's page."
            ),
        )


def _citations(graph: Graph, law: URIRef) -> set[str]:
    """Statutes at Large citations of a law: its own, its effects' and its figures'."""
    holders = {law}
    holders |= set(graph.subjects(IMET.affectingLaw, law))
    holders |= set(graph.subjects(IMET.legalAuthority, law))
    return {str(cite) for node in holders for cite in graph.objects(node, IMET.statutesAtLarge)}


def law_links(graph: Graph) -> Iterator[Link]:
    """Each public law to govinfo (Statutes at Large pages, public law) and congress.gov (bill)."""
    for law in sorted(graph.subjects(RDF.type, IMET.PublicLaw)):
        label = _label(graph, law)
        bill = str(graph.value(law, IMET.bill) or "")
        pages = set()
        for citation in _citations(graph, law):
            match = _STATUTE.match(citation)
            if match and int(match["volume"]) in STATUTE_VOLUMES:
                pages.add((int(match["volume"]), int(match["page"]), citation))
        for volume, page, citation in sorted(pages):
            yield Link(
                name=f"{slug(law)}-stat-{volume}-{page}",
                subject=law,
                predicate=RDFS.seeAlso,
                target=URIRef(
                    f"https://www.govinfo.gov/link/statute/{volume}/{page}?link-type=pdf"
                ),
                dataset="govinfo",
                status=IMET.Verified,
                rule="govinfo-statute",
                comment=(
                    f"govinfo's Statutes at Large page {volume} Stat. {page}, where {label} is "
                    f"printed (cited in the graph as '{citation}')."
                ),
            )
        match = _PUBLIC_LAW.match(str(graph.value(law, IMET.uslmId) or ""))
        if match and int(match["congress"]) >= FIRST_PLAW_CONGRESS:
            congress, pl_number = match["congress"], match["number"]
            yield Link(
                name=f"{slug(law)}-plaw",
                subject=law,
                predicate=RDFS.seeAlso,
                target=URIRef(
                    f"https://www.govinfo.gov/link/plaw/{congress}/public/{pl_number}?link-type=pdf"
                ),
                dataset="govinfo",
                status=IMET.Verified,
                rule="govinfo-plaw",
                comment=f"govinfo's text of Pub. L. {congress}-{pl_number}, {label}.",
            )
        yield from _bill_links(graph, law, label, bill)


def _bill_links(graph: Graph, law: URIRef, label: str, bill: str) -> Iterator[Link]:
    congress = graph.value(law, IMET.congress)
    prefix, _, bill_number = bill.partition(" ")
    if congress is None or prefix not in _BILL or not bill_number.isdigit():
        return
    congress_number = int(congress)
    yield Link(
        name=f"{slug(law)}-bill",
        subject=law,
        predicate=RDFS.seeAlso,
        target=URIRef(
            f"https://www.congress.gov/bill/{ordinal(congress_number)}-congress/"
            f"{_BILL[prefix]}/{bill_number}"
        ),
        dataset="congress-gov",
        status=IMET.Unverified,
        rule="congress-gov-bill",
        comment=(
            f"Congress.gov's page of {bill}, {ordinal(congress_number)} Congress, the bill "
            f"enacted as {label}. The URL pattern is verified; this page is not, so the link is "
            "unverified and its triple is not asserted."
        ),
    )


def all_links(graph: Graph) -> list[Link]:
    """Every link of the link set, curated and derived, sorted by record IRI.

    Args:
        graph: the knowledge graph without the link set (the derived links read its U.S. Code
            sections, subsections and public laws).

    Returns:
        The links, one per record.

    Raises:
        ValueError: if two links would get the same record IRI.
    """
    links = sorted([*curated_links(), *code_links(graph), *law_links(graph)], key=lambda x: x.iri)
    seen: set[URIRef] = set()
    for link in links:
        if link.iri in seen:
            raise ValueError(f"two links named {link.iri}")
        seen.add(link.iri)
    return links


# --- RDF -----------------------------------------------------------------------------------------


def links_to_graph(links: Iterable[Link]) -> Graph:
    """Write links as the ``links`` named graph: mapping set, datasets, rules and records.

    Args:
        links: the links (see :func:`all_links`).

    Returns:
        A graph with one ``imet:Link`` record per link, the direct triple of every link that is
        not unverified, and the target datasets, curation rules and creator they refer to.
    """
    graph = bind_prefixes(Graph())
    add = graph.add
    links_graph = describe_graph(
        graph,
        "links",
        "Links to other datasets",
        "Links from the graph's organizations, program, public laws, U.S. Code sections "
        "and subsections to Wikidata, the OLRC and Cornell LII editions of the U.S. Code, "
        "govinfo, congress.gov, the Federal Register and USAspending, each an SSSOM "
        "mapping record with its justification, creator, date and verification status.",
    )
    add((links_graph, RDF.type, SSSOM.MappingSet))
    add((links_graph, DCTERMS.license, CC0))
    add((links_graph, DCTERMS.creator, MAINTAINERS))
    add((MAINTAINERS, RDF.type, PROV.Agent))
    add((MAINTAINERS, RDFS.label, Literal("IMET-KG maintainers", lang="en")))

    links = list(links)
    for key in sorted({link.dataset for link in links}):
        dataset = DATASETS[key]
        add((dataset.iri, RDF.type, VOID.Dataset))
        add((dataset.iri, RDFS.label, Literal(dataset.title, lang="en")))
        add((dataset.iri, DCTERMS.title, Literal(dataset.title, lang="en")))
        add((dataset.iri, VOID.uriSpace, Literal(dataset.uri_space)))
        add((dataset.iri, SKOS.note, Literal(dataset.note, lang="en")))
    for key in sorted({link.rule for link in links if link.rule}):
        rule = RULES[key]
        add((rule.iri, RDF.type, PROV.Plan))
        add((rule.iri, RDFS.label, Literal(rule.label, lang="en")))
        add((rule.iri, IMET.urlTemplate, Literal(rule.template)))
        add((rule.iri, IMET.verificationStatus, rule.status))
        add((rule.iri, SKOS.note, Literal(rule.note, lang="en")))
    for link in links:
        add_link_record(graph, link)
    return graph


def add_link_record(
    graph: Graph,
    link: Link,
    *,
    justification: URIRef = SEMAPV.ManualMappingCuration,
    creator: URIRef = MAINTAINERS,
    created: date = CURATION_DATE,
) -> URIRef:
    """Add one link's mapping record (and, unless it is unverified, its triple) to ``graph``.

    Returns:
        The record's IRI.
    """
    record = link.iri
    add = graph.add
    add((record, RDF.type, IMET.Link))
    add((record, RDF.type, OWL.Axiom))
    add((record, OWL.annotatedSource, link.subject))
    add((record, OWL.annotatedProperty, link.predicate))
    add((record, OWL.annotatedTarget, link.target))
    add((record, SSSOM.object_source, DATASETS[link.dataset].iri))
    add((record, SSSOM.mapping_justification, justification))
    if link.rule:
        add((record, SSSOM.curation_rule, RULES[link.rule].iri))
    if link.object_label:
        add((record, SSSOM.object_label, Literal(link.object_label)))
    add((record, DCTERMS.creator, creator))
    add((record, DCTERMS.created, Literal(created.isoformat(), datatype=XSD.date)))
    add((record, IMET.verificationStatus, link.status))
    add((record, RDFS.comment, Literal(link.comment, lang="en")))
    if link.status != IMET.Unverified:
        add((link.subject, link.predicate, link.target))
    return record


def _graph_without_links() -> Graph:
    from imet_kg.kg.graph import knowledge_graph_files, load_files

    files = [path for path in knowledge_graph_files() if path.resolve() != LINKS_FILE.resolve()]
    return load_files(files)


def build_linkset(graph: Graph | None = None) -> Graph:
    """Build the link set from the graph (by default the shipped one, without ``links.ttl``)."""
    return links_to_graph(all_links(_graph_without_links() if graph is None else graph))


HEADER = """\
# GENERATED by `python -m imet_kg.links.linkset` from the rest of the graph: edit
# imet_kg/links/linkset.py (the curated links and URL patterns), not this file.
#
# Links from the graph's resources to other datasets, one SSSOM mapping record (imet:Link, also
# owl:Axiom) per link: owl:annotatedSource / owl:annotatedProperty / owl:annotatedTarget, the
# target dataset (sssom:object_source), the justification (sssom:mapping_justification, a semapv:
# term, with rdfs:comment and the URL pattern used, sssom:curation_rule), dcterms:creator,
# dcterms:created and imet:verificationStatus. A verified link's triple is asserted as well; an
# unverified link's (congress.gov bill pages, the USAspending account) is not.
#
# Wikidata links use skos:exactMatch, not owl:sameAs: a Wikidata item is a record about the
# organization with statements of its own, which owl:sameAs would merge into our node. Only the
# verified QIDs are linked (Q11209, Q789915, Q11268); no QID is guessed.
# Subsections link to their section's OLRC page: no subsection address form is verified.
# Left out: DSCA's Federal Register slug (unverified), Statutes at Large pages outside volumes
# 65-125 or with non-numeric page numbers, public-law links before the 104th Congress.

"""


def write_links_file(out: Path = LINKS_FILE) -> Graph:
    """Regenerate ``data/links.ttl`` and return the graph written."""
    from imet_kg.rdf.files import write_atomic
    from imet_kg.rdf.serialize import serialize_graph

    graph = build_linkset()
    write_atomic(out, HEADER.encode("utf-8") + serialize_graph(graph, "turtle"))
    return graph


if __name__ == "__main__":  # pragma: no cover
    written = write_links_file()
    print(f"wrote {LINKS_FILE} ({len(written)} triples)", file=sys.stderr)
