"""Tests for the HTML pages (imet_kg.publish.views): links, what each view shows, escaping."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from imet_kg.namespaces import ID, IMET, SCHEMA
from imet_kg.publish.resources import Publication
from imet_kg.publish.views import Links, Pages, govinfo_url, olrc_url
from imet_kg.publish.views.ontology import OntologyView
from imet_kg.publish.views.program import ProgramView
from imet_kg.publish.views.resource import ResourceView
from imet_kg.publish.views.shapes import ShapesView
from imet_kg.publish.views.statute import StatuteView


class _Text(HTMLParser):
    """The visible text of a page, and its elements' ids and link targets."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.scripts = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and "href" in attributes:
            self.hrefs.append(attributes["href"])
        if tag == "script":
            self.scripts += 1
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)

    @classmethod
    def of(cls, html: str) -> _Text:
        parser = cls()
        parser.feed(html)
        parser.joined = " ".join(" ".join(parser.text).split())
        return parser


def test_links_server_and_static(publication):
    server = Links(publication)
    assert server.resource(ID["faa/section-541/a"]) == "/id/faa/section-541/a"
    static = Links(publication, static=True, page="id/faa/section-543.html")
    assert static.resource(ID["faa/section-541/a"]) == "section-541/a.html"
    assert static.resource(URIRef(str(IMET))) == "../../def/index.html"
    assert static.asset("style.css") == "../../static/style.css"
    assert static.resource(URIRef("https://example.org/x")) == "https://example.org/x"
    assert static.resource(Literal("x")) is None


def test_statute_page_renders_the_section_as_a_legal_document(publication, pages):
    html = pages.resource_page(ID["faa/section-543"], Links(publication))
    page = _Text.of(html)
    # The three purposes, in order, under the section heading.
    order = [
        page.joined.index("§ 543. Congressional declaration of purpose"),
        page.joined.index("(1) to encourage effective and mutually beneficial relations"),
        page.joined.index("(2) to improve the ability of participating foreign countries"),
        page.joined.index("(3) to increase the awareness of nationals of foreign countries"),
    ]
    assert order == sorted(order)
    assert "22 U.S.C. 2347b" in page.joined
    assert any(h.startswith("https://uscode.house.gov/") and "2347b" in h for h in page.hrefs)
    assert any(h.startswith("https://www.govinfo.gov/link/uscode/22/2347b") for h in page.hrefs)
    assert "/id/faa/part-II/chapter-5" in page.hrefs  # breadcrumb
    assert "Amendment history" in page.joined
    assert "Mutually beneficial relations and understanding" in page.joined  # what rests on it


def test_statute_page_shows_amendment_history_and_inline_clauses(publication, pages):
    html = pages.resource_page(ID["faa/section-541"], Links(publication))
    page = _Text.of(html)
    assert "Pub. L. 101-513 adds Expanded IMET to section 541" in page.joined
    assert "1990-11-05" in page.joined
    # Clause (i) runs inline in 541(a): linked where it occurs, not repeated as a block.
    assert "p-id-faa-section-541-a-i" in page.ids
    document = html[html.index('<article class="legal-document"') : html.index("</article>")]
    text = _Text.of(document).joined
    assert text.count("(i) contribute to responsible defense resource management") == 1


def test_program_page_shows_purposes_agencies_and_the_chart(publication, pages):
    html = pages.resource_page(ID["program/imet"], Links(publication))
    page = _Text.of(html)
    for purpose in (
        "Mutually beneficial relations and understanding",
        "Effective use of resources and self-reliance",
        "Awareness of internationally recognized human rights",
    ):
        assert purpose in page.joined
    assert "Defense Security Cooperation Agency" in page.joined
    assert "administers" in page.joined
    assert "<svg" in html and "Funding by fiscal year" in page.joined
    assert "/chart/funding.png" in page.hrefs
    assert "authorization — Legislation on Foreign Relations" in page.joined


def test_ontology_page_documents_every_term(publication, pages):
    html = pages.resource_page(URIRef(str(IMET)), Links(publication))
    page = _Text.of(html)
    ontology = publication.ontology_graph()
    terms = set(ontology.subjects(RDFS.isDefinedBy, URIRef(str(IMET))))
    assert len(terms) > 50
    for term in terms:
        assert str(term)[len(str(IMET)) :] in page.ids
        comment = ontology.value(term, RDFS.comment)
        if comment is not None:
            assert " ".join(str(comment).split()) in page.joined


def test_shapes_are_published_beside_the_ontology(publication, pages):
    from rdflib.namespace import SH

    shapes_iri = URIRef(str(IMET) + "shapes/")
    assert publication.resolve("def/shapes/") == shapes_iri
    named = {
        s for s in publication.shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)
    }
    assert named and named <= publication.iris
    assert len(publication.describe(shapes_iri)) == len(publication.shapes)
    page = _Text.of(pages.resource_page(shapes_iri, Links(publication)))
    for shape in named:
        assert publication.qname(shape).removeprefix("imetsh:") in page.ids


@pytest.mark.parametrize(
    ("iri", "view"),
    [
        (URIRef(str(IMET)), OntologyView),
        (URIRef(str(IMET) + "shapes/"), ShapesView),
        (ID["faa/section-543"], StatuteView),
        (ID["faa/part-II/chapter-5"], StatuteView),
        (ID["program/imet"], ProgramView),
        (IMET.Program, ResourceView),
        (ID["observation/authorization-fy1976-worldwide"], ResourceView),
    ],
)
def test_the_dispatcher_picks_the_view_by_kind(publication, pages, iri, view):
    types = set(publication.graph.objects(iri, RDF.type))
    assert type(pages.view_for(iri, types)) is view


