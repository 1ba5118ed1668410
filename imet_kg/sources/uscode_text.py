"""Parse the U.S. Code text of FAA Part II, Chapter 5 into provisions, and write them as RDF.

The source is the plain-text rendering of 22 U.S.C. 2347-2347h kept in
``data/sources/faa-part2-ch5.txt`` (public domain). ``data/statute.ttl`` is generated from it with
``python -m imet_kg.sources.uscode_text``, so the graph's statute text is verbatim and can be
regenerated when the Office of the Law Revision Counsel publishes a new release.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from imet_kg.kg.graph import describe_graph
from imet_kg.namespaces import ELI, ID, IMET, SCHEMA, bind_prefixes
from imet_kg.paths import DATA_DIR

SOURCE_TEXT_FILE = DATA_DIR / "sources" / "faa-part2-ch5.txt"
STATUTE_FILE = DATA_DIR / "statute.ttl"

FAA = ID["faa"]
PART_II = URIRef(f"{FAA}/part-II")
CHAPTER_5 = URIRef(f"{PART_II}/chapter-5")
TITLE_22 = ID["usc/t22"]
CODE_SOURCE = ID["source/uscode-t22-olrc"]

_SECTION_HEADER = re.compile(
    r"^§(?P<code>2347[a-h]?)\. (?P<heading>.+?)\s{2,}\[FAA sec\. (?P<faa>\d+)[^\]]*\]$"
)
_DESIGNATION = re.compile(r"^\((?P<num>[a-z]|\d+)\) (?P<body>.+)$")
_CLAUSE = re.compile(
    r"\((?P<num>i|ii|iii|iv)\) (?P<body>.+?)(?=, \((?:ii|iii|iv)\)|, or \((?:ii|iii|iv)\)|\. )"
)
_TEXT_ENDINGS = (".", ";", ":", "—", ",", " and", " or")

#: The U.S. Code's own wording in the chapter's text, and what the Act reads instead. The Code
#: text is "editorially adapted" (source notes of faa-part2-ch5.txt): the Act's wording is given
#: where a source shows it (the as-enacted appendix of that file, the OLRC's References in Text
#: note to 22 U.S.C. 2347), otherwise the Act provision the Code's reference stands for.
CODE_WORDING: dict[str, str] = {
    "this part": "the Act reads 'this chapter'",
    "this chapter": (
        "the Act reads 'this Act' (OLRC note: 'This chapter, referred to in subsec. (a), was in "
        "the original \u201cthis Act\u201d')"
    ),
    "section 2763 of this title": (
        "the Act refers to section 23 of the Arms Export Control Act (its words are not recorded)"
    ),
    "section 2392(d) of this title": (
        "the Act refers to FAA section 632(d) (its words are not recorded)"
    ),
    "section 2416(e) of this title": (
        "the Act refers to FAA section 656(e) (its words are not recorded)"
    ),
    "section 2151n(d) of this title": "the Act reads 'section 116(d) of this Act'",
    "section 2347h of this title": "the Act reads 'section 549 of this Act'",
}
_CODE_PHRASE = re.compile("|".join(re.escape(k) for k in sorted(CODE_WORDING, key=len)[::-1]))


@dataclass
class Provision:
    """One provision of the chapter as read from the Code text.

    Attributes:
        kind: "section", "subsection", "paragraph" or "clause".
        path: designations from the section down, e.g. ("541", "a", "1").
        code_section: the U.S. Code section number, e.g. "2347b".
        heading: the Code's heading, if the provision has one.
        text: the provision's own text (without its heading and without block children's text).
    """

    kind: str
    path: tuple[str, ...]
    code_section: str
    heading: str | None = None
    text: str | None = None
    children: list[Provision] = field(default_factory=list)

    @property
    def iri(self) -> URIRef:
        return URIRef(f"{FAA}/section-" + "/".join(self.path))

    @property
    def designation(self) -> str:
        return self.path[-1]

    @property
    def citation_suffix(self) -> str:
        return "".join(f"({p})" for p in self.path[1:])


def _is_heading(body: str) -> bool:
    # A designation line is a heading ("(a) In general") when it does not read as running text.
    return not body.endswith(_TEXT_ENDINGS)


def parse_code_text(path: Path = SOURCE_TEXT_FILE) -> list[Provision]:
    """Read the chapter's Code text and return its sections, each with its subdivisions.

    Args:
        path: the plain-text file (section headers ``§2347b. Heading  [FAA sec. 543 ...]``,
            designated blocks ``(a)``/``(1)``, notes indented in brackets).

    Returns:
        The sections in document order.

    Raises:
        ValueError: if a block cannot be placed in the hierarchy.
    """
    return parse_code_lines(path.read_text(encoding="utf-8").splitlines(), str(path))


def parse_code_lines(lines: list[str], origin: str = "<text>") -> list[Provision]:
    """Parse lines in the format of :func:`parse_code_text` (e.g. one section as it read in an
    earlier version) and return the sections; ``origin`` names the input in error messages."""
    path = origin
    sections: list[Provision] = []
    section: Provision | None = None
    subsection: Provision | None = None
    pending_heading: Provision | None = None
    for raw in lines:
        if raw.startswith("====="):
            section = None  # banners close the statute text (appendix follows the last one)
            continue
        header = _SECTION_HEADER.match(raw)
        if header:
            section = Provision(
                kind="section",
                path=(header["faa"],),
                code_section=header["code"],
                heading=header["heading"].strip(),
            )
            sections.append(section)
            subsection = pending_heading = None
            continue
        if section is None or not raw.strip() or raw[0].isspace():
            continue  # outside the statute, blank, or an indented editorial note
        line = raw.strip()
        designated = _DESIGNATION.match(line)
        if designated is None:
            target = pending_heading or section
            if target.text is not None:
                raise ValueError(f"{path}: second text block for {target.path}: {line[:60]}")
            target.text = line
            pending_heading = None
            continue
        num, body = designated["num"], designated["body"]
        if num.isalpha():
            subsection = Provision("subsection", (*section.path, num), section.code_section)
            section.children.append(subsection)
            current = subsection
        else:
            parent = subsection or section
            current = Provision("paragraph", (*parent.path, num), section.code_section)
            parent.children.append(current)
        if _is_heading(body):
            current.heading = body
            pending_heading = current
        else:
            current.text = body
            pending_heading = None
    for sect in sections:
        for provision in _walk(sect):
            _add_clauses(provision)
    return sections


def _add_clauses(provision: Provision) -> None:
    # Roman-numbered clauses run inline in the text: each becomes a child holding its fragment.
    if not provision.text:
        return
    for match in _CLAUSE.finditer(provision.text):
        fragment = f"({match['num']}) {match['body']}"
        clause = Provision("clause", (*provision.path, match["num"]), provision.code_section)
        clause.text = fragment
        provision.children.insert(sum(c.kind == "clause" for c in provision.children), clause)


def _walk(provision: Provision):
    yield provision
    for child in provision.children:
        yield from _walk(child)


_KIND_CLASS = {
    "section": IMET.Section,
    "subsection": IMET.Subsection,
    "paragraph": IMET.Paragraph,
    "clause": IMET.Clause,
}


def provisions_to_graph(sections: list[Provision]) -> Graph:
    """Build the statute graph: Part II, Chapter 5, each section and subdivision, the Code sections.

    Args:
        sections: the output of :func:`parse_code_text`.

    Returns:
        A graph with one node per provision (number, headings, verbatim text, document order,
        USLM identifier, citation) and one U.S. Code section per FAA section. The Act's headings
        and the crosswalk records, with their evidence, are curated in ``data/crosswalk.ttl``.
    """
    graph = bind_prefixes(Graph())
    add = graph.add
    statute = describe_graph(
        graph,
        "statute",
        "Statute text",
        "FAA Part II, Chapter 5 down to the clause, with the verbatim U.S. Code text of "
        "22 U.S.C. 2347-2347h, and the U.S. Code sections that codify it.",
    )
    add((statute, PROV.wasDerivedFrom, CODE_SOURCE))
    add((PART_II, RDF.type, IMET.Part))
    add((PART_II, RDFS.label, Literal("FAA Part II", lang="en")))
    add((PART_II, ELI.number, Literal("II")))
    add((PART_II, ELI.is_part_of, FAA))
    add((PART_II, IMET.documentOrder, Literal(1)))
    add((PART_II, DCTERMS.source, CODE_SOURCE))
    add((CHAPTER_5, RDF.type, IMET.Chapter))
    add((CHAPTER_5, RDFS.label, Literal("FAA Part II, Chapter 5", lang="en")))
    add((CHAPTER_5, ELI.number, Literal("5")))
    add((CHAPTER_5, ELI.is_part_of, PART_II))
    add((CHAPTER_5, IMET.documentOrder, Literal(2)))
    add((CHAPTER_5, IMET.codeHeading, Literal("International Military Education and Training")))
    add(
        (
            CHAPTER_5,
            DCTERMS.bibliographicCitation,
            Literal("22 U.S.C. ch. 32, subch. II, Part V"),
        )
    )
    add((CHAPTER_5, DCTERMS.source, CODE_SOURCE))
    add((TITLE_22, RDF.type, ELI.LegalResource))
    add((TITLE_22, RDFS.label, Literal("Title 22, United States Code", lang="en")))
    add((TITLE_22, IMET.uslmId, Literal("/us/usc/t22")))
    add((TITLE_22, DCTERMS.source, CODE_SOURCE))

    order = 2
    for section in sections:
        code_iri = ID[f"usc/t22/s{section.code_section}"]
        add((code_iri, RDF.type, IMET.CodeSection))
        add((code_iri, RDFS.label, Literal(f"22 U.S.C. {section.code_section}", lang="en")))
        add((code_iri, IMET.codeHeading, Literal(section.heading)))
        add((code_iri, IMET.uslmId, Literal(f"/us/usc/t22/s{section.code_section}")))
        add((code_iri, ELI.is_part_of, TITLE_22))
        add((code_iri, DCTERMS.source, CODE_SOURCE))
        for provision in _walk(section):
            order += 1
            _add_provision(graph, provision, order)
    return graph


def _add_provision(graph: Graph, provision: Provision, order: int) -> None:
    iri = provision.iri
    parent = CHAPTER_5 if provision.kind == "section" else URIRef(iri.rsplit("/", 1)[0])
    citation = f"22 U.S.C. {provision.code_section}{provision.citation_suffix}"
    label = f"FAA §{provision.path[0]}{provision.citation_suffix}"
    graph.add((iri, RDF.type, _KIND_CLASS[provision.kind]))
    graph.add((iri, RDFS.label, Literal(label, lang="en")))
    graph.add((iri, ELI.number, Literal(provision.designation)))
    graph.add((iri, ELI.is_part_of, parent))
    graph.add((iri, IMET.documentOrder, Literal(order)))
    graph.add((iri, DCTERMS.source, CODE_SOURCE))
    if provision.kind == "clause":
        # An inline clause has no Code citation or USLM identifier of its own: cite the block that
        # contains it, and say so (the OLRC's notes quote such clauses, they do not cite them).
        parent_suffix = "".join(f"({p})" for p in provision.path[1:-1])
        citation = f"22 U.S.C. {provision.code_section}{parent_suffix}"
        note = (
            f"Clause ({provision.designation}) runs inline in the text of "
            f"22 U.S.C. {provision.code_section}{parent_suffix} and has no citation of its own in "
            f"the Code, which cites only down to the designated block; it is cited here by the "
            f"block that contains it. The form '{label}' names the clause by its inline number "
            f"(an editorial designation)."
        )
        graph.add((iri, SKOS.editorialNote, Literal(note, lang="en")))
    else:
        # USLM has elements down to paragraphs; inline clauses have no identifier of their own.
        uslm = "/".join((f"/us/usc/t22/s{provision.code_section}", *provision.path[1:]))
        graph.add((iri, IMET.uslmId, Literal(uslm)))
    graph.add((iri, DCTERMS.bibliographicCitation, Literal(citation)))
    if provision.heading:
        graph.add((iri, IMET.codeHeading, Literal(provision.heading)))
    if provision.text:
        graph.add((iri, SCHEMA.text, Literal(provision.text)))
        _add_code_wording(graph, iri, provision.text)


def _add_code_wording(graph: Graph, iri: URIRef, text: str) -> None:
    """Mark the U.S. Code's editorial wording in a node's text, each phrase with the Act's."""
    phrases = sorted({m.group(0) for m in _CODE_PHRASE.finditer(text)})
    if not phrases:
        return
    for phrase in phrases:
        graph.add((iri, IMET.codeWording, Literal(phrase)))
    parts = "; ".join(f"for '{phrase}' {CODE_WORDING[phrase]}" for phrase in phrases)
    note = f"This text is the U.S. Code's editorially adapted wording, not the Act's: {parts}."
    graph.add((iri, SKOS.editorialNote, Literal(note, lang="en")))


def write_statute_file(
    source: Path = SOURCE_TEXT_FILE, out: Path = STATUTE_FILE
) -> Graph:  # pragma: no cover - exercised through main()
    """Regenerate ``data/statute.ttl`` from the Code text and return the graph written."""
    from imet_kg.rdf.serialize import serialize_graph

    graph = provisions_to_graph(parse_code_text(source))
    header = (
        "# GENERATED by `python -m imet_kg.sources.uscode_text` from\n"
        "# data/sources/faa-part2-ch5.txt:\n"
        "# the verbatim U.S. Code text of 22 U.S.C. 2347-2347h (FAA Part II, Chapter 5).\n"
        "# Edit the source text or the generator, not this file.\n\n"
    )
    from imet_kg.rdf.files import write_atomic

    write_atomic(out, header.encode("utf-8") + serialize_graph(graph, "turtle"))
    return graph


if __name__ == "__main__":  # pragma: no cover
    written = write_statute_file()
    print(f"wrote {STATUTE_FILE} ({len(written)} triples)", file=sys.stderr)
