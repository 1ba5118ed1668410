"""Long commands (push, links check, ingest) show their steps on a terminal and say nothing of them
in a pipe; each also names the data folder it reads. A closed port on 127.0.0.1 stands for a store
that fails: the first step is shown before the failure, and no server is needed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from imet_kg.cli import cli, support
from imet_kg.kg.bundle import Bundle, data_notice, data_origin
from imet_kg.paths import DATA_DIR

from conftest import free_port

FIGURES = DATA_DIR / "country-figures" / "cbj.csv"


@pytest.fixture(params=[True, False], ids=["terminal", "pipe"])
def on_terminal(request, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setattr(support, "is_terminal", lambda stream: request.param)
    return request.param


@pytest.fixture
def session_graph(monkeypatch: pytest.MonkeyPatch, graph) -> None:
    """The commands get the session's graph rather than loading the data again."""
    monkeypatch.setattr(Bundle, "dataset", property(lambda self: graph))


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_push_progress(on_terminal, session_graph):
    closed = f"http://127.0.0.1:{free_port()}/store"
    result = run("push", "--gsp", closed, "--timeout", "5")
    assert result.exit_code == 2
    assert ("] graph 1/" in result.stderr) is on_terminal, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("imet-kg: error: ")


def test_links_check_progress(on_terminal, session_graph):
    closed = f"http://127.0.0.1:{free_port()}/sparql"
    result = run("links", "check", "--endpoint", closed, "--timeout", "5")
    assert result.exit_code == 2
    assert ("] asking for items 1-" in result.stderr) is on_terminal, result.stderr


def test_ingest_country_figures_progress_and_data_line(on_terminal, tmp_path):
    out = tmp_path / "figures.ttl"
    result = run("ingest", "country-figures", str(FIGURES), "-o", str(out))
    assert result.exit_code == 0 and out.stat().st_size > 0
    notice = data_notice(DATA_DIR, data_origin(None))  # a warning in a plain install's checkout
    assert (notice in result.stderr.splitlines()) is (on_terminal or not notice.routine)
    assert ("] reading " in result.stderr) is on_terminal, result.stderr
    assert ("writing Turtle ..." in result.stderr) is on_terminal


def test_progress_lines_carry_the_time_so_far(monkeypatch, capsys):
    monkeypatch.setattr(support, "is_terminal", lambda stream: stream == "stderr")
    support.progress_reporter()("validating ...")
    assert capsys.readouterr().err.startswith("imet-kg: [  0.0s] validating ...")
    support.progress_reporter()("imet-kg: no store yet: built it")
    assert capsys.readouterr().err.startswith("imet-kg: [  0.0s] no store yet")
    monkeypatch.setattr(support, "is_terminal", lambda stream: False)
    support.progress_reporter()("validating ...")
    assert capsys.readouterr().err == ""


TRAINING = (
    "fiscal_year,country,program,course_title,institution,location,students,source_title,"
    "source_address\n"
    '2019,Ghana,IMET,Infantry Officer Basic,Maneuver Center,"Fort Benning, GA",2,'
    "FMTR FY2019-2020 (test copy),https://example.org/fmtr-2019.pdf\n"
)


def test_ingest_training_progress_and_data_line(on_terminal, tmp_path):
    table = tmp_path / "fmtr-2019.csv"
    table.write_text(TRAINING, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()  # no countries.ttl: Ghana is minted from its ISO record, as documented
    result = run("ingest", "training", str(table), "--data", str(data))
    assert result.exit_code == 0, result.stderr
    assert "Infantry Officer Basic" in result.stdout
    assert (f"imet-kg: data: {data} (--data)" in result.stderr.splitlines()) is on_terminal
    assert ("] reading " in result.stderr) is on_terminal, result.stderr


def test_site_progress(on_terminal, session_graph, tmp_path, monkeypatch):
    import imet_kg.publish.site as site_module

    def one_step_site(out, dataset, queries, context=None, progress=None, shapes=None, force=False):
        progress("writing pages ...")
        return site_module.SiteSummary(out=out, resources=1, files=1)

    monkeypatch.setattr(site_module, "build_site", one_step_site)
    result = run("site", "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    assert ("] writing pages ..." in result.stderr) is on_terminal, result.stderr