def test_shapes_page_needs_the_shapes(graph):
    """Without the shapes graph, def/shapes/ (if the graph names it) is a plain resource page."""
    without = Pages(Publication(graph))
    assert type(without.view_for(URIRef(str(IMET) + "shapes/"), set())) is ResourceView


def test_every_page_renders(publication, pages):
    links = Links(publication)
    for iri in publication.sorted_iris():
        html = pages.resource_page(iri, links)
        assert "<h1>" in html, iri


def test_values_are_escaped():
    dataset = Dataset(default_union=True)
    graph = dataset.graph(ID["graph/test"])
    evil = ID["thing/evil"]
    graph.add((evil, RDF.type, IMET.Program))
    graph.add((evil, RDFS.label, Literal('<script>alert("x")</script>', lang="en")))
    graph.add((evil, SCHEMA.description, Literal("a & b <b>bold</b>")))
    graph.add((evil, IMET.purpose, URIRef('https://example.org/"onmouseover="x')))
    publication = Publication(dataset)
    html = Pages(publication).resource_page(evil, Links(publication))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html
    assert '"onmouseover="' not in html
    assert _Text.of(html).scripts == 0


def test_blank_nodes_are_listed_in_one_order_whatever_the_order_they_were_read_in():
    def page(labels: list[str]) -> str:
        dataset = Dataset(default_union=True)
        graph = dataset.graph(ID["graph/test"])
        thing = ID["thing/x"]
        for label in labels:
            part = BNode()
            graph.add((thing, IMET.purpose, part))
            graph.add((part, RDFS.label, Literal(label)))
        publication = Publication(dataset)
        return Pages(publication).resource_page(thing, Links(publication))

    first = page(["alpha", "beta", "gamma"])
    assert first.index("alpha") < first.index("beta") < first.index("gamma")
    assert page(["gamma", "alpha", "beta"]) == first


def test_resources_that_read_the_same_are_listed_in_one_order_whatever_the_graph_gives():
    # Two reports with one title (as the training reports of January 2001 have): the graph
    # yields them in an order that changes with the hash seed, so the page must not keep it.
    dataset = Dataset(default_union=True)
    graph = dataset.graph(ID["graph/test"])
    reports = [ID["source/report-b"], ID["source/report-a"]]
    for report in reports:
        graph.add((report, RDFS.label, Literal("Joint Report to Congress (January 2001)")))
    publication = Publication(dataset)
    view, links = Pages(publication).browse, Links(publication)
    forward = [v.href for v in view.sorted_values(reports, links)]
    assert forward == [v.href for v in view.sorted_values(reports[::-1], links)]
    assert forward == sorted(forward)


def test_query_page_embeds_the_examples_safely(publication, pages, queries):
    html = pages.site.query_page(Links(publication), {"time_limit": "10", "max_rows": 5})
    data = re.search(
        r'<script type="application/json" id="saved-queries">(.*?)</script>', html, re.S
    )
    assert data is not None
    examples = json.loads(data.group(1))
    assert {e["name"] for e in examples} == {q.name for q in queries}
    assert "</script" not in data.group(1).lower()


def test_official_text_links():
    assert olrc_url("/us/usc/t22/s2347b/1") == (
        "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title22-section2347b"
        "&num=0&edition=prelim"
    )
    assert govinfo_url("/us/usc/t22/s2347h") == (
        "https://www.govinfo.gov/link/uscode/22/2347h?link-type=html"
    )
    assert olrc_url("/us/pl/87/195") is None


# --- issue 12: the home page's count, its cards ---------------------------------------------------


@pytest.mark.usefixtures("session_graph_in_commands")
def test_home_page_counts_the_triples_the_cli_and_the_endpoint_count(
    client, graph, publication, tmp_path
):
    from click.testing import CliRunner

    from imet_kg.cli import cli
    from imet_kg.kg.graph import TRIPLE_COUNT_QUERY, triple_count

    html = client.get("/").text
    shown = int(re.search(r'id="triple-count">([\d,]+)<', html).group(1).replace(",", ""))
    assert shown == triple_count(graph)
    assert shown < len(publication.graph)  # the shapes published beside the graph are not in it
    answer = client.get("/sparql", params={"query": TRIPLE_COUNT_QUERY, "format": "csv"})
    assert answer.status_code == 200
    assert int(answer.text.split()[1]) == shown
    count = tmp_path / "count.rq"
    count.write_text("#+ summary: The graph's triples.\n" + TRIPLE_COUNT_QUERY)
    result = CliRunner().invoke(cli, ["query", str(count), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert int(result.stdout.split()[1]) == shown


def test_home_page_start_cards_are_filled(publication, pages):
    html = pages.site.home_page(Links(publication))
    cards = html[html.index('<ul class="cards">') : html.index("</ul>", html.index("cards"))]
    items = cards.split("<li>")[1:]
    assert len(items) >= 7
    for item in items:
        paragraphs = re.findall(r"<p(?: class=\"(?!card-title)[^\"]*\")?>(.+?)</p>", item, re.S)
        assert paragraphs and all(len(_Text.of(p).joined) > 20 for p in paragraphs), item
    chapter = next(i for i in items if "chapter-5" in i)
    # Its heading and citation stand in for the description a provision lacks.
    assert "International Military Education and Training (22 U.S.C. ch. 32" in chapter
    assert 'href="/chart/"' in cards and 'href="/search"' in cards
