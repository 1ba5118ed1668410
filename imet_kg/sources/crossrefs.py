"""Find the cross-references in the statute text of FAA Part II, Chapter 5 and resolve them.

A reference ("section 2763 of this title", "section 116(d) of this Act", "chapter 2 of part II",
"this chapter", "this part", "subsection (a)") becomes an ``eli:cites`` link from the smallest
subdivision whose text contains it to its target: the graph's own IRI when the target is in the
graph (the chapter, or a provision of the Act in ``data/related-provisions.ttl``), otherwise a
U.S. Code resource (``id/usc/t22/s{section}[/{subsection}]``) with a link to its OLRC page.
``data/cross-references.ttl`` is generated with ``python -m imet_kg.sources.crossrefs``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from imet_kg.kg.graph import describe_graph
from imet_kg.namespaces import ELI, GRAPH, ID, IMET, bind_prefixes
from imet_kg.paths import DATA_DIR
from imet_kg.sources.uscode_text import (
    CHAPTER_5,
    CODE_SOURCE,
    FAA,
    SOURCE_TEXT_FILE,
    TITLE_22,
    Provision,
    parse_code_text,
)

CROSS_REFERENCES_FILE = DATA_DIR / "cross-references.ttl"
# Provisions of the Act outside the chapter that the graph holds (issue 10, item 3), found by their
# Code citation, e.g. "22 U.S.C. 2416(e)" -> id/faa/section-656/e.
RELATED_FILE = DATA_DIR / "related-provisions.ttl"
NOTES_SOURCE = ID["source/uscode-notes-2347"]
# The OLRC section page, by the pattern facts.md marks verified (also used by the link set).
OLRC_SECTION_URL = (
    "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title22-section{section}"
    "&num=0&edition=prelim"
)
# FAA sections outside the chapter that the Code text cites by their Code number; the editorial
# notes of data/sources/faa-part2-ch5.txt give each one's place in the Act.
ACT_TO_CODE = {"116": "2151n", "632": "2392", "656": "2416"}
IN_THE_ACT = {
    "2763": "section 23 of the Arms Export Control Act",
    "2392": "FAA section 632",
    "2416": "FAA section 656",
    "2151n": "FAA section 116",
}

_REFERENCE = re.compile(
    r"\bsection (?P<code>\d+[a-z]*)(?P<code_sub>(?:\([a-z0-9]+\))*) of this title"
    r"|\bsection (?P<act>\d+[A-Z]?)(?P<act_sub>(?:\([a-z0-9]+\))*) of this Act"
    r"|\bchapter (?P<chapter>\d+) of part (?P<part>[IVX]+)\b"
    r"|\bthis (?P<this>chapter|part|section|subsection|paragraph)\b"
    r"|\b(?P<level>subsection|paragraph) \((?P<designation>[a-z0-9]+)\)"
)


@dataclass(frozen=True)
class Reference:
    """One reference in the statute text.

    Attributes:
        source: the path of the smallest subdivision containing it, e.g. ("544", "c", "1").
        text: the words of the reference as printed.
        occurrence: 1 for the first reference with these words in that subdivision, 2 for the
            second, and so on.
        target: the resolved IRI.
    """

    source: tuple[str, ...]
    text: str
    occurrence: int
    target: URIRef


class Resolver:
    """Resolve reference words to IRIs, given the sections the graph holds."""

    def __init__(self, sections: list[Provision], related: dict[str, URIRef] | None = None) -> None:
        self.by_code = {s.code_section: s.path[0] for s in sections}
        self.paths = {p.path for s in sections for p in _walk(s)}
        self.related = related or {}

    def resolve(self, match: re.Match[str], where: tuple[str, ...]) -> URIRef:
        """The target of one match found in the subdivision at ``where``.

        Raises:
            ValueError: if the reference names a subdivision the section does not have, or an
                FAA section whose place is not known.
        """
        if match["code"]:
            return self._code(match["code"], _designations(match["code_sub"]))
        if match["act"]:
            act, subs = match["act"], _designations(match["act_sub"])
            if act in self.by_code.values():
                return self._provision((act, *subs))
            if act not in ACT_TO_CODE:
                raise ValueError(f"no known place for FAA section {act}")
            return self._code(ACT_TO_CODE[act], subs)
        if match["chapter"]:
            return URIRef(f"{FAA}/part-{match['part']}/chapter-{match['chapter']}")
        if match["this"]:
            return self._this(match["this"], where)
        if match["level"] == "subsection":
            return self._provision((where[0], match["designation"]))
        # "paragraph (2)": a sibling when cited from a paragraph, else a child.
        container = where[:-1] if where[-1].isdigit() else where
        return self._provision((*container, match["designation"]))

    def _code(self, section: str, subs: tuple[str, ...]) -> URIRef:
        if section in self.by_code:
            return self._provision((self.by_code[section], *subs))
        citation = f"22 U.S.C. {section}" + "".join(f"({s})" for s in subs)
        if citation in self.related:
            return self.related[citation]
        return ID["usc/t22/s" + "/".join((section, *subs))]

    def _this(self, unit: str, where: tuple[str, ...]) -> URIRef:
        # In the Code's wording "this chapter" is the Act (OLRC note to 22 U.S.C. 2347, References
        # in Text) and "this part" is Part II, Chapter 5 of the Act (the Code's Part V).
        if unit == "chapter":
            return FAA
        if unit == "part":
            return CHAPTER_5
        if unit == "section":
            return self._provision(where[:1])
        if unit == "subsection":
            return self._provision(where[:2])
        digits = [i for i, part in enumerate(where) if part.isdigit()]
        return self._provision(where[: digits[-1] + 1])

    def _provision(self, path: tuple[str, ...]) -> URIRef:
        if path not in self.paths:
            raise ValueError(f"reference to a subdivision the graph does not hold: {path}")
        return URIRef(f"{FAA}/section-" + "/".join(path))


def _designations(text: str | None) -> tuple[str, ...]:
    return tuple(re.findall(r"\(([a-z0-9]+)\)", text or ""))


def _walk(provision: Provision) -> Iterator[Provision]:
    yield provision
    for child in provision.children:
        yield from _walk(child)


def related_provisions(path: Path = RELATED_FILE) -> dict[str, URIRef]:
    """The Act's provisions outside the chapter that the graph holds, by their Code citation."""
    if not path.exists():
        return {}
    graph = Graph().parse(path)
    return {
        str(citation): subject
        for subject in graph.subjects(RDF.type, IMET.RelatedProvision)
        if isinstance(subject, URIRef)
        for citation in graph.objects(subject, DCTERMS.bibliographicCitation)
    }


