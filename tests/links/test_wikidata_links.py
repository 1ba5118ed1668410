"""Link sets: the shipped links; `imet-kg links check|suggest` against a real local SPARQL server.

The endpoint is a real ``oxigraph serve`` on 127.0.0.1 loaded with a small Wikidata-shaped
fixture (tests/fixtures/wikidata-fixture.ttl); an autouse guard refuses any connection that is not
to the local machine, so no test here can reach the public network.
"""

from __future__ import annotations

import hashlib
import json
import socket
import time
import urllib.request
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from local_http import answers, local_servers, one_line_error
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from imet_kg.cli import cli
from imet_kg.links.build import build_linkset, ordinal
from imet_kg.links.linkset import LINKS_FILE
from imet_kg.links.wikidata import (
    USER_AGENT,
    check_wikidata_links,
    select,
    suggest_links,
)
from imet_kg.namespaces import GRAPH, ID, IMET, SEMAPV, SSSOM
from imet_kg.paths import DATA_DIR, QUERIES_DIR
from imet_kg.sparql.saved import find_query, run_query

from conftest import FIXTURES, free_port

WD = "http://www.wikidata.org/entity/"
VERIFIED_QIDS = {"Q11209": "org/dod", "Q789915": "org/dos", "Q11268": "org/congress"}
EXPECTED_COUNTS = {
    "wikidata": 3,
    "olrc-uscode": 21,  # 9 Code sections + 12 subsections (to their section's page)
    "cornell-lii-uscode": 9,
    "govinfo": 27,  # 9 Code sections + 11 Statutes at Large pages + 7 public laws
    "congress-gov": 2,
    "federal-register": 2,
    "usaspending": 1,
}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_public_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any outgoing connection that is not to this machine."""
    real = socket.create_connection

    def local_only(address, *args, **kwargs):
        host = address[0]
        if host not in LOCAL_HOSTS:
            raise AssertionError(f"a test tried to reach {host}: tests stay on 127.0.0.1")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)


def _load(server_store_url: str, path: Path) -> None:
    request = urllib.request.Request(
        f"{server_store_url}?default",
        data=path.read_bytes(),
        method="POST",
        headers={"Content-Type": "text/turtle"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201, 204)


def _update(server, sparql: str) -> None:
    request = urllib.request.Request(
        server.update_url,
        data=sparql.encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 204)


@pytest.fixture
def wikidata_server(oxigraph_server_factory):
    """A real Oxigraph server on 127.0.0.1 holding the Wikidata-shaped fixture."""
    server = oxigraph_server_factory()
    _load(server.store_url, FIXTURES / "wikidata-fixture.ttl")
    return server


@pytest.fixture
def wikidata(wikidata_server) -> str:
    """The fixture server's SPARQL query endpoint."""
    return wikidata_server.query_url


@pytest.fixture
def closed_port_endpoint() -> str:
    """An endpoint URL on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/sparql"


def error_lines(stderr: str) -> list[str]:
    """The error lines of a command's stderr (a notice naming the data folder may precede them)."""
    return [line for line in stderr.splitlines() if line.startswith("imet-kg: error: ")]


