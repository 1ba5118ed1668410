"""Deeply nested SPARQL (found by the fuzz corpus): refused in one line, not a crashed process.

Oxigraph's parser recurses per bracket: 5,000 nested groups overflowed its stack and killed
the Python process with a segmentation fault (no exception to catch).
"""

from __future__ import annotations

import pytest

from imet_kg.errors import QueryError
from imet_kg.sparql.text import MAX_NESTING, check_syntax, nesting_depth, sparql_syntax_error


@pytest.mark.parametrize(
    "text, depth",
    [
        ("SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000, 5000),
        ("SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", 5002),
    ],
)
def test_deep_nesting_is_refused_before_oxigraph_parses_it(text: str, depth: int) -> None:
    with pytest.raises(QueryError) as info:
        check_syntax(text, "-q")
    assert (
        str(info.value) == f"-q: brackets nested {depth} deep (at most {MAX_NESTING} are accepted)"
    )


def test_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    text = 'SELECT * WHERE { ?s ?p "((((((" . ?s ?p <http://e/((((> } # ((((((((\n'
    assert nesting_depth(text) == 1
    check_syntax(text, "-q")  # no error


def test_a_syntax_error_is_one_line() -> None:
    # Oxigraph lists the characters it expected over several lines.
    with pytest.raises(SyntaxError) as info:
        import pyoxigraph

        pyoxigraph.Store().query("SELECT * WHERE { ?s nope:p ?o }")
    message = sparql_syntax_error(info.value)
    assert "\n" not in message and len(message) < 400
