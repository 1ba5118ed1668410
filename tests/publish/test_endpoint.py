"""Unit tests for the endpoint's rules (imet_kg.publish.endpoint): checks, formats, answers."""

from __future__ import annotations

import json
import pickle

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from imet_kg.errors import ImetKgError
from imet_kg.publish.endpoint import (
    FORMAT_PARAMETER,
    GRAPH_MEDIA_TYPES,
    TABLE_MEDIA_TYPES,
    Answer,
    QueryRefused,
    answer_query,
    check_query,
    graph_names_of,
    negotiate,
)
from imet_kg.publish.limits import Limits

EX = "http://example.org/"
GRAPH_A = URIRef(EX + "graph/a")


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """Two named graphs (one empty) and three people."""
    dataset = Dataset(default_union=True)
    graph = dataset.graph(GRAPH_A)
    for name in ("ann", "bob", "cy"):
        graph.add((URIRef(EX + name), URIRef(EX + "name"), Literal(name)))
    dataset.graph(URIRef(EX + "graph/empty"))
    return dataset


def refusal(text: str, names=(), limits: Limits | None = None) -> QueryRefused:
    with pytest.raises(QueryRefused) as caught:
        check_query(text, names, limits or Limits())
    return caught.value


# --- check_query ---------------------------------------------------------------------------------


def test_a_plain_query_passes_and_comes_back_translated():
    query = check_query("SELECT ?s WHERE { ?s ?p ?o }", ())
    assert query.algebra.name == "SelectQuery"


@pytest.mark.parametrize("text", ["", "   \n"])
def test_an_empty_query_is_400(text):
    refused = refusal(text)
    assert refused.status == 400 and "no query" in str(refused)


def test_a_query_over_the_length_limit_is_400():
    text = "SELECT * WHERE { ?s ?p ?o }"
    refused = refusal(text, limits=Limits(max_query_length=len(text) - 1))
    assert refused.status == 400 and str(len(text) - 1) in str(refused)
    check_query(text, (), Limits(max_query_length=len(text)))  # at the limit: fine


def test_a_malformed_query_is_400_with_its_position():
    refused = refusal("SELECT ?x WHERE { ?x ?y }")
    assert refused.status == 400
    assert "syntax error" in str(refused) and "line" in str(refused)


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
    ],
)
def test_updates_are_403(text):
    refused = refusal(text)
    assert refused.status == 403 and "read-only" in str(refused)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * { ?x a ?t OPTIONAL { SERVICE SILENT <http://example.org/q> { ?x ?p ?o } } }",
        "ASK { FILTER EXISTS { SERVICE <http://example.org/q> { ?s ?p ?o } } }",
        "SELECT * WHERE { { SELECT ?s { SERVICE <http://example.org/q> { ?s ?p ?o } } } }",
    ],
)
def test_service_anywhere_is_403(text):
    refused = refusal(text)
    assert refused.status == 403 and "SERVICE" in str(refused)


def test_from_may_name_only_the_datasets_graphs():
    """FROM and FROM NAMED both; FROM NAMED was once refused whatever it named."""
    check_query(f"SELECT * FROM <{GRAPH_A}> WHERE {{ ?s ?p ?o }}", [GRAPH_A])
    check_query(f"SELECT * FROM NAMED <{GRAPH_A}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", [GRAPH_A])
    refused = refusal("SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }", [GRAPH_A])
    assert refused.status == 403 and "FROM <http://example.org/elsewhere>" in str(refused)
    # Issue 13: a FROM NAMED was refused in the words of a FROM.
    named = refusal("SELECT * FROM NAMED <http://example.org/g> { GRAPH ?g { ?s ?p ?o } }")
    assert named.status == 403 and "FROM NAMED <http://example.org/g> is" in str(named)


def test_refusals_survive_the_trip_between_processes():
    refused = pickle.loads(pickle.dumps(QueryRefused(403, "no")))
    assert (refused.status, str(refused)) == (403, "no")


# --- negotiate -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "accept", "expected"),
    [
        ("SELECT", None, ("json", "application/sparql-results+json")),
        ("SELECT", "*/*", ("json", "application/sparql-results+json")),
        ("ASK", "text/csv", ("csv", "text/csv")),
        (
            "SELECT",
            "application/xml",
            ("xml", "application/xml"),
        ),
        ("SELECT", "text/tab-separated-values", ("tsv", "text/tab-separated-values")),
        ("CONSTRUCT", None, ("turtle", "text/turtle")),
        ("DESCRIBE", "application/ld+json", ("json-ld", "application/ld+json")),
        ("CONSTRUCT", "text/plain", ("nt", "text/plain")),
        ("CONSTRUCT", "application/rdf+xml", ("xml", "application/rdf+xml")),
    ],
)
def test_negotiate_by_accept(form, accept, expected):
    assert negotiate(form, accept, None) == expected


