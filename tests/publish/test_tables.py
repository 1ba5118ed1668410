"""Tests for the pages' tables (issue 12): every table scrolls in its own box and links a CSV of
the rows it shows; values read as labels and formatted numbers, without ``@en``; nothing is wider
than a 390 px screen."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from rdflib import Literal, namespace

from imet_kg.publish.sitemap import ASSETS
from imet_kg.publish.views import Links
from imet_kg.publish.views.common import environment, literal_text
from imet_kg.publish.views.site_pages import SitePages
from imet_kg.publish.views.tables import finish_tables, table_rows

CSV_LINK = re.compile(r'<p class="csv"><a href="([^"]+)" download="([^"]+)"')


class _Cells(HTMLParser):
    """The cells' texts of each table, read by the standard HTML parser: an oracle apart from
    the regular expressions the pages use."""

    BREAKS = frozenset({"br", "p", "li", "div", "ul", "ol", "small", "blockquote"})

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in self.BREAKS and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag in self.BREAKS and self.cell is not None:
            self.cell.append(" ")

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    @classmethod
    def of(cls, page: str) -> list[list[list[str]]]:
        reader = cls()
        reader.feed(page)
        return [[row for row in table if row] for table in reader.tables]


def _csv_rows(href: str) -> list[list[str]]:
    prefix = "data:text/csv;charset=utf-8,"
    assert href.startswith(prefix)
    return list(csv.reader(io.StringIO(unquote(href[len(prefix) :]), newline="")))


def test_a_table_is_wrapped_and_followed_by_the_csv_of_its_rows():
    html = (
        '<p>before</p><table id="t"><caption>Figures</caption>'
        "<thead><tr><th>Year</th><th>Amount, note</th></tr></thead>"
        '<tbody><tr><td>1976</td><td>$27,000,000<br><small>"exactly"</small></td></tr>'
        "<tr><td>1977</td><td>&amp; more</td></tr></tbody></table><p>after</p>"
    )
    finished = finish_tables(html)
    assert finished.startswith('<p>before</p><div class="table-wrap"><table id="t">')
    assert '</table></div><p class="csv">' in finished and finished.endswith("<p>after</p>")
    href, name = CSV_LINK.search(finished).groups()
    assert name == "t.csv"
    assert _csv_rows(href.replace("&amp;", "&")) == [
        ["Year", "Amount, note"],
        ["1976", '$27,000,000 "exactly"'],
        ["1977", "& more"],
    ]
    assert "these 2 rows" in finished
    assert finish_tables("<p>no table</p>") == "<p>no table</p>"


def test_a_table_may_name_its_own_csv():
    html = '<table data-csv="/sparql?query=x&amp;format=csv"><tr><td>1</td></tr></table>'
    assert CSV_LINK.search(finish_tables(html)).group(1) == "/sparql?query=x&amp;format=csv"


@pytest.mark.parametrize(
    "path",
    ["/id/program/imet", "/id/faa/section-543", "/id/country/colombia", "/chart/", "/def/shapes/"],
)
def test_every_table_of_a_page_has_a_working_csv_link_matching_its_rows(client, path):
    html = client.get(path).text
    tables = _Cells.of(html)
    assert tables == table_rows(html)
    links = CSV_LINK.findall(html)
    assert tables and len(links) == len(tables) == html.count("<table")
    assert html.count('<div class="table-wrap"><table') == len(tables)
    for rows, (href, name) in zip(tables, links, strict=True):
        assert name.endswith(".csv")
        assert _csv_rows(href.replace("&amp;", "&")) == rows


def test_the_funding_figures_csv_has_one_row_per_figure(client, pages):
    html = client.get("/chart/").text
    href = next(h for h, name in CSV_LINK.findall(html) if name == "funding-figures.csv")
    rows = _csv_rows(href.replace("&amp;", "&"))
    assert rows[0][:5] == ["FY", "Kind", "Program", "Nominal amount", "In 2013 dollars"]
    assert len(rows) - 1 == sum(len(s.points) for s in pages.program.series)
    assert rows[1][:2] == ["1976", "authorization"] and rows[1][3] == "$27,000,000"


def test_saved_query_tables_link_the_endpoints_csv_on_the_server(publication, queries):
    purposes = next(q for q in queries if q.name == "purposes")
    site = SitePages(publication, environment(), [purposes])
    links = Links(publication)
    results = site.query_results(publication.dataset, links)
    assert results["purposes"]["csv"] == links.sparql_csv(purposes.bound_text())
    html = site.saved_queries_page(links, results)
    href = CSV_LINK.search(html).group(1).replace("&amp;", "&")
    assert href.startswith("/sparql?query=") and href.endswith("&format=csv")
    assert parse_qs(urlparse(href).query)["query"] == [purposes.bound_text()]
    static = Links(publication, static=True, page="queries/index.html")
    html = site.saved_queries_page(static, site.query_results(publication.dataset, static))
    assert CSV_LINK.search(html).group(1).startswith("data:text/csv")


def test_literals_read_without_noise():
    XSD = namespace.XSD  # not at module level: pytest collection trips over XSD
    assert literal_text(Literal("Civilian control", lang="en")) == ("Civilian control", "")
    assert literal_text(Literal("contrôle civil", lang="fr")) == ("contrôle civil", "@fr")
    assert literal_text(Literal("27000000.0", datatype=XSD.decimal)) == ("$27,000,000", "")
    assert literal_text(Literal("0.5", datatype=XSD.decimal)) == ("0.5", "")
    assert literal_text(Literal("1976", datatype=XSD.integer)) == ("1976", "")
    assert literal_text(Literal("85000", datatype=XSD.integer)) == ("85,000", "")
    assert literal_text(Literal("2005-11-14", datatype=XSD.date)) == ("2005-11-14", "")


def test_pages_show_no_language_tags(client):
    for path in ("/id/program/imet", "/id/faa/section-543", "/def/Program"):
        html = client.get(path).text
        assert "@en<" not in html and ">@en" not in html, path
        assert "xsd:string" not in html and "xsd:decimal" not in html, path


# --- 390 px: no page wider than the screen --------------------------------------------------------


def _rules(css: str) -> list[tuple[str, str]]:
    """(selector, declarations) of every rule, media queries flattened."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{", "", css)
    return [(m.group(1).strip(), m.group(2)) for m in re.finditer(r"([^{}]+)\{([^{}]*)\}", css)]


