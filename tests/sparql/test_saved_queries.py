"""Every saved query: a linted header, valid SPARQL, and an expected answer on the real graph."""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.plugins.sparql.parser import parseQuery

from imet_kg.errors import QueryError
from imet_kg.namespaces import ID, IMET
from imet_kg.paths import QUERIES_DIR
from imet_kg.sources.uscode_text import SOURCE_TEXT_FILE
from imet_kg.sparql.saved import find_query, load_queries, run_query

QUERIES = {q.name: q for q in load_queries(QUERIES_DIR)}


def rows(graph, name: str, **params) -> list[dict[str, object]]:
    result = run_query(graph, QUERIES[name], {k: str(v) for k, v in params.items()})
    return [
        {
            str(var): (None if row[i] is None else row[i].toPython())
            for i, var in enumerate(result.vars)
        }
        for row in result
    ]


def test_at_least_twelve_documented_queries():
    assert len(QUERIES) >= 12
    for query in QUERIES.values():
        assert query.summary and len(query.summary) > 20, query.name
        assert query.path.read_text().startswith("#+ summary:"), query.name


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_parses_and_runs(graph, name):
    query = QUERIES[name]
    parseQuery(query.bound_text())
    result = run_query(graph, query)
    if query.form == "SELECT":
        assert len(result) > 0, f"{name} returned no rows"
        assert "ORDER BY" in query.text.upper(), f"{name}: report queries are ordered"
    elif query.form == "ASK":
        assert result.askAnswer is True
    else:
        assert len(result.graph) > 0


def test_every_query_has_an_expected_answer_test():
    # A query's expected-answer test is named after it (test_funding_change for funding-change) and
    # may live in any test module, beside the feature the query serves.
    tested = {
        match.replace("_", "-")
        for path in Path(__file__).resolve().parents[1].rglob("test_*.py")
        for match in re.findall(r"^def test_(\w+)\(", path.read_text(encoding="utf-8"), re.M)
    }
    assert set(QUERIES) <= tested, sorted(set(QUERIES) - tested)


def test_purposes(graph):
    source = SOURCE_TEXT_FILE.read_text(encoding="utf-8")
    result = rows(graph, "purposes")
    assert [r["notation"] for r in result] == ["543(1)", "543(2)", "543(3)"]
    assert [r["citation"] for r in result] == [f"22 U.S.C. 2347b({n})" for n in (1, 2, 3)]
    assert all(r["text"] in source for r in result)
    assert result[2]["text"].endswith("internationally recognized human rights.")
    aims = rows(graph, "purposes", program=ID["program/expanded-imet"])
    assert [r["notation"] for r in aims] == [f"541(a)({n})" for n in ("i", "ii", "iii", "iv")]
    assert aims[2]["text"].startswith("(iii) contribute to cooperation between military")


def test_agencies_and_roles(graph):
    result = rows(graph, "agencies-and-roles")
    roles = {(r["agentLabel"], r["roleLabel"], r["status"]) for r in result}
    assert ("United States Department of State", "oversees", "unverified") in roles
    assert ("United States Department of Defense", "implements", "unverified") in roles
    assert ("Defense Security Cooperation Agency", "administers", "unverified") in roles
    assert ("United States Congress", "appropriates funds", "verified") in roles
    assert ("President of the United States", "holds the statutory authority", "verified") in roles
    dsca = next(r for r in result if r["agentLabel"].startswith("Defense Security"))
    assert dsca["parentLabel"] == "United States Department of Defense"
    assert len(result) == 6


def test_funding_by_fiscal_year(graph):
    result = rows(graph, "funding-by-fiscal-year")
    by_key = {(r["fiscalYear"], r["kind"], r["scopeLabel"], r["programLabel"]): r for r in result}
    assert by_key[
        (1976, "authorization", "Worldwide", "International Military Education and Training")
    ]["amount"] == Decimal(27_000_000)
    fy2010 = by_key[
        (2010, "appropriation", "Worldwide", "International Military Education and Training")
    ]
    assert fy2010["amount"] == Decimal(108_000_000)
    assert "Pub. L. 111-117" in fy2010["legalAuthority"] and "GAO-12-123" in fy2010["sources"]
    fy2001 = by_key[(2001, "actual", "Worldwide", "International Military Education and Training")]
    assert (fy2001["amount"], fy2001["status"]) == (Decimal(55_000_000), "unverified")
    fy1985 = by_key[
        (1985, "authorization", "Worldwide", "International Military Education and Training")
    ]
    assert fy1985["amount"] is None and fy1985["valueStatus"] == "none-enacted"
    years = [r["fiscalYear"] for r in result]
    assert years == sorted(years)
    assert len(result) == len(
        list(
            graph.subjects(
                URIRef("http://purl.org/linked-data/cube#dataSet"), ID["dataset/funding"]
            )
        )
    )


