"""Check the graph's Wikidata links against a SPARQL endpoint, and suggest candidates for review.

Both talk to the endpoint through SPARQLWrapper: POST (form-encoded), JSON results, a timeout and
a User-Agent that names the project (the Wikidata Query Service asks clients to identify
themselves). The queries are shaped for Wikidata's RDF (``rdfs:label`` with a language tag,
``wdt:P31``, ``owl:sameAs`` for merged items), so any SPARQL store loaded with Wikidata-shaped
data answers them the same way. Suggestions go to a review file, never into ``data/``.
"""

from __future__ import annotations

import http.client
import math
import re
import urllib.error
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import SPARQLWrapper as sparqlwrapper
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD
from SPARQLWrapper import JSON, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from imet_kg import __version__
from imet_kg.errors import EndpointError, InputError, one_line
from imet_kg.links.build import add_link_record
from imet_kg.links.linkset import DATASETS, WIKIDATA_ENTITY, Link, slug
from imet_kg.namespaces import GRAPH, ID, IMET, SEMAPV, SSSOM, VOID, bind_prefixes
from imet_kg.paths import DATA_DIR, DEFAULT_OUT_DIR
from imet_kg.rdf.files import write_atomic

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
DEFAULT_TIMEOUT = 30.0
DEFAULT_SUGGESTIONS_FILE = DEFAULT_OUT_DIR / "link-suggestions.ttl"
USER_AGENT = (
    f"imet-kg/{__version__} (https://w3id.org/imet-kg/; Wikidata link checker) "
    f"SPARQLWrapper/{sparqlwrapper.__version__}"
)
#: What a check can find: the item has the recorded English label (ok), has another one or none
#: (stale-label), was merged into another item (redirected), is gone (missing), or the link
#: cannot be checked (error).
STATUSES = ("ok", "stale-label", "redirected", "missing", "error")
#: The graph's resources ``links suggest`` looks for in Wikidata.
SUGGESTABLE_CLASSES = (ORG.Organization, ORG.FormalOrganization, IMET.Program, IMET.PublicLaw)
SUGGEST_AGENT = ID["agent/imet-kg-links-suggest"]

WD = "http://www.wikidata.org/entity/"
_ITEM = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")
_BATCH = 50
_MAX_REASON = 300
_LABEL_FIELDS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)


@dataclass(frozen=True)
class LinkCheck:
    """The result of checking one Wikidata link.

    Attributes:
        link: the link's mapping record.
        subject: the graph's resource.
        item: the Wikidata entity IRI it links to.
        status: one of ``STATUSES``.
        expected_label: the English label the record keeps (``sssom:object_label``).
        found_label: the English label the endpoint has, if any.
        message: what is wrong, in words (empty when ok).
    """

    link: URIRef
    subject: URIRef
    item: URIRef
    status: str
    expected_label: str | None
    found_label: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "link": str(self.link),
            "subject": str(self.subject),
            "item": str(self.item),
            "status": self.status,
            "expected_label": self.expected_label,
            "found_label": self.found_label,
            "message": self.message,
        }


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


# --- Talking to the endpoint ---------------------------------------------------------------------


def select(endpoint_url: str, query: str, timeout: float = DEFAULT_TIMEOUT) -> list[dict]:
    """Run a SELECT query on a remote endpoint and return its JSON result bindings.

    Args:
        endpoint_url: the SPARQL endpoint.
        query: the SELECT query.
        timeout: seconds to wait for the answer.

    Returns:
        The ``results.bindings`` list of the SPARQL JSON results.

    Raises:
        EndpointError: if the endpoint cannot be reached, refuses the query, times out or does
            not answer with SPARQL JSON results (one-line message).
    """
    client = SPARQLWrapper(endpoint_url, agent=USER_AGENT)
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setReturnFormat(JSON)
    client.setTimeout(max(1, math.ceil(timeout)))
    client.setQuery(query)
    try:
        with warnings.catch_warnings():
            # SPARQLWrapper warns, then returns the raw bytes, for a non-JSON answer (an HTML
            # error page); that answer is reported below as an EndpointError instead.
            warnings.simplefilter("ignore", RuntimeWarning)
            result = client.queryAndConvert()
    except urllib.error.URLError as exc:
        reason = exc.reason if not isinstance(exc, urllib.error.HTTPError) else exc
        raise EndpointError(_endpoint_message(endpoint_url, "unreachable", reason)) from exc
    except (SPARQLWrapperException, OSError, http.client.HTTPException, ValueError) as exc:
        raise EndpointError(_endpoint_message(endpoint_url, "query failed", exc)) from exc
    try:
        return list(result["results"]["bindings"])
    except (TypeError, KeyError) as exc:
        raise EndpointError(
            _endpoint_message(endpoint_url, "query failed", "the answer is not SPARQL JSON results")
        ) from exc


def _endpoint_message(endpoint_url: str, what: str, reason: object) -> str:
    text = one_line(str(reason)) or type(reason).__name__
    if len(text) > _MAX_REASON:
        text = text[: _MAX_REASON - 1] + "…"
    return f"SPARQL endpoint {endpoint_url}: {what}: {text}"


