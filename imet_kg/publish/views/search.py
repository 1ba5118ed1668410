"""Search and the faceted resource list: labels, notations and citations, by type, status, source
and fiscal year.

One index (:func:`search_index`) serves both publications: the server answers ``/search?q=...``
from it without JavaScript, and the static site writes it as ``search-index.js``, which
``static/search.js`` filters in the browser with the same rules (:func:`normalize`, :func:`match`;
keep the two in step). Shapes and untyped nodes are left out: they are not what people look for.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, QB, RDF, RDFS, SH, SKOS

from imet_kg.namespaces import ELI, IMET, IMETSH
from imet_kg.publish.resources import Publication, path_of

# The facets, in the order the page shows them: query parameter → heading.
FACETS = {
    "type": "Type",
    "status": "Verification status",
    "source": "Source",
    "year": "Fiscal year",
}
SHOWN = 500  # results listed on one page; the facets narrow the rest
_SEARCHED = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title, SKOS.notation)
_CITED = (DCTERMS.bibliographicCitation, ELI.id_local, IMET.uslmId)
_PROVISIONS = {IMET.Part, IMET.Chapter, IMET.Section, IMET.Subsection, IMET.Paragraph, IMET.Clause}
_MAIN = {
    IMET.Program,
    IMET.RelatedProvision,
    SKOS.Concept,
    IMET.PublicLaw,
    IMET.Country,
    SKOS.ConceptScheme,
}
_MANY = {
    ELI.LegalExpression,
    QB.Observation,
    IMET.Link,
    URIRef("http://www.w3.org/2006/time#Instant"),
}
_SHAPES = {SH.NodeShape, SH.PropertyShape}
_USC = re.compile(r"^(\d+) U\.S\.C\. (?!§)(.+)$")


def normalize(text: str) -> str:
    """Text as search compares it: lower case, no section sign or dots, single spaces
    ("22 U.S.C. § 2347b" → "22 usc 2347b", "FAA §541(a)" → "faa 541(a)")."""
    text = text.lower().replace("§", " ").replace(".", "")
    return " ".join(re.sub(r"[^a-z0-9()]+", " ", text).split())


def usc_citation(citation: str) -> str:
    """A U.S. Code citation with its section sign: "22 U.S.C. 2347b" → "22 U.S.C. § 2347b"."""
    found = _USC.match(citation.strip())
    return f"{found.group(1)} U.S.C. § {found.group(2)}" if found else citation


@dataclass(frozen=True)
class Entry:
    """One resource as search and the resource list see it.

    Attributes:
        path: its site path (``id/faa/section-543``), from which links make its page's href.
        label: its label.
        qname: its prefixed name.
        types: its types' labels.
        status: its verification status' label ("" if none).
        sources: its sources' labels.
        years: its fiscal years.
        fields: what is searched, normalized (labels, notations, citations, prefixed name, path).
        rank: 0 statute provisions, 1 main resources, 2 others, 3 the many (versions, dates).
    """

    path: str
    label: str
    qname: str
    types: tuple[str, ...]
    status: str
    sources: tuple[str, ...]
    years: tuple[str, ...]
    fields: tuple[str, ...]
    rank: int

    def facet(self, name: str) -> tuple[str, ...]:
        """The entry's values of a facet."""
        if name == "type":
            return self.types
        if name == "status":
            return (self.status,) if self.status else ()
        if name == "source":
            return self.sources
        return self.years

    def as_json(self, href: str) -> dict:
        """The entry in the static site's index, linking to ``href`` (short keys: the index
        ships to every browser)."""
        return {
            "h": href,
            "l": self.label,
            "n": self.qname,
            "t": list(self.types),
            "s": self.status,
            "o": list(self.sources),
            "y": list(self.years),
            "f": list(self.fields),
            "r": self.rank,
        }