def test_funding_change(graph):
    result = rows(graph, "funding-change")
    assert {r["toSource"] for r in result} == {"Appropriations acts, IMET paragraphs", "GAO-12-123"}
    for r in result:
        assert (r["fromAmount"], r["toAmount"], r["change"]) == (
            Decimal(50_000_000),
            Decimal(108_000_000),
            Decimal(58_000_000),
        )
        assert r["percentChange"] == Decimal(116)
    authorizations = rows(
        graph, "funding-change", **{"from": 1976, "to": 1984, "kind": IMET.Authorization}
    )
    assert len(authorizations) == 1
    assert authorizations[0]["change"] == Decimal(56_452_000 - 27_000_000)
    assert (
        rows(graph, "funding-change", **{"from": 1985, "to": 1986, "kind": IMET.Authorization})
        == []
    )


def test_amendment_history(graph):
    result = rows(graph, "amendment-history")
    laws = [r["lawNumber"] for r in result]
    assert laws[0] == "Pub. L. 94-329" and laws[-1] == "Pub. L. 116-283"
    assert {"Pub. L. 101-513", "Pub. L. 102-583", "Pub. L. 104-164", "Pub. L. 109-102"} <= set(laws)
    assert "Pub. L. 107-228" not in laws  # it changed 548 and 549, not 541
    s549 = rows(graph, "amendment-history", provision=ID["faa/section-549"])
    assert [(r["lawNumber"], r["effectType"]) for r in s549] == [("Pub. L. 107-228", "added")]
    s542 = rows(graph, "amendment-history", provision=ID["faa/section-542"])
    assert [(str(r["date"]), r["lawNumber"]) for r in s542] == [
        ("1976-06-30", "Pub. L. 94-329"),  # inferred
        ("1985-08-08", "Pub. L. 99-83"),
    ]
    whole_act = rows(graph, "amendment-history", provision=ID["faa"])
    effects = {r["effect"] for r in whole_act}
    assert len(effects) == len(set(graph.subjects(RDF.type, IMET.LegislativeEffect)))


def test_public_laws(graph):
    result = {r["lawNumber"]: r for r in rows(graph, "public-laws")}
    assert result["Pub. L. 94-329"]["effects"] == 2  # the chapter (541) and section 542
    assert result["Pub. L. 107-228"]["effects"] == 3
    assert result["Pub. L. 99-83"]["fundingFigures"] == 2  # FY1986 and FY1987 authorizations
    assert result["Pub. L. 111-117"]["fundingFigures"] == 1
    assert "Pub. L. 87-195" not in result  # the FAA is the Act itself, not an amending law
    numbers = list(result)
    assert (
        numbers.index("Pub. L. 99-83")
        < numbers.index("Pub. L. 101-513")
        < numbers.index("Pub. L. 116-283")
    )


def test_section_text(graph):
    result = rows(graph, "section-text")
    assert [r["citation"] for r in result] == ["22 U.S.C. 2347b"] + [
        f"22 U.S.C. 2347b({n})" for n in (1, 2, 3)
    ]
    assert result[0]["heading"] == "Congressional declaration of purpose"
    assert result[0]["text"].startswith(
        "Education and training activities conducted under this part"
    )
    s541 = rows(graph, "section-text", section=ID["faa/section-541"])
    assert [r["citation"] for r in s541] == [
        "22 U.S.C. 2347",
        "22 U.S.C. 2347(a)",
        "22 U.S.C. 2347(a)(1)",
        "22 U.S.C. 2347(a)(2)",
        "22 U.S.C. 2347(a)(3)",
        "22 U.S.C. 2347(b)",
    ]


def test_crosswalk(graph):
    result = rows(graph, "crosswalk")
    assert [r["faaSection"] for r in result] == [str(n) for n in range(541, 550)]
    assert [r["codeCitation"] for r in result] == ["22 U.S.C. 2347"] + [
        f"22 U.S.C. 2347{c}" for c in "abcdefgh"
    ]
    assert {r["faaSection"] for r in result if r["status"] == "inferred"} == {"544", "545"}
    assert result[2]["actHeading"] == "Purposes" and result[2]["uslmId"] == "/us/usc/t22/s2347b"


