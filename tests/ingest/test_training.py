"""The training-table ingest: columns, bad rows with line numbers, the graph, PROV, the CLI."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from training_support import validate_with_ontology

from imet_kg.cli.generate import training
from imet_kg.errors import InputError
from imet_kg.ingest.country_figures import CSV_SOURCE, source_iri
from imet_kg.ingest.training import BadRowsError, graph_name, ingest_training
from imet_kg.ingest.training_rows import COLUMNS, COURSE, INSTITUTION, PROGRAM
from imet_kg.namespaces import GRAPH, IMET, SCHEMA

HEADER = (
    "fiscal_year,country,program,course_title,course_id,topic,institution,location,students,"
    "cost,source_title,source_address,page_or_table"
)
FMTR = "FMTR FY2019-2020 (test copy),https://example.org/fmtr-2019.pdf"
GOOD = [
    f'2019,Ghana,IMET,Infantry Officer Basic,B171013,Infantry,Maneuver Center,"Fort Benning, GA",'
    f'2,"$45,210.00",{FMTR},p. IV-23',
    f"FY2019,GH,E-IMET,Civil-Military Relations,D309012,,Center for Civil-Military Relations,"
    f'"Monterey, CA","1,200",,{FMTR},',
    f"2019,Kenya,Expanded IMET,Logistics Officer,,Logistics,Army Logistics University,"
    f'"Fort Lee, VA",1,0,{FMTR},table 3',
]


def _table(tmp_path: Path, rows: list[str], header: str = HEADER, name: str = "fmtr-2019") -> Path:
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _records(graph: Graph) -> list:
    return sorted(graph.subjects(RDF.type, IMET.TrainingRecord))


def test_columns_are_the_documented_ones():
    assert set(HEADER.split(",")) <= set(COLUMNS)
    assert set(COLUMNS) - set(HEADER.split(",")) == {"verification"}


def test_a_good_table_becomes_records_in_its_own_graph(tmp_path):
    path = _table(tmp_path, GOOD)
    result = ingest_training(path)
    graph = result.graph
    assert result.name == "training-fmtr-2019" == graph_name(path)
    assert len(_records(graph)) == 3 and not result.bad
    by_students = {int(graph.value(r, IMET.studentCount)): r for r in _records(graph)}
    assert set(by_students) == {1, 2, 1200}
    first = by_students[2]
    assert graph.value(first, IMET.amount) == Literal(Decimal("45210.00"))
    assert graph.value(first, SCHEMA.currency) == Literal("USD")
    assert graph.value(first, IMET.fiscalYear).endswith("/fiscal-year/2019")
    assert graph.value(first, IMET.program) == PROGRAM["imet"]
    assert graph.value(first, IMET.course) == COURSE["b171013"]
    assert graph.value(first, IMET.trainingInstitution) == INSTITUTION["maneuver-center"]
    assert graph.value(first, SCHEMA.location) == Literal("Fort Benning, GA")
    assert graph.value(first, IMET.sourcePage) == Literal("p. IV-23")
    assert graph.value(first, IMET.verificationStatus) == IMET.Unverified
    assert graph.value(COURSE["b171013"], DCTERMS.subject) == Literal("Infantry")
    assert graph.value(COURSE["b171013"], RDFS.label) == Literal(
        "Infantry Officer Basic", lang="en"
    )
    # A blank cost is "not given": no amount at all, unlike the explicit 0 of the third line.
    assert graph.value(by_students[1200], IMET.amount) is None
    assert graph.value(by_students[1200], IMET.program) == PROGRAM["expanded-imet"]
    assert graph.value(by_students[1], IMET.amount).toPython() == Decimal(0)


def test_the_csv_file_and_the_report_are_the_sources(tmp_path):
    path = _table(tmp_path, GOOD)
    graph = ingest_training(path).graph
    csv_node = CSV_SOURCE["fmtr-2019.csv"]
    report = source_iri("https://example.org/fmtr-2019.pdf")
    named = GRAPH["training-fmtr-2019"]
    assert set(graph.objects(named, PROV.wasDerivedFrom)) == {csv_node, report}
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    assert graph.value(csv_node, DCTERMS.identifier) == Literal(f"sha256:{checksum}")
    assert graph.value(report, RDF.type) == IMET.SourceDocument
    assert graph.value(report, IMET.verificationStatus) == IMET.Unverified
    for record in _records(graph):
        assert graph.value(record, DCTERMS.source) == report
        assert graph.value(record, PROV.wasDerivedFrom) == csv_node


def test_the_output_conforms_to_the_shapes(tmp_path):
    result = validate_with_ontology(ingest_training(_table(tmp_path, GOOD)).graph)
    assert result.conforms, result.text
    assert not result.issues, result.text


def test_record_iris_do_not_depend_on_the_row_order(tmp_path):
    one = ingest_training(_table(tmp_path, GOOD, name="a")).graph
    other = ingest_training(_table(tmp_path, list(reversed(GOOD)), name="a")).graph
    assert _records(one) == _records(other)


BAD = [
    ("2019,Atlantis,IMET,X,,,School,Somewhere,1,,{fmtr},", "country 'Atlantis'"),
    ("1850,Ghana,IMET,X,,,School,Somewhere,1,,{fmtr},", "fiscal_year '1850'"),
    ("2019,Ghana,FMS,X,,,School,Somewhere,1,,{fmtr},", "program 'FMS'"),
    ("2019,Ghana,IMET,X,,,School,Somewhere,-2,,{fmtr},", "students '-2'"),
    ("2019,Ghana,IMET,X,,,School,Somewhere,two,,{fmtr},", "students 'two'"),
    ("2019,Ghana,IMET,X,,,School,Somewhere,1,12 USD,{fmtr},", "cost '12 USD'"),
    ("2019,Ghana,IMET,,,,School,Somewhere,1,,{fmtr},", "course_title is empty"),
    ("2019,Ghana,IMET,X,,,School,,1,,{fmtr},", "location is empty"),
    ("2019,Ghana,IMET,X,,,School,Somewhere,1,,FMTR,ftp://example.org/x,", "source_address"),
    ("2019,Ghana,IMET,X,,,School,Somewhere,1,,{fmtr},,extra", "more cells than the header"),
]


@pytest.mark.parametrize("row, reason", BAD, ids=[reason for _, reason in BAD])
def test_a_bad_row_is_named_with_its_line(tmp_path, row, reason):
    path = _table(tmp_path, [GOOD[0], row.format(fmtr=FMTR)])
    with pytest.raises(BadRowsError) as caught:
        ingest_training(path)
    (bad,) = caught.value.bad
    assert bad.line == 3 and reason in bad.reason, bad.reason
    assert str(caught.value).startswith(f"{path}:3: ")


def test_the_same_line_twice_and_a_source_with_two_titles_are_bad(tmp_path):
    retitled = GOOD[2].replace("FMTR FY2019-2020 (test copy)", "Another title")
    path = _table(tmp_path, [GOOD[0], GOOD[1], GOOD[0], retitled])
    with pytest.raises(BadRowsError) as caught:
        ingest_training(path)
    reasons = {bad.line: bad.reason for bad in caught.value.bad}
    assert set(reasons) == {4, 5}
    assert "the same line as line 2" in reasons[4]
    assert "has another title on line 2" in reasons[5]


@pytest.mark.parametrize(
    "header, message",
    [
        (HEADER.replace(",students", ""), "missing column(s) students"),
        (HEADER + ",studnets", "unknown column(s) studnets"),
        ("", "the file is empty"),
    ],
)
def test_a_wrong_header_is_one_error(tmp_path, header, message):
    path = _table(tmp_path, [] if not header else GOOD[:1], header=header)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ingest_training(path)


# --- the command ---------------------------------------------------------------------------------


def test_cli_writes_nothing_when_a_row_is_bad(tmp_path):
    path = _table(tmp_path, [GOOD[0], BAD[0][0].format(fmtr=FMTR), BAD[3][0].format(fmtr=FMTR)])
    out = tmp_path / "out.ttl"
    out.write_text("# the previous output\n")
    result = CliRunner().invoke(training, [str(path), "-o", str(out)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[0] == f"imet-kg: bad row: {path}:3: country 'Atlantis' is not an ISO 3166-1 " + (
        "country name or code"
    )
    assert lines[1].startswith(f"imet-kg: bad row: {path}:4: students '-2'")
    assert lines[-1] == (
        f"imet-kg: error: {path}: 2 bad row(s): nothing written (--skip-bad leaves them out)"
    )
    assert out.read_text() == "# the previous output\n"


def test_cli_skip_bad_lists_and_leaves_out_the_bad_rows(tmp_path):
    path = _table(tmp_path, [GOOD[0], BAD[0][0].format(fmtr=FMTR), GOOD[2]])
    out = tmp_path / "out.nq"
    result = CliRunner().invoke(training, [str(path), "-o", str(out), "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert f"imet-kg: skipped bad row: {path}:3: country 'Atlantis'" in result.output
    assert "2 training record(s) in graph id/graph/training-fmtr-2019" in result.output
    dataset = Dataset()
    dataset.parse(out, format="nquads")
    named = dataset.graph(GRAPH["training-fmtr-2019"])
    assert len(_records(named)) == 2
    assert len(named) == len(list(dataset.quads((None, None, None, None))))


def test_cli_writes_turtle_to_stdout_by_default(tmp_path):
    result = CliRunner().invoke(training, [str(_table(tmp_path, GOOD))])
    assert result.exit_code == 0, result.output
    assert "imet:TrainingRecord" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.csv"], "missing.csv: no such file"),
        (["{table}", "-o", "{tmp}/out.json"], "unknown output extension"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    table = _table(tmp_path, GOOD)
    argv = [a.format(table=table, tmp=tmp_path) for a in args]
    result = CliRunner().invoke(training, argv)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.output
    assert not (tmp_path / "out.json").exists()


def test_cli_skip_bad_with_no_good_row_writes_nothing(tmp_path):
    path = _table(tmp_path, [BAD[0][0].format(fmtr=FMTR)])
    out = tmp_path / "out.ttl"
    result = CliRunner().invoke(training, [str(path), "-o", str(out), "--skip-bad"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"imet-kg: error: {path}: no valid rows: nothing to write"
    )
    assert not out.exists()
