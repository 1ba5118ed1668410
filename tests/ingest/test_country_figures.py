"""The country-figures ingest: checked rows, bad rows with line numbers, the graph, the CLI."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, PROV, QB, RDF, RDFS

from imet_kg.cli.ingest import ingest
from imet_kg.errors import InputError
from imet_kg.ingest.countries import COUNTRY, CountryRegister
from imet_kg.ingest.country_figures import (
    CSV_SOURCE,
    DATASET,
    figures_to_add,
    graph_name,
    ingest_file,
    observation_iri,
    source_iri,
)
from imet_kg.ingest.figure_rows import COLUMNS, read_rows
from imet_kg.namespaces import GRAPH, IMET, SCHEMA

HEADER = ",".join(COLUMNS)
SOURCE = "State PM page,http://m.state.gov/md64493.htm,'Security Assistance Funding' row 'IMET'"
GOOD = [
    f'Colombia,CO,,2007,funding,actual,"1,646",USD,1000,,,verified,{SOURCE},heading FY 2007',
    f'COL,,,FY2008,funding,estimate,"1,428",USD,1000,,,,{SOURCE},',
    f"Republic of Korea,,Asia,2009,students,unspecified,12,persons,1,,,,{SOURCE},",
]


def write_csv(tmp_path: Path, lines: list[str], name: str = "figures.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def register() -> CountryRegister:
    return CountryRegister.from_data_dir()


def test_good_rows_become_observations(tmp_path, register):
    path = write_csv(tmp_path, GOOD)
    result = ingest_file(path, register)
    graph = result.graph
    assert result.name == "country-figures-figures" and not result.bad
    colombia = observation_iri(result.name, result.rows[0])
    assert (colombia, QB.dataSet, DATASET["country-funding"]) in graph
    assert graph.value(colombia, IMET.amount).toPython() == Decimal("1646000")
    assert graph.value(colombia, IMET.publishedValue) == Literal("1,646")
    assert graph.value(colombia, IMET.publishedScale).toPython() == 1000
    assert graph.value(colombia, IMET.figureKind) == IMET.Actual
    assert graph.value(colombia, IMET.verificationStatus) == IMET.Verified
    assert graph.value(colombia, PROV.wasDerivedFrom) == CSV_SOURCE["figures.csv"]
    # An alpha-3 code and "FY2008" work; verification defaults to unverified.
    estimate = observation_iri(result.name, result.rows[1])
    assert graph.value(estimate, IMET.figureKind) == IMET.BudgetEstimate
    assert graph.value(estimate, IMET.verificationStatus) == IMET.Unverified
    # The source has its address; the graph names the CSV file and the source it came from.
    source = source_iri("http://m.state.gov/md64493.htm")
    assert graph.value(source, SCHEMA.url).toPython() == "http://m.state.gov/md64493.htm"
    assert (GRAPH[result.name], PROV.wasDerivedFrom, CSV_SOURCE["figures.csv"]) in graph
    assert (GRAPH[result.name], PROV.wasDerivedFrom, source) in graph


def test_countries_reuse_the_register_and_codes_come_from_pycountry(tmp_path, register):
    graph = ingest_file(write_csv(tmp_path, GOOD), register).graph
    korea = COUNTRY["republic-of-korea"]  # the IRI data/places.ttl gives, FAA 546's country
    assert graph.value(korea, IMET.isoAlpha2) == Literal("KR")
    assert graph.value(korea, IMET.isoAlpha3) == Literal("KOR")
    assert graph.value(korea, IMET.isoNumeric) == Literal("410")
    assert graph.value(korea, RDFS.label) == Literal("Republic of Korea", lang="en")
    assert (COUNTRY["colombia"], RDF.type, IMET.Country) in graph
    region = graph.value(korea, SCHEMA.containedInPlace)
    assert graph.value(region, RDFS.label) == Literal("Asia", lang="en")


BAD_ROWS = [
    (f"Atlantis,,,2007,funding,actual,5,USD,1,,,,{SOURCE},", "unknown country 'Atlantis'"),
    (f"Peru,,,2007,funding,actual,about 5,USD,1,,,,{SOURCE},", "amount 'about 5' is not a number"),
    ("Peru,,,2007,funding,actual,5,USD,1,,,,,,table 1,", "missing source"),
    (f"Peru,,,2007,funding,actual,5,persons,1,,,,{SOURCE},", "does not fit measure funding"),
    (f"Peru,,,07,funding,actual,5,USD,1,,,,{SOURCE},", "fiscal year '07'"),
    (f"Peru,,,2007,funding,guess,5,USD,1,,,,{SOURCE},", "figure_kind 'guess'"),
    (f"Peru,,,2007,students,actual,1.5,persons,1,,,,{SOURCE},", "whole number"),
    (f"Peru,BR,,2007,funding,actual,5,USD,1,,,,{SOURCE},", "iso_code says BR"),
    ("Peru,,,2007,funding,actual,5,USD,1,,,,T,ftp://x.org/a,table 1,", "not an http(s) URL"),
]


@pytest.mark.parametrize("line, reason", BAD_ROWS, ids=[r for _, r in BAD_ROWS])
def test_bad_row_is_reported_with_its_line(tmp_path, register, line, reason):
    rows, bad = read_rows(write_csv(tmp_path, [GOOD[0], line]), register)
    assert len(rows) == 1
    assert [row.line for row in bad] == [3]
    assert reason in bad[0].reason


def test_duplicate_key_names_the_first_line(tmp_path, register):
    again = GOOD[0].replace('"1,646"', "1700")  # same country, year, measure, kind, source
    rows, bad = read_rows(write_csv(tmp_path, [GOOD[0], GOOD[1], again]), register)
    assert len(rows) == 2
    assert [(row.line, row.reason) for row in bad] == [
        (4, "duplicate key: the same figure as line 2")
    ]


def test_wrong_header_is_one_error(tmp_path, register):
    path = tmp_path / "bad.csv"
    path.write_text("country,year,amount\nPeru,2007,5\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_rows(path, register)
    message = str(caught.value)
    assert message.startswith(f"{path}:1: missing column(s) fiscal_year")
    assert "unknown column(s) year" in message and "\n" not in message


def test_nothing_is_written_when_a_row_is_bad(tmp_path):
    path = write_csv(tmp_path, [GOOD[0], BAD_ROWS[0][0], BAD_ROWS[1][0]])
    out = tmp_path / "out.ttl"
    result = CliRunner().invoke(ingest, ["country-figures", str(path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    lines = result.stderr.splitlines()
    assert f"imet-kg: bad row: {path}:3: unknown country 'Atlantis'" in lines[0]
    assert lines[1].startswith(f"imet-kg: bad row: {path}:4: amount 'about 5'")
    assert (
        lines[-1]
        == f"imet-kg: error: {path}: 2 bad row(s); nothing written (--skip-bad leaves them out)"
    )


def test_skip_bad_lists_and_leaves_out_bad_rows(tmp_path):
    path = write_csv(tmp_path, [GOOD[0], BAD_ROWS[0][0], GOOD[1]])
    out = tmp_path / "out.ttl"
    result = CliRunner().invoke(
        ingest, ["country-figures", str(path), "-o", str(out), "--skip-bad"]
    )
    assert result.exit_code == 0, result.output
    assert f"imet-kg: skipped bad row: {path}:3: unknown country 'Atlantis'" in result.stderr
    graph = Graph().parse(out, format="turtle")
    assert len(set(graph.subjects(RDF.type, QB.Observation))) == 2
    assert (GRAPH["country-figures-figures"], DCTERMS.title, None) in graph


def test_an_existing_output_survives_a_failed_run(tmp_path):
    out = tmp_path / "out.ttl"
    out.write_text("# earlier output\n", encoding="utf-8")
    path = write_csv(tmp_path, [BAD_ROWS[0][0]])
    result = CliRunner().invoke(
        ingest, ["country-figures", str(path), "-o", str(out), "--skip-bad"]
    )
    assert result.exit_code == 2
    assert "no valid rows" in result.stderr
    assert out.read_text(encoding="utf-8") == "# earlier output\n"


def test_output_to_stdout_is_byte_stable(tmp_path):
    path = write_csv(tmp_path, GOOD)
    runs = [CliRunner().invoke(ingest, ["country-figures", str(path)]) for _ in range(2)]
    assert all(run.exit_code == 0 for run in runs)
    assert runs[0].stdout_bytes == runs[1].stdout_bytes
    assert b"country-funding" in runs[0].stdout_bytes


def test_missing_file_is_one_line_error(tmp_path):
    result = CliRunner().invoke(ingest, ["country-figures", str(tmp_path / "none.csv")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "cannot read the CSV file" in result.stderr


def test_a_table_loaded_again_gives_its_triples_and_an_edited_one_its_own(tmp_path, register):
    # The triples of a shipped table are kept for the next load in the process (the build loads
    # the data twice): the same rows give the same triples, other rows under the same file name
    # their own.
    def amounts(folder: str, amount: str) -> set:
        (tmp_path / folder).mkdir()
        row = f"Colombia,CO,,2007,funding,actual,{amount},USD,1,,,,{SOURCE},"
        added = figures_to_add(write_csv(tmp_path / folder, [row]), register, lambda t: False)
        return {str(o) for _, p, o in added if p == IMET.amount}

    first = amounts("a", "1646")
    assert first == {"1646.0"}
    assert amounts("b", "1646") == first
    assert amounts("c", "1646.50") == {"1646.5"}


def test_graph_name_keeps_a_prefixed_stem():
    assert graph_name(Path("data/country-figures/cip.csv")) == "country-figures-cip"
    assert graph_name(Path("country-figures-2026.csv")) == "country-figures-2026"


def test_the_command_line_wires_the_command(tmp_path):
    from imet_kg.cli import cli

    path = write_csv(tmp_path, GOOD)
    result = CliRunner().invoke(cli, ["ingest", "country-figures", str(path)])
    assert result.exit_code == 0, result.output
    assert b"country-figures-figures" in result.stdout_bytes