def test_contradicted_claims(graph):
    result = rows(graph, "contradicted-claims")
    assert len(result) == 3
    assert {r["citedLabel"] for r in result} == {"FAA §541"}
    assert sorted(r["actualLabel"] for r in result) == ["FAA §543(1)", "FAA §543(2)", "FAA §543(3)"]
    assert all(r["sourceLabel"].startswith("SourceWatch") for r in result)


def test_contradicted_claims_is_computed_not_asserted(graph):
    extra = Graph()
    for triple in graph.triples((None, None, None)):
        extra.add(triple)
    claim = URIRef("https://example.org/claim/correct")
    extra.add((claim, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), IMET.Claim))
    extra.add((claim, IMET.citesProvision, ID["faa/section-543"]))
    extra.add((claim, IMET.about, ID["purpose/mutual-understanding"]))
    extra.add((claim, URIRef("http://purl.org/dc/terms/source"), ID["source/gao-12-123"]))
    extra.add((claim, URIRef("https://schema.org/text"), Literal("Section 543 states it.")))
    assert len(rows(extra, "contradicted-claims")) == 3  # a correct citation adds no row
    extra.set((claim, IMET.citesProvision, ID["faa/section-542"]))
    assert len(rows(extra, "contradicted-claims")) == 4


def test_facts_with_sources(graph):
    result = rows(graph, "facts-with-sources")
    assert all(r["sourceCount"] >= 1 for r in result)
    types = {r["type"] for r in result}
    assert {
        "Observation",
        "Claim",
        "Association",
        "Codification",
        "LegislativeEffect",
        "PublicLaw",
    } <= types
    observations = [r for r in result if r["type"] == "Observation"]
    assert len(observations) == len(
        list(graph.subjects(URIRef("http://purl.org/linked-data/cube#dataSet"), None))
    )


def test_course_topics_and_delivery(graph):
    result = rows(graph, "course-topics-and-delivery")
    labels = {(r["kind"], r["label"]) for r in result}
    for topic in ("Counterintelligence", "Helicopter repair", "Military justice systems"):
        assert ("course topic", topic) in labels
    assert ("delivery mode", "Mobile education and training teams") in labels
    mobile = next(r for r in result if r["label"] == "Mobile education and training teams")
    assert mobile["statedIn"] is None and mobile["sourceLabel"].startswith("SourceWatch")
    port = next(r for r in result if r["label"] == "Port security")
    assert port["statedIn"] == "22 U.S.C. 2347d"


def test_barred_countries(graph):
    result = rows(graph, "barred-countries")
    assert [r["countryLabel"] for r in result] == [
        "Austria",
        "Finland",
        "Republic of Korea",
        "Singapore",
        "Spain",
    ]
    for r in result:
        assert r["citation"] == "22 U.S.C. 2347e(b)"
        assert str(r["inForceFrom"]) == "1996-07-21"
        assert r["addedBy"] == "Pub. L. 104-164"


def test_statutory_duties(graph):
    result = rows(graph, "statutory-duties")
    report = next(r for r in result if r["holderLabel"] == "Secretary of State")
    assert str(report["due"]) == "--03-01"
    assert report["legalBasis"].startswith("22 U.S.C. 2347h(a)")
    assert "Speaker of the House of Representatives" in report["reportTo"]
    assert {r["holderLabel"] for r in result} == {
        "Secretary of State",
        "Secretary of Defense",
        "President of the United States",
    }


def test_claims_by_source(graph):
    result = rows(graph, "claims-by-source")
    total = sum(r["claims"] for r in result)
    assert total == len(
        list(graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), IMET.Claim))
    )
    quoted = {r["quotedLabel"] for r in result}
    assert "Just the Facts IMET page (SourceWatch footnote 2)" in quoted
    assert all(0 <= r["verified"] <= r["claims"] for r in result)


def test_explicit_gaps(graph):
    result = rows(graph, "explicit-gaps")
    none_years = sorted(
        int(r["label"][2:6]) for r in result if r["gap"] == "figure without a value"
    )
    assert none_years == [1985, *range(1988, 1996)]
    unknown = {r["label"] for r in result if r["gap"].startswith("section")}
    assert unknown == {"FAA §543", "FAA §544", "FAA §545"}
    versions = {
        (r["gap"], r["subject"].rsplit("/version/", 1)[1])
        for r in result
        if r["gap"].startswith("version")
    }
    assert versions == {
        ("version whose wording is not established", "section-542/94-329"),
        ("version whose start date is not established", "section-543/origin-unknown"),
        ("version whose start date is not established", "section-544/origin-unknown"),
        ("version whose start date is not established", "section-545/origin-unknown"),
    }


