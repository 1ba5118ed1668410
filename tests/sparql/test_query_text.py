"""Tests for the query-text facts: form, FROM, the outer WHERE brace, syntax-error wording."""

from __future__ import annotations

import pytest

from imet_kg.errors import QueryError
from imet_kg.sparql.text import (
    has_from,
    mask_strings_iris_comments,
    outer_where_brace,
    query_form,
    sparql_syntax_error,
)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("ask { ?s ?p ?o }", "ASK"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s ?p ?o WHERE { ?s ?p ?o } } }", "CONSTRUCT"),
        ("DESCRIBE <http://example.org/x>", "DESCRIBE"),
        ("# DELETE in a comment\nSELECT ?delete WHERE { ?delete ?p 'INSERT' }", "SELECT"),
        ("PREFIX select: <http://example.org/>\nASK { select:a ?p ?o }", "ASK"),
        ("BASE <http://example.org/construct/>\nSELECT * { <describe> ?p ?o }", "SELECT"),
    ],
)
def test_query_form_reads_the_first_form_keyword_outside_strings_iris_comments(text, form):
    assert query_form(text) == form


@pytest.mark.parametrize(
    "text", ["INSERT DATA { <a> <b> <c> }", "LOAD <http://x/>", "WITH <g> DELETE { ?s ?p ?o }"]
)
def test_query_form_refuses_updates(text):
    with pytest.raises(QueryError, match="starts an update"):
        query_form(text)


def test_query_form_refuses_text_without_a_form():
    with pytest.raises(QueryError, match="not a SPARQL query"):
        query_form("# SELECT only in a comment\n{ ?s ?p ?o }")


def test_has_from_ignores_variables_names_strings_and_comments():
    assert has_from("SELECT * FROM <http://g/> WHERE { ?s ?p ?o }")
    assert has_from("SELECT * from named <http://g/> { ?s ?p ?o }")
    assert not has_from("SELECT ?from WHERE { ?from ex:from 'FROM' } # FROM")


def test_masking_keeps_every_offset():
    text = 'SELECT ?s WHERE { ?s <http://x/a> "}{" } # {'
    masked = mask_strings_iris_comments(text)
    assert len(masked) == len(text)
    assert masked.count("{") == 1 and masked.count("}") == 1


def test_outer_where_brace_skips_braces_in_strings_and_subqueries():
    text = 'SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p "}" } } }'
    assert text[outer_where_brace(text, "q")] == "{"
    assert outer_where_brace(text, "q") == text.index("{")
    with pytest.raises(QueryError, match="explicit WHERE"):
        outer_where_brace("SELECT * { ?s ?p ?o }", "q")


def test_syntax_error_wording_survives_an_empty_message():
    class Silent(Exception):
        pass

    assert sparql_syntax_error(Silent()) == "SPARQL syntax error: Silent"

    class Located(Exception):
        lineno, col, msg = 3, 7, "Expected end of text"

    assert sparql_syntax_error(Located()) == (
        "SPARQL syntax error: line 3, column 7: Expected end of text"
    )
