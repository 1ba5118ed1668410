"""Facts about a SPARQL text, read without evaluating it: its form, FROM clauses, where its
outer WHERE group starts, and one wording for syntax errors.

Everything here works on the text with its strings, IRIs and comments blanked out, so a keyword
or a brace inside a literal, an IRI or a comment is never mistaken for query syntax. It imports
no SPARQL parser of rdflib's, so the command line can check a query without loading rdflib's
grammar.
"""

from __future__ import annotations

import re

from imet_kg.errors import QueryError, one_line

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")

# Tokens that may hide braces or keywords: strings (long and short), IRIs, comments.
_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n]*"
)
# A SPARQL keyword, not part of a variable (?from), prefixed name (ex:select) or other name.
_KEYWORD = r"(?<![?$:\w.-])({})(?![\w:-])"
_FORM_OR_UPDATE = re.compile(
    _KEYWORD.format("|".join((*QUERY_FORMS, *UPDATE_KEYWORDS, "WITH"))), re.IGNORECASE
)
_FROM = re.compile(_KEYWORD.format("FROM"), re.IGNORECASE)
_SERVICE = re.compile(_KEYWORD.format("SERVICE"), re.IGNORECASE)
_OXIGRAPH_ERROR = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
#: Bracket nesting a query may have (Oxigraph's parser crashed the process at a few thousand).
MAX_NESTING = 256
SERVICE_REFUSED = "SERVICE is refused: a local query makes no requests to other endpoints"
_PROLOGUE = re.compile(r"\b(PREFIX\s+[^\s:]*:|BASE\b)", re.IGNORECASE)


def mask_strings_iris_comments(text: str) -> str:
    """Blank out the strings, IRIs and comments of a SPARQL text, keeping every offset.

    What is left can be searched for keywords and braces without matching inside a literal, an IRI
    or a comment.
    """
    return _SKIPPED.sub(lambda m: " " * len(m.group()), text)


def _masked(text: str) -> str:
    """The text masked as above, with the PREFIX and BASE declarations' names blanked too."""
    return _PROLOGUE.sub(" ", mask_strings_iris_comments(text))


def query_form(text: str) -> str:
    """Tell which form a SPARQL query has: SELECT, ASK, CONSTRUCT or DESCRIBE.

    The first form keyword of the text decides (a sub-SELECT inside a CONSTRUCT comes after it).

    Raises:
        QueryError: for an update, or text with none of the four keywords.
    """
    keyword = _FORM_OR_UPDATE.search(_masked(text))
    if keyword is None:
        raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    form = keyword.group().upper()
    if form not in QUERY_FORMS:
        raise QueryError(f"{form} starts an update: only queries run on an endpoint")
    return form


def has_from(text: str) -> bool:
    """Say whether the query names its own dataset (``FROM`` or ``FROM NAMED``)."""
    return _FROM.search(_masked(text)) is not None


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``( { [`` in the query, outside strings, IRIs and comments."""
    depth = deepest = 0
    for char in mask_strings_iris_comments(text):
        if char in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")}]":
            depth -= 1
    return deepest


def has_service(text: str) -> bool:
    """Say whether the query calls another endpoint (``SERVICE``), which a local query must not."""
    return _SERVICE.search(_masked(text)) is not None


def outer_where_brace(text: str, name: str) -> int:
    """Return the offset of the ``{`` that opens the query's outermost WHERE group.

    Args:
        text: the query.
        name: the query's name, for the message.

    Raises:
        QueryError: if the query has no explicit ``WHERE {``.
    """
    depth = 0
    seen_where = False
    for match in re.finditer(r"[{}]|\bWHERE\b", mask_strings_iris_comments(text), re.IGNORECASE):
        token = match.group()
        if token == "{":
            if depth == 0 and seen_where:
                return match.start()
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            seen_where = True
    raise QueryError(f"query {name}: parameters need an explicit WHERE {{ ... }} clause")


def check_syntax(text: str, where: str) -> None:
    """Check that a text is a SPARQL 1.1 query, with Oxigraph's parser (fast, and it loads none of
    rdflib's grammar): the query is run on an empty in-memory store, where it can only parse.

    Args:
        text: the query.
        where: what to name in the message (a file, a query name).

    Raises:
        QueryError: ``<where>: SPARQL syntax error: ...`` for malformed SPARQL.
    """
    import pyoxigraph

    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        # Oxigraph's parser recurses per level: some thousands overflow its stack and kill the
        # process (a segmentation fault, not an exception).
        raise QueryError(
            f"{where}: brackets nested {depth} deep (at most {MAX_NESTING} are accepted)"
        )
    if has_service(text):
        # Oxigraph would send the SERVICE request while "parsing"; such a query never runs
        # locally, so it is refused here rather than checked.
        raise QueryError(f"{where}: {SERVICE_REFUSED}")
    try:
        pyoxigraph.Store().query(text)
    except SyntaxError as exc:
        raise QueryError(f"{where}: {sparql_syntax_error(exc)}") from exc
    except Exception:
        pass


def sparql_syntax_error(exc: Exception) -> str:
    """One line describing a SPARQL parse error, with its line and column when known."""
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    lines = str(exc).splitlines()
    message = getattr(exc, "msg", None) or (lines[0] if lines else "") or type(exc).__name__
    oxigraph = _OXIGRAPH_ERROR.match(message)
    if oxigraph and not line:  # Oxigraph's parser says "error at LINE:COLUMN: message"
        line, column, message = int(oxigraph[1]), int(oxigraph[2]), oxigraph[3]
    where = f"line {line}, column {column}: " if line else ""
    # Oxigraph's message can list the characters it expected over several lines.
    message = one_line(message)
    if len(message) > 300:
        message = message[:299] + "…"
    return f"SPARQL syntax error: {where}{message}"