def _data_snapshot() -> dict[str, str]:
    return {
        str(path.relative_to(DATA_DIR)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(DATA_DIR.rglob("*"))
        if path.is_file()
    }


def _records(graph) -> list[URIRef]:
    return sorted(set(graph.subjects(RDF.type, IMET.Link)))


def _dataset_key(graph, record) -> str:
    return str(graph.value(record, SSSOM.object_source)).rsplit("/", 1)[1]


# --- the shipped link set ------------------------------------------------------------------------


def test_links_file_is_what_the_generator_makes():
    assert isomorphic(Graph().parse(LINKS_FILE), build_linkset())


def test_links_are_their_own_named_graph(graph):
    links = graph.graph(GRAPH.links)
    records = _records(links)
    assert len(records) == sum(EXPECTED_COUNTS.values())
    assert (GRAPH.links, DCTERMS.title, None) in links
    for other in graph.graphs():
        if other.identifier != GRAPH.links:
            assert not set(other.subjects(RDF.type, IMET.Link)), other.identifier


def test_wikidata_links_are_exactly_the_verified_qids(graph):
    wikidata_iris = {
        str(term)
        for triple in graph.triples((None, None, None))
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith("http://www.wikidata.org/")
    }
    assert wikidata_iris == {WD + qid for qid in VERIFIED_QIDS}
    for qid, path in VERIFIED_QIDS.items():
        item = URIRef(WD + qid)
        assert (ID[path], SKOS.exactMatch, item) in graph
        assert (ID[path], OWL.sameAs, item) not in graph
    # No QID for IMET, DSCA, the FAA or the AECA: never guessed.
    for unlinked in ("program/imet", "org/dsca", "faa", "pl/94-329"):
        assert not [o for o in graph.objects(ID[unlinked], None) if str(o).startswith(WD)], unlinked


def test_every_link_has_creator_date_justification_and_status(graph):
    for record in _records(graph):
        assert graph.value(record, DCTERMS.creator) is not None, record
        created = graph.value(record, DCTERMS.created)
        assert isinstance(created, Literal) and created.datatype == XSD.date, record
        assert str(graph.value(record, SSSOM.mapping_justification)).startswith(str(SEMAPV))
        assert graph.value(record, IMET.verificationStatus) in (IMET.Verified, IMET.Unverified)
        assert graph.value(record, RDFS.comment) is not None, record
        assert (record, RDF.type, OWL.Axiom) in graph  # SSSOM's RDF class for a mapping
        assert graph.value(record, OWL.annotatedProperty) in (
            SKOS.exactMatch,
            SKOS.closeMatch,
            RDFS.seeAlso,
        )
        creator = graph.value(record, DCTERMS.creator)
        assert (creator, RDF.type, PROV.Agent) in graph


def test_link_counts_and_unverified_triples_not_asserted(graph):
    counts = Counter(_dataset_key(graph, record) for record in _records(graph))
    assert counts == EXPECTED_COUNTS
    for record in _records(graph):
        triple = (
            graph.value(record, OWL.annotatedSource),
            graph.value(record, OWL.annotatedProperty),
            graph.value(record, OWL.annotatedTarget),
        )
        status = graph.value(record, IMET.verificationStatus)
        unverified_dataset = _dataset_key(graph, record) in ("congress-gov", "usaspending")
        assert (status == IMET.Unverified) == unverified_dataset, record
        assert (triple in graph) == (status == IMET.Verified), record


@pytest.mark.parametrize(
    ("subject", "url"),
    [
        ("usc/t22/s2347b", "https://www.law.cornell.edu/uscode/text/22/2347b"),
        (
            "usc/t22/s2347b",
            "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title22-section2347b"
            "&num=0&edition=prelim",
        ),
        (
            "usc/t22/s2347b",
            "https://www.govinfo.gov/link/uscode/22/2347b?type=usc&link-type=html",
        ),
        (
            "faa/section-544/c",
            "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title22-section2347c"
            "&num=0&edition=prelim",
        ),
        ("faa", "https://www.govinfo.gov/link/statute/75/424?link-type=pdf"),
        ("pl/94-329", "https://www.govinfo.gov/link/statute/90/729?link-type=pdf"),
        ("pl/101-513", "https://www.govinfo.gov/link/statute/104/1997?link-type=pdf"),
        ("pl/107-228", "https://www.govinfo.gov/link/plaw/107/public/228?link-type=pdf"),
        ("org/dos", "https://www.federalregister.gov/agencies/state-department"),
        ("org/dod", "https://www.federalregister.gov/agencies/defense-department"),
    ],
)
def test_verified_patterns_applied(graph, subject, url):
    assert (ID[subject], RDFS.seeAlso, URIRef(url)) in graph


def test_what_is_left_out(graph):
    targets = {str(o) for o in graph.objects(None, OWL.annotatedTarget)}
    # Public-law links only from the 104th Congress; older laws via the Statutes at Large.
    plaw = {t for t in targets if "/link/plaw/" in t}
    assert plaw and all(int(t.split("/link/plaw/")[1].split("/")[0]) >= 104 for t in plaw)
    # Statutes at Large links only for volumes 65-125 (not 134 Stat. 3915) and numeric pages
    # (not 113 Stat. 1501A-77).
    volumes = {int(t.split("/link/statute/")[1].split("/")[0]) for t in targets if "/statute/" in t}
    assert volumes and min(volumes) >= 65 and max(volumes) <= 125
    assert not [t for t in targets if "1501A" in t]
    # No subsection address form is invented (no '#' fragments, no subsection paths).
    assert not [t for t in targets if "#" in t or "/2347c/" in t or "2347c(a)" in t]
    # DSCA's Federal Register slug is unverified: left out.
    assert not [t for t in targets if "defense-security-cooperation-agency" in t]


def test_congress_ordinals():
    assert [ordinal(n) for n in (87, 94, 101, 102, 103, 111, 112, 113, 121)] == [
        "87th",
        "94th",
        "101st",
        "102nd",
        "103rd",
        "111th",
        "112th",
        "113th",
        "121st",
    ]


def test_unverified_links_say_so(graph):
    bills = {
        str(graph.value(record, OWL.annotatedTarget)): graph.value(record, IMET.verificationStatus)
        for record in _records(graph)
        if _dataset_key(graph, record) in ("congress-gov", "usaspending")
    }
    assert bills == {
        "https://www.congress.gov/bill/87th-congress/senate-bill/1983": IMET.Unverified,
        "https://www.congress.gov/bill/94th-congress/house-bill/13680": IMET.Unverified,
        "https://www.usaspending.gov/federal_account/011-1081": IMET.Unverified,
    }
    account = ID["link/usaspending/program-imet"]
    assert "not" in str(graph.value(account, RDFS.comment))


def test_links_by_dataset(graph):
    result = run_query(graph, find_query("links-by-dataset", QUERIES_DIR))
    rows = [row.asdict() for row in result]
    titles = Counter(str(row["dataset"]) for row in rows)
    assert len(titles) == len(EXPECTED_COUNTS)
    assert sorted(titles.values()) == sorted(EXPECTED_COUNTS.values())
    assert titles["Wikidata"] == 3
    ordered = [(str(r["dataset"]), str(r["subject"]), str(r["target"])) for r in rows]
    assert ordered == sorted(ordered)
    statuses = {str(row["status"]) for row in rows}
    assert statuses == {"verified", "unverified"}
    code = [r for r in rows if str(r["subject"]).endswith("/usc/t22/s2347b")]
    assert {str(r["uslmId"]) for r in code} == {"/us/usc/t22/s2347b"}


# --- links check, against the real local server --------------------------------------------------


def test_check_reports_ok_stale_and_missing(graph, wikidata):
    results = {
        str(r.subject).removeprefix(str(ID)): r for r in check_wikidata_links(graph, wikidata)
    }
    assert set(results) == set(VERIFIED_QIDS.values())
    assert results["org/dod"].status == "ok"
    assert results["org/dod"].found_label == "United States Department of Defense"
    stale = results["org/dos"]
    assert stale.status == "stale-label"
    assert stale.expected_label == "United States Department of State"
    assert stale.found_label == "Fixture State Department (renamed)"  # the English one, not @fr
    assert results["org/congress"].status == "missing"
    assert all(r.message for r in results.values() if not r.ok)


def _one_link_graph(target: str, label: str | None) -> Graph:
    graph = Graph()
    record = ID["link/wikidata/test"]
    graph.add((record, RDF.type, IMET.Link))
    graph.add((record, OWL.annotatedSource, ID["org/dsca"]))
    graph.add((record, OWL.annotatedTarget, URIRef(target)))
    if label is not None:
        graph.add((record, SSSOM.object_label, Literal(label)))
    return graph


@pytest.mark.parametrize(
    ("target", "label", "status"),
    [
        (WD + "Q9900000001", "Defense Security Cooperation Agency", "ok"),
        (WD + "Q9900000003", "Defense Security Cooperation Agency", "redirected"),
        (WD + "P9900000004", "Defense Security Cooperation Agency", "error"),
        (WD + "Q9900000001", None, "error"),
        (WD + "Q9900000090", "fixture government agency (old)", "stale-label"),
    ],
)
def test_check_other_cases(wikidata, target, label, status):
    [result] = check_wikidata_links(_one_link_graph(target, label), wikidata)
    assert result.status == status, result


def test_cli_check_exit_codes(wikidata_server):
    runner = CliRunner()
    result = runner.invoke(cli, ["links", "check", "--endpoint", wikidata_server.query_url])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("ok ") and "id:org/dod" in line for line in lines)
    assert any(line.startswith("stale-label") and "wd:Q789915" in line for line in lines)
    assert any(line.startswith("missing") and "wd:Q11268" in line for line in lines)
    assert "3 Wikidata link(s) checked" in lines[-1]

    as_json = runner.invoke(
        cli, ["links", "check", "--endpoint", wikidata_server.query_url, "--format", "json"]
    )
    assert as_json.exit_code == 1
    statuses = {row["item"]: row["status"] for row in json.loads(as_json.stdout)}
    assert statuses == {
        WD + "Q11209": "ok",
        WD + "Q789915": "stale-label",
        WD + "Q11268": "missing",
    }

    # Repair the endpoint's data: every link is ok, the exit code is 0.
    _update(
        wikidata_server,
        """PREFIX wd: <http://www.wikidata.org/entity/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        DELETE { wd:Q789915 rdfs:label ?old } WHERE {
            wd:Q789915 rdfs:label ?old FILTER(LANG(?old) = "en") } ;
        INSERT DATA {
            wd:Q789915 rdfs:label "United States Department of State"@en .
            wd:Q11268 rdfs:label "United States Congress"@en . }""",
    )
    fixed = runner.invoke(cli, ["links", "check", "--endpoint", wikidata_server.query_url])
    assert fixed.exit_code == 0, fixed.output
    assert "3 ok" in fixed.stdout