def test_the_format_parameter_overrides_accept():
    assert negotiate("SELECT", "text/csv", "tsv") == ("tsv", "text/tab-separated-values")
    assert negotiate("CONSTRUCT", "text/turtle", "json-ld") == ("json-ld", "application/ld+json")
    assert negotiate("DESCRIBE", None, "rdf-xml") == ("xml", "application/rdf+xml")


@pytest.mark.parametrize(
    ("form", "fmt"), [("SELECT", "turtle"), ("CONSTRUCT", "csv"), ("ASK", "x")]
)
def test_a_format_that_does_not_fit_is_400(form, fmt):
    with pytest.raises(QueryRefused) as caught:
        negotiate(form, None, fmt)
    assert caught.value.status == 400 and f"format={fmt!r}" in str(caught.value)


def test_an_accept_that_allows_nothing_is_406():
    with pytest.raises(QueryRefused) as caught:
        negotiate("CONSTRUCT", "application/sparql-results+json", None)
    assert caught.value.status == 406
    assert all(media_type in str(caught.value) for media_type in GRAPH_MEDIA_TYPES)


def test_every_format_parameter_names_an_offered_media_type():
    for kind, media_type in FORMAT_PARAMETER.values():
        offered = GRAPH_MEDIA_TYPES if kind == "graph" else TABLE_MEDIA_TYPES
        assert media_type in offered


# --- answer_query (what a worker does, here in process) -------------------------------------------


def test_select_answer_with_the_result_limit_header(dataset):
    answer = answer_query(dataset, f"SELECT ?n WHERE {{ ?s <{EX}name> ?n }} ORDER BY ?n")
    assert answer.status == 200
    assert answer.media_type == "application/sparql-results+json"
    values = [row["n"]["value"] for row in json.loads(answer.body)["results"]["bindings"]]
    assert values == ["ann", "bob", "cy"]
    assert answer.headers == {"X-IMET-Result-Limit": "10000"}


def test_text_results_say_their_charset(dataset):
    answer = answer_query(dataset, "SELECT * WHERE { ?s ?p ?o }", accept="text/csv")
    assert answer.media_type == "text/csv; charset=utf-8"


def test_rows_over_the_limit_are_cut_and_flagged(dataset):
    limits = Limits(max_rows=2)
    answer = answer_query(dataset, "SELECT * WHERE { ?s ?p ?o }", "text/csv", limits=limits)
    assert answer.status == 200
    assert answer.body.decode().count("\r\n") == 3  # header + 2 rows
    assert answer.headers["X-IMET-Truncated"] == "true"
    assert answer.headers["X-IMET-Result-Limit"] == "2"


def test_triples_over_the_limit_are_cut_and_flagged(dataset):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    answer = answer_query(dataset, query, "application/n-triples", limits=Limits(max_rows=2))
    assert len(Graph().parse(data=answer.body, format="nt")) == 2
    assert answer.headers["X-IMET-Truncated"] == "true"
    whole = answer_query(dataset, query, "application/n-triples")
    assert len(Graph().parse(data=whole.body, format="nt")) == 3
    assert "X-IMET-Truncated" not in whole.headers


# A string that doubles 12 times: 16 * 2**12 = 65,536 characters from a 500-byte query.
DOUBLING = (
    'SELECT ?s12 WHERE { BIND("0123456789abcdef" AS ?s0) '
    + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(12))
    + " }"
)


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_an_answer_over_the_byte_limit_is_413_not_sent(dataset, accept):
    answer = answer_query(dataset, DOUBLING, accept, limits=Limits(max_bytes=60_000))
    assert answer.status == 413
    assert answer.body.decode().startswith("413 the answer is larger than")
    assert "60000 bytes" in answer.body.decode() and len(answer.body) < 200
    assert answer_query(dataset, DOUBLING, accept, limits=Limits(max_bytes=70_000)).status == 200


def test_a_graph_over_the_byte_limit_is_413(dataset):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert answer_query(dataset, query, "text/turtle", limits=Limits(max_bytes=1024)).status == 200
    many = Dataset(default_union=True)
    for i in range(100):
        many.add((URIRef(f"{EX}thing/{i}"), URIRef(EX + "name"), Literal(f"name {i}")))
    answer = answer_query(many, query, "text/turtle", limits=Limits(max_bytes=1024))
    assert answer.status == 413


