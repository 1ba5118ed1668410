"""Tests for reading and writing RDF files: errors give file and line; no fetch; atomic writes."""

import json
import os
import pickle
from pathlib import Path

import pytest
import rdflib
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS

from imet_kg.errors import ImetKgError, InputError
from imet_kg.rdf.files import (
    RDF_FORMATS,
    format_for_path,
    parse_into,
    refuse_remote_contexts,
    write_atomic,
)

EX = "http://example.org/"
REMOTE = "http://example.invalid/context.jsonld"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _parse_error(path: Path, graph: Graph | None = None) -> InputError:
    with pytest.raises(InputError) as info:
        parse_into(Dataset() if graph is None else graph, path)
    error = info.value
    assert "\n" not in str(error), "the message must be one line"
    assert error.path == path
    return error


@pytest.fixture
def no_fetch(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every way rdflib could fetch a URL fail loudly, and record the attempts."""
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[:1]))
        raise AssertionError(f"network access attempted: {args[:1]!r}")

    import rdflib._networking
    import rdflib.parser
    import rdflib.plugins.shared.jsonld.context as jsonld_context

    monkeypatch.setattr("urllib.request.urlopen", refuse)
    monkeypatch.setattr(rdflib._networking, "urlopen", refuse)
    monkeypatch.setattr(rdflib._networking, "_urlopen", refuse)
    monkeypatch.setattr(rdflib.parser, "_urlopen", refuse)
    # Remote contexts are loaded by Context._fetch_context through the source_to_json name the
    # context module imported. (jsonld.util.source_to_json itself is left alone: the parser
    # reads every document, local ones included, through it.)
    monkeypatch.setattr(jsonld_context, "source_to_json", refuse)
    return attempts


# --- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.ttl", "turtle"),
        ("a.TTL", "turtle"),
        ("a.nt", "ntriples"),
        ("a.nq", "nquads"),
        ("a.trig", "trig"),
        ("a.jsonld", "json-ld"),
        ("a.json", "json-ld"),
        ("a.rdf", "xml"),
        ("a.owl", "xml"),
        ("a.xml", "xml"),
        ("a.n3", "n3"),
    ],
)
def test_format_for_path(name: str, fmt: str) -> None:
    assert format_for_path(Path(name)) == fmt


def test_every_format_is_an_rdflib_parser() -> None:
    for fmt in set(RDF_FORMATS.values()):
        rdflib.plugin.get(fmt, rdflib.parser.Parser)


def test_unknown_extension(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.txt", "hello")
    error = _parse_error(path)
    assert error.line is None
    assert str(error).startswith(f"{path}: unknown RDF file extension '.txt'")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.ttl"
    error = _parse_error(path)
    assert str(error) == f"{path}: no such file"


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    path = tmp_path / "folder.ttl"
    path.mkdir()
    assert "is a directory" in str(_parse_error(path))


# --- good input ------------------------------------------------------------------------------


def test_parses_into_a_named_graph(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.ttl", f'<{EX}a> <{EX}p> "attaché — x"@fr .\n')
    dataset = Dataset()
    named = dataset.graph(URIRef(EX + "graph/a"))
    parse_into(named, path)
    assert (URIRef(EX + "a"), URIRef(EX + "p"), Literal("attaché — x", lang="fr")) in named
    assert len(dataset.default_graph) == 0


def test_relative_iris_resolve_against_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.ttl", f"<{EX}a> <{EX}p> <other> .\n")
    graph = Graph()
    parse_into(graph, path)
    assert graph.value(URIRef(EX + "a"), URIRef(EX + "p")) == URIRef(
        path.absolute().parent.as_uri() + "/other"
    )


# --- line numbers of syntax errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "line", "label"),
    [
        pytest.param(
            "bad.ttl",
            f"@prefix ex: <{EX}> .\nex:a ex:p ex:b .\n\n"
            'ex:a ex:p "unterminated .\nex:c ex:p ex:d .\n',
            4,
            "Turtle",
            id="turtle-string",
        ),
        pytest.param(
            "bad.ttl",
            f'@prefix ex: <{EX}> .\nex:a ex:p """one\ntwo\nthree""" .\nex:a ex:p ex:b ex:c .\n',
            5,
            "Turtle",
            id="turtle-after-long-string",
        ),
        pytest.param(
            "bad.ttl",
            f"@prefix ex: <{EX}> .\r\nex:a ex:p ex:b .\r\nnope:a ex:p ex:b .\r\n",
            3,
            "Turtle",
            id="turtle-crlf-unbound-prefix",
        ),
        pytest.param("bad.ttl", "ex:a ex:p ex:b .\n", 1, "Turtle", id="turtle-first-line"),
        pytest.param(
            "bad.trig",
            f"@prefix ex: <{EX}> .\nex:g {{\n  ex:a ex:p ex:b .\n  ex:a ex:p ;\n}}\n",
            4,
            "TriG",
            id="trig",
        ),
        pytest.param(
            "bad.n3",
            f"@prefix ex: <{EX}> .\nex:a ex:p ex:b .\nex:a ex:p ex:b ex:c .\n",
            3,
            "N3",
            id="n3",
        ),
        pytest.param(
            "bad.nt",
            f"<{EX}a> <{EX}p> <{EX}b> .\n# comment\n\n"
            f"<{EX}a> <{EX}p> b .\n<{EX}a> <{EX}p> <{EX}c> .\n",
            4,
            "N-Triples",
            id="ntriples",
        ),
        pytest.param(
            "bad.nt",
            # U+2028 is a line break to str.splitlines() but not to N-Triples.
            f'<{EX}a> <{EX}p> "one\u2028two" .\n<{EX}a> <{EX}p> "unterminated .\n',
            2,
            "N-Triples",
            id="ntriples-unicode-line-separator",
        ),
        pytest.param(
            "bad.nq",
            f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n<{EX}a> <{EX}p> <{EX}b> <{EX}g> junk .\n",
            2,
            "N-Quads",
            id="nquads",
        ),
        pytest.param(
            "bad.jsonld",
            '{\n  "@id": "http://example.org/a",\n  "http://example.org/p": "x",\n}\n',
            4,
            "JSON-LD",
            id="jsonld-bad-json",
        ),
        pytest.param(
            "bad.rdf",
            '<?xml version="1.0"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            "  <rdf:Description>\n"
            "</rdf:RDF>\n",
            4,
            "RDF/XML",
            id="rdfxml-not-well-formed",
        ),
        pytest.param(
            "bad.rdf",
            '<?xml version="1.0"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
            '         xmlns:ex="http://example.org/">\n'
            '  <rdf:Description rdf:about="http://example.org/a">\n'
            '    <ex:p rdf:parseType="Literal" rdf:bogus="x"/>\n'
            "  </rdf:Description>\n"
            "</rdf:RDF>\n",
            5,
            "RDF/XML",
            id="rdfxml-bad-rdf",
        ),
    ],
)
def test_syntax_error_names_file_and_line(
    tmp_path: Path, name: str, text: str, line: int, label: str
) -> None:
    path = _write(tmp_path, name, text)
    error = _parse_error(path)
    assert error.line == line
    assert str(error).startswith(f"{path}:{line}: malformed {label}: ")
    assert "Traceback" not in str(error)


@pytest.mark.parametrize("name", ["bad.ttl", "bad.nt"])
def test_invalid_utf8_names_the_line(tmp_path: Path, name: str) -> None:
    path = _write(
        tmp_path, name, f'<{EX}a> <{EX}p> "ok" .\n<{EX}a> <{EX}p> "'.encode() + b'\xff" .\n'
    )
    error = _parse_error(path)
    assert error.line == 2
    assert "not UTF-8" in error.message


def test_long_reason_is_shortened(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.nq", f"<{EX}a> <{EX}p> <{EX}b> {'x' * 2000} .\n")
    assert len(str(_parse_error(path))) < 500


def test_input_error_format_and_pickle() -> None:
    error = InputError(Path("data/x.ttl"), 12, "malformed Turtle:\n  bad\tthing")
    assert str(error) == "data/x.ttl:12: malformed Turtle: bad thing"
    assert str(InputError(Path("x.ttl"), None, "no such file")) == "x.ttl: no such file"
    assert str(InputError(None, 3, "oops")) == "line 3: oops"
    assert isinstance(error, ImetKgError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.line, str(copy)) == (error.path, error.line, str(error))


# --- JSON-LD: contexts are never fetched ----------------------------------------------------


def test_no_fetch_fixture_catches_rdflib_fetching(tmp_path: Path, no_fetch: list[str]) -> None:
    # Without our guard rdflib would fetch the context: the fixture must notice.
    document = {"@context": REMOTE, "@id": EX + "a", "label": "x"}
    with pytest.raises(AssertionError, match="network access attempted"):
        Graph().parse(data=json.dumps(document), format="json-ld")
    assert no_fetch


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"@context": REMOTE, "@id": EX + "a"}, id="string"),
        pytest.param(
            {"@context": [{"ex": EX}, REMOTE], "@id": EX + "a", "ex:p": "x"}, id="in-a-list"
        ),
        pytest.param(
            {
                "@context": {"ex": EX},
                "@graph": [{"@id": EX + "a", "ex:p": {"@context": REMOTE, "@id": EX + "b"}}],
            },
            id="nested-node-object",
        ),
        pytest.param(
            {"@context": {"ex": EX, "p": {"@id": "ex:p", "@context": REMOTE}}, "@id": EX + "a"},
            id="scoped-context",
        ),
        pytest.param(
            [{"@context": REMOTE, "@id": EX + "a"}],
            id="top-level-array",
        ),
    ],
)
def test_remote_context_refused(tmp_path: Path, no_fetch: list[str], document: object) -> None:
    path = _write(tmp_path, "remote.jsonld", json.dumps(document, indent=2))
    graph = Graph()
    error = _parse_error(path, graph)
    assert f"remote JSON-LD @context '{REMOTE}' refused" in str(error)
    assert "ontology/context.jsonld" in str(error)
    assert no_fetch == []
    assert len(graph) == 0


def test_context_import_refused(tmp_path: Path, no_fetch: list[str]) -> None:
    document = {"@context": {"@version": 1.1, "@import": REMOTE}, "@id": EX + "a"}
    path = _write(tmp_path, "import.jsonld", json.dumps(document))
    assert f"JSON-LD @import '{REMOTE}' refused" in str(_parse_error(path))
    assert no_fetch == []


def test_import_outside_a_context_is_data(tmp_path: Path, no_fetch: list[str]) -> None:
    # Only inside a context is @import a keyword that fetches.
    document = {"@context": {"ex": EX}, "@id": EX + "a", "ex:p": {"@value": "@import"}}
    path = _write(tmp_path, "data.jsonld", json.dumps(document))
    graph = Graph()
    parse_into(graph, path)
    assert len(graph) == 1


def test_inline_context_parses(tmp_path: Path, no_fetch: list[str]) -> None:
    document = {
        "@context": [
            None,  # a null resets the context: allowed, nothing to fetch
            {"ex": EX, "label": {"@id": str(RDFS.label), "@language": "en"}},
            {"part": {"@id": "ex:part", "@type": "@id", "@context": {"name": "ex:name"}}},
        ],
        "@id": "ex:a",
        "label": "attaché — a",
        "part": {"@id": "ex:b", "name": "B"},
    }
    path = _write(tmp_path, "inline.jsonld", json.dumps(document, ensure_ascii=False))
    graph = Graph()
    parse_into(graph, path)
    assert (URIRef(EX + "a"), RDFS.label, Literal("attaché — a", lang="en")) in graph
    assert (URIRef(EX + "a"), URIRef(EX + "part"), URIRef(EX + "b")) in graph
    assert (URIRef(EX + "b"), URIRef(EX + "name"), Literal("B")) in graph
    assert no_fetch == []


def test_project_context_file_is_inline_and_usable(no_fetch: list[str], tmp_path: Path) -> None:
    context_file = Path(__file__).resolve().parents[2] / "ontology" / "context.jsonld"
    context = json.loads(context_file.read_text(encoding="utf-8"))
    refuse_remote_contexts(context, context_file)
    document = {**context, "@id": "id:sec/1", "label": "x", "isPartOf": "id:act/1"}
    path = _write(tmp_path, "doc.jsonld", json.dumps(document))
    graph = Graph()
    parse_into(graph, path)
    section = URIRef("https://w3id.org/imet-kg/id/sec/1")
    assert (section, RDFS.label, Literal("x")) in graph
    part_of = URIRef("http://data.europa.eu/eli/ontology#is_part_of")
    assert graph.value(section, part_of) == URIRef("https://w3id.org/imet-kg/id/act/1")
    assert no_fetch == []


def test_jsonld_guard_applies_to_the_media_type_name_too(
    tmp_path: Path, no_fetch: list[str]
) -> None:
    path = _write(tmp_path, "remote.data", json.dumps({"@context": REMOTE, "@id": EX + "a"}))
    with pytest.raises(InputError, match="remote JSON-LD @context"):
        parse_into(Graph(), path, fmt="application/ld+json")
    assert no_fetch == []


def test_jsonld_top_level_array(tmp_path: Path, no_fetch: list[str]) -> None:
    document = [{"@id": EX + "a", EX + "p": "x"}, {"@id": EX + "b", EX + "p": "y"}]
    path = _write(tmp_path, "list.jsonld", json.dumps(document))
    graph = Graph()
    parse_into(graph, path)
    assert len(graph) == 2


def test_unknown_parser_format_is_a_programming_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.ttl", "")
    with pytest.raises(ValueError, match="no rdflib parser"):
        parse_into(Graph(), path, fmt="turtle-ish")


def test_jsonld_top_level_scalar_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "scalar.jsonld", "42")
    assert "not an object or array" in str(_parse_error(path))


# --- atomic writes -----------------------------------------------------------------------------


def test_write_atomic_creates_parents_and_writes_text_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "out.ttl"
    write_atomic(path, "attaché — ok\n")
    assert path.read_bytes() == "attaché — ok\n".encode()
    write_atomic(path, b"replaced")
    assert path.read_bytes() == b"replaced"
    assert sorted(p.name for p in path.parent.iterdir()) == ["out.ttl"]


def test_write_atomic_keeps_the_old_file_when_replace_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.ttl"
    path.write_bytes(b"old content")

    def fail(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(RuntimeError, match="interrupted"):
        write_atomic(path, b"new content")
    assert path.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_write_atomic_keeps_the_old_file_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.ttl"
    path.write_bytes(b"old content")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ImetKgError, match=r"out\.ttl: cannot write: No space left on device"):
        write_atomic(path, b"new content")
    assert path.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_write_atomic_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        new = tmp_path / "new.ttl"
        write_atomic(new, b"x")
        assert new.stat().st_mode & 0o777 == 0o644  # as a plain open() would make it
        old = tmp_path / "old.ttl"
        old.write_bytes(b"x")
        old.chmod(0o600)
        write_atomic(old, b"y")
        assert old.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(umask)


@pytest.mark.parametrize("target", ["blocker/out.ttl", "blocker/deeper/out.ttl"])
def test_write_atomic_names_the_file_that_is_in_the_way(tmp_path: Path, target: str) -> None:
    # mkdir said only "cannot write: File exists".
    (tmp_path / "blocker").write_text("an ordinary file")
    with pytest.raises(ImetKgError) as info:
        write_atomic(tmp_path / target, b"x")
    assert str(info.value) == (
        f"{tmp_path / target}: cannot write: {tmp_path / 'blocker'} is a file, not a folder"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_write_atomic_to_a_folder_says_to_give_a_file_name(tmp_path: Path) -> None:
    with pytest.raises(ImetKgError, match="it is a folder; give a file name"):
        write_atomic(tmp_path, b"x")
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_removes_what_a_killed_run_left_and_says_so(tmp_path: Path, capsys) -> None:
    # A killed `export -o` left ".out.ttl.<pid>-<hex>.tmp" (up to 16 MB) for good.
    import subprocess

    ended = subprocess.Popen(["true"])
    ended.wait()
    stale = tmp_path / f".out.ttl.{ended.pid}-0a1b2c3d.tmp"
    stale.write_bytes(b"half an export")
    mine = tmp_path / f".out.ttl.{os.getpid()}-00000000.tmp"  # a live writer's: kept
    mine.write_bytes(b"in progress")
    write_atomic(tmp_path / "out.ttl", b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out.ttl", mine.name])
    err = capsys.readouterr().err
    assert err == (
        f"imet-kg: removed 1 temporary file(s) an interrupted run left in {tmp_path}: "
        f"{stale.name}\n"
    )


@pytest.mark.parametrize(
    "name, text, line",
    [
        ("space.ttl", f"<{EX}a b> <{EX}p> 1 .\n", 1),
        ("percent.ttl", f"@prefix ex: <{EX}> .\n\nex:a ex:p <{EX}%zz> .\n", 3),
        (
            "space.rdf",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
            '\n<rdf:Description rdf:about="http://e/a b"><e:p>x</e:p></rdf:Description></rdf:RDF>',
            None,  # Oxigraph's RDF/XML errors name no line; the message names the IRI
        ),
        ("space.n3", f"<{EX}a b> <{EX}p> 1 .\n", None),
    ],
)
def test_iris_rdf_refuses_are_refused_with_file_and_line(
    tmp_path: Path, name: str, text: str, line: int | None, caplog
) -> None:
    # rdflib read them with a warning, and validation then failed with a traceback
    # ("ValueError: Invalid IRI code point ' '") where the graph went to Oxigraph.
    path = _write(tmp_path, name, text)
    error = _parse_error(path)
    assert error.line == line
    assert "malformed" in error.message
    assert not [r for r in caplog.records if r.levelname == "WARNING"], "warnings reach stderr"


def test_an_ill_typed_literal_logs_no_traceback(tmp_path: Path, caplog) -> None:
    # rdflib logged "Failed to convert Literal lexical form to value" with a traceback, which
    # a real run printed on stderr; the shapes report ill-typed values instead.
    path = _write(tmp_path, "typed.ttl", f'<{EX}a> <{EX}p> "abc"^^<{XSD_INTEGER}> .\n')
    graph = Graph()
    parse_into(graph, path)
    assert len(graph) == 1
    assert not caplog.records