@pytest.mark.parametrize("command", ["check", "suggest"])
def test_unreachable_endpoint_is_exit_2_and_one_line(closed_port_endpoint, tmp_path, command):
    args = ["links", command, "--endpoint", closed_port_endpoint]
    if command == "suggest":
        args += ["--out", str(tmp_path / "review.ttl")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    lines = error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("imet-kg: error: SPARQL endpoint http://127.0.0.1:")
    assert "unreachable" in lines[0]
    assert not (tmp_path / "review.ttl").exists()


# --- links suggest -------------------------------------------------------------------------------


def test_suggest_writes_a_review_file_and_never_touches_data(wikidata, tmp_path):
    before = _data_snapshot()
    out = tmp_path / "review" / "link-suggestions.ttl"
    result = CliRunner().invoke(cli, ["links", "suggest", "--endpoint", wikidata, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _data_snapshot() == before
    assert f"to {out}" in result.stdout

    review = Graph().parse(out)
    records = {
        (review.value(r, OWL.annotatedSource), review.value(r, OWL.annotatedTarget)): r
        for r in review.subjects(RDF.type, IMET.Link)
    }
    dsca = records[(ID["org/dsca"], URIRef(WD + "Q9900000001"))]
    assert review.value(dsca, OWL.annotatedProperty) == SKOS.exactMatch
    assert review.value(dsca, IMET.verificationStatus) == IMET.Unverified
    assert review.value(dsca, SSSOM.mapping_justification) == SEMAPV.LexicalMatching
    assert review.value(dsca, SSSOM.match_string) == Literal("Defense Security Cooperation Agency")
    assert set(review.objects(dsca, SSSOM.subject_match_field)) == {RDFS.label, SKOS.prefLabel}
    assert "fixture government agency" in str(review.value(dsca, SSSOM.object_category))
    assert review.value(dsca, DCTERMS.creator) is not None
    assert review.value(dsca, DCTERMS.created).datatype == XSD.date
    # Found through an alternative label ("CIP"), for a person to judge.
    cip = records[(ID["org/cip"], URIRef(WD + "Q9900000005"))]
    assert set(review.objects(cip, SSSOM.subject_match_field)) == {SKOS.altLabel}
    # Never: a property entity, a label in another language, an organization already linked.
    targets = {str(target) for _, target in records}
    assert WD + "P9900000004" not in targets
    assert WD + "Q9900000002" not in targets
    assert not {s for s, _ in records} & {ID[path] for path in VERIFIED_QIDS.values()}
    # A candidate is a record only: the review file asserts no link triple.
    assert not list(review.triples((None, SKOS.exactMatch, None)))


def test_suggest_refuses_a_file_under_data(wikidata, tmp_path):
    before = _data_snapshot()
    target = DATA_DIR / "link-suggestions.ttl"
    result = CliRunner().invoke(
        cli, ["links", "suggest", "--endpoint", wikidata, "-o", str(target)]
    )
    assert result.exit_code == 2
    assert "never into" in result.stderr and len(error_lines(result.stderr)) == 1
    assert not target.exists()
    assert _data_snapshot() == before


def test_suggest_library_returns_the_candidates(graph, wikidata, tmp_path):
    out = tmp_path / "suggestions.ttl"
    suggestions = suggest_links(graph, wikidata, out, today=date(2026, 11, 27))
    found = {(str(s.subject).removeprefix(str(ID)), s.qid) for s in suggestions}
    assert found == {("org/dsca", "Q9900000001"), ("org/cip", "Q9900000005")}
    assert '"2026-11-27"^^xsd:date' in out.read_text(encoding="utf-8")


# --- the HTTP client: POST, User-Agent, JSON, timeout --------------------------------------------


EMPTY_SELECT = b'{"head": {"vars": []}, "results": {"bindings": []}}'


@pytest.fixture
def start():
    with local_servers() as start:
        yield start


def test_select_posts_with_a_user_agent_and_asks_for_json(start):
    server = start(answers(body=EMPTY_SELECT))
    assert select(server.url(), "SELECT * WHERE { ?s ?p ?o }") == []
    [request] = server.seen
    assert request["method"] == "POST"
    assert request["headers"]["User-Agent"] == USER_AGENT
    assert "imet-kg/" in USER_AGENT
    assert "application/sparql-results+json" in request["headers"]["Accept"]
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["body"].startswith(b"query=")


def test_select_rejects_an_answer_that_is_not_sparql_json(start):
    server = start(answers(body=b"<html>maintenance</html>", kind="text/html"))
    message = one_line_error(lambda: select(server.url(), "SELECT * WHERE { ?s ?p ?o }"))
    assert "query failed" in message


def test_select_times_out(start):
    server = start(answers(body=EMPTY_SELECT, delay=3.0))
    started = time.monotonic()
    message = one_line_error(lambda: select(server.url(), "SELECT * { ?s ?p ?o }", timeout=1))
    assert message.endswith("no answer within 1 s (timed out)")
    assert time.monotonic() - started < 2.9
