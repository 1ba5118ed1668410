"""Tests for imet_kg.publish.site and ``imet-kg site``: complete, relative, atomic."""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

import imet_kg.publish.site as site_module
from imet_kg.cli import cli
from imet_kg.errors import ImetKgError
from imet_kg.publish import sitemap
from imet_kg.publish.resources import REPRESENTATIONS, file_stem, path_of
from imet_kg.publish.site import build_site
from imet_kg.sparql.saved import load_queries

HREF = re.compile(r'(?:href|src)="([^"]*)"')


@pytest.fixture(scope="module")
def site(graph, queries, shapes, tmp_path_factory):
    """The shipped graph's site, written over a previous site with a stale page (one build of
    the whole site serves every test here: it takes seconds)."""
    out = tmp_path_factory.mktemp("site") / "public"
    out.mkdir()
    (out / site_module.SITE_MARKER).write_text("a previous site")
    (out / "stale.html").write_text("old")
    summary = build_site(out, graph, queries, shapes=shapes)
    return out, summary


def test_every_resource_has_its_page_and_rdf_files(publication, site):
    out, summary = site
    assert summary.resources == len(publication.iris)
    # Each resource's files, and every file the site map lists for the static site: no more.
    assert summary.files == len(REPRESENTATIONS) * summary.resources + len(sitemap.WRITTEN)
    assert (out / "def/shapes/index.html").is_file()
    for iri in publication.sorted_iris():
        stem = file_stem(path_of(iri))
        for extension in ("html", "ttl", "jsonld", "nt"):
            assert (out / f"{stem}.{extension}").is_file(), (iri, extension)
    description = Graph().parse(out / "id/faa/section-543.ttl", format="turtle")
    assert len(description) > 5
    jsonld = Graph().parse(out / "id/faa/section-543.jsonld", format="json-ld")
    assert len(jsonld) == len(description)
    for name in (
        "index.html",
        "resources.html",
        "queries/index.html",
        "chart/funding.svg",
        "chart/funding.png",
        "data/imet-kg.trig",
        "static/style.css",
        "def/index.html",
    ):
        assert (out / name).is_file(), name


def test_relative_links_resolve_on_the_file_system(site):
    out, _ = site
    broken = []
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 300
    for page in pages:
        relative = page.relative_to(out).as_posix()
        for href in HREF.findall(page.read_text(encoding="utf-8")):
            parsed = urlparse(href)
            if parsed.scheme or href.startswith(("#", "mailto:")):
                continue
            assert not href.startswith("/"), (relative, href)  # no root-relative links
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(relative), unquote(parsed.path))
            )
            if not (out / target).is_file():
                broken.append((relative, href))
    assert broken == []


def test_pages_show_the_statute_and_the_program(site, queries):
    out, _ = site
    section = (out / "id/faa/section-543.html").read_text(encoding="utf-8")
    assert "to encourage effective and mutually beneficial relations" in section
    program = (out / "id/program/imet.html").read_text(encoding="utf-8")
    assert "<svg" in program and 'href="../../chart/funding.png"' in program
    page = (out / "queries/index.html").read_text(encoding="utf-8")
    for saved in queries:
        assert f'id="{saved.name}"' in page


@pytest.fixture(scope="module")
def small_graph():
    """The program's file alone: a site of 141 resources, written in under a second (the tests
    that use it are about the folder, not the pages; the full site's tests check those)."""
    from imet_kg.kg.graph import load_files
    from imet_kg.paths import DATA_DIR

    return load_files([DATA_DIR / "program.ttl"])


def test_site_replaces_the_old_one_whole(site):
    out, _ = site
    assert not (out / "stale.html").exists()
    assert (out / "index.html").is_file()
    assert (out / "chart/funding.svg").is_file()
    assert [p.name for p in out.parent.iterdir()] == ["public"]  # no temporary folder left


def test_a_failed_build_leaves_the_previous_site(small_graph, tmp_path, monkeypatch):
    out = tmp_path / "public"
    out.mkdir()
    (out / site_module.SITE_MARKER).write_text("a previous site")
    (out / "index.html").write_text("previous")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(site_module.Publication, "serializations", broken)
    with pytest.raises(RuntimeError):
        build_site(out, small_graph, [])
    assert (out / "index.html").read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_a_folder_that_is_not_a_site_is_refused(small_graph, tmp_path):
    # It used to be emptied without a word (issue 13 item 10, issue 12).
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    with pytest.raises(ImetKgError, match=r"holds no previous site .*--force"):
        build_site(out, small_graph, [])
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]
    assert [p.name for p in tmp_path.iterdir()] == ["documents"]


def test_force_replaces_a_foreign_folder_and_a_killed_runs_leftovers_go(
    small_graph, tmp_path, capsys
):
    # One site build for both (a build takes seconds).
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    leftover = tmp_path / f".documents.{_ended_pid()}-site.tmp"
    (leftover / "id").mkdir(parents=True)
    (leftover / "id" / "half.html").write_text("half")
    running = tmp_path / f".documents.{os.getpid()}-other.tmp"  # this process: not stale
    running.mkdir()
    build_site(out, small_graph, [], force=True)
    assert not (out / "thesis.tex").exists()
    assert (out / site_module.SITE_MARKER).is_file() and (out / "index.html").is_file()
    assert not leftover.exists() and running.exists()
    err = capsys.readouterr().err
    assert f"removed 1 temporary file(s) an interrupted run left in {tmp_path}" in err
    assert err.count("\n") == 1


def _ended_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.usefixtures("session_graph_in_commands")
def test_site_command(tmp_path, monkeypatch):
    calls = {}

    def fake_build_site(
        out, dataset, queries, context=None, progress=None, shapes=None, force=False
    ):
        calls["out"] = out
        calls["queries"] = len(queries)
        return site_module.SiteSummary(out=out, resources=1, files=4)

    monkeypatch.setattr(site_module, "build_site", fake_build_site)
    result = CliRunner().invoke(cli, ["site", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert calls["out"] == tmp_path / "s"
    assert calls["queries"] == len(load_queries())
    assert "wrote 4 files" in result.output


@pytest.mark.usefixtures("session_graph_in_commands")
def test_serve_command_passes_its_options(monkeypatch):
    import imet_kg.publish.server as server_module

    seen = {}

    def fake_run_server(dataset, queries, host, port, limits, context, shapes, **options):
        seen.update(host=host, port=port, limits=limits, triples=len(dataset), shapes=len(shapes))

    monkeypatch.setattr(server_module, "run_server", fake_run_server)
    result = CliRunner().invoke(
        cli, ["serve", "--port", "9999", "--time-limit", "3", "--max-rows", "50", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 9999
    assert (seen["limits"].time_limit, seen["limits"].max_rows, seen["limits"].workers) == (
        3,
        50,
        1,
    )
    assert seen["triples"] > 1000 and seen["shapes"] > 100


def test_ontology_file_is_the_whole_ontology(site):
    out, _ = site
    ontology = Graph().parse(out / "def/index.ttl", format="turtle")
    assert (URIRef("https://w3id.org/imet-kg/def/Program"), None, None) in ontology