def find_references(
    sections: list[Provision], related: dict[str, URIRef] | None = None
) -> list[Reference]:
    """Every reference in the chapter's text, in reading order, each attributed to the smallest
    subdivision containing it (an inline clause when the words fall inside its fragment).
    ``related`` maps Code citations of provisions outside the chapter to the graph's IRIs."""
    resolver = Resolver(sections, related)
    found: list[Reference] = []
    for section in sections:
        for provision in _walk(section):
            if provision.kind == "clause" or not provision.text:
                continue
            clauses = [c for c in provision.children if c.kind == "clause" and c.text]
            spans = [(provision.text.index(c.text), c) for c in clauses]
            seen: dict[tuple[tuple[str, ...], str], int] = {}
            for match in _REFERENCE.finditer(provision.text):
                source = provision.path
                for start, clause in spans:
                    if start <= match.start() and match.end() <= start + len(clause.text or ""):
                        source = clause.path
                key = (source, match.group(0))
                seen[key] = seen.get(key, 0) + 1
                target = resolver.resolve(match, source)
                found.append(Reference(source, match.group(0), seen[key], target))
    return found


def references_to_graph(references: list[Reference]) -> Graph:
    """The citation network: ``eli:cites`` links, and the U.S. Code resources outside the graph
    that they point to (label, USLM identifier, parent section, OLRC page)."""
    graph = bind_prefixes(Graph())
    described = describe_graph(
        graph,
        "cross-references",
        "Cross-references",
        "Every reference in the statute text of FAA Part II, Chapter 5 as an eli:cites link from "
        "the smallest subdivision containing it to its target, found and resolved by "
        "imet_kg.sources.crossrefs from data/sources/faa-part2-ch5.txt.",
    )
    graph.add((described, PROV.wasDerivedFrom, CODE_SOURCE))
    graph.add((described, PROV.wasDerivedFrom, NOTES_SOURCE))
    graph.add((described, PROV.wasDerivedFrom, GRAPH["related-provisions"]))
    for reference in references:
        source = URIRef(f"{FAA}/section-" + "/".join(reference.source))
        graph.add((source, ELI.cites, reference.target))
        if str(reference.target).startswith(str(ID["usc/"])):
            _describe_code_resource(graph, reference.target)
    return graph


def _describe_code_resource(graph: Graph, iri: URIRef) -> None:
    path = str(iri).removeprefix(str(ID["usc/t22/s"])).split("/")
    section, subs = path[0], path[1:]
    citation = f"22 U.S.C. {section}" + "".join(f"({s})" for s in subs)
    graph.add((iri, RDF.type, ELI.LegalResourceSubdivision))
    graph.add((iri, RDFS.label, Literal(citation, lang="en")))
    graph.add((iri, DCTERMS.bibliographicCitation, Literal(citation)))
    graph.add((iri, IMET.uslmId, Literal("/us/usc/t22/s" + "/".join(path))))
    graph.add((iri, ELI.is_part_of, ID[f"usc/t22/s{'/'.join(path[:-1])}"] if subs else TITLE_22))
    graph.add((iri, RDFS.seeAlso, URIRef(OLRC_SECTION_URL.format(section=section))))
    graph.add((iri, DCTERMS.source, CODE_SOURCE))
    if not subs and section in IN_THE_ACT:
        note = f"Cited in the Code's wording; the Act cites {IN_THE_ACT[section]}."
        graph.add((iri, SKOS.note, Literal(note, lang="en")))
    if subs:
        _describe_code_resource(graph, ID[f"usc/t22/s{'/'.join(path[:-1])}"])


def cross_references_file_bytes(source: Path = SOURCE_TEXT_FILE) -> bytes:
    """The exact bytes of ``data/cross-references.ttl``: a header, then stable Turtle."""
    from imet_kg.rdf.serialize import serialize_graph

    graph = references_to_graph(find_references(parse_code_text(source), related_provisions()))
    header = (
        "# GENERATED by `python -m imet_kg.sources.crossrefs` from\n"
        "# data/sources/faa-part2-ch5.txt: every cross-reference in the statute text.\n"
        "# Edit the source text or the parser, not this file.\n\n"
    )
    return header.encode("utf-8") + serialize_graph(graph, "turtle")


if __name__ == "__main__":  # pragma: no cover
    from imet_kg.rdf.files import write_atomic

    data = cross_references_file_bytes()
    write_atomic(CROSS_REFERENCES_FILE, data)
    print(f"wrote {CROSS_REFERENCES_FILE} ({len(data)} bytes)", file=sys.stderr)
