"""Build the knowledge graph: the ontology and data files, one named graph per file."""

from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from imet_kg.kg.store import Backend, new_dataset
from imet_kg.namespaces import GRAPH, bind_prefixes
from imet_kg.paths import DATA_DIR, ONTOLOGY_DIR, SHAPES_FILE
from imet_kg.rdf.files import RDF_FORMATS, iri_segment, parse_into

FIGURES_DIR_NAME = "country-figures"  # data/country-figures/*.csv: loaded through the ingest


def graph_iri(path: Path) -> URIRef:
    """Name the named graph a file is loaded into: ``…/id/graph/<file stem>``, and for a
    country-figures CSV file ``…/id/graph/country-figures-<file stem>``."""
    if path.suffix == ".csv":
        from imet_kg.ingest.country_figures import graph_name

        return GRAPH[iri_segment(graph_name(path))]
    return GRAPH[iri_segment(path.stem)]


def _rdf_files(folder: Path) -> list[Path]:
    return [
        path
        for path in sorted(folder.iterdir())
        if path.suffix in RDF_FORMATS
        and path.suffix != ".jsonld"  # ontology/context.jsonld is a JSON-LD context, not data
        and not path.name.endswith("-shapes.ttl")  # shapes are validation input, not graph
    ]


def ontology_files(ontology_dir: Path = ONTOLOGY_DIR) -> list[Path]:
    """List the ontology's RDF files (terms and code lists, not the shapes), sorted by name."""
    return _rdf_files(ontology_dir)


def knowledge_graph_files(
    ontology_dir: Path = ONTOLOGY_DIR, data_dir: Path = DATA_DIR
) -> list[Path]:
    """List the files that make up the knowledge graph: the ontology's, then the data's, sorted,
    then the country-figures CSV files (``data/country-figures/*.csv``), sorted."""
    figures = data_dir / FIGURES_DIR_NAME
    csv_files = sorted(figures.glob("*.csv")) if figures.is_dir() else []
    return ontology_files(ontology_dir) + _rdf_files(data_dir) + csv_files


def load_files(paths: Iterable[Path], backend: Backend = "memory") -> Dataset:
    """Load RDF files into a new dataset, each file into its own named graph.

    Args:
        paths: RDF files; the format comes from each file's extension. A ``.csv`` file is a
            country-figures table, mapped by :func:`imet_kg.ingest.country_figures.ingest_into`.
        backend: the store backend (see :func:`imet_kg.kg.store.new_dataset`).

    Returns:
        The dataset; its default graph is the union of the files.

    Raises:
        InputError: if a file is missing, has an unknown extension or does not parse (the message
            names the file and line).
    """
    dataset = new_dataset(backend)
    for path in paths:
        if Path(path).suffix == ".csv":
            # Country figures, through the same ingest users run; the countries already loaded
            # (places.ttl, countries.ttl) keep their IRIs, so CSV files come last.
            from imet_kg.ingest.country_figures import ingest_into

            ingest_into(dataset, Path(path))
        else:
            parse_into(dataset.graph(graph_iri(path)), path)
    return dataset


def build_graph(
    ontology_dir: Path = ONTOLOGY_DIR, data_dir: Path = DATA_DIR, backend: Backend = "memory"
) -> Dataset:
    """Build the IMET knowledge graph from the shipped (or given) ontology and data folders.

    Args:
        ontology_dir: folder of the ontology's Turtle files.
        data_dir: folder of the data's Turtle files.
        backend: the store backend.

    Returns:
        A dataset with one named graph per file; query it directly for the union.
    """
    return load_files(knowledge_graph_files(ontology_dir, data_dir), backend)


def union_graph(dataset: Dataset) -> Graph:
    """Copy every named graph of ``dataset`` into one in-memory graph (for SHACL and exports).

    Plain string literals are written the same way whatever the store: Oxigraph returns
    ``"x"^^xsd:string`` where rdflib has ``"x"`` (the same RDF 1.1 term), and rdflib compares them
    as different, which would make ``sh:in`` and isomorphism checks disagree between backends.
    """
    union = bind_prefixes(Graph())
    for s, p, o in dataset.triples((None, None, None)):
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        union.add((s, p, o))
    return union


def describe_graph(graph: Graph, name: str, title: str, description: str) -> URIRef:
    """Add to ``graph`` the description every data file opens with: its named graph
    (``…/id/graph/<name>``) as a prov:Entity with an English title and description.

    Returns:
        The named graph's IRI, for the caller's further statements (sources, licence ...).
    """
    iri = GRAPH[name]
    graph.add((iri, RDF.type, PROV.Entity))
    graph.add((iri, DCTERMS.title, Literal(title, lang="en")))
    graph.add((iri, DCTERMS.description, Literal(description, lang="en")))
    return iri


def load_shapes(path: Path = SHAPES_FILE) -> Graph:
    """Load the SHACL shapes graph."""
    shapes = bind_prefixes(Graph())
    parse_into(shapes, path)
    return shapes


# What the endpoint answers for the count: its default graph is the union of the named graphs.
TRIPLE_COUNT_QUERY = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"


def triple_count(graph: Dataset | Graph) -> int:
    """The number of triples of the knowledge graph: the distinct triples of the union of its
    named graphs (the SHACL shapes, published beside it, are not part of it).

    The one count that ``imet-kg build``, ``serve``, the home page and ``TRIPLE_COUNT_QUERY`` on
    the endpoint give: an rdflib Dataset with ``default_union`` and the embedded Oxigraph store
    (see :class:`imet_kg.kg.embedded.EmbeddedStore`) both count a triple once however many
    graphs hold it.
    """
    return len(graph)
