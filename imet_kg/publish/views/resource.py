"""The page of any published resource: label, types, properties, inbound links, sources."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF

from imet_kg.namespaces import IMET
from imet_kg.publish.resources import RDF_REPRESENTATIONS
from imet_kg.publish.views.common import Links, View


class ResourceView(View):
    """The generic resource page; the special layouts extend it with their own part.

    A subclass names its ``template``, says which resources it ``matches``, and adds its part of
    the page in :meth:`layout`.
    """

    template = "resource.html"

    def matches(self, iri: URIRef, types: set[URIRef]) -> bool:
        """Whether this view lays out the resource (the generic one takes any)."""
        return True

    def layout(self, iri: URIRef, links: Links) -> dict:
        """What this kind of page adds to the generic page's context."""
        return {}

    def page(self, iri: URIRef, links: Links, types: set[URIRef] | None = None) -> str:
        """The resource's HTML page."""
        if types is None:
            types = set(self.graph.objects(iri, RDF.type))
        context = self.resource_context(iri, links, types)
        context.update(self.layout(iri, links))
        return self.render(self.template, context)

    def resource_context(self, iri: URIRef, links: Links, types: set[URIRef]) -> dict:
        """What every resource page shows."""
        pub = self.publication
        return self.page_context(
            links,
            pub.label(iri),
            iri=iri,
            alternates=self.alternates(iri, links),
            types=self.sorted_values(types, links),
            description=self.description(iri),
            outbound=self.outbound(iri, links),
            inbound=self.inbound(iri, links),
            sources=self.sources(iri, links),
            graphs=[self.value(g, links) for g in pub.graphs_of(iri)],
            status=self.optional_value(self.graph.value(iri, IMET.verificationStatus), links),
            qname=pub.qname(iri),
            describe_link=links.sparql(f"DESCRIBE <{iri}>"),
        )

    def alternates(self, iri: URIRef, links: Links) -> list[dict]:
        """The resource's RDF files, for ``<link rel="alternate">`` and the footer."""
        return [
            {
                "label": rep.label,
                "media_type": rep.media_type,
                "href": links.representation(iri, rep.extension),
                "extension": rep.extension,
            }
            for rep in RDF_REPRESENTATIONS
        ]
