"""A statute provision over time and in its web of references: versions, diffs, citations.

Each section's versions are ``eli:LegalExpression`` resources that ``eli:realizes`` it, with
their dates of entry into force, their text status (as printed, reconstructed, unknown), the law
they consolidate, and their subdivisions (``eli:is_part_of`` the version, in ``schema:position``
order). A word-level diff shows what changed from one version to the next; a version whose text
is unknown is shown as such, and no diff is made with it. Cross-references are ``eli:cites``
links from a provision or its subdivisions.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from markupsafe import Markup, escape
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from imet_kg.namespaces import ELI, IMET, SCHEMA
from imet_kg.publish.views.common import Links
from imet_kg.publish.views.resource import ResourceView

_STATUS_LABELS = {
    IMET.TextAsPrinted: "text as printed",
    IMET.TextReconstructed: "text reconstructed",
    IMET.TextUnknown: "text unknown",
}


def _text(graph: Graph, subject: object, predicate: URIRef) -> str:
    return str(graph.value(subject, predicate) or "")


def _position(graph: Graph, expression: object) -> int:
    try:
        return int(graph.value(expression, SCHEMA.position))
    except (TypeError, ValueError):
        return 1_000_000


def version_text(graph: Graph, version: URIRef) -> str:
    """The words of a version: its own text, then its subdivisions', in position order."""
    parts, pending = [version], [version]
    while pending:
        node = pending.pop()
        for child in graph.subjects(ELI.is_part_of, node):
            if child not in parts:
                parts.append(child)
                pending.append(child)
    pieces = []
    for part in sorted(parts, key=lambda p: (_position(graph, p), str(p))):
        number = _text(graph, part, ELI.number)
        text = _text(graph, part, SCHEMA.text)
        if number and part != version:
            pieces.append(f"({number})")
        if text:
            pieces.append(text)
    return " ".join(pieces)


def word_diff(old: str, new: str) -> Markup:
    """What changed between two texts, word by word: ``<del>`` removed, ``<ins>`` added."""
    before, after = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    pieces: list[Markup] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(escape(" ".join(before[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(Markup("<del>{}</del>").format(" ".join(before[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(Markup("<ins>{}</ins>").format(" ".join(after[j1:j2])))
    return Markup(" ").join(pieces)


def versions_of(graph: Graph, section: URIRef) -> list[URIRef]:
    """The versions that realize a provision, in date order (undated ones last)."""
    found = [
        v
        for v in graph.subjects(ELI.realizes, section)
        if isinstance(v, URIRef) and (v, RDF.type, ELI.LegalExpression) in graph
    ]

    def key(version: URIRef) -> tuple:
        start = _text(graph, version, ELI.first_date_entry_in_force) or _text(
            graph, version, ELI.version_date
        )
        return (start == "", start, str(version))

    return sorted(found, key=key)


def version_rows(graph: Graph, section: URIRef) -> list[dict]:
    """Each version of a provision: its dates, status, law, text, and the diff from the one
    before (None for the first, or when either text is unknown)."""
    rows: list[dict] = []
    previous: dict | None = None
    for version in versions_of(graph, section):
        status = graph.value(version, IMET.textStatus)
        unknown = status == IMET.TextUnknown
        text = "" if unknown else version_text(graph, version)
        laws = [
            law
            for law in graph.objects(version, ELI.consolidates)
            if (law, RDF.type, ELI.LegalExpression) not in graph
        ]
        row = {
            "version": version,
            "valid_from": _text(graph, version, ELI.first_date_entry_in_force)
            or _text(graph, version, ELI.version_date),
            "valid_until": _text(graph, version, ELI.date_no_longer_in_force),
            "status": status,
            "status_label": _STATUS_LABELS.get(status, "text status not recorded"),
            "unknown": unknown,
            "laws": sorted(laws, key=str),
            "text": text,
            "diff": None,
        }
        if previous is not None and not unknown and not previous["unknown"]:
            row["diff"] = word_diff(previous["text"], text)
        rows.append(row)
        previous = row
    return rows


def cites(graph: Graph, provisions: Iterable[URIRef]) -> list[tuple[URIRef, URIRef]]:
    """(citing provision, target) for every ``eli:cites`` link out of these provisions."""
    return sorted(
        {(p, t) for p in provisions for t in graph.objects(p, ELI.cites)},
        key=lambda pair: (str(pair[1]), str(pair[0])),
    )


def cited_by(graph: Graph, provisions: Iterable[URIRef]) -> list[tuple[URIRef, URIRef]]:
    """(citing resource, cited provision) for every ``eli:cites`` link into these provisions."""
    return sorted(
        {(s, p) for p in provisions for s in graph.subjects(ELI.cites, p)},
        key=lambda pair: (str(pair[0]), str(pair[1])),
    )


class VersionView(ResourceView):
    """A version of a provision (an ``eli:LegalExpression``): its text or that the text is
    unknown, its dates, the provision it realizes, and what changed from the version before."""

    template = "version.html"

    def matches(self, iri: URIRef, types: set[URIRef]) -> bool:
        return ELI.LegalExpression in types

    def layout(self, iri: URIRef, links: Links) -> dict:
        graph = self.graph
        status = graph.value(iri, IMET.textStatus)
        unknown = status == IMET.TextUnknown
        text = "" if unknown else version_text(graph, iri)
        earlier = [
            v
            for v in graph.objects(iri, ELI.consolidates)
            if (v, RDF.type, ELI.LegalExpression) in graph
        ]
        previous = min(earlier, key=str) if earlier else None
        later = sorted(
            v
            for v in graph.subjects(ELI.consolidates, iri)
            if (v, RDF.type, ELI.LegalExpression) in graph
        )
        diff = None
        known_before = graph.value(previous, IMET.textStatus) != IMET.TextUnknown
        if previous is not None and not unknown and known_before:
            diff = word_diff(version_text(graph, previous), text)
        return {
            "realizes": self.values_of(iri, ELI.realizes, links),
            "valid_from": self.text_of(iri, ELI.first_date_entry_in_force)
            or self.text_of(iri, ELI.version_date),
            "valid_until": self.text_of(iri, ELI.date_no_longer_in_force),
            "status_label": _STATUS_LABELS.get(status, "") if status is not None else "",
            "unknown": unknown,
            "text": text,
            "previous": self.optional_value(previous, links),
            "next": [self.value(v, links) for v in later],
            "diff": diff,
        }
