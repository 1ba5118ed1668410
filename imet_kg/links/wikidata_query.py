"""What the link tools need to ask a Wikidata-shaped endpoint, and which links point there.

The default endpoint, SELECT by POST through the project's SPARQL client, and the graph's link
records that point into Wikidata.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from imet_kg.links.linkset import WIKIDATA_ENTITY
from imet_kg.namespaces import IMET, SSSOM
from imet_kg.sparql.client import DEFAULT_TIMEOUT, USER_AGENT, SparqlClient

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "WD",
    "WikidataLink",
    "batches",
    "select",
    "value",
    "wikidata_links",
]

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
WD = WIKIDATA_ENTITY
_BATCH = 50


def select(endpoint_url: str, query: str, timeout: float = DEFAULT_TIMEOUT) -> list[dict]:
    """Run a SELECT query on a remote endpoint and return its JSON result bindings.

    The query goes by POST (form-encoded) whatever its length, with the project's User-Agent:
    the Wikidata Query Service asks clients to identify themselves.

    Args:
        endpoint_url: the SPARQL endpoint.
        query: the SELECT query.
        timeout: seconds each request may take in all, from connecting to the answer's last byte.

    Returns:
        The ``results.bindings`` list of the SPARQL JSON results.

    Raises:
        EndpointError: if the endpoint cannot be reached, refuses the query, times out or does
            not answer with SPARQL JSON results (one line, worded by the SPARQL client).
    """
    client = SparqlClient(endpoint_url, timeout=timeout, always_post=True)
    return client.query(query).bindings()


def batches(items: list, size: int = _BATCH) -> Iterator[list]:
    """Cut ``items`` into lists of at most ``size``, one query's worth each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def value(binding: dict, name: str) -> str | None:
    """The value of one variable in a SPARQL JSON binding, or None when it is unbound."""
    cell = binding.get(name)
    return None if cell is None else cell.get("value")


@dataclass(frozen=True)
class WikidataLink:
    """A link record of the graph whose target is a Wikidata entity."""

    record: URIRef
    subject: URIRef
    item: URIRef
    label: str | None


def wikidata_links(graph: Graph) -> list[WikidataLink]:
    """The graph's link records whose target is a Wikidata entity, sorted by subject and item."""
    found = []
    for record in set(graph.subjects(RDF.type, IMET.Link)):
        target = graph.value(record, OWL.annotatedTarget)
        if not isinstance(target, URIRef) or not str(target).startswith(WIKIDATA_ENTITY):
            continue
        label = graph.value(record, SSSOM.object_label)
        subject = graph.value(record, OWL.annotatedSource)
        found.append(WikidataLink(record, subject, target, None if label is None else str(label)))
    return sorted(found, key=lambda link: (str(link.subject), str(link.item), str(link.record)))
