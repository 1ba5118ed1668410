"""Check the graph's Wikidata links against a SPARQL endpoint; the names ``imet-kg links`` uses.

The queries are shaped for Wikidata's RDF (``rdfs:label`` with a language tag, ``wdt:P31``,
``owl:sameAs`` for merged items), so any SPARQL store loaded with Wikidata-shaped data answers
them the same way. They go through the project's SPARQL client, by POST, with its User-Agent
(:mod:`imet_kg.links.wikidata_query`). Suggesting candidates for unlinked resources is
:mod:`imet_kg.links.suggest`; its public names are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, URIRef

from imet_kg.links.suggest import (
    DEFAULT_SUGGESTIONS_FILE,
    SUGGEST_AGENT,
    SUGGESTABLE_CLASSES,
    Suggestion,
    find_candidates,
    suggest_links,
    suggestions_to_graph,
    unlinked_resources,
)
from imet_kg.links.wikidata_query import (
    DEFAULT_ENDPOINT,
    DEFAULT_TIMEOUT,
    USER_AGENT,
    WD,
    WikidataLink,
    batches,
    select,
    value,
    wikidata_links,
)

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_SUGGESTIONS_FILE",
    "DEFAULT_TIMEOUT",
    "STATUSES",
    "SUGGESTABLE_CLASSES",
    "SUGGEST_AGENT",
    "USER_AGENT",
    "WD",
    "LinkCheck",
    "Suggestion",
    "check_wikidata_links",
    "find_candidates",
    "select",
    "suggest_links",
    "suggestions_to_graph",
    "unlinked_resources",
    "wikidata_links",
]

#: What a check can find: the item has the recorded English label (ok), has another one or none
#: (stale-label), was merged into another item (redirected), is gone (missing), or the link
#: cannot be checked (error).
STATUSES = ("ok", "stale-label", "redirected", "missing", "error")
_ITEM = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")


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
    graph: Graph,
    endpoint_url: str = DEFAULT_ENDPOINT,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> list[LinkCheck]:
    """Ask the endpoint whether each Wikidata link's item exists and keeps its English label.

    Items are asked for in batches: whether the item has any triple, its English ``rdfs:label``
    and, for an item merged into another, its ``owl:sameAs`` target.

    Args:
        graph: the knowledge graph (its ``imet:Link`` records to ``http://www.wikidata.org/entity/``).
        endpoint_url: a SPARQL endpoint with Wikidata's data (or Wikidata-shaped test data).
        timeout: seconds each request may take in all, from connecting to the answer's last byte.
        progress: called with a short message before each batch of items is asked for.

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
    done = 0
    for batch in batches(items):
        if progress:
            progress(f"asking for items {done + 1}-{done + len(batch)} of {len(items)}")
        done += len(batch)
        query = _CHECK_QUERY.format(items=" ".join(f"<{item}>" for item in batch))
        for binding in select(endpoint_url, query, timeout):
            item = value(binding, "item")
            labels.setdefault(item, set())
            if (label := value(binding, "label")) is not None:
                labels[item].add(label)
            if (redirect := value(binding, "redirect")) is not None:
                redirects[item] = redirect
    return [_judge(link, labels, redirects) for link in links]


def _judge(link: WikidataLink, labels: dict[str, set[str]], redirects: dict[str, str]) -> LinkCheck:
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
