"""Browsing the graph: the resource list, search with facets, and the static site's index.

The server answers ``/search?q=...&type=...`` without JavaScript; the static site writes the
full list as ``search.html`` and the index as ``search-index.js``, which ``static/search.js``
filters in the browser. The rules are in :mod:`imet_kg.publish.views.search`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from functools import cached_property

from rdflib.namespace import RDF

from imet_kg.publish.views.common import Links, ValueView, View, script_json
from imet_kg.publish.views.search import (
    FACETS,
    SHOWN,
    Entry,
    facet_counts,
    listed,
    search,
    search_index,
)


class BrowsePages(View):
    """The resource list and the search page."""

    def resource_index_page(self, links: Links) -> str:
        """Every published resource but the shapes and untyped nodes, grouped by type, with the
        facets that narrow the list on the search page."""
        pub = self.publication
        groups: dict[str, list[ValueView]] = defaultdict(list)
        for iri in pub.sorted_iris():
            if listed(pub, iri):
                types = sorted(pub.label(t) for t in self.graph.objects(iri, RDF.type))
                groups[types[0]].append(self.value(iri, links))
        ordered = sorted(groups.items(), key=lambda item: item[0].lower())
        for _, values in ordered:
            values.sort(key=lambda v: v.text.lower())
        count = sum(len(values) for _, values in ordered)
        return self.render(
            "index_resources.html",
            self.page_context(
                links,
                "All resources",
                groups=ordered,
                count=count,
                unlisted=len(pub.iris) - count,
                facets=self._facet_links(links, "", {}, facet_counts(self.search_entries)),
            ),
        )

    @cached_property
    def search_entries(self) -> list[Entry]:
        """The search index (see :mod:`imet_kg.publish.views.search`)."""
        return search_index(self.publication)

    def search_page(self, links: Links, params: Mapping[str, list[str]]) -> str:
        """Search and the faceted resource list: ``q`` and the facets' values from ``params``.

        With no parameters it lists every resource (the static site's page; its script filters
        it in the browser from ``search-index.js``).
        """
        query = (params.get("q") or [""])[0].strip()[:200]
        chosen = {name: list(params.get(name, []))[:20] for name in FACETS}
        chosen = {name: values for name, values in chosen.items() if values}
        found = search(self.search_entries, query, chosen)
        results = [{"entry": e, "href": links.page(e.path)} for e in found[:SHOWN]]
        return self.render(
            "search.html",
            self.page_context(
                links,
                f"Search: {query}" if query else "Search and browse",
                query=query,
                chosen=[
                    {
                        "label": FACETS[name],
                        "value": v,
                        "remove": links.search(query, _without(chosen, name, v)),
                    }
                    for name, values in chosen.items()
                    for v in values
                ],
                results=results,
                total=len(found),
                facets=self._facet_links(links, query, chosen, facet_counts(found)),
            ),
        )

    def search_index_script(self, links: Links) -> str:
        """The search index as a script for the static site (a script, not JSON, so that it also
        loads from the file system)."""
        index = [e.as_json(links.page(e.path)) for e in self.search_entries]
        return f"window.IMET_SEARCH = {script_json(index, compact=True)};\n"

    def _facet_links(
        self, links: Links, query: str, chosen: dict[str, list[str]], counts: dict
    ) -> list[dict]:
        """Each facet's values with their counts and the link that adds the value."""
        return [
            {
                "name": name,
                "label": label,
                "values": [
                    {
                        "value": value,
                        "count": count,
                        "href": links.search(
                            query, {**chosen, name: [*chosen.get(name, []), value]}
                        ),
                    }
                    for value, count in counts[name]
                    if value not in chosen.get(name, [])
                ],
            }
            for name, label in FACETS.items()
        ]


def _without(chosen: dict[str, list[str]], name: str, value: str) -> dict[str, list[str]]:
    return {n: [v for v in values if (n, v) != (name, value)] for n, values in chosen.items()}
