"""Write the provisions outside FAA Part II, Chapter 5 that govern IMET as RDF, from vendored text.

The sources are the U.S. Code texts in ``data/sources/usc22-*.txt`` (FAA 502B = 22 U.S.C. 2304,
620M = 2378d, 656 = 2416, 116 = 2151n), each with its source notes. ``data/related-provisions.ttl``
is generated from them with ``python -m imet_kg.sources.related_provisions``: every section and
subdivision as an ELI legal resource subdivision with its verbatim Code text, Code citation and
Code-section resource. What each provision governs (restrictions on who IMET may train, reports
owed) is curated in ``data/program.ttl``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from imet_kg.kg.graph import describe_graph
from imet_kg.namespaces import ELI, ID, IMET, SCHEMA, bind_prefixes
from imet_kg.paths import DATA_DIR
from imet_kg.sources.related_text import Node, parse_blocks, read_source_file

SOURCES_DIR = DATA_DIR / "sources"
RELATED_FILE = DATA_DIR / "related-provisions.ttl"

FAA = ID["faa"]
TITLE_22 = ID["usc/t22"]
CODE_TEXT_SOURCE = ID["source/uscode-t22-related-olrc"]
SPLICE_SOURCE = ID["source/civic-source-uscode-2151n"]

#: The OLRC's page of a U.S. Code section (URL pattern verified in the reference facts).
OLRC_SECTION_URL = (
    "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title22-section{section}"
    "&num=0&edition=prelim"
)

#: Code phrases that are the Code's own wording (its references to itself), not the Act's.
_CODE_PHRASE = re.compile(
    r"section \d+[a-z]*(?:-\d+)?(?:\([^)]+\))* of this title"
    r"|(?:part|subchapter) [IVX]+ of this (?:sub)?chapter"
    r"|chapter \d+ of this title|this subchapter|this chapter"
    r"|\[ ?\d+ U\.S\.C\. [^\]]+\]"
)


@dataclass(frozen=True)
class RelatedSection:
    """A related section: its Act number, Code section, vendored file and how its number is known.

    Attributes:
        act: the FAA section number, e.g. "502B".
        code: the 22 U.S.C. section, e.g. "2304".
        filename: the vendored text under ``data/sources/``.
        number_status: ``imet:Verified`` when a source shows the Act number beside the Code
            section, ``imet:Inferred`` otherwise.
        number_sources: the source documents that show (or suggest) the Act number.
        number_note: how the Act number is known.
    """

    act: str
    code: str
    filename: str
    number_status: URIRef
    number_sources: tuple[str, ...]
    number_note: str

    @property
    def iri(self) -> URIRef:
        return ID[f"faa/section-{self.act}"]

    @property
    def code_iri(self) -> URIRef:
        return ID[f"usc/t22/s{self.code}"]

    @property
    def path(self) -> Path:
        return SOURCES_DIR / self.filename


SECTIONS = (
    RelatedSection(
        "116",
        "2151n",
        "usc22-2151n.txt",
        IMET.Verified,
        ("stat-89-860",),
        "FAA section 116 = 22 U.S.C. 2151n: 89 Stat. 860 (Pub. L. 94-161, sec. 310) inserts "
        "'SEC. 116. HUMAN RIGHTS.' with the margin note '22 USC 2151n.'",
    ),
    RelatedSection(
        "502B",
        "2304",
        "usc22-2304.txt",
        IMET.Verified,
        ("stat-90-748",),
        "FAA section 502B = 22 U.S.C. 2304: 90 Stat. 748 (Pub. L. 94-329, sec. 301(a)), margin "
        "note '22 USC 2304.' beside 'Section 502B of the Foreign Assistance Act of 1961 is "
        "amended to read as follows'.",
    ),
    RelatedSection(
        "620M",
        "2378d",
        "usc22-2378d.txt",
        IMET.Inferred,
        ("uscode-2010-2378d",),
        "Inferred section number: no source read shows '620M' beside 22 U.S.C. 2378d. The 2010 "
        "edition of the Code credits the section to 'Pub. L. 87-195, pt. III, sec. 620J, as "
        "added Pub. L. 110-161' (a duplicate section number), consistent with a later "
        "renumbering to 620M, the number the project's issue gives. The text and the Code "
        "citation are read in the Code and are not in doubt.",
    ),
    RelatedSection(
        "656",
        "2416",
        "usc22-2416.txt",
        IMET.Verified,
        ("lfr-section-656",),
        "FAA section 656 = 22 U.S.C. 2416: Legislation on Foreign Relations prints 'SEC. 656. "
        "ANNUAL FOREIGN MILITARY TRAINING REPORT.' with the same wording as the Code.",
    ),
)


def parse_section(section: RelatedSection) -> tuple[dict[str, str], Node]:
    """Read one vendored file: its source notes and its tree of provisions."""
    notes, blocks = read_source_file(section.path)
    return notes, parse_blocks(blocks)


def related_graph(sections: tuple[RelatedSection, ...] = SECTIONS) -> Graph:
    """Build the graph of the related provisions, their Code sections and their text.

    Returns:
        One node per section and subdivision (type, label, number, parent, position, Code
        citation, USLM identifier where USLM's form is known, catchline, verbatim text, Code
        wording, source, verification status) and one Code-section resource per section.
    """
    graph = bind_prefixes(Graph())
    described = describe_graph(
        graph,
        "related-provisions",
        "Related provisions",
        "Provisions of the Foreign Assistance Act outside Part II, Chapter 5 that govern IMET "
        "(FAA 116, 502B, 620M, 656 = 22 U.S.C. 2151n, 2304, 2378d, 2416), down to the clause, "
        "with their verbatim U.S. Code text and Code citations.",
    )
    graph.add((described, PROV.wasDerivedFrom, CODE_TEXT_SOURCE))
    graph.add((described, PROV.wasDerivedFrom, SPLICE_SOURCE))
    position = 0
    for section in sections:
        notes, tree = parse_section(section)
        _add_code_section(graph, section, notes)
        for node in tree.walk():
            position += 1
            _add_node(graph, section, node, position)
    return graph


def _add_code_section(graph: Graph, section: RelatedSection, notes: dict[str, str]) -> None:
    code = section.code_iri
    heading = notes["heading"].split(". ", 1)[1]  # "§ 2304. Human rights ..." -> the heading
    graph.add((code, RDF.type, ELI.LegalResourceSubdivision))
    graph.add((code, RDFS.label, Literal(f"22 U.S.C. {section.code}", lang="en")))
    graph.add((code, IMET.codeHeading, Literal(heading)))
    graph.add((code, IMET.uslmId, Literal(f"/us/usc/t22/s{section.code}")))
    graph.add((code, ELI.is_part_of, TITLE_22))
    graph.add((code, DCTERMS.source, CODE_TEXT_SOURCE))
    graph.add((code, RDFS.seeAlso, URIRef(OLRC_SECTION_URL.format(section=section.code))))
    graph.add((code, IMET.verificationStatus, IMET.Verified))


def _iri(section: RelatedSection, node: Node) -> URIRef:
    return URIRef("/".join((str(section.iri), *node.path)))


def _add_node(graph: Graph, section: RelatedSection, node: Node, position: int) -> None:
    iri = _iri(section, node)
    nums = [segment.removesuffix("-2") for segment in node.path]
    suffix = "".join(f"({num})" for num in nums)
    add = graph.add
    add((iri, RDF.type, ELI.LegalResourceSubdivision))
    add((iri, RDF.type, IMET.RelatedProvision))
    add((iri, RDFS.label, Literal(f"FAA §{section.act}{suffix}", lang="en")))
    add((iri, ELI.number, Literal(node.num or section.act)))
    parent = FAA if not node.path else URIRef(str(iri).rsplit("/", 1)[0])
    add((iri, ELI.is_part_of, parent))
    add((iri, SCHEMA.position, Literal(position, datatype=XSD.integer)))
    add((iri, DCTERMS.bibliographicCitation, Literal(f"22 U.S.C. {section.code}{suffix}")))
    add((iri, DCTERMS.source, SPLICE_SOURCE if node.spliced else CODE_TEXT_SOURCE))
    add((iri, IMET.verificationStatus, section.number_status))
    if all(re.fullmatch(r"[a-z0-9]+", segment) for segment in node.path):
        # USLM's identifiers are known down to lower-case designations; none for repeated ones.
        uslm = "/".join((f"/us/usc/t22/s{section.code}", *node.path))
        add((iri, IMET.uslmId, Literal(uslm)))
    if not node.path:
        _add_section_facts(graph, section, iri)
    elif section.number_status == IMET.Inferred:
        note = (
            f"Inferred only as to the Act's designation 'FAA §{section.act}': the text and the "
            f"citation 22 U.S.C. {section.code}{suffix} are read in the "
            "Code; see the section's note."
        )
        add((iri, SKOS.note, Literal(note, lang="en")))
    _add_editorial(graph, iri, node)


def _add_section_facts(graph: Graph, section: RelatedSection, iri: URIRef) -> None:
    graph.add((iri, IMET.codifiedAs, section.code_iri))
    for name in section.number_sources:
        graph.add((iri, DCTERMS.source, ID[f"source/{name}"]))
    graph.add((iri, SKOS.note, Literal(section.number_note, lang="en")))


def _add_editorial(graph: Graph, iri: URIRef, node: Node) -> None:
    if node.heading:
        graph.add((iri, IMET.codeHeading, Literal(node.heading)))
    notes = []
    if node.path and node.path[-1].endswith("-2"):
        notes.append(
            f"The Code has two {node.level}s designated ({node.num}); this is the second, "
            f"identified here by the suffix '-2'."
        )
    if node.footnote:
        notes.append(f"The Code prints footnote {node.footnote} on this designation.")
    if node.spliced:
        notes.append(
            "Text added after the main source's snapshot (Pub. L. 118-31, 2023), taken from the "
            "second source named in the source notes."
        )
    if node.text:
        graph.add((iri, SCHEMA.text, Literal(node.text)))
        phrases = sorted({m.group(0) for m in _CODE_PHRASE.finditer(node.text)})
        for phrase in phrases:
            graph.add((iri, IMET.codeWording, Literal(phrase)))
        if phrases:
            notes.append(
                "This text is the U.S. Code's editorially adapted wording, not the Act's: the "
                "Code's own references ("
                + "; ".join(f"'{p}'" for p in phrases)
                + ") stand for the Act's, whose wording was not consulted."
            )
    if notes:
        graph.add((iri, SKOS.editorialNote, Literal(" ".join(notes), lang="en")))


def write_related_file(out: Path = RELATED_FILE) -> Graph:  # pragma: no cover - via main
    """Regenerate ``data/related-provisions.ttl`` and return the graph written."""
    from imet_kg.rdf.files import write_atomic
    from imet_kg.rdf.serialize import serialize_graph

    graph = related_graph()
    header = (
        "# GENERATED by `python -m imet_kg.sources.related_provisions` from\n"
        "# data/sources/usc22-{2151n,2304,2378d,2416}.txt: the verbatim U.S. Code text of\n"
        "# FAA 116, 502B, 620M and 656. Edit the source text or the generator, not this file.\n"
        "# What these provisions govern (restrictions, reports) is curated in data/program.ttl.\n\n"
    )
    write_atomic(out, header.encode("utf-8") + serialize_graph(graph, "turtle"))
    return graph


if __name__ == "__main__":  # pragma: no cover
    written = write_related_file()
    print(f"wrote {RELATED_FILE} ({len(written)} triples)", file=sys.stderr)
