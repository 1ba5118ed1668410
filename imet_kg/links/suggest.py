"""Suggest Wikidata items for the graph's unlinked resources, into a review file for a person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from imet_kg.errors import InputError
from imet_kg.links.build import add_link_record
from imet_kg.links.linkset import DATASETS, WIKIDATA_ENTITY, Link, slug
from imet_kg.links.wikidata_query import (
    DEFAULT_ENDPOINT,
    DEFAULT_TIMEOUT,
    WD,
    batches,
    select,
    value,
    wikidata_links,
)
from imet_kg.namespaces import GRAPH, ID, IMET, SEMAPV, SSSOM, VOID, bind_prefixes
from imet_kg.paths import DATA_DIR, DEFAULT_OUT_DIR
from imet_kg.rdf.files import write_atomic

DEFAULT_SUGGESTIONS_FILE = DEFAULT_OUT_DIR / "link-suggestions.ttl"
#: The graph's resources ``links suggest`` looks for in Wikidata.
SUGGESTABLE_CLASSES = (ORG.Organization, ORG.FormalOrganization, IMET.Program, IMET.PublicLaw)
SUGGEST_AGENT = ID["agent/imet-kg-links-suggest"]
_LABEL_FIELDS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)


@dataclass(frozen=True)
class Suggestion:
    """A candidate Wikidata item for a resource of the graph, found by its exact English label.

    Attributes:
        subject: the graph's resource (an organization, program or public law).
        subject_label: its main English label.
        item: the candidate item's entity IRI.
        label: the label both share.
        fields: the graph's label properties that carry it (rdfs:label, skos:altLabel, ...).
        types: the item's ``wdt:P31`` values, each as (IRI, English label or None).
    """

    subject: URIRef
    subject_label: str
    item: URIRef
    label: str
    fields: tuple[URIRef, ...]
    types: tuple[tuple[str, str | None], ...] = field(default=())

    @property
    def qid(self) -> str:
        return str(self.item).removeprefix(WD)


@dataclass(frozen=True)
class _Unlinked:
    subject: URIRef
    label: str
    labels: tuple[tuple[str, URIRef], ...]  # (English label, the property that carries it)


def unlinked_resources(graph: Graph) -> list[_Unlinked]:
    """The organizations, programs and public laws that have no Wikidata link (record or triple)."""
    linked = {link.subject for link in wikidata_links(graph)}
    linked |= {
        subject
        for predicate in (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)
        for subject, target in graph.subject_objects(predicate)
        if str(target).startswith(WIKIDATA_ENTITY)
    }
    subjects = {s for cls in SUGGESTABLE_CLASSES for s in graph.subjects(RDF.type, cls)}
    found = []
    for subject in sorted(s for s in subjects - linked if isinstance(s, URIRef)):
        labels = sorted(
            {
                (str(value), prop)
                for prop in _LABEL_FIELDS
                for value in graph.objects(subject, prop)
                if isinstance(value, Literal) and (value.language or "").lower() == "en"
            }
        )
        if labels:
            main = graph.value(subject, RDFS.label) or labels[0][0]
            found.append(_Unlinked(subject, str(main), tuple(labels)))
    return found


_SUGGEST_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?label ?item ?type ?typeLabel WHERE {{
  VALUES ?label {{ {labels} }}
  ?item rdfs:label ?label .
  FILTER(STRSTARTS(STR(?item), "http://www.wikidata.org/entity/Q"))
  OPTIONAL {{
    ?item wdt:P31 ?type .
    OPTIONAL {{ ?type rdfs:label ?typeLabel . FILTER(LANG(?typeLabel) = "en") }}
  }}
}}
"""


def find_candidates(
    graph: Graph, endpoint_url: str = DEFAULT_ENDPOINT, timeout: float = DEFAULT_TIMEOUT
) -> list[Suggestion]:
    """Find Wikidata items whose English label equals a label of an unlinked resource.

    Args:
        graph: the knowledge graph.
        endpoint_url: a SPARQL endpoint with Wikidata's data.
        timeout: seconds each request may take in all, from connecting to the answer's last byte.

    Returns:
        The candidates, sorted by subject and item; several per resource when several items share
        one of its labels.

    Raises:
        EndpointError: if the endpoint cannot be queried.
    """
    unlinked = unlinked_resources(graph)
    texts = sorted({text for resource in unlinked for text, _ in resource.labels})
    items_by_label: dict[str, dict[str, dict[str, str | None]]] = {}
    for batch in batches(texts):
        values = " ".join(Literal(text, lang="en").n3() for text in batch)
        for binding in select(endpoint_url, _SUGGEST_QUERY.format(labels=values), timeout):
            label, item = value(binding, "label"), value(binding, "item")
            types = items_by_label.setdefault(label, {}).setdefault(item, {})
            if (kind := value(binding, "type")) is not None:
                types[kind] = types.get(kind) or value(binding, "typeLabel")
    suggestions = []
    for resource in unlinked:
        by_item: dict[str, tuple[str, list[URIRef]]] = {}
        for text, prop in resource.labels:
            for item in items_by_label.get(text, {}):
                shared, fields = by_item.setdefault(item, (text, []))
                if text == shared:
                    fields.append(prop)
        for item, (text, fields) in sorted(by_item.items()):
            types = items_by_label[text][item]
            suggestions.append(
                Suggestion(
                    subject=resource.subject,
                    subject_label=resource.label,
                    item=URIRef(item),
                    label=text,
                    fields=tuple(sorted(set(fields))),
                    types=tuple(sorted(types.items())),
                )
            )
    return suggestions


