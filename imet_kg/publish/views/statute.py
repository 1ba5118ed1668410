"""The page of a statute provision: its text as a legal document, citations, amendment history.

A part, chapter, section, subsection, paragraph or clause is shown with the provisions under it
(clauses inline where their words occur), its U.S. Code citation, links to the official text
(OLRC and govinfo), the amendments that touched it, and what in the graph rests on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from imet_kg.namespaces import ELI, IMET, SCHEMA
from imet_kg.publish.resources import path_of
from imet_kg.publish.views.common import Links
from imet_kg.publish.views.resource import ResourceView
from imet_kg.publish.views.search import usc_citation
from imet_kg.publish.views.versions import cited_by, cites, version_rows, versions_of

PROVISION_TYPES = (
    IMET.Part,
    IMET.Chapter,
    IMET.Section,
    IMET.Subsection,
    IMET.Paragraph,
    IMET.Clause,
)
# Properties that point at a provision as the legal ground of something.
GROUNDING_PREDICATES = (
    IMET.statedBy,
    IMET.legalBasis,
    IMET.authorizedBy,
    IMET.legalAuthority,
    IMET.citesProvision,
    IMET.actProvision,
)
_LAST = 1_000_000  # the document order of a provision that states none
_USC_SECTION = re.compile(r"^/us/usc/t(\d+)/s([0-9a-z]+)")


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
    match = _USC_SECTION.match(uslm_id)
    if not match:
        return None
    title, section = match.groups()
    return (
        "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title"
        f"{title}-section{section}&num=0&edition=prelim"
    )


def govinfo_url(uslm_id: str) -> str | None:
    """The govinfo link-service address of a U.S. Code section from its USLM id."""
    match = _USC_SECTION.match(uslm_id)
    if not match:
        return None
    title, section = match.groups()
    return f"https://www.govinfo.gov/link/uscode/{title}/{section}?link-type=html"


class StatuteView(ResourceView):
    """Statute provisions, laid out as the legal document they belong to."""

    template = "statute.html"

    def matches(self, iri: URIRef, types: set[URIRef]) -> bool:
        return bool(types & set(PROVISION_TYPES))

    def layout(self, iri: URIRef, links: Links) -> dict:
        section_uslm = self._section_uslm(iri)
        act = self._act(iri)
        return {
            "document": self._provision_tree(iri, links),
            "breadcrumb": [self.value(a, links) for a in self._ancestors(iri)],
            "act": self.optional_value(act, links),
            "act_citation": self.text_of(act, DCTERMS.bibliographicCitation),
            "citation": self.text_of(iri, DCTERMS.bibliographicCitation),
            "cite_as": usc_citation(self.text_of(iri, DCTERMS.bibliographicCitation)),
            "uslm": self.text_of(iri, IMET.uslmId),
            "olrc": olrc_url(section_uslm) if section_uslm else None,
            "govinfo": govinfo_url(section_uslm) if section_uslm else None,
            "act_heading": self.text_of(iri, IMET.actHeading),
            "history": self._history(iri, links),
            "grounded": self._grounded(iri, links),
            "codifications": self._codifications(iri, links),
            **self._over_time(iri, links),
        }

    # --- versions, neighbours, references --------------------------------------------------------

    def _over_time(self, iri: URIRef, links: Links) -> dict:
        """The provision's versions with their diffs, its neighbour sections, its references,
        and (for a chapter or part) the amendment timeline of the sections under it."""
        subtree = self._subtree(iri)
        kind = self._provision_kind(iri)
        previous, following = self._neighbours(iri, kind)
        return {
            "versions": [self._version_view(row, links) for row in version_rows(self.graph, iri)],
            "previous_section": self.optional_value(previous, links),
            "next_section": self.optional_value(following, links),
            "refers_to": [
                {"source": self.value(s, links), "target": self.value(t, links)}
                for s, t in cites(self.graph, subtree)
            ],
            "referred_by": [
                {"source": self.value(s, links), "target": self.value(t, links)}
                for s, t in cited_by(self.graph, subtree)
            ],
            "timeline": self._timeline(iri, links) if kind in (IMET.Chapter, IMET.Part) else [],
        }

    def _version_view(self, row: dict, links: Links) -> dict:
        return {
            **row,
            "version": self.value(row["version"], links),
            "anchor": _anchor(row["version"]),
            "status": self.optional_value(row["status"], links),
            "laws": [self.value(law, links) for law in row["laws"]],
        }

    def _neighbours(self, iri: URIRef, kind: URIRef | None) -> tuple[URIRef | None, URIRef | None]:
        """The provisions of the same kind before and after this one under the same parent
        (a section's neighbours in its chapter, a paragraph's in its subsection)."""
        parent = self.graph.value(iri, ELI.is_part_of)
        if parent is None or kind is None:
            return None, None
        siblings = [c for c in self._children(parent) if self._provision_kind(c) == kind]
        at = siblings.index(iri) if iri in siblings else -1
        if at < 0:
            return None, None
        before = siblings[at - 1] if at > 0 else None
        after = siblings[at + 1] if at + 1 < len(siblings) else None
        return before, after

    def _timeline(self, iri: URIRef, links: Links) -> list[dict]:
        """Every version of the sections under a chapter or part, in date order."""
        rows = []
        for provision in self._subtree(iri):
            if self._provision_kind(provision) != IMET.Section:
                continue
            for version in versions_of(self.graph, provision):
                status = self.graph.value(version, IMET.textStatus)
                start = self.text_of(version, ELI.first_date_entry_in_force) or self.text_of(
                    version, ELI.version_date
                )
                rows.append(
                    {
                        "date": start,
                        "until": self.text_of(version, ELI.date_no_longer_in_force),
                        "section": self.value(provision, links),
                        "version": self.value(version, links),
                        "status": self.optional_value(status, links),
                        "order": self._order(provision),
                    }
                )
        rows.sort(key=lambda r: (r["date"] == "", r["date"], r["order"], r["version"].text))
        return rows

    # --- the document ----------------------------------------------------------------------------

    def _children(self, iri: URIRef) -> list[URIRef]:
        children = [c for c in self.graph.subjects(ELI.is_part_of, iri) if isinstance(c, URIRef)]
        return sorted(children, key=lambda c: (self._order(c), str(c)))

    def _order(self, iri: URIRef) -> int:
        value = self.graph.value(iri, IMET.documentOrder)
        try:
            return int(value) if value is not None else _LAST
        except (TypeError, ValueError):
            return _LAST

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
        text = self.text_of(iri, SCHEMA.text)
        children = self._children(iri) if depth < 8 else []
        inline: list[tuple[int, int, URIRef]] = []
        shown: list[URIRef] = []
        for child in children:
            child_text = self.text_of(child, SCHEMA.text)
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
            citation=self.text_of(iri, DCTERMS.bibliographicCitation),
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

    # --- where it sits ---------------------------------------------------------------------------

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

    def _section_uslm(self, iri: URIRef) -> str:
        """The USLM id of the provision, else of its nearest ancestor that has one."""
        uslm = self.text_of(iri, IMET.uslmId)
        if uslm:
            return uslm
        for ancestor in reversed(self._ancestors(iri)):
            if self.graph.value(ancestor, IMET.uslmId):
                return str(self.graph.value(ancestor, IMET.uslmId))
        return ""

    def _act(self, iri: URIRef) -> URIRef | None:
        """The public law the provision is part of (the innermost, if laws nest)."""
        act = None
        for ancestor in self._ancestors(iri):
            if (ancestor, RDF.type, IMET.PublicLaw) in self.graph:
                act = ancestor
        return act

    # --- what touched it and what rests on it ----------------------------------------------------

    def _history(self, iri: URIRef, links: Links) -> list[dict]:
        """The amendments to the provision or anything under it, oldest first."""
        subtree = self._subtree(iri)
        in_subtree = set(subtree)
        effects = {e for p in subtree for e in self.graph.subjects(IMET.affectedProvision, p)}
        history = []
        for effect in effects:
            law = self.graph.value(effect, IMET.affectingLaw)
            affected = (
                p for p in self.graph.objects(effect, IMET.affectedProvision) if p in in_subtree
            )
            history.append(
                {
                    "date": self.text_of(effect, DCTERMS.date),
                    "effect": self.value(effect, links),
                    "law": self.optional_value(law, links),
                    "law_number": self.text_of(law, ELI.id_local),
                    "type": self.optional_value(self.graph.value(effect, IMET.effectType), links),
                    "description": self.text_of(effect, DCTERMS.description),
                    "statutes_at_large": self.text_of(effect, IMET.statutesAtLarge),
                    "affected": self.sorted_values(affected, links),
                    "sources": self.values_of(effect, DCTERMS.source, links),
                }
            )
        history.sort(key=lambda row: (row["date"] or "9999", row["law_number"], row["effect"].text))
        return history

    def _grounded(self, iri: URIRef, links: Links) -> list[dict]:
        """What states, authorizes or cites the provision or anything under it."""
        grounded = []
        for provision in self._subtree(iri):
            for predicate in GROUNDING_PREDICATES:
                for subject in self.graph.subjects(predicate, provision):
                    grounded.append(
                        {
                            "subject": self.value(subject, links),
                            "types": self.values_of(subject, RDF.type, links),
                            "predicate": self.value(predicate, links),
                            "provision": self.value(provision, links),
                            "order": self._order(provision),
                        }
                    )
        grounded.sort(key=lambda row: (row["order"], row["predicate"].text, row["subject"].text))
        return grounded

    def _codifications(self, iri: URIRef, links: Links) -> list[dict]:
        """The records that place this act provision in the U.S. Code."""
        rows = []
        for record in self.graph.subjects(IMET.actProvision, iri):
            rows.append(
                {
                    "record": self.value(record, links),
                    "code": self.optional_value(self.graph.value(record, IMET.codeSection), links),
                    "status": self.optional_value(
                        self.graph.value(record, IMET.verificationStatus), links
                    ),
                }
            )
        return rows
