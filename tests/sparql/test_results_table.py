"""The text table for people: prefixed names, grouped numbers, fitted to a width, never cut
without one, while the W3C formats keep full IRIs and raw lexical forms."""

from __future__ import annotations

import csv
import io

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from imet_kg.namespaces import ID, IMET, IMETSH
from imet_kg.sparql.results import render_result
from imet_kg.sparql.table import format_number, short_name, text_table

SECTION = ID["faa/section-546"]
TITLE = "Prohibition on grant assistance for certain high income foreign countries"


@pytest.fixture(scope="module")
def result():
    graph = Graph()
    graph.add((SECTION, IMET.amount, Literal("27000000.0", datatype=XSD.decimal)))
    graph.add((SECTION, IMET.heading, Literal(TITLE)))
    return graph.query(
        f"SELECT ?section ?amount ?heading WHERE {{ ?section <{IMET.amount}> ?amount ; "
        f"<{IMET.heading}> ?heading }}"
    )


def test_table_shows_prefixed_names_and_grouped_numbers_without_cutting(result):
    table = render_result(result, "table").decode()
    row = table.splitlines()[2]
    assert "id:faa/section-546" in row and "27,000,000" in row and TITLE in row
    assert "https://w3id.org" not in table and "27000000.0" not in table
    assert table.endswith("(1 row)\n")


def test_w3c_formats_keep_full_iris_and_raw_values(result):
    rows = list(csv.DictReader(io.StringIO(render_result(result, "csv").decode())))
    assert rows == [{"section": str(SECTION), "amount": "27000000.0", "heading": TITLE}]
    assert f"<{SECTION}>" in render_result(result, "tsv").decode()
    assert '"value": "27000000.0"' in render_result(result, "json").decode()
    assert f"<uri>{SECTION}</uri>" in render_result(result, "xml").decode()


def test_a_width_fits_lines_keeping_the_end_of_iris_and_whole_numbers(result):
    long_iri = URIRef("https://example.org/a/very/long/path/to/the/thing/section-546")
    rows = [[long_iri, Literal("27000000.0", datatype=XSD.decimal), Literal(TITLE)]]
    table = text_table(["section", "amount", "heading"], rows, width=50)
    lines = table.splitlines()
    assert all(len(line) <= 50 for line in lines), table
    assert "…/section-546" in lines[2]  # the identifying end, not https://example.org/a…
    assert "27,000,000" in lines[2]  # numbers are never cut
    assert "Prohibition" in lines[2] and lines[2].rstrip().endswith("…")  # text keeps its start
    assert text_table(["section", "amount", "heading"], rows, width=None).count("…") == 0


def test_numbers_right_aligned_and_small_integers_left_ungrouped():
    rows = [[Literal("2024", datatype=XSD.integer)], [Literal("150000", datatype=XSD.integer)]]
    lines = text_table(["n"], rows).splitlines()
    assert lines[2:4] == ["   2024", "150,000"]


@pytest.mark.parametrize(
    ("lexical", "shown"),
    [
        ("27000000.0", "27,000,000"),
        ("0.0", "0"),
        ("0.350", "0.350"),
        ("-12345.50", "-12,345.50"),
        ("1.5E6", "1,500,000"),
        ("2024", "2024"),
        ("INF", "INF"),
        ("not a number", "not a number"),
    ],
)
def test_format_number(lexical, shown):
    assert format_number(lexical) == shown


def test_short_names_take_the_longest_namespace():
    assert short_name(IMETSH["S22-amount"]) == "imetsh:S22-amount"
    assert short_name(IMET.Section) == "imet:Section"
    assert short_name(URIRef("https://example.org/x")) == "https://example.org/x"
    assert short_name(BNode("b0")) == "_:b0"


def test_multi_line_text_stays_on_one_row():
    table = text_table(["note"], [[Literal("first\nsecond")]])
    assert table.splitlines()[2] == "first second"