def suggestions_to_graph(
    suggestions: Iterable[Suggestion], endpoint_url: str, created: date
) -> Graph:
    """Write candidates as unverified SSSOM mapping records (no direct triples) for review."""
    graph = bind_prefixes(Graph())
    header = GRAPH["link-suggestions"]
    graph.add((header, RDF.type, SSSOM.MappingSet))
    graph.add((header, DCTERMS.title, Literal("Candidate Wikidata links, for review", lang="en")))
    graph.add(
        (
            header,
            DCTERMS.description,
            Literal(
                f"Made by `imet-kg links suggest` from {endpoint_url} on {created.isoformat()}: "
                "Wikidata items whose English label equals a label of an organization, program "
                "or public law that has no Wikidata link. None is verified. To accept one, check "
                "that the item is the same thing, then add its QID and English label to "
                "WIKIDATA_ITEMS in imet_kg/links/linkset.py and regenerate data/links.ttl.",
                lang="en",
            ),
        )
    )
    graph.add((header, DCTERMS.created, Literal(created.isoformat(), datatype=XSD.date)))
    graph.add((header, DCTERMS.creator, SUGGEST_AGENT))
    graph.add((SUGGEST_AGENT, RDF.type, PROV.SoftwareAgent))
    graph.add((SUGGEST_AGENT, RDF.type, PROV.Agent))
    graph.add((SUGGEST_AGENT, RDFS.label, Literal("imet-kg links suggest", lang="en")))
    wikidata = DATASETS["wikidata"]
    graph.add((wikidata.iri, RDF.type, VOID.Dataset))
    graph.add((wikidata.iri, DCTERMS.title, Literal(wikidata.title, lang="en")))
    graph.add((wikidata.iri, VOID.uriSpace, Literal(wikidata.uri_space)))
    for suggestion in suggestions:
        _add_suggestion(graph, suggestion, created)
    return graph


def _add_suggestion(graph: Graph, suggestion: Suggestion, created: date) -> None:
    """Add one candidate's unverified mapping record, with what matched and the item's types."""
    names = ", ".join(graph.namespace_manager.normalizeUri(f) for f in suggestion.fields)
    types = "; ".join(
        f"{iri.removeprefix(WD)} ({label})" if label else iri.removeprefix(WD)
        for iri, label in suggestion.types
    )
    link = Link(
        name=f"{slug(suggestion.subject)}-{suggestion.qid}",
        subject=suggestion.subject,
        predicate=SKOS.exactMatch,
        target=suggestion.item,
        dataset="wikidata",
        status=IMET.Unverified,
        object_label=suggestion.label,
        comment=(
            f"Candidate: Wikidata item {suggestion.qid} has the English label "
            f"{suggestion.label!r}, which this resource has as {names}. Its types (P31): "
            f"{types or 'none found'}. Unverified: confirm the item is the same thing before "
            "accepting it."
        ),
    )
    record = add_link_record(
        graph,
        link,
        justification=SEMAPV.LexicalMatching,
        creator=SUGGEST_AGENT,
        created=created,
    )
    graph.add((record, SSSOM.subject_label, Literal(suggestion.subject_label)))
    graph.add((record, SSSOM.match_string, Literal(suggestion.label)))
    graph.add((record, SSSOM.object_match_field, RDFS.label))
    for prop in suggestion.fields:
        graph.add((record, SSSOM.subject_match_field, prop))
    for iri, label in suggestion.types:
        graph.add((record, SSSOM.object_category, Literal(f"{iri} ({label})" if label else iri)))


def suggest_links(
    graph: Graph,
    endpoint_url: str = DEFAULT_ENDPOINT,
    out_path: Path = DEFAULT_SUGGESTIONS_FILE,
    timeout: float = DEFAULT_TIMEOUT,
    today: date | None = None,
) -> list[Suggestion]:
    """Propose Wikidata items for unlinked resources, written as Turtle to a review file.

    The review file holds one unverified SSSOM mapping record per candidate (justification
    ``semapv:LexicalMatching``, the label and the fields that matched, the item's P31 types) and
    no direct triple. It is written atomically; nothing under ``data/`` is ever written.

    Args:
        graph: the knowledge graph.
        endpoint_url: a SPARQL endpoint with Wikidata's data.
        out_path: the review file (Turtle); default ``dist/link-suggestions.ttl``.
        timeout: seconds each request may take in all, from connecting to the answer's last byte.
        today: the date the records carry (default: today).

    Returns:
        The candidates written.

    Raises:
        InputError: if ``out_path`` is inside the data folder.
        EndpointError: if the endpoint cannot be queried.
        ImetKgError: if the file cannot be written.
    """
    out_path = Path(out_path)
    if out_path.resolve().is_relative_to(DATA_DIR.resolve()):
        raise InputError(out_path, None, f"suggestions go to a review file, never into {DATA_DIR}")
    from imet_kg.rdf.serialize import serialize_graph

    suggestions = find_candidates(graph, endpoint_url, timeout)
    review = suggestions_to_graph(suggestions, endpoint_url, today or date.today())
    header = (
        "# Candidate Wikidata links from `imet-kg links suggest`: NOT verified, NOT part of the\n"
        "# graph. Review each one; accepted QIDs go into WIKIDATA_ITEMS in\n"
        "# imet_kg/links/linkset.py.\n\n"
    )
    write_atomic(out_path, header.encode("utf-8") + serialize_graph(review, "turtle"))
    return suggestions
