"""Tests for the SPARQL result writers: the W3C formats, zero values, unbound variables."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from imet_kg.errors import QueryError
from imet_kg.sparql.results import render_result

RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
EX = "http://example.org/"
DECIMAL = str(XSD.decimal)


@pytest.fixture(scope="module")
def result():
    graph = Graph()
    graph.add((URIRef(EX + "a"), URIRef(EX + "amount"), Literal("0.0", datatype=XSD.decimal)))
    graph.add(
        (URIRef(EX + "b"), URIRef(EX + "amount"), Literal("27000000.0", datatype=XSD.decimal))
    )
    graph.add((URIRef(EX + "b"), URIRef(EX + "note"), Literal("tab\there", lang="en")))
    return graph.query(
        f"SELECT ?s ?amount ?note WHERE {{ ?s <{EX}amount> ?amount "
        f"OPTIONAL {{ ?s <{EX}note> ?note }} }} ORDER BY ?s"
    )


def test_xml_keeps_a_zero_decimal_and_leaves_unbound_variables_out(result):
    root = ET.fromstring(render_result(result, "xml"))
    rows = root.findall(f"{RESULTS_NS}results/{RESULTS_NS}result")
    first = {b.get("name"): b[0] for b in rows[0].findall(f"{RESULTS_NS}binding")}
    assert set(first) == {"s", "amount"}  # ?note is unbound in the first row
    assert first["amount"].text == "0.0"
    assert first["amount"].get("datatype") == str(XSD.decimal)
    second = {b.get("name"): b[0] for b in rows[1].findall(f"{RESULTS_NS}binding")}
    assert second["note"].get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_json_csv_tsv_carry_the_same_values(result):
    bindings = json.loads(render_result(result, "json"))["results"]["bindings"]
    assert bindings[0]["amount"] == {
        "type": "literal",
        "value": "0.0",
        "datatype": str(XSD.decimal),
    }
    assert "note" not in bindings[0]
    rows = list(csv.DictReader(io.StringIO(render_result(result, "csv").decode())))
    assert [r["amount"] for r in rows] == ["0.0", "27000000.0"]
    tsv = render_result(result, "tsv").decode().splitlines()
    assert tsv[0] == "?s\t?amount\t?note"
    assert tsv[2].endswith('"tab\\there"@en')


def test_a_table_result_refuses_graph_formats(result):
    with pytest.raises(QueryError, match="returns a table"):
        render_result(result, "turtle")
    with pytest.raises(QueryError, match="unknown result format"):
        render_result(result, "pdf")