def listed(publication: Publication, iri: URIRef) -> bool:
    """Whether the resource list and search show a resource: not a shape, not untyped."""
    graph = publication.graph
    types = set(graph.objects(iri, RDF.type))
    return bool(types) and not (types & _SHAPES) and not str(iri).startswith(str(IMETSH))


def _rank(types: set) -> int:
    if types & _PROVISIONS:
        return 0
    if types & _MAIN:
        return 1
    if types & _MANY:
        return 3
    return 2


def entry(publication: Publication, iri: URIRef) -> Entry:
    """A resource's search entry."""
    graph, label = publication.graph, publication.label
    types = set(graph.objects(iri, RDF.type))
    qname = publication.qname(iri)
    texts = {label(iri), path_of(iri)} | ({qname} if qname != str(iri) else set())
    texts |= {str(v) for p in _SEARCHED + _CITED for v in graph.objects(iri, p)}
    texts |= {usc_citation(str(v)) for v in graph.objects(iri, DCTERMS.bibliographicCitation)}
    status = graph.value(iri, IMET.verificationStatus)
    years = {
        str(number)
        for year in (iri, *graph.objects(iri, IMET.fiscalYear))
        for number in graph.objects(year, IMET.fiscalYearNumber)
    }
    return Entry(
        path=path_of(iri),
        label=label(iri),
        qname=qname,
        types=tuple(sorted({label(t) for t in types})),
        status=label(status) if status is not None else "",
        sources=tuple(sorted({label(s) for s in graph.objects(iri, DCTERMS.source)})),
        years=tuple(sorted(years)),
        fields=tuple(sorted({normalize(t) for t in texts} - {""})),
        rank=_rank(types),
    )


def search_index(publication: Publication) -> list[Entry]:
    """Every listed resource's entry, by label."""
    entries = [
        entry(publication, iri) for iri in publication.sorted_iris() if listed(publication, iri)
    ]
    return sorted(entries, key=lambda e: (e.label.lower(), e.path))


def match(query: str, found: Entry) -> tuple | None:
    """How well an entry matches a query (smaller is better), or None when it does not.

    Every word of the query must occur in the entry's fields. A field equal to the query comes
    (or ending with it as a word) first, then one with a word that starts with it, then one that
    holds it, then the words apart; then
    statute provisions before other resources, and the shortest matching field first.
    """
    wanted = normalize(query)
    if not wanted:
        return (9, found.rank, 0)
    text = " | ".join(found.fields)
    if not all(word in text for word in wanted.split()):
        return None
    holding = [f for f in found.fields if wanted in f]
    if any(f == wanted or f.endswith(" " + wanted) for f in holding):
        level = 0  # the whole field, or its last word(s): "faa 541(a)" for "541(a)"
    elif any(f.startswith(wanted) or f" {wanted}" in f for f in holding):
        level = 1
    elif holding:
        level = 2
    else:
        level = 3
    shortest = min((len(f) for f in holding), default=len(text))
    return (level, found.rank, shortest)


def search(
    entries: Iterable[Entry], query: str, chosen: Mapping[str, Iterable[str]]
) -> list[Entry]:
    """The entries that match the query and have every chosen facet value, best first."""
    scored = []
    for candidate in entries:
        if any(
            values and not set(values) & set(candidate.facet(name))
            for name, values in chosen.items()
        ):
            continue
        score = match(query, candidate)
        if score is not None:
            scored.append((score, candidate.label.lower(), candidate.path, candidate))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored]


def facet_counts(entries: Iterable[Entry]) -> dict[str, list[tuple[str, int]]]:
    """Each facet's values with how many entries have them: most first (years: latest first)."""
    counts: dict[str, Counter] = {name: Counter() for name in FACETS}
    for found in entries:
        for name in FACETS:
            counts[name].update(found.facet(name))
    ordered = {}
    for name, counter in counts.items():
        if name == "year":
            ordered[name] = sorted(counter.items(), reverse=True)
        else:
            ordered[name] = sorted(counter.items(), key=lambda item: (-item[1], item[0].lower()))
    return ordered
