"""The link set's curated part: target datasets, URL patterns and the identifiers listed by hand.

The link set links the graph's resources to other datasets, as SSSOM mapping records.

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

This module holds what a person curates; :mod:`imet_kg.links.build` derives the links from the
graph, writes their records and the file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date

from rdflib import URIRef
from rdflib.namespace import OWL, RDFS, SKOS

from imet_kg.namespaces import ID, IMET
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


OLRC_SECTION_URL = (
    "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title{title}-section{section}"
    "&num=0&edition=prelim"
)
RULES = {
    rule.key: rule
    for rule in (
        CurationRule(
            "olrc-section",
            "OLRC U.S. Code section page",
            OLRC_SECTION_URL,
            IMET.Verified,
            "The OLRC granule of a U.S. Code section (pattern verified).",
        ),
        CurationRule(
            "olrc-containing-section",
            "OLRC page of the section that contains a subsection",
            OLRC_SECTION_URL,
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


def slug(iri: URIRef) -> str:
    """Name a link after its subject: ``id:usc/t22/s2347b`` -> ``usc-t22-s2347b``."""
    return str(iri).removeprefix(str(ID)).replace("/", "-")


if __name__ == "__main__":  # pragma: no cover
    from imet_kg.links.build import write_links_file

    written = write_links_file()
    print(f"wrote {LINKS_FILE} ({len(written)} triples)", file=sys.stderr)