def test_the_style_sheet_keeps_pages_within_a_390px_screen():
    css = ASSETS["style.css"].make(None, None).decode()  # type: ignore[arg-type]
    rules = _rules(css)
    wrap = [d for s, d in rules if ".table-wrap" in s and "overflow-x" in d]
    assert wrap and "auto" in wrap[0]
    assert any("svg" in s and "max-width: 100%" in d for s, d in rules)
    assert any(s.startswith("pre") and "overflow-x: auto" in d for s, d in rules)
    # No fixed width, minimum width or grid track wider than 390 px (24.375rem at 16 px).
    for selector, declarations in rules:
        for number, unit in re.findall(
            r"(?:^|[;\s])(?:min-)?width:\s*([0-9.]+)(rem|px)", declarations
        ):
            pixels = float(number) * (16 if unit == "rem" else 1)
            assert pixels <= 390 or "max-width" in declarations, (selector, declarations)
        for number, unit in re.findall(r"minmax\(\s*([0-9.]+)(rem|px)", declarations):
            assert float(number) * (16 if unit == "rem" else 1) <= 390, selector
    narrow = css[css.index("@media (max-width: 40rem)") :]
    assert ".search-layout { grid-template-columns: minmax(0, 1fr); }" in narrow
    assert "@media print" in css and "nav.pager" in css[css.index("@media print") :]


def test_pages_put_every_table_in_a_scrolling_box(client):
    for path in ("/", "/resources", "/search?q=543", "/chart/", "/id/faa/section-541", "/def/"):
        html = client.get(path).text
        assert html.count("<table") == html.count('<div class="table-wrap"><table'), path
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
