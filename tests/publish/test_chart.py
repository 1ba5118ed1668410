"""Tests for the funding chart and ``imet-kg chart``: series from the graph, SVG and PNG output."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from imet_kg.cli import cli
from imet_kg.errors import ImetKgError
from imet_kg.namespaces import ID, IMET
from imet_kg.publish.chart import (
    CHART_QUERY,
    Point,
    funding_series,
    joined_runs,
    render_png,
    render_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"  # a str: pytest trips over XSD


@pytest.fixture(scope="module")
def series(graph):
    return funding_series(graph)


def test_series_by_kind_and_source(series):
    kinds = [s.kind for s in series]
    for kind in ("authorization", "appropriation", "budget-request", "actual"):
        assert kind in kinds
    assert kinds == sorted(
        kinds,
        key=[
            "authorization",
            "appropriation",
            "budget-request",
            "actual",
            "projection",
            "estimate",
        ].index,
    )
    for s in series:
        assert s.source and s.kind_label and s.points
        assert s.label.startswith(s.kind_label)
        assert s.source in s.label
    authorization = next(s for s in series if s.kind == "authorization")
    fy1976 = next(p for p in authorization.points if p.fiscal_year == 1976)
    assert fy1976.amount == Decimal("27000000")
    assert fy1976.verified
    assert "Legislation on Foreign Relations" in authorization.source
    # Years with no amount enacted are kept, without an amount.
    assert any(p.amount is None and p.value_status == "none-enacted" for p in authorization.points)


def test_series_match_the_graph(graph, series):
    """Every worldwide funding observation is on the chart, once."""
    observations = {str(row.observation) for row in graph.query(CHART_QUERY)}
    charted = [p.observation for s in series for p in s.points]
    assert sorted(charted) == sorted(observations)


def test_lines_join_consecutive_years_that_have_an_amount():
    def point(year: int, amount: int | None) -> Point:
        value = None if amount is None else Decimal(amount)
        return Point(year, value, f"obs-{year}", "reported", "", True, "verified")

    points = [point(2000, 1), point(2001, 2), point(2002, None), point(2003, 3), point(2004, 4)]
    points += [point(2005, 5), point(2007, 6), point(2008, None), point(2009, 7)]
    runs = [[p.fiscal_year for p in run] for run in joined_runs(points)]
    assert runs == [[2000, 2001], [2003, 2004, 2005]]  # 2007 and 2009 stand alone
    assert joined_runs([]) == []


def test_svg_draws_one_line_per_run(series):
    runs = sum(len(joined_runs(s.points)) for s in series)
    assert runs > 0
    root = ET.fromstring(render_svg(series))
    assert len(list(root.iter(f"{SVG}polyline"))) == runs


def test_svg_is_well_formed_labelled_and_stable(series):
    text = render_svg(series, link=lambda iri: "/" + iri.split("/imet-kg/", 1)[1])
    assert text == render_svg(series, link=lambda iri: "/" + iri.split("/imet-kg/", 1)[1])
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text.startswith("IMET funding by fiscal year")
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "legend"]
    assert legend == [s.label for s in series]
    tips = [
        t.text
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "point"
        for t in g.findall(f"{SVG}title")
    ]
    # Every figure with an amount has its marker and tooltip; a year with none enacted is a gap.
    assert len(tips) == sum(1 for s in series for p in s.points if p.amount is not None)
    assert any(
        "FY1976 authorization" in tip and "$27,000,000" in tip and "Source:" in tip for tip in tips
    )
    hrefs = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert "/id/observation/authorization-fy1976-worldwide" in hrefs


def test_svg_escapes_labels():
    dataset = Dataset(default_union=True)
    g = dataset.graph(ID["graph/t"])
    obs, fy, src = ID["observation/x"], ID["fiscal-year/2000"], ID["source/<evil>"]
    g.add((obs, URIRef("http://purl.org/linked-data/cube#dataSet"), ID["dataset/funding"]))
    g.add((obs, IMET.scope, ID["place/worldwide"]))
    g.add((obs, IMET.fiscalYear, fy))
    g.add((fy, IMET.fiscalYearNumber, Literal(2000)))
    g.add((obs, IMET.figureKind, IMET.Actual))
    g.add((IMET.Actual, SKOS.notation, Literal("actual")))
    g.add((IMET.Actual, SKOS.prefLabel, Literal("actual", lang="en")))
    g.add((obs, IMET.program, ID["program/imet"]))
    g.add((ID["program/imet"], RDFS.label, Literal("IMET")))
    for predicate, concept, notation in (
        (IMET.valueStatus, IMET.Reported, "reported"),
        (IMET.verificationStatus, IMET.Verified, "verified"),
    ):
        g.add((obs, predicate, concept))
        g.add((concept, SKOS.notation, Literal(notation)))
    g.add((obs, URIRef("http://purl.org/dc/terms/source"), src))
    g.add((src, RDFS.label, Literal('<script>"&</script>')))
    g.add((obs, IMET.amount, Literal("5", datatype=URIRef(DECIMAL))))
    g.add((obs, RDF.type, URIRef("http://purl.org/linked-data/cube#Observation")))
    text = render_svg(funding_series(dataset))
    assert "<script>" not in text
    ET.fromstring(text)


def test_png(series, monkeypatch):
    """A PNG, whose lines come from joined_runs as the SVG's do (one drawing, spied on)."""
    import imet_kg.publish.chart.png as png_module

    seen = []

    def spy(points):
        found = joined_runs(points)
        seen.append(len(found))
        return found

    monkeypatch.setattr(png_module, "joined_runs", spy)
    data = render_png(series)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000
    assert sum(seen) == sum(len(joined_runs(s.points)) for s in series) > 0


def test_nothing_to_chart():
    with pytest.raises(ImetKgError, match="no worldwide funding"):
        render_svg([])


@pytest.mark.usefixtures("session_graph_in_commands")
def test_chart_command(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["chart", "-o", str(tmp_path / "funding.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "funding.png").read_bytes().startswith(b"\x89PNG")
    result = runner.invoke(cli, ["chart"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"<svg")
    result = runner.invoke(cli, ["chart", "-o", str(tmp_path / "funding.gif")])
    assert result.exit_code == 2
    assert ".svg or .png" in result.output
