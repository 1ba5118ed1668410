"""Render query results in the W3C SPARQL result formats, or as RDF for graph results."""

from __future__ import annotations

import io
import json
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, URIRef
from rdflib.query import Result

from imet_kg.errors import QueryError
from imet_kg.rdf.serialize import serialize_graph

TABULAR_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "json-ld", "nt")
RESULT_FORMATS = TABULAR_FORMATS + GRAPH_FORMATS


def render_result(result: Result, fmt: str = "table", width: int | None = None) -> bytes:
    """Render an rdflib query result.

    SELECT and ASK results go to ``table`` (aligned text for people, see
    :func:`imet_kg.sparql.table.text_table`: ``width`` is the line length it fits, None for no
    cutting), ``csv`` / ``tsv`` (SPARQL 1.1 Query Results CSV and TSV), ``json`` (SPARQL 1.1
    Results JSON) or ``xml`` (SPARQL Query Results XML); these four carry full IRIs and raw
    lexical forms, as the W3C formats say. CONSTRUCT and DESCRIBE results go to ``turtle``,
    ``json-ld`` or ``nt`` (``table`` means Turtle for them).

    Raises:
        QueryError: if the format does not fit the kind of result.
    """
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown result format {fmt!r} (choose from {', '.join(RESULT_FORMATS)})")
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if fmt == "table":
            fmt = "turtle"
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"a {result.type} query returns a graph: use {', '.join(GRAPH_FORMATS)}"
            )
        return serialize_graph(result.graph, fmt)
    if fmt in GRAPH_FORMATS:
        raise QueryError(f"a {result.type} query returns a table: use {', '.join(TABULAR_FORMATS)}")
    if result.type == "ASK":
        return _render_ask(bool(result.askAnswer), fmt)
    return _render_select(result, fmt, width)


def _render_ask(answer: bool, fmt: str) -> bytes:
    word = "true" if answer else "false"
    if fmt == "json":
        return (json.dumps({"head": {}, "boolean": answer}, indent=2) + "\n").encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"  <head/>\n  <boolean>{word}</boolean>\n</sparql>\n"
        ).encode()
    # The W3C CSV/TSV formats define no boolean; one line with the answer is what tools expect.
    return f"{word}\n".encode()


def _render_select(result: Result, fmt: str, width: int | None) -> bytes:
    variables = [str(v) for v in result.vars or []]
    rows = [[row[i] if i < len(row) else None for i in range(len(variables))] for row in result]
    if fmt == "csv":
        buffer = io.BytesIO()
        result.serialize(buffer, format="csv")
        return buffer.getvalue()
    if fmt == "json":
        return (
            json.dumps(_results_json(variables, rows), indent=2, ensure_ascii=False) + "\n"
        ).encode()
    if fmt == "xml":
        return _results_xml(variables, rows)
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_tsv_term(term) for term in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    from imet_kg.sparql.table import text_table

    return text_table(variables, rows, width).encode()


def _results_json(variables: list[str], rows: list[list]) -> dict:
    bindings = []
    for row in rows:
        binding = {}
        for name, term in zip(variables, row, strict=True):
            if term is None:
                continue
            if isinstance(term, URIRef):
                binding[name] = {"type": "uri", "value": str(term)}
            elif isinstance(term, BNode):
                binding[name] = {"type": "bnode", "value": str(term)}
            else:
                value = {"type": "literal", "value": str(term)}
                if term.language:
                    value["xml:lang"] = term.language
                elif term.datatype:
                    value["datatype"] = str(term.datatype)
                binding[name] = value
        bindings.append(binding)
    return {"head": {"vars": variables}, "results": {"bindings": bindings}}


def _results_xml(variables: list[str], rows: list[list]) -> bytes:
    # rdflib's own XML results writer writes a decimal 0.0 as an empty literal (it tests the
    # value's truth, not its presence: rdflib issue #3138), so a zero figure would be lost. This
    # writer writes every term's lexical form, and leaves unbound variables out as the W3C
    # format says.
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "  <head>",
        *(f"    <variable name={quoteattr(v)}/>" for v in variables),
        "  </head>",
        "  <results>",
    ]
    for row in rows:
        out.append("    <result>")
        for name, term in zip(variables, row, strict=True):
            if term is None:
                continue
            if isinstance(term, URIRef):
                value = f"<uri>{escape(str(term))}</uri>"
            elif isinstance(term, BNode):
                value = f"<bnode>{escape(str(term))}</bnode>"
            else:
                attrs = ""
                if term.language:
                    attrs = f" xml:lang={quoteattr(term.language)}"
                elif term.datatype:
                    attrs = f" datatype={quoteattr(str(term.datatype))}"
                value = f"<literal{attrs}>{escape(str(term))}</literal>"
            out.append(f"      <binding name={quoteattr(name)}>{value}</binding>")
        out.append("    </result>")
    out += ["  </results>", "</sparql>", ""]
    return "\n".join(out).encode("utf-8")


def _tsv_term(term) -> str:
    if term is None:
        return ""
    # SPARQL TSV writes terms in Turtle/N-Triples syntax; tabs and newlines must be escaped.
    return term.n3().replace("\t", "\\t").replace("\n", "\\n")
