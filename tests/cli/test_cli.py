"""The imet-kg command line: exit codes, one-line errors, parseable output, no partial files."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from imet_kg.cli import cli
from imet_kg.kg.bundle import data_notice, data_origin
from imet_kg.kg.graph import union_graph
from imet_kg.paths import DATA_DIR

from conftest import ROOT


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def last_error_line(result) -> str:
    """The error: one line, the last on stderr (progress lines may come before it)."""
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("imet-kg: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    return errors[0]


# --- build ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    result = CliRunner().invoke(cli, ["build", "--out", str(out)], catch_exceptions=False)
    return out, result


def test_build_writes_the_release(release, graph):
    out, result = release
    assert result.exit_code == 0, result.output
    assert "graph conforms" in result.stdout
    assert "triples" in result.stdout and "saved queries" in result.stdout
    # Not a terminal: no progress, and no routine data line. A plain install run in a checkout
    # (as CI does) warns that ./data is not used, pipe or not.
    assert "validating" not in result.stderr
    warns = not data_notice(DATA_DIR, data_origin(None)).routine
    assert ("imet-kg: data: " in result.stderr) is warns, result.stderr
    for name in (
        "imet-kg.ttl",
        "imet-kg.jsonld",
        "imet-kg.nt",
        "imet-kg.trig",
        "validation-report.ttl",
    ):
        assert (out / name).stat().st_size > 0, name
    assert isomorphic(Graph().parse(out / "imet-kg.ttl"), union_graph(graph))
    trig = Dataset()
    trig.parse(out / "imet-kg.trig", format="trig")
    assert len(list(trig.graphs())) > 10
    purposes = list(csv.DictReader(io.StringIO((out / "results" / "purposes.csv").read_text())))
    assert [row["notation"] for row in purposes] == ["543(1)", "543(2)", "543(3)"]
    assert (out / "results" / "program-card.ttl").exists()
    assert not list(out.rglob("*.tmp*")) and not list(out.rglob(".*"))


@pytest.mark.slow
def test_build_is_byte_stable(release, runner, tmp_path):
    out, _ = release
    assert invoke(runner, "build", "--out", str(tmp_path)).exit_code == 0
    for name in ("imet-kg.ttl", "imet-kg.nt", "results/funding-by-fiscal-year.csv"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_build_with_violations_writes_only_the_report(runner, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    funding = data / "funding.ttl"
    funding.write_text(
        funding.read_text().replace('"108000000.0"^^xsd:decimal', '"-1.0"^^xsd:decimal')
    )
    out = tmp_path / "out"
    result = invoke(runner, "build", "--out", str(out), "--data", str(data))
    assert result.exit_code == 1
    assert "DOES NOT CONFORM" in result.stdout
    assert (out / "validation-report.txt").exists()
    assert "imetsh:S22-amount" in (out / "validation-report.txt").read_text()
    assert not (out / "imet-kg.ttl").exists()


def test_build_with_malformed_turtle_names_file_and_line(runner, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "places.ttl").write_text("@prefix ex: <https://example.org/> .\n\nex:a ex:b .\n")
    out = tmp_path / "out"
    result = invoke(runner, "build", "--out", str(out), "--data", str(data))
    assert result.exit_code == 2
    line = last_error_line(result)
    assert line.startswith("imet-kg: error: ") and "places.ttl:3" in line
    assert not out.exists() or not any(out.iterdir())


# --- validate -----------------------------------------------------------------------------------


def test_validate_shipped_graph(runner):
    result = invoke(runner, "validate")
    assert result.exit_code == 0
    assert result.stdout.startswith("Conforms: 0 violation(s)")


INVALID = """@prefix imet: <https://w3id.org/imet-kg/def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
ex:duty a imet:StatutoryDuty ; rdfs:label "A duty with no holder"@en ;
    imet:dueMonthDay "March 1" .
