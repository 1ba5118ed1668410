"""Command-line traps of issue 12: tables that fit the terminal (and only there), which data is
loaded, validate FILE with the shipped graph, serve on a busy port, bare ``imet-kg``, progress on a
terminal and quiet in pipes."""

from __future__ import annotations

import json
import shutil
import socket
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from imet_kg import cli as cli_package
from imet_kg.cli import cli, support
from imet_kg.kg import bundle as bundle_module
from imet_kg.kg.bundle import data_notice, data_origin
from imet_kg.paths import DATA_DIR


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout and stderr are terminals 100 columns wide (CliRunner's streams are not)."""
    monkeypatch.setattr(support, "is_terminal", lambda stream: True)
    monkeypatch.setenv("COLUMNS", "100")


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


# --- tables --------------------------------------------------------------------------------------


def test_query_table_on_a_terminal_fits_it_and_keeps_the_iris_end(runner, terminal):
    result = invoke(runner, "query", "crosswalk")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 100 for line in lines), result.stdout
    assert "…" in result.stdout and lines[2].endswith("…ection-541")
    assert "https://w3id.org" not in result.stdout


def test_query_table_full_or_piped_is_never_cut(runner, terminal, monkeypatch):
    full = invoke(runner, "query", "crosswalk", "--full").stdout
    assert "…" not in full and "id:faa/section-541" in full
    assert "Prohibition on grant assistance for certain high income foreign countries" in full
    monkeypatch.setattr(support, "is_terminal", lambda stream: False)
    assert invoke(runner, "query", "crosswalk").stdout == full


def test_query_table_groups_numbers_while_csv_keeps_the_lexical_form(runner):
    table = invoke(runner, "query", "funding-by-fiscal-year").stdout
    assert "27,000,000" in table and "27000000.0" not in table
    assert (
        "27000000.0" in invoke(runner, "query", "funding-by-fiscal-year", "--format", "csv").stdout
    )


# --- which data ----------------------------------------------------------------------------------


def test_commands_name_the_data_folder_they_load(runner, terminal, tmp_path, monkeypatch):
    shipped = invoke(runner, "query", "purposes")
    # "(checkout)" in an editable install, "(bundled); ./data is not used ..." in a plain one.
    assert data_notice(DATA_DIR, data_origin(None)) in shipped.stderr.splitlines()
    assert f"imet-kg: data: {DATA_DIR} (" in shipped.stderr
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    chosen = invoke(runner, "query", "purposes", "--store", "memory", "--data", str(data))
    assert f"imet-kg: data: {data} (--data)" in chosen.stderr.splitlines()
    assert chosen.stdout == shipped.stdout
    monkeypatch.setattr(support, "is_terminal", lambda stream: False)
    piped = invoke(runner, "query", "purposes").stderr
    # Quiet in pipes, but for the warning of a plain install run in a checkout.
    assert ("imet-kg: data:" in piped) is (not data_notice(DATA_DIR, data_origin(None)).routine)


def test_an_installed_package_says_a_checkouts_data_is_not_used(monkeypatch, tmp_path):
    monkeypatch.setattr(bundle_module, "RESOURCE_ROOT", tmp_path / "site" / "imet_kg" / "_bundled")
    assert data_origin(None) == "bundled" and data_origin(tmp_path) == "--data"
    checkout = tmp_path / "checkout"
    (checkout / "data").mkdir(parents=True)
    line = data_notice(DATA_DIR, "bundled", cwd=checkout)
    assert line.startswith(f"imet-kg: data: {DATA_DIR} (bundled); ./data is not used")
    assert "--data data" in line and not line.routine
    plain = data_notice(DATA_DIR, "bundled", cwd=tmp_path)
    assert plain == f"imet-kg: data: {DATA_DIR} (bundled)" and plain.routine


def test_a_data_warning_is_shown_in_pipes_too(monkeypatch, tmp_path, capsys):
    (tmp_path / "data").mkdir()
    monkeypatch.setattr(support, "is_terminal", lambda stream: False)
    support.notice(data_notice(DATA_DIR, "bundled", cwd=tmp_path))
    assert "./data is not used" in capsys.readouterr().err
    support.notice(data_notice(DATA_DIR, "checkout", cwd=tmp_path))
    assert capsys.readouterr().err == ""