def test_authorization_vs_appropriation(graph):
    result = rows(graph, "authorization-vs-appropriation")
    assert result == [
        {
            "fiscalYear": 1982,
            "authorized": Decimal(42_000_000),
            "appropriated": Decimal(38_488_000),
            "difference": Decimal(-3_512_000),
            "appropriationLaw": "Pub. L. 97-121",
        }
    ]


def test_all_sections_codified(graph):
    assert run_query(graph, QUERIES["all-sections-codified"]).askAnswer is True
    broken = Graph()
    for s, p, o in graph.triples((None, None, None)):
        if not (p == IMET.actProvision and o == ID["faa/section-547"]):
            broken.add((s, p, o))
    assert run_query(broken, QUERIES["all-sections-codified"]).askAnswer is False


def test_program_card(graph):
    card = run_query(graph, QUERIES["program-card"]).graph
    program = ID["program/imet"]
    assert card.value(program, RDFS.label) == Literal(
        "International Military Education and Training", lang="en"
    )
    assert len(set(card.objects(program, IMET.purpose))) == 3
    assert (program, IMET.establishedBy, ID["pl/94-329"]) in card
    assert (
        len(set(card.objects(program, URIRef("http://www.w3.org/ns/prov#wasAssociatedWith"))))
        == 5  # State has two roles
    )


def test_links_by_dataset(graph):
    result = rows(graph, "links-by-dataset")
    per_dataset = {}
    for row in result:
        per_dataset[row["dataset"]] = per_dataset.get(row["dataset"], 0) + 1
    assert per_dataset["Wikidata"] == 3
    assert len(per_dataset) == 7  # Wikidata, OLRC, LII, govinfo, congress.gov, FR, USAspending
    dod = [r for r in result if r["dataset"] == "Wikidata" and r["subject"].endswith("/org/dod")]
    assert dod[0]["target"] == "http://www.wikidata.org/entity/Q11209"
    assert {r["status"] for r in result} == {"verified", "unverified"}


def test_parameters_are_bound_as_terms_not_text(graph):
    query = QUERIES["section-text"]
    hostile = "https://w3id.org/imet-kg/id/faa/section-543> } ; DROP ALL ; #"
    with pytest.raises(QueryError, match="not a valid iri"):
        query.bound_text({"section": hostile})
    text = query.bound_text({"section": str(ID["faa/section-545"])})
    assert "VALUES (?section) { (<https://w3id.org/imet-kg/id/faa/section-545>) }" in text
    literal = QUERIES["funding-change"].bindings({"from": "2000"})["from"]
    assert literal == Literal(2000, datatype=XSD.integer)


def test_bad_parameters(graph):
    with pytest.raises(QueryError, match="unknown parameter nope"):
        run_query(graph, QUERIES["purposes"], {"nope": "1"})
    with pytest.raises(QueryError, match=r"unknown parameter progam \(did you mean program\?\)"):
        run_query(graph, QUERIES["purposes"], {"progam": str(ID["program/imet"])})
    with pytest.raises(QueryError, match="not a valid integer"):
        run_query(graph, QUERIES["funding-change"], {"from": "two thousand"})


def test_header_lint(tmp_path):
    from imet_kg.sparql.saved import load_query

    cases = {
        "bad-yaml.rq": ("#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }", "malformed"),
        "unknown-key.rq": (
            "#+ summary: x\n#+ colour: red\nSELECT * WHERE { ?s ?p ?o }",
            "unknown header key",
        ),
        "unused-param.rq": (
            "#+ summary: x\n#+ params:\n#+   - name: gone\n#+     type: iri\n"
            "SELECT * WHERE { ?s ?p ?o }",
            "not used",
        ),
        "bad-sparql.rq": ("#+ summary: x\nSELECT * WHERE { ?s ?p }", "SPARQL syntax error"),
        "bad-short.rq": (
            "#+ summary: x\n#+ params:\n#+   - {name: s, type: string, short: 'urn:{}'}\n"
            "SELECT * WHERE { ?s ?p ?o }",
            "'short' is an IRI with one {}",
        ),
        "param-key.rq": (
            "#+ summary: x\n#+ params:\n#+   - {name: s, type: iri, shrot: 'urn:{}'}\n"
            "SELECT * WHERE { ?s ?p ?o }",
            "unknown key\\(s\\) shrot",
        ),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(QueryError, match=message):
            load_query(path)


def test_a_plain_query_file_needs_no_header_but_a_saved_query_does(tmp_path):
    from imet_kg.sparql.saved import load_query

    plain = tmp_path / "plain.rq"
    plain.write_text("SELECT ?s WHERE { ?s a imet:Section } ORDER BY ?s\n")  # imet: is built in
    query = load_query(plain)
    assert (query.name, query.summary, query.params, query.form) == ("plain", "", (), "SELECT")
    assert query.text.startswith("PREFIX imet: <https://w3id.org/imet-kg/def/>\n")
    with pytest.raises(QueryError, match=r"plain\.rq: a saved query needs a '#\+ summary:' header"):
        load_queries(tmp_path)


def test_syntax_errors_name_the_line_of_the_file_not_of_the_added_prefixes(tmp_path):
    from imet_kg.sparql.saved import load_query

    path = tmp_path / "broken.rq"
    path.write_text("SELECT ?s\nWHERE { ?s a faa:Nothing ) }")  # Oxigraph: at the end
    with pytest.raises(QueryError, match=r"broken\.rq: SPARQL syntax error: line 2, column"):
        load_query(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"SELECT * WHERE {\n ?s ?p \xff }", r"bad.rq:2: not UTF-8 text \(byte 25\)"),
        (b"GIF89a\n\x00\x01", r"bad.rq:2: a NUL byte: not a text file"),
        (b"\x89PNG\r\n", r"bad.rq:1: not UTF-8 text \(byte 1\)"),
    ],
)
def test_a_binary_or_non_utf8_file_is_one_line_error(tmp_path, data, message):
    from imet_kg.sparql.saved import load_query

    path = tmp_path / "bad.rq"
    path.write_bytes(data)
    with pytest.raises(QueryError, match=message):
        load_query(path)