"""


def test_validate_file_with_violations(runner, tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text(INVALID)
    result = invoke(runner, "validate", str(path))
    assert result.exit_code == 1
    text = result.stdout
    assert "Does not conform" in text
    assert "Violation: A statutory duty names exactly one office that holds it." in text
    assert "focus node: <https://example.org/duty>" in text and '"A duty with no holder"' in text
    assert "path:       imet:dutyHolder" in text
    assert "shape:      imetsh:S40-duty-holder" in text
    assert "bad" in text  # the named graph of the file it came from


def test_validate_formats(runner, tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text(INVALID)
    as_json = json.loads(invoke(runner, "validate", str(path), "--format", "json").stdout)
    assert as_json["conforms"] is False
    assert {"severity", "focus_node", "path", "message", "shape"} <= set(as_json["issues"][0])
    report = Graph().parse(data=invoke(runner, "validate", str(path), "--format", "turtle").stdout)
    assert len(report) > 5


def test_validate_malformed_and_missing_and_remote_context(runner, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b .\n")
    result = invoke(runner, "validate", str(bad))
    assert result.exit_code == 2 and "broken.ttl:2" in last_error_line(result)
    result = invoke(runner, "validate", str(tmp_path / "missing.ttl"))
    assert result.exit_code == 2 and "missing.ttl" in last_error_line(result)
    remote = tmp_path / "remote.jsonld"
    remote.write_text(
        '{"@context": "https://example.org/context.jsonld", "@id": "https://example.org/a"}'
    )
    result = invoke(runner, "validate", str(remote))
    assert result.exit_code == 2 and "refused" in last_error_line(result)
    unknown = tmp_path / "data.xyz"
    unknown.write_text("x")
    assert invoke(runner, "validate", str(unknown)).exit_code == 2


# --- query and queries --------------------------------------------------------------------------


def test_query_formats(runner):
    table = invoke(runner, "query", "crosswalk")
    assert table.exit_code == 0 and "(9 rows)" in table.stdout
    as_csv = list(
        csv.DictReader(io.StringIO(invoke(runner, "query", "crosswalk", "--format", "csv").stdout))
    )
    assert len(as_csv) == 9 and as_csv[0]["faaSection"] == "541"
    tsv = invoke(runner, "query", "crosswalk", "--format", "tsv").stdout.splitlines()
    assert tsv[0].startswith("?faaSection\t") and len(tsv) == 10
    as_json = json.loads(invoke(runner, "query", "crosswalk", "--format", "json").stdout)
    assert len(as_json["results"]["bindings"]) == 9 and "faaSection" in as_json["head"]["vars"]
    xml = invoke(runner, "query", "crosswalk", "--format", "xml").stdout
    assert "sparql-results" in xml and xml.count("<result>") == 9
    ask = json.loads(invoke(runner, "query", "all-sections-codified", "--format", "json").stdout)
    assert ask["boolean"] is True
    card = invoke(runner, "query", "program-card", "--format", "turtle")
    assert len(Graph().parse(data=card.stdout, format="turtle")) > 10
    jsonld = invoke(runner, "query", "program-card", "--format", "json-ld")
    assert len(Graph().parse(data=jsonld.stdout, format="json-ld")) > 10


def test_query_params_and_file(runner, tmp_path):
    result = invoke(
        runner,
        "query",
        "section-text",
        "--param",
        "section=https://w3id.org/imet-kg/id/faa/section-546",
        "--format",
        "csv",
    )
    assert result.exit_code == 0 and "22 U.S.C. 2347e(b)" in result.stdout
    own = tmp_path / "mine.rq"
    own.write_text(
        "#+ summary: Count the sections of the chapter\n"
        "PREFIX imet: <https://w3id.org/imet-kg/def/>\n"
        "SELECT (COUNT(?s) AS ?n) WHERE { ?s a imet:Section } ORDER BY ?n\n"
    )
    result = invoke(runner, "query", str(own), "--format", "csv")
    assert result.stdout.splitlines() == ["n", "9"]
    out = tmp_path / "out.csv"
    assert invoke(runner, "query", "purposes", "--format", "csv", "-o", str(out)).exit_code == 0
    assert out.read_text().startswith("notation,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "nope"], "unknown query 'nope'"),
        (["query", "funding-change", "--param", "from=two"], "not a valid integer"),
        (["query", "funding-change", "--param", "colour=red"], "unknown parameter colour"),
        (["query", "purposes", "--param", "program"], "is not NAME=VALUE"),
        (["query", "crosswalk", "--format", "turtle"], "returns a table"),
        (["query", "program-card", "--format", "csv"], "returns a graph"),
    ],
)
def test_query_errors(runner, args, message):
    result = invoke(runner, *args)
    assert result.exit_code == 2
    line = last_error_line(result)
    assert line.startswith("imet-kg: error: ") and message in line


def test_query_error_leaves_no_output_file(runner, tmp_path):
    out = tmp_path / "kept.csv"
    out.write_text("previous result\n")
    assert invoke(runner, "query", "nope", "-o", str(out)).exit_code == 2
    assert out.read_text() == "previous result\n"


def test_queries_listing(runner):
    listing = json.loads(invoke(runner, "queries", "--format", "json").stdout)
    names = [q["name"] for q in listing]
    assert names == sorted(names) and len(names) >= 12
    change = next(q for q in listing if q["name"] == "funding-change")
    assert change["params"][0] == {"name": "from", "type": "integer", "default": "2000"}
    table = invoke(runner, "queries").stdout
    assert "--param section=<iri>" in table


# --- export ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "parser"), [("turtle", "turtle"), ("nt", "nt"), ("json-ld", "json-ld"), ("xml", "xml")]
)
def test_export_triple_formats(runner, graph, fmt, parser):
    result = invoke(runner, "export", "--format", fmt)
    assert result.exit_code == 0
    assert isomorphic(Graph().parse(data=result.stdout_bytes, format=parser), union_graph(graph))


@pytest.mark.parametrize(("fmt", "parser"), [("trig", "trig"), ("nquads", "nquads")])
def test_export_dataset_formats(runner, graph, tmp_path, fmt, parser):
    out = tmp_path / f"graph.{fmt}"
    assert invoke(runner, "export", "--format", fmt, "-o", str(out)).exit_code == 0
    exported = Dataset()
    exported.parse(out, format=parser)
    for named in graph.graphs():
        if named.identifier == graph.default_graph.identifier:
            continue
        assert isomorphic(exported.graph(named.identifier), named), named.identifier


def test_export_jsonld_uses_the_local_context(runner):
    document = json.loads(invoke(runner, "export", "--format", "json-ld").stdout)
    context = document["@context"]
    assert isinstance(context, dict)  # inline: nothing for a reader to fetch
    assert "@import" not in context
    assert context["imet"] == "https://w3id.org/imet-kg/def/"
    assert "label" in context  # the readable short terms of ontology/context.jsonld


def test_export_bad_format(runner):
    result = runner.invoke(cli, ["export", "--format", "pdf"])
    assert result.exit_code == 2


# --- the installed entry points -------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "imet_kg", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_python_dash_m_and_usage_errors_are_one_line():
    assert run_cli("--version").stdout.startswith("imet-kg, version ")
    help_text = run_cli("--help").stdout
    for command in ("build", "validate", "query", "queries", "export"):
        assert command in help_text
    for args, message in [
        (("query",), "Missing argument"),
        (("query", "purposes", "--bogus"), "No such option"),
        (("frobnicate",), "No such command"),
    ]:
        completed = run_cli(*args)
        assert completed.returncode == 2
        lines = completed.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("imet-kg: error: ") and message in lines[0]


def test_a_closed_pipe_ends_quietly_with_the_sigpipe_status():
    # `imet-kg export | head`: the reader is gone before the first write.
    process = subprocess.Popen(
        [sys.executable, "-m", "imet_kg", "queries"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""