def test_validate_data_checks_the_given_folder(runner, terminal, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    funding = data / "funding.ttl"
    funding.write_text(
        funding.read_text().replace('"108000000.0"^^xsd:decimal', '"-1.0"^^xsd:decimal')
    )
    result = invoke(runner, "validate", "--data", str(data))
    assert result.exit_code == 1 and "imetsh:S22-amount" in result.stdout
    assert f"imet-kg: data: {data} (--data)" in result.stderr


def test_validate_checks_the_graph_in_its_store_not_an_rdflib_copy(runner, tmp_path, monkeypatch):
    # A copy of a million triples in rdflib took 2 GB; the persistent store is validated instead.
    def no_copy(self):
        raise AssertionError("validate made an rdflib copy of the graph")

    monkeypatch.setattr(bundle_module.Bundle, "dataset", property(no_copy))
    assert invoke(runner, "validate").stdout.startswith("Conforms: 0 violation(s)")
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    funding = data / "funding.ttl"
    funding.write_text(
        funding.read_text().replace('"108000000.0"^^xsd:decimal', '"-1.0"^^xsd:decimal')
    )
    result = invoke(runner, "validate", "--data", str(data), "--format", "json")
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["issues"]
    assert {issue["shape"] for issue in issues} == {"imetsh:S22-amount"}
    assert [issue["value"] for issue in issues] == ['"-1.0"^^xsd:decimal']


CLAIM = """@prefix imet: <https://w3id.org/imet-kg/def/> .
@prefix src: <https://w3id.org/imet-kg/id/source/> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://example.org/claim> a imet:Claim ; schema:text "IMET trains officers." ;
    dcterms:source src:sourcewatch-imet ; imet:about <https://w3id.org/imet-kg/id/program/imet> ;
    imet:verificationStatus imet:Unverified .
"""


def test_validate_file_sees_the_shipped_sources_unless_alone(runner, terminal, tmp_path):
    claim = tmp_path / "claim.ttl"
    claim.write_text(CLAIM)
    with_shipped = invoke(runner, "validate", str(claim))
    assert with_shipped.exit_code == 0, with_shipped.stdout
    assert "imet-kg: data: " in with_shipped.stderr
    alone = invoke(runner, "validate", str(claim), "--alone")
    assert alone.exit_code == 1 and "imetsh:S35-claim-source" in alone.stdout
    assert "imet-kg: data: " not in alone.stderr  # the data was not loaded


def test_validate_file_replaces_its_shipped_namesake(runner, tmp_path):
    edited = tmp_path / "funding.ttl"
    edited.write_text(
        (DATA_DIR / "funding.ttl")
        .read_text()
        .replace('"108000000.0"^^xsd:decimal', '"-1.0"^^xsd:decimal')
    )
    result = invoke(runner, "validate", str(edited))
    assert result.exit_code == 1
    # Only the edit is reported: the shipped funding.ttl is not loaded beside its copy.
    assert result.stdout.count("imetsh:S22-amount") == 1, result.stdout


def test_validate_alone_needs_files(runner):
    result = runner.invoke(cli_package.cli, ["validate", "--alone"])
    assert result.exit_code == 2 and "--alone needs FILES" in result.output


# --- serve, bare imet-kg --------------------------------------------------------------------------


def test_serve_on_a_busy_port_fails_before_serving(runner):
    pytest.importorskip("uvicorn")
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = invoke(runner, "serve", "--port", str(port))
    assert result.exit_code == 2
    assert "serving" not in result.stderr and "imet-kg: data:" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"imet-kg: error: cannot listen on 127.0.0.1:{port}"
    )


def test_bare_imet_kg_prints_the_help_and_exits_0(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["imet-kg"])
    with pytest.raises(SystemExit) as exit_info:
        cli_package.main()
    assert exit_info.value.code == 0
    out = capsys.readouterr()
    assert out.out.startswith("Usage: imet-kg") and "validate" in out.out and out.err == ""


# --- progress ------------------------------------------------------------------------------------


def _broken_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "places.ttl").write_text("@prefix ex: <https://example.org/> .\n\nex:a ex:b .\n")
    return data


@pytest.mark.parametrize("on_terminal", [True, False])
def test_build_progress_on_a_terminal_only(runner, tmp_path, monkeypatch, on_terminal):
    # A build that stops at loading: its first step is shown (or not) all the same, quickly.
    monkeypatch.setattr(support, "is_terminal", lambda stream: on_terminal)
    args = ["build", "--out", str(tmp_path / "out"), "--data", str(_broken_data(tmp_path))]
    result = invoke(runner, *args)
    assert result.exit_code == 2
    shown = "] loading ontology and data from" in result.stderr
    assert shown is on_terminal, result.stderr


def test_export_takes_a_data_folder(runner, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "extra.ttl").write_text(
        "<https://w3id.org/imet-kg/id/extra> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"an added resource" .\n'
    )
    for store in ("oxigraph", "memory"):
        chosen = invoke(runner, "export", "--format", "nt", "--store", store, "--data", str(data))
        assert chosen.exit_code == 0, chosen.output
        assert '"an added resource"' in chosen.stdout
    shipped = invoke(runner, "export", "--format", "nt")
    assert '"an added resource"' not in shipped.stdout
