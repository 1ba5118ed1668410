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
from imet_kg.publish import sitemap
from imet_kg.publish.chart import (
    CHART_QUERY,
    DOLLARS,
    Point,
    Series,
    funding_series,
    in_dollars,
    joined_runs,
    render_png,
    render_svg,
)
from imet_kg.publish.chart.deflator import (
    CPI_FILE,
    CPI_SOURCE,
    base_year,
    constant_dollars,
    cpi_u,
)
from imet_kg.publish.chart.png import draw_figure
from imet_kg.publish.chart.series import series_styles
from imet_kg.publish.resources import Publication
from imet_kg.publish.sitemap import Content
from imet_kg.publish.views import Links, Pages

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


def _one_figure(year: int = 2000, source_label: str = "a source") -> Dataset:
    """A graph with one worldwide funding figure (an actual of $5), of ``year``."""
    dataset = Dataset(default_union=True)
    g = dataset.graph(ID["graph/t"])
    obs, fy, src = ID["observation/x"], ID[f"fiscal-year/{year}"], ID["source/<evil>"]
    g.add((obs, URIRef("http://purl.org/linked-data/cube#dataSet"), ID["dataset/funding"]))
    g.add((obs, IMET.scope, ID["place/worldwide"]))
    g.add((obs, IMET.fiscalYear, fy))
    g.add((fy, IMET.fiscalYearNumber, Literal(year)))
    g.add((obs, IMET.figureKind, IMET.Actual))
    g.add((IMET.Actual, SKOS.notation, Literal("actual")))
    g.add((IMET.Actual, SKOS.prefLabel, Literal("actual", lang="en")))
    g.add((obs, IMET.program, ID["program/imet"]))
    g.add((ID["program/imet"], RDFS.label, Literal("IMET")))
    g.add((ID["program/imet"], RDF.type, IMET.Program))
    for predicate, concept, notation in (
        (IMET.valueStatus, IMET.Reported, "reported"),
        (IMET.verificationStatus, IMET.Verified, "verified"),
    ):
        g.add((obs, predicate, concept))
        g.add((concept, SKOS.notation, Literal(notation)))
    g.add((obs, URIRef("http://purl.org/dc/terms/source"), src))
    g.add((src, RDFS.label, Literal(source_label)))
    g.add((obs, IMET.amount, Literal("5", datatype=URIRef(DECIMAL))))
    g.add((obs, RDF.type, URIRef("http://purl.org/linked-data/cube#Observation")))
    return dataset


def test_svg_escapes_labels():
    text = render_svg(funding_series(_one_figure(source_label='<script>"&</script>')))
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


# --- issue 12: a publishable chart ---------------------------------------------------------------


def _svg_texts(svg: str) -> dict[str, list[str]]:
    """The SVG's words by their class (title, units, legend, note, source)."""
    found: dict[str, list[str]] = {}
    for element in ET.fromstring(svg).iter(f"{SVG}text"):
        found.setdefault(element.get("class") or "", []).append(element.text or "")
    return found


def test_svg_states_title_units_notes_and_source(series):
    root = ET.fromstring(render_svg(series))
    texts = _svg_texts(render_svg(series))
    assert texts["title"] == ["IMET funding by fiscal year, worldwide"]
    assert texts["units"][0].startswith("Nominal US dollars")
    assert "not adjusted for inflation" in texts["units"][0]
    assert texts["source"][0].startswith("Source: IMET-KG (https://w3id.org/imet-kg/)")
    assert any("hollow marker: unverified" in note for note in texts["note"])
    assert "Nominal US dollars" in root.find(f"{SVG}desc").text


def test_no_amount_enacted_is_a_gap_not_a_mark_on_the_zero_line(series):
    authorization = next(s for s in series if s.kind == "authorization")
    none_enacted = [p for p in authorization.points if p.amount is None]
    assert none_enacted  # the graph has such years (FY1985 among them)
    svg = render_svg(series)
    root = ET.fromstring(svg)
    tips = [
        t.text
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "point"
        for t in g.iter()
        if t.tag == f"{SVG}title"
    ]
    for point in none_enacted:
        assert not any(tip.startswith(f"FY{point.fiscal_year} authorization") for tip in tips)
    assert not list(root.iter(f"{SVG}path"))  # the crosses on the zero line are gone
    # The year is still told, in the text description, as none enacted.
    assert f"FY{none_enacted[0].fiscal_year} none enacted" in root.find(f"{SVG}desc").text


def test_every_series_has_its_own_mark(series):
    styles = series_styles(series)
    assert len({marker for _, marker, _ in styles}) == len(series)
    assert len(set(styles)) == len(series)
    assert series_styles(series * 2)[: len(series)] == styles


