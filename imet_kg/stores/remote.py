"""Remote SPARQL stores: push the graph (Graph Store Protocol), query and validate it there.

Any SPARQL 1.1 store works: Oxigraph, Virtuoso, Fuseki, GraphDB. ``push_dataset`` PUTs each named
graph of the dataset to the store's Graph Store HTTP Protocol endpoint (PUT replaces the graph, so
pushing twice leaves the store as pushing once). :class:`RemoteStore` runs queries against the
store's SPARQL query endpoint and parses the answers into the same rdflib objects a local query
gives, so results render, compare and validate the same way.

Which data a remote query sees: stores differ in what their default graph is (Oxigraph: an empty
graph of its own unless started with ``--union-default-graph``; Virtuoso: every graph on the
server, its system graphs included; Fuseki and GraphDB: a graph of their own, or a union, as
configured). So the client does not rely on it. It lists the graphs the store holds under the
project's graph namespace (``https://w3id.org/imet-kg/id/graph/``, one per source file, as ``push``
names them) and sends them as ``default-graph-uri`` parameters (SPARQL 1.1 Protocol): the query's
default graph is then their merge, which is what a local query sees. A store without such graphs
is queried on its own default graph, and a query with its own ``FROM`` keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result

from imet_kg.errors import EndpointError
from imet_kg.kg.graph import graph_iri, ontology_files
from imet_kg.namespaces import GRAPH, bind_prefixes
from imet_kg.rdf.files import parse_into
from imet_kg.sparql.client import (
    AUTH_SCHEMES,
    DEFAULT_TIMEOUT,
    MAX_GET_URL,
    USER_AGENT,
    Credentials,
    SparqlClient,
    credentials,
)
from imet_kg.sparql.gsp import GraphStore
from imet_kg.sparql.saved import SavedQuery
from imet_kg.sparql.text import has_from, query_form
from imet_kg.stores.answers import to_result

# The names the command line and older callers import from here.
__all__ = [
    "AUTH_SCHEMES",
    "DEFAULT_TIMEOUT",
    "GRAPH_NAMESPACE",
    "MAX_GET_URL",
    "USER_AGENT",
    "Credentials",
    "PushReport",
    "RemoteStore",
    "credentials",
    "push_dataset",
    "query_form",
]

GRAPH_NAMESPACE = str(GRAPH)

_GRAPH_SIZES = f"""SELECT ?g (COUNT(*) AS ?triples)
WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_NAMESPACE}")) }}
GROUP BY ?g"""
_DEFAULT_GRAPH_SIZE = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
_ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_GRAPH_TRIPLES = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}"


@dataclass(frozen=True)
class PushReport:
    """What :func:`push_dataset` uploaded.

    Attributes:
        url: the Graph Store endpoint.
        graphs: (graph IRI, number of triples) for each graph PUT, in the order sent; the IRI
            is None for the store's default graph.
    """

    url: str
    graphs: tuple[tuple[str | None, int], ...]

    @property
    def triples(self) -> int:
        return sum(count for _, count in self.graphs)

    def text(self) -> str:
        """One line per graph, then a summary line."""
        lines = [
            f"{count:7d} triples  <{iri}>" if iri else f"{count:7d} triples  (default graph)"
            for iri, count in self.graphs
        ]
        lines.append(f"Pushed {len(self.graphs)} graph(s), {self.triples} triples, to {self.url}")
        return "\n".join(lines) + "\n"


def push_dataset(
    dataset: Dataset,
    gsp_url: str,
    auth: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> PushReport:
    """Upload each named graph of ``dataset`` to a store, replacing the graph of the same name.

    Each graph goes as N-Triples in one HTTP ``PUT <gsp_url>?graph=<IRI>`` (SPARQL 1.1 Graph Store
    HTTP Protocol). PUT replaces the graph's content, so a second push leaves the store as the first
    did. Graphs of the store that the dataset does not have are left alone. Triples in the
    dataset's own default graph (none, for a graph made by ``build_graph``) go to ``?default``.

    Args:
        dataset: the graph, one named graph per source file.
        gsp_url: the store's Graph Store endpoint, e.g. ``http://localhost:7878/store`` (Oxigraph),
            ``http://localhost:8890/sparql-graph-crud-auth`` (Virtuoso),
            ``http://localhost:3030/ds/data`` (Fuseki),
            ``http://localhost:7200/repositories/ID/rdf-graphs/service`` (GraphDB).
        auth: credentials, if the store asks for them.
        timeout: seconds each request may take in all, from connecting to the answer's last byte.
        progress: called with a short message before each graph is sent.

    Returns:
        A :class:`PushReport` with the graphs and triple counts sent.

    Raises:
        EndpointError: if the URL is not http(s), the store cannot be reached, refuses a graph
            (HTTP error) or does not answer in time. Graphs sent before the failure stay.
    """
    store = GraphStore(gsp_url, auth, timeout)
    sent = []
    graphs = _graphs_to_push(dataset)
    for number, (iri, graph) in enumerate(graphs, start=1):
        if progress:
            progress(f"graph {number}/{len(graphs)}: {iri or 'default'} ({len(graph)} triples)")
        store.put(iri, graph.serialize(format="nt", encoding="utf-8"))
        sent.append((iri, len(graph)))
    return PushReport(gsp_url, tuple(sent))


def _graphs_to_push(dataset: Dataset) -> list[tuple[str | None, Graph]]:
    graphs = []
    for graph in dataset.graphs():
        if graph.identifier != DATASET_DEFAULT_GRAPH_ID:
            graphs.append((str(graph.identifier), graph))
    graphs.sort(key=lambda pair: pair[0])
    if len(dataset.default_graph):  # its own triples, not the union of the named graphs
        graphs.insert(0, (None, dataset.default_graph))
    return graphs


class RemoteStore:
    """A SPARQL 1.1 query endpoint holding the IMET-KG graph (see the module docstring).

    Args:
        query_url: the SPARQL query endpoint, e.g. ``http://localhost:7878/query`` (Oxigraph),
            ``http://localhost:8890/sparql`` (Virtuoso), ``http://localhost:3030/ds/query``
            (Fuseki), ``http://localhost:7200/repositories/ID`` (GraphDB).
        user: account name, if the endpoint asks for one.
        password: its password.
        auth: ``basic`` or ``digest``.
        timeout: seconds each request may take in all, from connecting to the answer's last byte.
        graphs: the graph IRIs whose merge the queries run on; by default the store's graphs
            under the project's graph namespace, or its default graph if it has none.

    Raises:
        EndpointError: if the URL is not http(s), or only one of user and password is given.
    """

    def __init__(
        self,
        query_url: str,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        timeout: float = DEFAULT_TIMEOUT,
        graphs: Sequence[str] | None = None,
    ) -> None:
        self.url = query_url
        self.timeout = timeout
        self._client = SparqlClient(query_url, credentials(user, password, auth), timeout)
        self._graphs = tuple(graphs) if graphs is not None else None

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    def graph_sizes(self) -> dict[str, int]:
        """Count the triples of each graph the store holds under the project's graph namespace.

        Raises:
            EndpointError: if the store fails.
        """
        result = self.query(_GRAPH_SIZES, dataset=())
        return {str(row[0]): int(row[1].toPython()) for row in result}

    def graphs(self) -> tuple[str, ...]:
        """The graph IRIs queries run on: given to the constructor, or found on the store (once).

        An empty tuple means the store's own default graph.
        """
        if self._graphs is None:
            self._graphs = tuple(sorted(self.graph_sizes()))
        return self._graphs

    def query(self, text: str, dataset: Sequence[str] | None = None) -> Result:
        """Run a SPARQL query on the store and return rdflib's Result for it.

        SELECT and ASK answers are asked for as SPARQL Results JSON, CONSTRUCT and DESCRIBE answers
        as N-Triples (or Turtle); both are parsed into the objects a local ``graph.query`` returns
        (rows; a boolean; a ``result.graph``), so :func:`imet_kg.sparql.results.render_result`
        writes them the same way. A query whose GET URL would be long goes by POST (form-encoded).

        Args:
            text: the query (SPARQL 1.1; updates are refused).
            dataset: graph IRIs to merge as the default graph (``default-graph-uri``); by default
                :meth:`graphs`; ``()`` for the store's default graph. Ignored when the query has
                a FROM clause of its own.

        Raises:
            QueryError: if the text is an update or no query at all.
            EndpointError: if the store cannot be reached, answers with an HTTP error, does not
                answer within the timeout, or answers with something that is not SPARQL results.
        """
        query_form(text)  # an update is refused before the store is asked for its graphs
        if dataset is None:
            dataset = () if has_from(text) else self.graphs()
        return to_result(self._client.query(text, default_graphs=dataset))

    def run(self, saved: SavedQuery, params: dict[str, str] | None = None) -> Result:
        """Run a saved query, its parameters bound as a local run binds them.

        Raises:
            QueryError: for bad parameters.
            EndpointError: if the store fails (the message names the query).
        """
        text = saved.bound_text(params)
        try:
            return self.query(text)
        except EndpointError as exc:
            raise EndpointError(f"query {saved.name}: {exc}") from exc

    def fetch_dataset(self) -> Dataset:
        """Copy the store's IMET-KG graphs into a local dataset, one named graph each.

        With no graphs under the project's namespace, the store's default graph is copied into
        the dataset's default graph. Each graph is fetched with its own CONSTRUCT query and its
        size checked against a COUNT, so a store that cuts long answers short (Virtuoso's
        ``ResultSetMaxRows``) gives an error, not a silently partial graph.

        Raises:
            EndpointError: if the store fails or returns fewer triples than it holds.
        """
        sizes = self.graph_sizes() if self._graphs is None else None
        names = tuple(sorted(sizes)) if sizes is not None else self.graphs()
        dataset = bind_prefixes(Dataset(default_union=True))
        if not names:
            expected = int(next(iter(self.query(_DEFAULT_GRAPH_SIZE, dataset=())))[0].toPython())
            graph = self.query(_ALL_TRIPLES, dataset=()).graph
            self._check_size(graph, expected, "its default graph")
            dataset.default_graph += graph
            return dataset
        for name in names:
            graph = self.query(_GRAPH_TRIPLES.format(name), dataset=()).graph
            if sizes is not None:
                self._check_size(graph, sizes[name], f"graph <{name}>")
            target = dataset.graph(URIRef(name))
            target += graph
        return dataset

    def fetch_for_validation(self) -> Dataset:
        """The store's IMET-KG graphs plus the shipped ontology graphs the store lacks.

        This is what ``validate`` checks: like a local ``validate FILES``, class targets need the
        ontology's subclass axioms.
        """
        dataset = self.fetch_dataset()
        have = {str(ctx.identifier) for ctx in dataset.graphs()}
        for path in ontology_files():
            if str(graph_iri(path)) not in have:
                parse_into(dataset.graph(graph_iri(path)), Path(path))
        return dataset

    def _check_size(self, graph: Graph, expected: int, what: str) -> None:
        if len(graph) < expected:
            raise EndpointError(
                f"SPARQL endpoint {self.url}: returned {len(graph)} of the {expected} triples of "
                f"{what}; the store caps result sizes (Virtuoso: raise ResultSetMaxRows)"
            )
