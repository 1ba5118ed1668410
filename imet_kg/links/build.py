"""Build the link set: links derived from the graph, their SSSOM records, ``data/links.ttl``.

Derived links are built from identifiers the graph holds, by the URL patterns in
:mod:`imet_kg.links.linkset`; the file is regenerated with ``python -m imet_kg.links.linkset``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from imet_kg.kg.graph import describe_graph
from imet_kg.links.linkset import (
    CC0,
    CURATION_DATE,
    DATASETS,
    LINKS_FILE,
    MAINTAINERS,
    OLRC_SECTION_URL,
    RULES,
    Link,
    curated_links,
    slug,
)
from imet_kg.namespaces import IMET, SEMAPV, SSSOM, VOID, bind_prefixes

# --- Links derived from the graph ----------------------------------------------------------------

_USC_SECTION = re.compile(r"^/us/usc/t(?P<title>[0-9]+)/s(?P<section>[0-9a-z]+)$")
_USC_SUBSECTION = re.compile(r"^/us/usc/t(?P<title>[0-9]+)/s(?P<section>[0-9a-z]+)/[a-z0-9]+$")
_PUBLIC_LAW = re.compile(r"^/us/pl/(?P<congress>[0-9]+)/(?P<number>[0-9]+)$")
_STATUTE = re.compile(r"^(?P<volume>[0-9]+) Stat\. (?P<page>[0-9]+)(?:-[0-9]+)?$")
_BILL = {"S.": "senate-bill", "H.R.": "house-bill"}
STATUTE_VOLUMES = range(65, 126)  # govinfo's statute links: volumes 65 to 125
FIRST_PLAW_CONGRESS = 104  # govinfo's public-law links: from the 104th Congress


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
            ("olrc-uscode", "olrc-section"): OLRC_SECTION_URL.format(title=title, section=section),
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
            target=URIRef(OLRC_SECTION_URL.format(title=match["title"], section=match["section"])),
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
