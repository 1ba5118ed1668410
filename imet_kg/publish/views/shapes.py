"""The SHACL shapes' page (``def/shapes/``): each named shape, its target, path and message."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from imet_kg.publish.resources import SHAPES_IRI
from imet_kg.publish.views.common import Links
from imet_kg.publish.views.resource import ResourceView

TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


class ShapesView(ResourceView):
    """The shapes document, published beside the ontology when the shapes are given."""

    template = "shapes.html"

    def matches(self, iri: URIRef, types: set[URIRef]) -> bool:
        return iri == SHAPES_IRI and self.publication.shapes is not None

    def layout(self, iri: URIRef, links: Links) -> dict:
        shapes = self.publication.shapes
        assert shapes is not None  # matches() admits no other case
        named = sorted(
            {
                s
                for kind in (SH.NodeShape, SH.PropertyShape)
                for s in shapes.subjects(RDF.type, kind)
                if isinstance(s, URIRef) and str(s).startswith(str(SHAPES_IRI)) and s != SHAPES_IRI
            },
            key=str,
        )
        return {"shapes": [self._row(shapes, shape, links) for shape in named]}

    def _row(self, shapes: Graph, shape: URIRef, links: Links) -> dict:
        """One shape's row: what it targets, the path it constrains, and its English message."""
        pub = self.publication
        targets = [o for p in TARGET_PREDICATES for o in shapes.objects(shape, p)]
        path = shapes.value(shape, SH.path)
        severity = shapes.value(shape, SH.severity)
        messages = sorted(
            str(m)
            for m in shapes.objects(shape, SH.message)
            if getattr(m, "language", "en") in ("en", None)
        )
        return {
            "shape": self.value(shape, links),
            "qname": pub.qname(shape),
            "targets": self.sorted_values(targets, links),
            "path": self.value(path, links) if isinstance(path, URIRef) else None,
            "severity": pub.qname(severity).removeprefix("sh:") if severity else "",
            "message": "; ".join(messages),
            "sources": self.sorted_values(shapes.objects(shape, DCTERMS.source), links),
        }