def test_the_worker_stops_a_query_at_the_time_limit_and_can_go_on(dataset):
    # In process: the alarm the worker sets interrupts rdflib; no process is killed.
    import signal

    from imet_kg.publish.query_worker import _on_alarm, answer_within_limits

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        names = graph_names_of(dataset)
        slow = (
            "SELECT (COUNT(*) AS ?n) WHERE { "
            + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12))
            + " }"
        )
        answer, verdict = answer_within_limits(
            dataset, slow, None, None, Limits(time_limit=0.2), names
        )
        assert (answer.status, verdict) == (503, "stopped")
        assert "time limit of 0.2 s" in answer.body.decode()
        answer, verdict = answer_within_limits(
            dataset, "ASK { ?s ?p ?o }", None, None, Limits(), names
        )
        assert (answer.status, verdict) == (200, "ok")
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_ask_answer(dataset):
    answer = answer_query(dataset, f"ASK {{ <{EX}ann> ?p ?o }}")
    assert json.loads(answer.body)["boolean"] is True


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("", 400),
        ("SELECT ?x WHERE { ?x ?y }", 400),
        ("CLEAR ALL", 403),
        ("SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }", 403),
    ],
)
def test_client_mistakes_come_back_as_answers_not_exceptions(dataset, text, status):
    answer = answer_query(dataset, text)
    assert answer.status == status
    assert answer.media_type == "text/plain; charset=utf-8"
    assert answer.body.decode().startswith(f"{status} ")


def test_from_a_named_graph_of_the_dataset_is_answered(dataset):
    answer = answer_query(dataset, f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_A}> {{ ?s ?p ?o }}")
    assert answer.status == 200
    assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == "3"


def test_graph_names_are_the_non_empty_named_graphs(dataset):
    assert graph_names_of(dataset) == frozenset({GRAPH_A})
    assert graph_names_of(Graph()) == frozenset()


# --- limits and answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"time_limit": 0},
        {"max_rows": 0},
        {"workers": 0},
        {"max_memory": 1},
        {"max_bytes": 10},
        {"per_client": 0},
        {"cache_bytes": -1},
    ],
)
def test_limits_refuse_nonsense(bad):
    with pytest.raises(ImetKgError):
        Limits(**bad)


def test_limits_have_their_defaults_in_one_place():
    assert Limits() == Limits(time_limit=10.0, max_rows=10_000, workers=2)


def test_an_error_answer_is_one_line_of_plain_text():
    answer = Answer.error(503, "503 busy\n\n")
    assert (answer.status, answer.body, answer.media_type) == (
        503,
        b"503 busy\n",
        "text/plain; charset=utf-8",
    )


# --- the persistent Oxigraph store as a worker's graph (issue 9) ----------------------------------


@pytest.fixture(scope="module")
def store_folder(tmp_path_factory) -> str:
    """An Oxigraph store on disk with the three people in graph A (and in the default graph,
    the union, as the persistent store keeps it)."""
    import pyoxigraph as ox

    folder = tmp_path_factory.mktemp("store") / "oxigraph"
    store = ox.Store(str(folder))
    for name in ("ann", "bob", "cy"):
        triple = (ox.NamedNode(EX + name), ox.NamedNode(EX + "name"), ox.Literal(name))
        store.add(ox.Quad(*triple, ox.NamedNode(str(GRAPH_A))))
        store.add(ox.Quad(*triple, ox.DefaultGraph()))
    store.flush()
    del store
    return str(folder)


def test_a_worker_opens_the_store_read_only_and_answers_as_with_rdflib(store_folder, dataset):
    from imet_kg.publish.query_worker import open_graph

    store = open_graph(store_folder)
    assert graph_names_of(store) == graph_names_of(dataset) == frozenset({GRAPH_A})
    query = f"SELECT ?n FROM <{GRAPH_A}> WHERE {{ ?s <{EX}name> ?n }} ORDER BY ?n"
    on_store = answer_query(store, query, "text/csv")
    assert on_store.status == 200
    assert on_store.body == answer_query(dataset, query, "text/csv").body
    assert answer_query(store, "INSERT DATA { <a:b> <a:c> <a:d> }").status == 403
    assert answer_query(store, "SELECT * FROM <http://elsewhere/> { ?s ?p ?o }").status == 403
    assert answer_query(store, DOUBLING, limits=Limits(max_bytes=60_000)).status == 413
    with pytest.raises(RuntimeError, match="read-write"):  # opened read-only
        store.store.add(next(store.store.quads_for_pattern(None, None, None)))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_alarm_swallowed_by_a_finaliser_fires_again():
    # The time limit's alarm once landed in a weakref callback: Python printed the exception and
    # the query ran on (200 instead of 503). The alarm must fire again until it stops the query.
    import signal
    import time

    from imet_kg.publish.query_worker import _Deadline, _on_alarm

    class Finalised:
        def __del__(self) -> None:
            _on_alarm(signal.SIGALRM, None)  # as a signal arriving during the finaliser

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        with pytest.raises(_Deadline):
            Finalised()  # collected at once: its _Deadline is swallowed
            until = time.monotonic() + 5
            while time.monotonic() < until:
                pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
