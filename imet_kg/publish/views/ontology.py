"""The ontology's page (``def/``): its header, then every term documented, grouped by kind."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from imet_kg.namespaces import IMET
from imet_kg.publish.resources import ONTOLOGY_IRI, is_published_iri
from imet_kg.publish.views.common import Links, ValueView
from imet_kg.publish.views.resource import ResourceView

# The groups, in page order.
GROUPS = (
    "Classes",
    "Object properties",
    "Datatype properties",
    "Other properties",
    "Concept schemes",
    "Code-list concepts",
    "Other terms",
)
# What a term's entry lists under its comment, when the term has it.
TERM_DETAILS = (
    ("Subclass of", RDFS.subClassOf),
    ("Subproperty of", RDFS.subPropertyOf),
    ("Domain", RDFS.domain),
    ("Range", RDFS.range),
    ("In scheme", SKOS.inScheme),
    ("Notation", SKOS.notation),
    ("Source", DCTERMS.source),
    ("See also", RDFS.seeAlso),
)
HEADER = (
    ("Title", DCTERMS.title),
    ("Version", OWL.versionInfo),
    ("Version IRI", OWL.versionIRI),
    ("License", DCTERMS.license),
    ("Creator", DCTERMS.creator),
    ("Created", DCTERMS.created),
    ("See also", RDFS.seeAlso),
)


def term_group(ontology: Graph, types: set[URIRef]) -> str:
    """The group a term is listed in, from its types."""
    if types & {OWL.Class, RDFS.Class}:
        return "Classes"
    if OWL.ObjectProperty in types:
        return "Object properties"
    if OWL.DatatypeProperty in types:
        return "Datatype properties"
    if types & {RDF.Property, OWL.AnnotationProperty}:
        return "Other properties"
    if SKOS.ConceptScheme in types:
        return "Concept schemes"
    if any((t, RDF.type, OWL.Class) in ontology for t in types):
        return "Code-list concepts"
    return "Other terms"


class OntologyView(ResourceView):
    """The ontology document: every term it defines, with its comment and axioms."""

    template = "ontology.html"

    def matches(self, iri: URIRef, types: set[URIRef]) -> bool:
        return iri == ONTOLOGY_IRI

    def layout(self, iri: URIRef, links: Links) -> dict:
        pub = self.publication
        ontology = pub.ontology_graph()
        groups: dict[str, list[dict]] = {name: [] for name in GROUPS}
        terms = sorted(
            {s for s in ontology.subjects() if is_published_iri(s) and s != ONTOLOGY_IRI},
            key=lambda t: pub.qname(t).lower(),
        )
        for term in terms:
            types = set(ontology.objects(term, RDF.type))
            groups[term_group(ontology, types)].append(self._entry(ontology, term, types, links))
        header = [
            (label, self._values(ontology, ONTOLOGY_IRI, predicate, links))
            for label, predicate in HEADER
        ]
        return {
            "term_groups": [(name, items) for name, items in groups.items() if items],
            "ontology_header": [(label, values) for label, values in header if values],
            "term_count": sum(len(items) for items in groups.values()),
        }

    def _entry(self, ontology: Graph, term: URIRef, types: set[URIRef], links: Links) -> dict:
        """One term's entry: name, anchor, types, comment and details."""
        details = []
        for label, predicate in TERM_DETAILS:
            values = self._values(ontology, term, predicate, links)
            if values:
                details.append((label, values))
        comment = ontology.value(term, RDFS.comment) or ontology.value(term, SKOS.definition)
        return {
            "term": self.value(term, links),
            "qname": self.publication.qname(term),
            "iri": str(term),
            "anchor": str(term)[len(str(IMET)) :] or "ontology",
            "types": self.sorted_values(types, links),
            "comment": str(comment or ""),
            "details": details,
        }

    def _values(
        self, ontology: Graph, subject: URIRef, predicate: URIRef, links: Links
    ) -> list[ValueView]:
        return self.sorted_values(ontology.objects(subject, predicate), links)