def test_png_carries_the_svg_words(series):
    """The PNG is drawn from the same series and says the same words as the SVG."""
    from matplotlib import pyplot

    for dollars in DOLLARS:
        chosen, text = in_dollars(series, dollars)
        svg = _svg_texts(render_svg(chosen, text=text))
        figure = draw_figure(chosen, text)
        try:
            axes = figure.axes[0]
            assert figure._suptitle.get_text() == svg["title"][0]
            assert axes.get_title(loc="left") == svg["units"][0]
            legend = [t.get_text() for t in axes.get_legend().get_texts()]
            assert legend == svg["legend"]
            footer = "\n".join(t.get_text() for t in figure.texts)
            for line in svg["note"] + svg["source"]:
                assert line in footer
            markers = {line.get_marker() for line in axes.get_lines() if line.get_label() in legend}
            assert len(markers) == len(series)
        finally:
            pyplot.close(figure)


def test_constant_dollars_deflate_with_the_vendored_cpi(series):
    cpi = cpi_u()
    assert (cpi[1976], cpi[2010], cpi[2013]) == (
        Decimal("56.9"),
        Decimal("218.056"),
        Decimal("232.957"),
    )
    assert base_year() == 2013
    deflated = constant_dollars(series)
    authorization = next(s for s in deflated if s.kind == "authorization")
    fy1976 = next(p for p in authorization.points if p.fiscal_year == 1976)
    assert fy1976.amount == (Decimal(27_000_000) * cpi[2013] / cpi[1976]).quantize(Decimal(1))
    assert 110_000_000 < fy1976.amount < 111_000_000
    assert [p.amount is None for s in deflated for p in s.points] == [
        p.amount is None for s in series for p in s.points
    ]
    chosen, text = in_dollars(series, "constant")
    texts = _svg_texts(render_svg(chosen, text=text))
    assert texts["units"][0].startswith("Constant 2013 US dollars")
    assert any("Bureau of Labor Statistics, CPI-U" in note for note in texts["note"])
    with pytest.raises(ImetKgError, match="nominal or constant"):
        in_dollars(series, "real")


def test_the_deflator_file_names_its_source():
    header = [line for line in CPI_FILE.read_text().splitlines() if line.startswith("#")]
    assert any(CPI_SOURCE in line for line in header)
    assert any("CUUR0000SA0" in line for line in header)
    assert min(cpi_u()) == 1913 and len(cpi_u()) == 2013 - 1913 + 1


def test_a_year_outside_the_deflator_is_refused():
    beyond = Point(2030, Decimal(1), "obs", "reported", "", True, "verified")
    series = [Series("actual", "actual", "p", "IMET", "s", (beyond,))]
    with pytest.raises(ImetKgError, match="FY2030: no CPI-U annual average"):
        constant_dollars(series)


@pytest.mark.usefixtures("session_graph_in_commands")
def test_chart_command_draws_constant_dollars():
    result = CliRunner().invoke(cli, ["chart", "--dollars", "constant"])
    assert result.exit_code == 0, result.output
    assert "Constant 2013 US dollars" in result.stdout
    result = CliRunner().invoke(cli, ["chart", "--dollars", "real"])
    assert result.exit_code == 2


def test_chart_page_has_the_site_navigation_and_both_charts(client):
    home = client.get("/").text
    assert 'href="/chart/">Chart</a>' in home  # the menu opens the page, not a bare SVG
    response = client.get("/chart/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    nav = html[html.index('<nav aria-label="Site">') : html.index("</nav>")]
    for target in ("/id/program/imet", "/resources", "/search"):
        assert f'href="{target}"' in nav
    assert html.count("<svg") == 2
    assert "Nominal US dollars" in html and "Constant 2013 US dollars" in html
    assert CPI_SOURCE in html
    for href in ("/chart/funding.svg", "/chart/funding.png", "/chart/funding-constant.svg"):
        assert f'href="{href}"' in html
        assert client.get(href).status_code == 200
    png = client.get("/chart/funding-constant.png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")


def test_a_year_the_deflator_lacks_leaves_out_only_the_constant_dollar_chart():
    pages = Pages(Publication(_one_figure(2030)))
    content = Content(pages)
    assert sitemap.CHARTS["svg"].available(content) and sitemap.CHART_PAGE.available(content)
    assert not sitemap.CHARTS["svg-constant"].available(content)
    assert not sitemap.CHARTS["png-constant"].available(content)
    html = pages.program.chart_page(Links(pages.publication))
    assert "Not drawn: FY2030: no CPI-U annual average" in html
    assert html.count("<svg") == 1 and "funding-constant" not in html
    assert pages.resource_page(ID["program/imet"], Links(pages.publication)).count("<svg") == 1