def test_find_query_by_name_and_path(tmp_path):
    assert find_query("purposes").name == "purposes"
    assert find_query(str(QUERIES_DIR / "crosswalk.rq")).name == "crosswalk"
    with pytest.raises(QueryError, match="unknown query 'nope'"):
        find_query("nope")
    with pytest.raises(QueryError, match="unknown query 'purpose' \\(did you mean purposes\\?\\)"):
        find_query("purpose")
    with pytest.raises(QueryError, match="no such query file"):
        find_query(str(Path(tmp_path) / "missing.rq"))


def test_a_local_query_never_fetches_a_from_graph(graph, tmp_path):
    import socket
    import threading

    from imet_kg.sparql.saved import load_query

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    connections: list[object] = []
    done = threading.Event()

    def watch() -> None:  # record and drop any connection, so a fetch fails fast
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                connection, _ = listener.accept()
                connections.append(connection)
                connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    path = tmp_path / "from.rq"
    path.write_text(
        "#+ summary: Count what a FROM graph on the network would hold\n"
        f"SELECT (COUNT(*) AS ?n) FROM <http://127.0.0.1:{listener.getsockname()[1]}/g.ttl> "
        "WHERE { ?s ?p ?o } ORDER BY ?n\n"
    )
    try:
        with contextlib.suppress(QueryError):  # refusing the graph is fine; fetching it is not
            run_query(graph, load_query(path))
    finally:
        done.set()
        watcher.join()
        listener.close()
    assert connections == []


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_an_iri_value_the_graph_does_not_hold_names_the_closest(store):
    from imet_kg.kg.embedded import EmbeddedStore
    from imet_kg.sparql.held import check_iris_held

    data = "".join(
        f'<{ID["country/" + name]}> <{RDFS.label}> "{name}" .\n'
        for name in ("colombia", "chile", "peru")
    )
    engine = Graph().parse(data=data, format="nt")
    if store == "oxigraph":
        engine = EmbeddedStore()
        engine.store.load(data.encode(), format=ox.RdfFormat.N_TRIPLES)
    query = QUERIES["country-profile"]
    check_iris_held(engine, query, {"country": "peru"})  # held: no error
    check_iris_held(engine, query, {})  # the default is not checked
    for value, hint in [
        ("colombai", "country=colombia"),
        ("country:chiel", "country:chile"),
        (str(ID["country/pery"]), str(ID["country/peru"])),
    ]:
        with pytest.raises(
            QueryError, match=rf"holds no <.*> \(did you mean {re.escape(hint)}\?\)"
        ):
            check_iris_held(engine, query, {"country": value})
    with pytest.raises(QueryError, match=r"holds no <.*/country/zzzzzz>$"):
        check_iris_held(engine, query, {"country": "zzzzzz"})


def test_a_query_is_parsed_once_per_process(graph):
    from imet_kg.sparql.saved import prepared_query

    values = {"section": "547"}  # the short form: bound to the same text each time
    run_query(graph, QUERIES["section-text"], values)
    before = prepared_query.cache_info()
    run_query(graph, QUERIES["section-text"], values)
    after = prepared_query.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)
