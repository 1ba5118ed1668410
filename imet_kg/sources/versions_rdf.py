"""Write the replayed versions of FAA Part II, Chapter 5 as ELI legal expressions (versions.ttl).

Each version of a section is an ``eli:LegalExpression`` that ``eli:realizes`` the section, with its
dates (``eli:first_date_entry_in_force``, ``eli:date_no_longer_in_force``, ``eli:version_date``),
``eli:in_force``, the law and previous version it takes into account (``eli:consolidates``), the
effect records it derives from (``prov:wasDerivedFrom``), its text status (``imet:textStatus``)
and its sources. Its subdivisions are expressions ``eli:is_part_of`` it, each realizing the
provision that holds its words today; ``schema:position`` orders them (``imet:documentOrder``
belongs to the provisions of today's text).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from imet_kg.kg.graph import describe_graph
from imet_kg.namespaces import ELI, ID, IMET, SCHEMA, bind_prefixes
from imet_kg.sources.uscode_text import SOURCE_TEXT_FILE, Provision
from imet_kg.sources.versions import (
    EFFECTS_FILE,
    VERSIONS_FILE,
    Version,
    code_blocks,
    read_effects,
    replay,
    today_path,
    version_provisions,
)

TEXT_STATUS = {
    "as-printed": IMET.TextAsPrinted,
    "reconstructed": IMET.TextReconstructed,
    "unknown": IMET.TextUnknown,
}
VERIFICATION = {"verified": IMET.Verified, "inferred": IMET.Inferred}
IN_FORCE = ELI["InForce-inForce"]
NOT_IN_FORCE = ELI["InForce-notInForce"]


def version_iri(version: Version, path: tuple[str, ...] = ()) -> URIRef:
    """``id/version/section-{n}/{law or origin-unknown}[/{subdivision path}]``."""
    tail = "".join(f"/{part}" for part in path[1:])
    return ID[f"version/section-{version.section}/{version.key}{tail}"]


def provision_iri(path: tuple[str, ...]) -> URIRef:
    return ID["faa/section-" + "/".join(path)]


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def _label(version: Version, suffix: str = "") -> str:
    name = f"FAA §{version.section}{suffix}"
    if not version.law:
        text = f"{name}, today's text, in force since a date not established"
    else:
        until = version.valid_until or "today"
        text = f"{name}, version of Pub. L. {version.law} ({version.valid_from} to {until})"
    return text + (", text unknown" if version.block is None else "")


def _add_version(graph: Graph, version: Version, previous: Version | None) -> URIRef:
    add = graph.add
    iri = version_iri(version)
    section = provision_iri((version.section,))
    add((iri, RDF.type, ELI.LegalExpression))
    add((iri, RDFS.label, Literal(_label(version), lang="en")))
    add((iri, ELI.realizes, section))
    add((section, ELI.is_realized_by, iri))
    add((iri, IMET.textStatus, TEXT_STATUS[version.text_status]))
    add((iri, SCHEMA.position, Literal(1)))
    add((iri, DCTERMS.bibliographicCitation, Literal(f"22 U.S.C. {version.code_section}")))
    add((iri, ELI.in_force, NOT_IN_FORCE if version.valid_until else IN_FORCE))
    if version.valid_from:
        add((iri, ELI.first_date_entry_in_force, _date(version.valid_from)))
        add((iri, ELI.version_date, _date(version.valid_from)))
    if version.valid_until:
        add((iri, ELI.date_no_longer_in_force, _date(version.valid_until)))
    if version.law:
        add((iri, ELI.consolidates, ID[f"pl/{version.law}"]))
    if previous is not None:
        add((iri, ELI.consolidates, version_iri(previous)))
    for effect in version.effects:
        add((iri, PROV.wasDerivedFrom, ID[f"effect/{effect}"]))
    for source in version.sources:
        add((iri, DCTERMS.source, ID[f"source/{source}"]))
    add((iri, DCTERMS.description, Literal(version.text_source, lang="en")))
    add((iri, IMET.verificationStatus, VERIFICATION[version.verification]))
    return iri


def _add_part(graph: Graph, version: Version, provision: Provision, order: int) -> None:
    add = graph.add
    iri = version_iri(version, provision.path)
    suffix = provision.citation_suffix
    add((iri, SCHEMA.position, Literal(order)))
    add((iri, DCTERMS.bibliographicCitation, Literal(f"22 U.S.C. {version.code_section}{suffix}")))
    if provision.heading and provision.kind != "section":
        add((iri, IMET.codeHeading, Literal(provision.heading)))
    if provision.text:
        add((iri, SCHEMA.text, Literal(provision.text)))
    if provision.kind == "section":
        return
    parent = version_iri(version, provision.path[:-1])
    realized = provision_iri(today_path(version, provision.path))
    add((iri, RDF.type, ELI.LegalExpression))
    add((iri, RDFS.label, Literal(_label(version, suffix), lang="en")))
    add((iri, ELI.is_part_of, parent))
    add((iri, ELI.number, Literal(provision.designation)))
    add((iri, ELI.realizes, realized))
    add((realized, ELI.is_realized_by, iri))


def versions_to_graph(
    effects: Path = EFFECTS_FILE, code_text: Path = SOURCE_TEXT_FILE
) -> tuple[Graph, dict[str, list[Version]]]:
    """Replay the effects file and build the versions graph.

    Returns:
        The graph and the versions it was built from (FAA section -> versions, oldest first).
    """
    graph = bind_prefixes(Graph())
    versions = replay(read_effects(effects))
    headers = {faa: header for faa, (header, _) in code_blocks(code_text).items()}
    described = describe_graph(
        graph,
        "versions",
        "Point-in-time versions",
        "Each version of FAA sections 541-549 from enactment to today, one per amending law, "
        "subdivision by subdivision, with its dates, the law and effect records that produced it, "
        "and whether its wording is printed in a source, reconstructed from the amendment notes "
        "or unknown. Generated by replaying data/sources/faa-part2-ch5-amendments.csv.",
    )
    sources: set[str] = set()
    for section in sorted(versions):
        previous = None
        for version in versions[section]:
            _add_version(graph, version, previous)
            for order, provision in enumerate(version_provisions(version, headers[section]), 1):
                _add_part(graph, version, provision, order)
            sources.update(version.sources)
            previous = version
    for source in sorted(sources):
        graph.add((described, PROV.wasDerivedFrom, ID[f"source/{source}"]))
    return graph, versions


def versions_file_bytes() -> bytes:
    """The exact bytes of ``data/versions.ttl``: a header, then the graph as stable Turtle."""
    from imet_kg.rdf.serialize import serialize_graph

    graph, _ = versions_to_graph()
    header = (
        "# GENERATED by `python -m imet_kg.sources.versions` from\n"
        "# data/sources/faa-part2-ch5-amendments.csv (the recorded effects, replayed in order)\n"
        "# and data/sources/faa-part2-ch5.txt (today's Code text, for the section headers).\n"
        "# Edit the effects file or the generator, not this file.\n\n"
    )
    return header.encode("utf-8") + serialize_graph(graph, "turtle")


def write_versions_file(out: Path = VERSIONS_FILE) -> int:  # pragma: no cover - via main
    """Regenerate ``data/versions.ttl``; return the number of bytes written."""
    from imet_kg.rdf.files import write_atomic

    data = versions_file_bytes()
    write_atomic(out, data)
    return len(data)
