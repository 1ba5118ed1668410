"""What the training-record tests share: the programs a record names, and validation."""

from __future__ import annotations

from rdflib import Graph

from imet_kg.kg.graph import load_shapes
from imet_kg.kg.validation import ValidationResult, validate
from imet_kg.namespaces import bind_prefixes
from imet_kg.paths import ONTOLOGY_DIR

# The two programs, each authorized by a provision with what the statute shapes require, as in
# tests/shapes/S28-valid.ttl: enough for S90's sh:class imet:Program without the whole graph.
PROGRAMS = """
@prefix imet:    <https://w3id.org/imet-kg/def/> .
@prefix id:      <https://w3id.org/imet-kg/id/> .
@prefix faa:     <https://w3id.org/imet-kg/id/faa/> .
@prefix src:     <https://w3id.org/imet-kg/id/source/> .
@prefix program: <https://w3id.org/imet-kg/id/program/> .
@prefix eli:     <http://data.europa.eu/eli/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .

src:uscode-t22-olrc a imet:SourceDocument ; dcterms:title "U.S. Code, Title 22"@en ;
    imet:verificationStatus imet:Verified .
id:faa a imet:PublicLaw ; rdfs:label "Foreign Assistance Act of 1961"@en ;
    eli:id_local "Pub. L. 87-195" ; imet:congress 87 ; eli:date_document "1961-09-04"^^xsd:date ;
    imet:uslmId "/us/pl/87/195" ; dcterms:source src:uscode-t22-olrc ;
    imet:verificationStatus imet:Verified .
faa:part-II a imet:Part ; rdfs:label "FAA Part II"@en ; eli:is_part_of id:faa ; eli:number "II" ;
    imet:documentOrder 1 ; dcterms:source src:uscode-t22-olrc .
faa:part-II\\/chapter-5 a imet:Chapter ; rdfs:label "FAA Part II, Chapter 5"@en ;
    eli:is_part_of faa:part-II ; eli:number "5" ; imet:documentOrder 2 ;
    dcterms:source src:uscode-t22-olrc .
program:imet a imet:Program ; rdfs:label "IMET"@en ; imet:authorizedBy faa:part-II\\/chapter-5 .
program:expanded-imet a imet:Program ; rdfs:label "Expanded IMET"@en ;
    imet:authorizedBy faa:part-II\\/chapter-5 .
"""


def validate_with_ontology(data: Graph) -> ValidationResult:
    """Validate ``data`` with the ontology, the code lists and the two programs."""
    graph = bind_prefixes(Graph())
    for name in ("imet.ttl", "imet-codelists.ttl"):
        graph.parse(ONTOLOGY_DIR / name, format="turtle")
    graph.parse(data=PROGRAMS, format="turtle")
    for triple in data:
        graph.add(triple)
    return validate(graph, load_shapes())
