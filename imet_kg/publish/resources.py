"""The linked-data view of the graph: which IRIs it publishes, their paths, descriptions and files.

Every IRI under ``https://w3id.org/imet-kg/id/`` or ``…/def/`` that occurs in the graph (as subject,
predicate, object or named graph) is published. Its *path* is the part after the base
(``id/faa/section-543``); a server answers it at ``/<path>`` whatever host it runs on, and a static
site stores it as ``<path>.html``, ``.ttl``, ``.jsonld`` and ``.nt`` (``def/`` becomes
``def/index.*``).

A resource's RDF description is its symmetric concise bounded description: the triples whose
subject is the resource (following blank nodes), and the triples whose object is the resource. A
named graph's name (``id/graph/funding``) also brings the graph's own triples (the source file's
content), the ontology document ``def/`` is the whole ontology (its named graphs), and
``def/shapes/`` the whole SHACL shapes graph.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from imet_kg.namespaces import BASE, IMET, IMETSH, PREFIXES, bind_prefixes
from imet_kg.rdf.serialize import serialize_graph, serialize_graph_formats

ONTOLOGY_IRI = URIRef(str(IMET))
SHAPES_IRI = URIRef(str(IMETSH))


@dataclass(frozen=True)
class Representation:
    """A file format a resource is offered in.

    Attributes:
        extension: the file extension, without the dot.
        media_type: the Content-Type sent.
        export_format: the :func:`imet_kg.rdf.serialize.serialize_graph` format (None for HTML).
        label: a name for people.
    """

    extension: str
    media_type: str
    export_format: str | None
    label: str


HTML = Representation("html", "text/html", None, "HTML")
REPRESENTATIONS: tuple[Representation, ...] = (
    HTML,
    Representation("ttl", "text/turtle", "turtle", "Turtle"),
    Representation("jsonld", "application/ld+json", "json-ld", "JSON-LD"),
    Representation("nt", "application/n-triples", "nt", "N-Triples"),
)
BY_EXTENSION = {rep.extension: rep for rep in REPRESENTATIONS}
BY_MEDIA_TYPE = {rep.media_type: rep for rep in REPRESENTATIONS}
RDF_REPRESENTATIONS = tuple(rep for rep in REPRESENTATIONS if rep.export_format)

_PUBLISHED_PREFIXES = (BASE + "id/", BASE + "def/")
# Characters a path may hold as it is (no percent-encoding, safe as a file name).
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._~/\-]+$")
_LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel, DCTERMS.title)
# Names for the standard vocabularies' terms, whose definitions the graph does not hold.
KNOWN_LABELS: dict[str, str] = {
    "rdf:type": "type",
    "rdfs:label": "label",
    "rdfs:comment": "comment",
    "rdfs:seeAlso": "see also",
    "rdfs:isDefinedBy": "defined by",
    "rdfs:subClassOf": "subclass of",
    "rdfs:subPropertyOf": "subproperty of",
    "rdfs:domain": "domain",
    "rdfs:range": "range",
    "owl:Class": "OWL class",
    "owl:ObjectProperty": "object property",
    "owl:DatatypeProperty": "datatype property",
    "owl:Ontology": "ontology",
    "owl:versionInfo": "version",
    "owl:versionIRI": "version IRI",
    "owl:sameAs": "same as",
    "dcterms:source": "source",
    "dcterms:title": "title",
    "dcterms:description": "description",
    "dcterms:date": "date",
    "dcterms:created": "created",
    "dcterms:creator": "creator",
    "dcterms:license": "license",
    "dcterms:publisher": "publisher",
    "dcterms:contributor": "contributor",
    "dcterms:references": "references",
    "dcterms:isPartOf": "is part of",
    "dcterms:bibliographicCitation": "citation",
    "dcterms:accrualPeriodicity": "frequency",
    "skos:prefLabel": "preferred label",
    "skos:altLabel": "alternative label",
    "skos:definition": "definition",
    "skos:scopeNote": "scope note",
    "skos:note": "note",
    "skos:notation": "notation",
    "skos:inScheme": "in scheme",
    "skos:Concept": "concept",
    "skos:ConceptScheme": "concept scheme",
    "skos:exactMatch": "exact match",
    "skos:closeMatch": "close match",
    "eli:is_part_of": "is part of",
    "eli:number": "number",
    "eli:title_short": "short title",
    "eli:id_local": "local identifier",
    "eli:date_document": "date of document",
    "eli:passed_by": "passed by",
    "eli:LegalResource": "legal resource",
    "eli:LegalResourceSubdivision": "legal resource subdivision",
    "eli:LegalExpression": "version (legal expression)",
    "eli:realizes": "realizes",
    "eli:is_realized_by": "is realized by",
    "eli:consolidates": "consolidates",
    "eli:cites": "cites",
    "eli:first_date_entry_in_force": "in force from",
    "eli:date_no_longer_in_force": "in force until",
    "eli:version_date": "version date",
    "schema:text": "text",
    "schema:description": "description",
    "schema:url": "URL",
    "schema:currency": "currency",
    "prov:Entity": "entity",
    "prov:Agent": "agent",
    "prov:Association": "association",
    "prov:agent": "agent",
    "prov:hadRole": "role",
    "prov:wasDerivedFrom": "derived from",
    "prov:wasQuotedFrom": "quoted from",
    "prov:qualifiedAssociation": "qualified association",
    "qb:Observation": "observation",
    "qb:dataSet": "data set",
    "qb:DataSet": "data set",
    "qb:measureType": "measure type",
    "org:FormalOrganization": "formal organization",
    "org:Organization": "organization",
    "org:Post": "post",
    "org:postIn": "post in",
    "org:subOrganizationOf": "sub-organization of",
    "time:hasBeginning": "beginning",
    "time:hasEnd": "end",
    "time:Instant": "instant",
    "time:inXSDDate": "date",
    "void:Dataset": "dataset (VoID)",
    "qb:ComponentSpecification": "component specification",
    "qb:DataStructureDefinition": "data structure definition",
    "prov:Plan": "plan",
    "schema:Person": "person",
    "sh:NodeShape": "node shape",
    "sh:PropertyShape": "property shape",
}


def is_published_iri(term: object) -> bool:
    """Say whether ``term`` is an IRI this project mints (under ``…/id/`` or ``…/def/``)."""
    return isinstance(term, URIRef) and str(term).startswith(_PUBLISHED_PREFIXES)


def path_of(iri: URIRef | str) -> str:
    """Return the path of a published IRI: ``id/faa/section-543``, ``def/``, ``def/Program``."""
    text = str(iri)
    if not text.startswith(BASE):
        raise ValueError(f"{text} is not under {BASE}")
    return text[len(BASE) :]


def file_stem(path: str) -> str:
    """Return the file name (without extension) that stores a path: ``def/`` → ``def/index``."""
    return path + "index" if path.endswith("/") or not path else path


class Publication:
    """The published resources of a dataset, and their labels, descriptions and serialisations.

    The dataset is read, never changed; the object caches what it computes, so build it once per
    dataset.

    Args:
        dataset: the knowledge graph (one named graph per source file; the default graph is the
            union).
        context: the JSON-LD context document used for ``.jsonld`` files (by default the
            project's prefixes only).
        shapes: the SHACL shapes graph, published under ``def/shapes/`` beside the ontology
            (it is not part of the knowledge graph, so the SPARQL endpoint does not hold it).
    """

    def __init__(
        self, dataset: Dataset, context: dict | None = None, shapes: Graph | None = None
    ) -> None:
        self.dataset = dataset
        self.context = context
        self.shapes = shapes
        self.graph = bind_prefixes(Graph())
        for triple in shapes if shapes is not None else ():
            self.graph.add(triple)
        self._graph_of: dict[URIRef, set[URIRef]] = defaultdict(set)
        named: set[URIRef] = set()
        for s, p, o, g in dataset.quads((None, None, None, None)):
            self.graph.add((s, p, o))
            identifier = getattr(g, "identifier", g)
            if isinstance(identifier, URIRef):
                named.add(identifier)
                if isinstance(s, URIRef):
                    self._graph_of[s].add(identifier)
        self.named_graphs = frozenset(named)
        # The data files' own prefixes for the project's IRIs (faa:, src:, ...), for Turtle files.
        self.local_prefixes = sorted(
            (prefix, URIRef(namespace))
            for prefix, namespace in dataset.namespaces()
            if prefix and str(namespace).startswith(BASE)
        )
        iris = {term for triple in self.graph for term in triple if is_published_iri(term)}
        iris |= {g for g in named if is_published_iri(g)}
        self.iris: frozenset[URIRef] = frozenset(
            iri for iri in iris if _SAFE_PATH.match(path_of(iri) or "x")
        )
        self._by_path = {path_of(iri): iri for iri in self.iris}

    # --- lookup ----------------------------------------------------------------------------------

    def resolve(self, path: str) -> URIRef | None:
        """Return the published IRI at ``path`` (``id/...`` or ``def/...``), or None."""
        return self._by_path.get(path.lstrip("/"))

    def resolve_file(self, path: str) -> tuple[URIRef, Representation] | None:
        """Resolve a representation's path, e.g. ``id/faa/section-543.ttl`` or ``def/index.html``.

        Returns:
            The resource and the representation, or None if the path names neither.
        """
        stem, dot, extension = path.lstrip("/").rpartition(".")
        representation = BY_EXTENSION.get(extension) if dot else None
        if representation is None:
            return None
        if stem.endswith("/index"):
            stem = stem.removesuffix("index")
        iri = self._by_path.get(stem)
        return (iri, representation) if iri is not None else None

    def sorted_iris(self) -> list[URIRef]:
        """All published IRIs, sorted."""
        return sorted(self.iris)

    def graphs_of(self, iri: URIRef) -> list[URIRef]:
        """The named graphs (source files) in which ``iri`` is a subject."""
        return sorted(self._graph_of.get(iri, ()))

    # --- labels ----------------------------------------------------------------------------------

    @cached_property
    def _labels(self) -> dict[URIRef, str]:
        labels: dict[URIRef, tuple[int, str]] = {}
        for rank, predicate in enumerate(_LABEL_PREDICATES):
            for subject, label in self.graph.subject_objects(predicate):
                if not isinstance(label, Literal):
                    continue
                # English first, then untagged, then any language; within a rank the smallest.
                lang_rank = 0 if label.language == "en" else (1 if not label.language else 2)
                key = (rank * 3 + lang_rank, str(label))
                if subject not in labels or key < labels[subject]:
                    labels[subject] = key
        return {subject: key[1] for subject, key in labels.items()}

    def label(self, term: object) -> str:
        """A readable name for a term: its label, prefLabel or title, else a prefixed name."""
        if isinstance(term, Literal):
            return str(term)
        label = self._labels.get(term)  # type: ignore[arg-type]
        if label:
            return label
        qname = self.qname(term)
        return KNOWN_LABELS.get(qname, qname)

    def qname(self, term: object) -> str:
        """``imet:Program`` for a term in a known namespace, else the IRI (or ``_:b0``)."""
        if isinstance(term, BNode):
            return f"_:{term}"
        text = str(term)
        best = None
        for prefix, namespace in PREFIXES.items():
            base = str(namespace)
            local = text[len(base) :]
            simple = text.startswith(base) and local and "/" not in local and "#" not in local
            if simple and (best is None or len(base) > best[1]):
                best = (f"{prefix}:{local}", len(base))
        return best[0] if best else text

    # --- descriptions ----------------------------------------------------------------------------

    def describe(self, iri: URIRef) -> Graph:
        """The RDF description of a published resource (see the module docstring)."""
        if iri == ONTOLOGY_IRI:
            return self.ontology_graph()
        if iri == SHAPES_IRI and self.shapes is not None:
            shapes = self._new_graph()
            for triple in self.shapes:
                shapes.add(triple)
            return shapes
        description = self._new_graph()
        self._add_bounded(description, iri)
        for subject, predicate in self.graph.subject_predicates(iri):
            description.add((subject, predicate, iri))
        if iri in self.named_graphs:
            for triple in self.dataset.graph(iri):
                description.add(triple)
        return description

    def _new_graph(self) -> Graph:
        graph = Graph(bind_namespaces="none")
        for prefix, namespace in self.local_prefixes:
            graph.bind(prefix, namespace)
        return graph

    def _add_bounded(self, description: Graph, subject: URIRef | BNode) -> None:
        pending = [subject]
        seen: set = set()
        while pending:
            node = pending.pop()
            if node in seen:
                continue
            seen.add(node)
            for predicate, obj in self.graph.predicate_objects(node):
                description.add((node, predicate, obj))
                if isinstance(obj, BNode):
                    pending.append(obj)

    @cached_property
    def ontology_graph_iris(self) -> frozenset[URIRef]:
        """The named graphs that hold the ontology: those in which ``imet:`` is an owl:Ontology,
        and those whose subjects are all ``rdfs:isDefinedBy imet:`` terms (the code lists)."""
        found = set()
        for graph_iri in self.named_graphs:
            context = self.dataset.graph(graph_iri)
            if (ONTOLOGY_IRI, RDF.type, None) in context or (
                None,
                RDFS.isDefinedBy,
                ONTOLOGY_IRI,
            ) in context:
                found.add(graph_iri)
        return frozenset(found)

    def ontology_graph(self) -> Graph:
        """The ontology's triples (terms and code lists, not the shapes)."""
        ontology = self._new_graph()
        for graph_iri in sorted(self.ontology_graph_iris):
            for triple in self.dataset.graph(graph_iri):
                ontology.add(triple)
        return ontology

    def serialize(
        self, iri: URIRef, representation: Representation, description: Graph | None = None
    ) -> bytes:
        """Serialise a resource's description in an RDF representation (byte-stable).

        Args:
            iri: the resource.
            representation: one of ``RDF_REPRESENTATIONS``.
            description: ``describe(iri)``, if already computed.
        """
        if representation.export_format is None:
            raise ValueError("HTML is rendered by imet_kg.publish.views, not serialised")
        graph = self.describe(iri) if description is None else description
        return serialize_graph(graph, representation.export_format, context=self.context)

    def serializations(
        self, iri: URIRef, description: Graph | None = None
    ) -> dict[Representation, bytes]:
        """A resource's description in every RDF representation, the bytes :meth:`serialize`
        gives for each, ordering the statements once for all of them."""
        graph = self.describe(iri) if description is None else description
        formats = [rep.export_format for rep in RDF_REPRESENTATIONS]
        written = serialize_graph_formats(graph, formats, context=self.context)
        return {rep: written[rep.export_format] for rep in RDF_REPRESENTATIONS}
