"""``imet-kg query`` input (issues 12 and 13): any .rq file, -q text, stdin; parameters as people
type them; the output format from -o's extension; one-line errors for bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from rdflib import Graph

from imet_kg.cli import cli
from imet_kg.kg.bundle import Bundle

SECTION_546 = "https://w3id.org/imet-kg/id/faa/section-546"
COUNT_SECTIONS = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a imet:Section }"


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch, graph) -> tuple[str, ...]:
    """``--store memory`` on the session's graph (not parsed again for each command)."""
    monkeypatch.setattr(Bundle, "dataset", property(lambda self: graph))
    return ("--store", "memory")


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def error_line(result) -> str:
    """The one error line (exit code 2, no traceback, nothing on stdout)."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()  # notices (the data folder ...) may come first
    errors = [line for line in lines if line.startswith("imet-kg: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    return errors[0]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- the query: a file, -q text, stdin ----------------------------------------------------------


def test_a_plain_rq_file_with_built_in_prefixes(memory, tmp_path):
    plain = tmp_path / "plain.rq"
    plain.write_text(f"# no #+ header, no PREFIX lines\n{COUNT_SECTIONS}\n")
    result = run("query", str(plain), "--format", "csv", *memory)
    assert result.stdout.splitlines() == ["n", "9"]


def test_query_text_on_the_command_line_and_on_stdin(memory):
    from_option = run("query", "-q", COUNT_SECTIONS, "--format", "csv", *memory)
    from_stdin = run("query", "-", "--format", "csv", *memory, stdin=COUNT_SECTIONS.encode())
    assert from_option.stdout.splitlines() == from_stdin.stdout.splitlines() == ["n", "9"]
    label = run("query", "-q", "SELECT ?l WHERE { faa:section-546 rdfs:label ?l }", *memory)
    assert "FAA §546" in label.stdout


def test_a_data_folders_own_prefixes_are_built_in(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "mine.ttl").write_text(
        "@prefix mine: <https://example.org/mine/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'mine:a rdfs:label "A" .\n'
    )
    text = "#+ summary: x\n#+ params: [{name: s, type: iri}]\nSELECT ?l WHERE { ?s rdfs:label ?l }"
    path = tmp_path / "label.rq"
    path.write_text(text)
    for args in (("-q", "SELECT ?l WHERE { mine:a rdfs:label ?l }"), (str(path), "-p", "s=mine:a")):
        result = run("query", *args, "--data", str(data), "--store", "memory", "--format", "csv")
        assert result.stdout.splitlines() == ["l", "A"], result.output


def test_query_text_still_refuses_service(memory):
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert "SERVICE is refused" in error_line(run("query", "-q", text, *memory))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Missing argument 'QUERY'"),
        (("purposes", "-q", COUNT_SECTIONS), "not both"),
    ],
)
def test_one_query_is_given(args, message):
    result = run("query", *args)  # a usage error: the command line's main() makes it one line
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\x89PNG\r\n\x1a\n", "not UTF-8 text"), (b"SELECT\x00", "a NUL byte")],
)
def test_a_binary_query_file_is_one_line(tmp_path, data, message):
    path = tmp_path / "image.rq"
    path.write_bytes(data)
    assert message in error_line(run("query", str(path)))


def test_a_syntax_error_names_the_line_of_the_query_text(memory):
    line = error_line(run("query", "-q", "SELECT ?s\nWHERE { ?s a faa:Nothing ) }", *memory))
    assert "-q: SPARQL syntax error: line 2, column" in line


# --- parameters as people type them ---------------------------------------------------------------


def test_short_forms_and_prefixed_names_bind_the_same_iri(memory):
    answers = {
        value: run("query", "section-text", "-p", f"section={value}", "--format", "csv", *memory)
        for value in (SECTION_546, f"<{SECTION_546}>", "faa:section-546", "546")
    }
    outputs = {result.stdout for result in answers.values()}
    assert len(outputs) == 1 and "22 U.S.C. 2347e(b)" in outputs.pop()


@pytest.mark.parametrize(
    ("param", "message"),
    [
        (
            "section=5466",
            "holds no <https://w3id.org/imet-kg/id/faa/section-5466> (did you mean section=546?)",
        ),
        ("section=faa:section-5466", "(did you mean faa:section-546?)"),
        (f"section={SECTION_546}6", f"(did you mean {SECTION_546}?)"),
    ],
)
def test_an_iri_the_graph_does_not_hold_names_the_closest(memory, param, message):
    line = error_line(run("query", "section-text", "-p", param, *memory))
    assert "query section-text: parameter section: the graph holds no" in line
    assert message in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sectoin-text",), "unknown query 'sectoin-text' (did you mean section-text?)"),
        (("section-text", "-p", "secton=546"), "unknown parameter secton (did you mean section?)"),
        (("section-text", "-p", "section=546", "-p", "section=547"), "section is given twice"),
        (("funding-change", "-p", "from=\u0663"), "'\u0663' is not a valid integer"),
        (("funding-change", "-p", "from=1_000"), "'1_000' is not a valid integer"),
        (("section-as-of", "-p", "date=2021-02-30"), "day is out of range for month"),
        (("section-text", "-p", f"section={SECTION_546}\n"), "an IRI cannot hold '\\n'"),
        (("section-text", "-p", f"section={SECTION_546}\x07"), "an IRI cannot hold '\\x07'"),
    ],
)
def test_bad_names_and_values_are_one_line(args, message, caplog):
    assert message in error_line(run("query", *args))
    assert caplog.records == []  # no rdflib traceback logged before the error


def test_decimals_refuse_nan_and_infinity(tmp_path):
    path = tmp_path / "decimal.rq"
    path.write_text(
        "#+ summary: echo a decimal\n#+ params:\n#+   - {name: d, type: decimal}\n"
        "SELECT ?d WHERE { }\n"
    )
    for value in ("NaN", "Infinity", "sNaN", "-inf"):
        assert "is not a valid decimal" in error_line(run("query", str(path), "-p", f"d={value}"))


def test_the_listing_documents_short_forms():
    table = run("queries").stdout
    assert "--param section=<iri> (default " + SECTION_546[:-1] + "3; short form: section=543)" in (
        table
    )
    listing = {q["name"]: q for q in json.loads(run("queries", "--format", "json").stdout)}
    (param,) = listing["section-text"]["params"]
    assert param["short"] == "https://w3id.org/imet-kg/id/faa/section-{}"


# --- the output format follows -o ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name", "check"),
    [
        ("crosswalk", "x.csv", lambda text: csv_rows(text)[0]["faaSection"] == "541"),
        ("crosswalk", "x.tsv", lambda text: text.startswith("?faaSection\t")),
        ("crosswalk", "x.json", lambda text: len(json.loads(text)["results"]["bindings"]) == 9),
        ("crosswalk", "x.XML", lambda text: text.count("<result>") == 9),
        ("program-card", "x.ttl", lambda text: len(Graph().parse(data=text, format="turtle"))),
        ("program-card", "x.nt", lambda text: len(Graph().parse(data=text, format="nt"))),
        ("program-card", "x.jsonld", lambda text: len(Graph().parse(data=text, format="json-ld"))),
    ],
)
def test_the_format_follows_the_output_extension(memory, tmp_path, query, name, check):
    out = tmp_path / name
    assert run("query", query, "-o", str(out), *memory).exit_code == 0
    assert check(out.read_text())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("query", "crosswalk", "--format", "csv", "-o", "x.json"), "--format csv does not match"),
        (("query", "crosswalk", "-o", ""), "-o needs a file name"),
        (("export", "--format", "turtle", "-o", "x.nt"), "--format turtle does not match"),
        (("export", "-o", ""), "-o needs a file name"),
        (("chart", "--format", "svg", "-o", "x.png"), "--format svg does not match"),
        (("chart", "-o", "x.gif"), "x.gif: the file is .svg or .png (or give --format)"),
    ],
)
def test_format_and_extension_clash(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    assert message in error_line(run(*args))
    assert list(tmp_path.iterdir()) == []


def test_export_follows_the_output_extension(memory, tmp_path):
    out = tmp_path / "graph.nt"
    assert run("export", "-o", str(out), *memory).exit_code == 0
    first = out.read_text().splitlines()[0]
    assert first.startswith("<") and first.endswith(" .")  # N-Triples, not Turtle's @prefix


# --- through an endpoint --------------------------------------------------------------------------


def test_an_endpoint_checks_iris_too(oxigraph_server_factory):
    server = oxigraph_server_factory()
    data = f'<{SECTION_546}> <http://www.w3.org/2000/01/rdf-schema#label> "FAA §546" .\n'
    server.add_to_default_graph(data, "application/n-triples")
    endpoint = ("--endpoint", server.query_url)
    line = error_line(run("query", "section-text", "-p", "section=545", *endpoint))
    assert "holds no <https://w3id.org/imet-kg/id/faa/section-545> (did you mean " in line
    labels = run("query", "-q", "SELECT ?l WHERE { faa:section-546 rdfs:label ?l }", *endpoint)
    assert "FAA §546" in labels.stdout