def _batches(items: list, size: int = _BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _value(binding: dict, name: str) -> str | None:
    cell = binding.get(name)
    return None if cell is None else cell.get("value")


# --- Check ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _WikidataLink:
    record: URIRef
    subject: URIRef
    item: URIRef
    label: str | None


def wikidata_links(graph: Graph) -> list[_WikidataLink]:
    """The graph's link records whose target is a Wikidata entity, sorted by subject and item."""
    found = []
    for record in set(graph.subjects(RDF.type, IMET.Link)):
        target = graph.value(record, OWL.annotatedTarget)
        if not isinstance(target, URIRef) or not str(target).startswith(WIKIDATA_ENTITY):
            continue
        label = graph.value(record, SSSOM.object_label)
        subject = graph.value(record, OWL.annotatedSource)
        found.append(_WikidataLink(record, subject, target, None if label is None else str(label)))
    return sorted(found, key=lambda link: (str(link.subject), str(link.item), str(link.record)))


_CHECK_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?item ?label ?redirect WHERE {{
  VALUES ?item {{ {items} }}
  FILTER EXISTS {{ ?item ?p ?o }}
  OPTIONAL {{ ?item rdfs:label ?label . FILTER(LANG(?label) = "en") }}
  OPTIONAL {{ ?item owl:sameAs ?redirect }}
}}
"""


def check_wikidata_links(
    graph: Graph, endpoint_url: str = DEFAULT_ENDPOINT, timeout: float = DEFAULT_TIMEOUT
) -> list[LinkCheck]:
    """Ask the endpoint whether each Wikidata link's item exists and keeps its English label.

    Items are asked for in batches: whether the item has any triple, its English ``rdfs:label``
    and, for an item merged into another, its ``owl:sameAs`` target.

    Args:
        graph: the knowledge graph (its ``imet:Link`` records to ``http://www.wikidata.org/entity/``).
        endpoint_url: a SPARQL endpoint with Wikidata's data (or Wikidata-shaped test data).
        timeout: seconds to wait for each answer.

    Returns:
        One :class:`LinkCheck` per Wikidata link, in the order of :func:`wikidata_links`.

    Raises:
        EndpointError: if the endpoint cannot be queried.
    """
    links = wikidata_links(graph)
    checkable = [link for link in links if _ITEM.match(str(link.item)) and link.label is not None]
    labels: dict[str, set[str]] = {}
    redirects: dict[str, str] = {}
    items = sorted({str(link.item) for link in checkable})
    for batch in _batches(items):
        query = _CHECK_QUERY.format(items=" ".join(f"<{item}>" for item in batch))
        for binding in select(endpoint_url, query, timeout):
            item = _value(binding, "item")
            labels.setdefault(item, set())
            if (label := _value(binding, "label")) is not None:
                labels[item].add(label)
            if (redirect := _value(binding, "redirect")) is not None:
                redirects[item] = redirect
    return [_judge(link, labels, redirects) for link in links]


def _judge(
    link: _WikidataLink, labels: dict[str, set[str]], redirects: dict[str, str]
) -> LinkCheck:
    def result(status: str, found: str | None = None, message: str = "") -> LinkCheck:
        return LinkCheck(link.record, link.subject, link.item, status, link.label, found, message)

    item = str(link.item)
    if not _ITEM.match(item):
        return result("error", message="the target is not a Wikidata item IRI (.../entity/Q...)")
    if link.label is None:
        return result("error", message="the link records no English label (sssom:object_label)")
    if item not in labels:
        return result("missing", message="no such item at the endpoint (deleted, or never existed)")
    found = labels[item]
    if link.label in found:
        return result("ok", link.label)
    if not found and item in redirects:
        return result("redirected", message=f"the item was merged into {redirects[item]}")
    shown = sorted(found)[0] if found else None
    if shown is None:
        return result(
            "stale-label", message=f"the item has no English label now (recorded {link.label!r})"
        )
    return result(
        "stale-label", shown, f"the item's English label is now {shown!r} (recorded {link.label!r})"
    )


# --- Suggest -------------------------------------------------------------------------------------


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
        timeout: seconds to wait for each answer.

    Returns:
        The candidates, sorted by subject and item; several per resource when several items share
        one of its labels.

    Raises:
        EndpointError: if the endpoint cannot be queried.
    """
    unlinked = unlinked_resources(graph)
    texts = sorted({text for resource in unlinked for text, _ in resource.labels})
    items_by_label: dict[str, dict[str, dict[str, str | None]]] = {}
    for batch in _batches(texts):
        values = " ".join(Literal(text, lang="en").n3() for text in batch)
        for binding in select(endpoint_url, _SUGGEST_QUERY.format(labels=values), timeout):
            label, item = _value(binding, "label"), _value(binding, "item")
            types = items_by_label.setdefault(label, {}).setdefault(item, {})
            if (kind := _value(binding, "type")) is not None:
                types[kind] = types.get(kind) or _value(binding, "typeLabel")
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
            graph.add(
                (record, SSSOM.object_category, Literal(f"{iri} ({label})" if label else iri))
            )
    return graph


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
        timeout: seconds to wait for each answer.
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
