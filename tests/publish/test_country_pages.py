"""Tests for the country pages (issue 11): the figures table, the program page's country list."""

from __future__ import annotations

import re

from rdflib import Dataset, Literal
from rdflib.namespace import DCTERMS, QB, RDF, RDFS

from imet_kg.namespaces import ID, IMET, SCHEMA
from imet_kg.publish.resources import Publication
from imet_kg.publish.views import Links, Pages
from imet_kg.publish.views.country import CountryView, countries_with_figures, funding_series


def _part(html: str, start: str, end: str) -> str:
    at = html.index(start)
    return html[at : html.index(end, at)]


def test_the_dispatcher_gives_countries_the_country_view(publication, pages):
    iri = ID["country/colombia"]
    types = set(publication.graph.objects(iri, RDF.type))
    assert type(pages.view_for(iri, types)) is CountryView


def test_country_page_tables_its_figures_by_year_with_sources(publication, pages):
    html = pages.resource_page(ID["country/colombia"], Links(publication))
    table = _part(html, 'class="data country-figures"', "</table>")
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", table, re.S)
    observations = set(publication.graph.subjects(IMET.scope, ID["country/colombia"]))
    assert len(rows) == len(observations) > 5
    years = [re.sub(r"<[^>]+>", "", row.split("</td>")[0]).strip() for row in rows]
    assert years == sorted(years)
    assert "IMET funding by country and fiscal year" in table
    assert "$1,428,000" in table  # FY2008 estimate, 1,428 thousand USD in the 2009 CBJ
    assert "estimate for a fiscal year" in table
    assert 'href="http://m.state.gov/md64493.htm"' in table
    assert "ISO 3166-1 alpha-3" in html and "COL" in html


def test_country_page_shows_students_and_escapes_sources():
    dataset = Dataset(default_union=True)
    graph = dataset.graph(ID["graph/test"])
    country, observation, source = ID["country/x"], ID["observation/x"], ID["source/x"]
    graph.add((country, RDF.type, IMET.Country))
    graph.add((country, RDFS.label, Literal("Xland", lang="en")))
    graph.add((observation, IMET.scope, country))
    graph.add((observation, QB.dataSet, ID["dataset/country-students"]))
    graph.add((observation, IMET.studentCount, Literal(1234)))
    graph.add((observation, DCTERMS.source, source))
    graph.add((source, DCTERMS.title, Literal("<b>Report</b>")))
    graph.add((source, SCHEMA.url, Literal("javascript:alert(1)")))
    publication = Publication(dataset)
    html = Pages(publication).resource_page(country, Links(publication))
    assert "1,234 students" in html
    assert "<b>Report</b>" not in html and "&lt;b&gt;Report&lt;/b&gt;" in html
    assert "javascript:" not in html
    assert countries_with_figures(publication.graph) == [country]


def test_program_page_links_the_countries_with_figures(publication, pages):
    html = pages.resource_page(ID["program/imet"], Links(publication))
    listed = _part(html, 'class="countries"', "</ul>")
    hrefs = set(re.findall(r'href="([^"]+)"', listed))
    expected = countries_with_figures(publication.graph, ID["program/imet"])
    assert len(expected) > 10
    assert hrefs == {"/" + str(c).removeprefix("https://w3id.org/imet-kg/") for c in expected}
    assert "/id/country/colombia" in hrefs


def test_country_page_charts_its_funding_with_points_linked(publication, pages):
    html = pages.resource_page(ID["country/colombia"], Links(publication))
    chart = _part(html, 'class="chart country-chart"', "</figure>")
    assert "<svg" in chart and "IMET funding for Colombia by fiscal year" in chart
    assert 'href="/id/observation/country-figures-' in chart
    assert "FY2008 $1,428,000" in chart
    # A country whose only figures are students or training cost has no chart.
    without = [
        c
        for c in countries_with_figures(publication.graph)
        if not funding_series(publication.graph, c)
    ]
    assert without
    assert "country-chart" not in pages.resource_page(without[0], Links(publication))


def test_the_server_answers_country_and_section_pages(client):
    country = client.get("/id/country/colombia", headers={"Accept": "text/html"})
    assert country.status_code == 200
    assert 'class="data country-figures"' in country.text
    section = client.get("/id/faa/section-541", headers={"Accept": "text/html"})
    assert section.status_code == 200
    assert 'id="h-versions"' in section.text and "<ins>" in section.text
