"""Parameter values (issue 13): checked against their type, and bound so that no value can change
the query's algebra, on rdflib, the embedded Oxigraph store and a remote endpoint."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.parserutils import CompValue

from imet_kg.errors import QueryError
from imet_kg.kg.embedded import EmbeddedStore
from imet_kg.sparql.params import QueryParam, sparql_string, sparql_term
from imet_kg.sparql.saved import prepared_query, query_from_text, run_query

LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
<urn:a> rdfs:label "alpha"@en .
<urn:b> rdfs:label "beta"@fr .
<urn:c> rdfs:label "gamma"@de .
"""

# Two string parameters, as in the report: a name and a language.
TWO_STRINGS = query_from_text(
    "#+ summary: Labels with a given text and language\n"
    "#+ params:\n"
    "#+   - {name: name, type: string, default: alpha}\n"
    "#+   - {name: lang, type: string, default: en}\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label . "
    "FILTER(STR(?label) = ?name && LANG(?label) = ?lang) } ORDER BY ?s\n",
    "two-strings",
)
# The injection of the report: rdflib's n3() wrote the first value as """x\n\\"""" (the string
# ends one quote early), so the second value ran as query text: a sub-SELECT joined in.
HOSTILE = {
    "name": 'x\n\\"',
    "lang": ") (UNDEF UNDEF) } { SELECT ?s ?label WHERE { ?s ?p ?label } } #",
}
ECHO_TYPES = ("string", "iri", "integer", "decimal", "date")


def echo_query(kind: str):
    """A query whose one row is the two values it was given (both of type ``kind``)."""
    return query_from_text(
        "#+ summary: Echo two values\n"
        "#+ params:\n"
        f"#+   - {{name: first, type: {kind}}}\n"
        f"#+   - {{name: second, type: {kind}}}\n"
        "SELECT ?first ?second WHERE { }\n",
        f"echo-{kind}",
    )


ECHO = {kind: echo_query(kind) for kind in ECHO_TYPES}


def labels_graph() -> Graph:
    return Graph().parse(data=LABELS, format="turtle")


def labels_store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.store.load(LABELS.encode(), format=ox.RdfFormat.TURTLE)
    return store


ENGINES = {"memory": Graph, "oxigraph": EmbeddedStore}


@pytest.mark.parametrize("engine", [labels_graph, labels_store], ids=["memory", "oxigraph"])
def test_string_values_cannot_inject_query_text(engine):
    assert len(run_query(engine(), TWO_STRINGS)) == 1  # the query works with plain values
    assert list(run_query(engine(), TWO_STRINGS, HOSTILE)) == []
    assert algebra_shape(TWO_STRINGS.bound_text(HOSTILE)) == algebra_shape(TWO_STRINGS.bound_text())


def test_string_values_cannot_inject_through_an_endpoint(oxigraph_server_factory):
    from imet_kg.stores.remote import RemoteStore

    server = oxigraph_server_factory()
    server.add_to_default_graph(LABELS)
    remote = RemoteStore(server.query_url)
    assert len(remote.run(TWO_STRINGS)) == 1
    assert list(remote.run(TWO_STRINGS, HOSTILE)) == []


@pytest.mark.parametrize(
    "value",
    ['"', "\\", "\\u0022", "\\U00000022", "a\\\\u0022b", "\\u00410041", "\\ufffd", "\\", "\r\n"],
)
@pytest.mark.parametrize("engine", ["memory", "oxigraph"])
def test_escapes_that_sparql_decodes_early_come_back_unchanged(engine, value):
    # \u sequences are decoded in the whole query text before it is parsed: a value's backslash
    # followed by u must reach the parser as an escaped backslash and a plain u.
    row = next(iter(run_query(ENGINES[engine](), ECHO["string"], {"first": value, "second": "x"})))
    assert row[0] == Literal(value)


def test_a_backslash_then_u_is_written_so_no_codepoint_escape_changes_it():
    # \\ is an escaped backslash; \u0075 and \u0030 decode to "u" and "0" before parsing, and
    # are each followed by a non-hex character, so rdflib cannot read eight digits.
    assert sparql_string("\\u00") == "\\\\\\u0075\\u0030\\u0030"
    assert sparql_string("\\user") == "\\\\\\u0075ser"
    assert sparql_string('"\n\r\t\\') == '\\"\\n\\r\\t\\\\'
    assert sparql_string("u\\nu") == "u\\\\nu"  # only a u right after a backslash


# --- property tests -------------------------------------------------------------------------------

