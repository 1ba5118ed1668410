"""The project's namespaces and the prefixes bound on every graph it writes."""

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, QB, RDF, RDFS, SH, SKOS, TIME, XSD

BASE = "https://w3id.org/imet-kg/"
IMET = Namespace(BASE + "def/")
IMETSH = Namespace(BASE + "def/shapes/")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "id/graph/")

ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
# Link sets: SSSOM mapping records, their justifications (SEMAPV), and VoID dataset descriptions.
SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
VOID = Namespace("http://rdfs.org/ns/void#")

PREFIXES: dict[str, Namespace] = {
    "imet": IMET,
    "imetsh": IMETSH,
    "id": ID,
    "eli": ELI,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "qb": QB,
    "rdf": RDF,
    "rdfs": RDFS,
    "sh": SH,
    "skos": SKOS,
    "time": TIME,
    "xsd": XSD,
    "foaf": FOAF,
    "sssom": SSSOM,
    "semapv": SEMAPV,
    "void": VOID,
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