# Valid IRIs: unreserved and sub-delimiter ASCII, %-escapes and the ucschar range of RFC 3987.
IRI_PIECES = st.one_of(
    st.sampled_from(list("AZaz09-._~!$&'()*+,;=:@/")),
    st.sampled_from(["%20", "%3E", "%5C", "%22"]),
    st.characters(min_codepoint=0xA0, max_codepoint=0xD7FF),
)
IRIS = st.lists(IRI_PIECES, max_size=20).map(lambda p: "https://example.org/" + "".join(p))
VALUES = {
    "string": st.text(),
    "iri": IRIS,
    "integer": st.integers().map(str),
    "decimal": st.decimals(allow_nan=False, allow_infinity=False, places=3).map(
        lambda d: format(d, "f")
    ),
    "date": st.dates().map(datetime.date.isoformat),
}
REFERENCE = {
    "string": "x",
    "iri": "https://example.org/x",
    "integer": "1",
    "decimal": "1.5",
    "date": "2000-01-01",
}


def shape(node: object) -> object:
    """The algebra, each RDF term replaced by its kind: what is left must not depend on values."""
    if isinstance(node, CompValue):
        return (node.name, tuple((key, shape(value)) for key, value in node.items()))
    if isinstance(node, dict):
        return tuple(sorted((str(key), shape(value)) for key, value in node.items()))
    if isinstance(node, list | tuple):
        return tuple(shape(item) for item in node)
    if isinstance(node, URIRef | Literal):
        return type(node).__name__
    return repr(node)


def algebra_shape(text: str) -> object:
    # prepared_query is the parse a memory run reuses: each text is parsed by rdflib once.
    return shape(prepared_query(text).algebra)


def expected(kind: str, value: str) -> object:
    return {
        "string": lambda: value,
        "iri": lambda: value,
        "integer": lambda: int(value),
        "decimal": lambda: Decimal(value),
        "date": lambda: datetime.date.fromisoformat(value),
    }[kind]()


@pytest.mark.parametrize("kind", ECHO_TYPES)
def test_any_value_keeps_the_algebra_and_comes_back_unchanged(kind):
    query = ECHO[kind]
    reference = algebra_shape(
        query.bound_text({"first": REFERENCE[kind], "second": REFERENCE[kind]})
    )
    store = EmbeddedStore()

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(first=VALUES[kind], second=VALUES[kind])
    def check(first: str, second: str) -> None:
        values = {"first": first, "second": second}
        assert algebra_shape(query.bound_text(values)) == reference
        for engine in (Graph(), store):
            (row,) = list(run_query(engine, query, values))
            assert [str(term) if kind == "iri" else term.toPython() for term in row] == [
                expected(kind, first),
                expected(kind, second),
            ], type(engine)
            if kind == "string":
                assert list(row) == [Literal(first), Literal(second)]

    check()


# --- type checks (issue 13, point 12) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "why"),
    [
        ("iri", "https://example.org/x\n", "an IRI cannot hold '\\n'"),
        ("iri", "https://example.org/\x01x", "cannot hold '\\x01'"),
        ("iri", "https://example.org/a b", "cannot hold ' '"),
        ("iri", "https://exa mple.org>", "cannot hold"),
        ("iri", "https://[::1/x", ""),
        ("iri", "section", "give an absolute IRI or a prefixed name"),
        ("integer", "\u0663", "digits 0-9"),
        ("integer", "1_000", "digits 0-9"),
        ("integer", " 1", "digits 0-9"),
        ("decimal", "NaN", "digits 0-9"),
        ("decimal", "Infinity", "digits 0-9"),
        ("decimal", "sNaN", "digits 0-9"),
        ("decimal", "1e3", "digits 0-9"),
        ("date", "2021-02-30", "day is out of range"),
        ("date", "2021-1-1", "YYYY-MM-DD"),
        ("date", "\u0662\u0660\u0662\u0661-01-01", "YYYY-MM-DD"),
        ("string", "\udcff", "not UTF-8 text"),
    ],
)
def test_bad_values_are_one_line_errors(kind, value, why, caplog):
    with pytest.raises(QueryError) as raised:
        QueryParam("p", kind).to_term(value)
    message = str(raised.value)
    assert message.startswith(f"parameter p: {value!r} is not a valid {kind}")
    assert why in message and "\n" not in message
    assert caplog.records == []  # rdflib logs a traceback for an ill-typed literal it builds


def test_prefixed_names_and_short_forms_expand():
    section = QueryParam("section", "iri", short="https://w3id.org/imet-kg/id/faa/section-{}")
    expanded = URIRef("https://w3id.org/imet-kg/id/faa/section-546")
    prefixes = {"faa": "https://w3id.org/imet-kg/id/faa/"}
    assert section.to_term("546", prefixes) == expanded
    assert section.to_term("faa:section-546", prefixes) == expanded
    assert section.to_term(f"<{expanded}>", prefixes) == expanded
    assert section.to_term(str(expanded), prefixes) == expanded
    with pytest.raises(QueryError, match="cannot hold ' '"):
        section.to_term("5 46", prefixes)


def test_terms_are_written_with_full_datatype_iris():
    assert sparql_term(Literal(2000, datatype=XSD.integer)) == (
        '"2000"^^<http://www.w3.org/2001/XMLSchema#integer>'
    )
    assert sparql_term(Literal('a"b')) == '"a\\"b"'
    with pytest.raises(ValueError):
        sparql_term(URIRef("https://example.org/a>b"))
