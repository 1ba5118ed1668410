"""The SHACL rules against their examples (GeoSPARQL 1.1 style).

Every rule imetsh:Snn-... in ontology/imet-shapes.ttl has a conforming example
``tests/shapes/Snn-valid.ttl`` and at least one ``Snn-invalid-NN.ttl`` that breaks it (a rule with a
Warning shape also has a ``Snn-warning-NN.ttl``). Line 1 of each file says why. Each example is
validated together with the ontology, whose rdfs:subClassOf triples the class targets need.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyshacl_reference
import pytest
from pyshacl import validate as pyshacl_validate
from pyshacl.errors import ValidationFailure
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import processor as sparql_processor

from imet_kg.kg.graph import load_shapes
from imet_kg.kg.validation import ValidationResult, _sparql_check_cache, validate
from imet_kg.namespaces import IMETSH
from imet_kg.paths import SHAPES_FILE

EXAMPLES_DIR = pyshacl_reference.EXAMPLES_DIR

VALID = sorted(EXAMPLES_DIR.glob("*-valid.ttl"))
INVALID = sorted(EXAMPLES_DIR.glob("*-invalid-*.ttl"))
WARNING = sorted(EXAMPLES_DIR.glob("*-warning-*.ttl"))

EXAMPLE_NAME = re.compile(r"^(S\d{2})-(valid|invalid-\d{2}|warning-\d{2})\.ttl$")
FIRST_LINE = {"valid": "# Valid: ", "invalid": "# Invalid: ", "warning": "# Warning: "}
SHAPE_RULE = re.compile(r"^" + re.escape(str(IMETSH)) + r"(S\d{2})-")


def _rule(path: Path) -> str:
    """The rule an example is for: ``S10`` for ``S10-invalid-02.ttl``."""
    return path.name.split("-", 1)[0]


def _ids(paths: list[Path]) -> list[str]:
    return [path.stem for path in paths]


def _shapes() -> Graph:
    return pyshacl_reference.shapes()


def _data(path: Path) -> Graph:
    return pyshacl_reference.example_data(path)


def _validate(path: Path) -> ValidationResult:
    return pyshacl_reference.example_report(path)


@cache
def _shapes_file() -> Graph:
    # Parsed apart from _shapes(), which pySHACL is given and may add to.
    return Graph().parse(SHAPES_FILE, format="turtle")


@cache
def _shape_severities() -> dict[URIRef, URIRef]:
    """Each imetsh:Snn-... shape of the shipped shapes file with its severity."""
    shapes = _shapes_file()
    return {
        shape: shapes.value(shape, SH.severity, default=SH.Violation)
        for shape in set(shapes.subjects())
        if isinstance(shape, URIRef) and SHAPE_RULE.match(shape)
    }


def _rules_with(severity: URIRef | None = None) -> set[str]:
    return {
        SHAPE_RULE.match(shape).group(1)
        for shape, shape_severity in _shape_severities().items()
        if severity is None or shape_severity == severity
    }


def _sparql_rules() -> set[str]:
    subjects = _shapes_file().subjects(SH.sparql)
    return {match.group(1) for shape in subjects if (match := SHAPE_RULE.match(shape))}


def _english_messages(shape: URIRef) -> set[str]:
    """The sh:message texts of a shape (or of its SPARQL constraints) that are tagged @en."""
    shapes = _shapes_file()
    nodes = [shape, *shapes.objects(shape, SH.sparql)]
    messages = [message for node in nodes for message in shapes.objects(node, SH.message)]
    return {str(message) for message in messages if message.language == "en"}


# --- the examples themselves ------------------------------------------------------------------


def test_example_files_are_named_and_introduced():
    names = sorted(path.name for path in EXAMPLES_DIR.iterdir())
    assert names, f"no examples in {EXAMPLES_DIR}"
    for name in names:
        match = EXAMPLE_NAME.match(name)
        assert match, f"{name}: expected Snn-valid.ttl, Snn-invalid-NN.ttl or Snn-warning-NN.ttl"
        kind = match.group(2).split("-")[0]
        first_line = (EXAMPLES_DIR / name).read_text(encoding="utf-8").splitlines()[0]
        assert first_line.startswith(FIRST_LINE[kind]), f"{name}: line 1 must say why"
        assert len(first_line) > len(FIRST_LINE[kind]) + 10, f"{name}: line 1 is too short"


def test_every_rule_has_examples():
    """A new shape without examples fails here."""
    rules = _rules_with()
    assert len(rules) > 20, f"too few rules found in {SHAPES_FILE}: {sorted(rules)}"

    def compare(kind: str, expected: set[str], found: set[str]) -> None:
        assert found == expected, (
            f"{kind}: missing for {sorted(expected - found)}, "
            f"examples for no such rule {sorted(found - expected)}"
        )

    compare("Snn-valid.ttl", rules, {_rule(path) for path in VALID})
    compare("Snn-invalid-NN.ttl", _rules_with(SH.Violation), {_rule(path) for path in INVALID})
    compare("Snn-warning-NN.ttl", _rules_with(SH.Warning), {_rule(path) for path in WARNING})


def test_every_warning_shape_has_a_warning_example():
    # A Warning shape can sit in a rule whose other shapes are Violations (S20-observation-label):
    # the rule's invalid examples do not show it, a warning example does.
    warning_shapes = {
        shape for shape, severity in _shape_severities().items() if severity == SH.Warning
    }
    shown = {
        report.value(result, SH.sourceShape)
        for path in WARNING
        for report in [_validate(path).report_graph]
        for result in report.subjects(SH.resultSeverity, SH.Warning)
    }
    assert warning_shapes <= shown, f"no warning example for {sorted(warning_shapes - shown)}"


@pytest.mark.parametrize("path", VALID, ids=_ids(VALID))
def test_valid_example_conforms(path: Path):
    result = _validate(path)
    assert result.conforms, result.text
    assert not result.violations, result.text
    assert not result.issues, f"a valid example should not even warn:\n{result.text}"


@pytest.mark.parametrize("path", INVALID, ids=_ids(INVALID))
def test_invalid_example_breaks_its_rule(path: Path):
    rule = _rule(path)
    result = _validate(path)
    assert not result.conforms, f"{path.name} conforms"
    broken = [issue for issue in result.violations if issue.shape.startswith(f"imetsh:{rule}-")]
    assert broken, f"{path.name} breaks no shape imetsh:{rule}-...:\n{result.text}"
    # The message is the shape's English sh:message (pySHACL drops the @en of SPARQL messages).
    report = result.report_graph
    for node in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(node, SH.sourceShape)
        if str(shape).startswith(f"{IMETSH}{rule}-"):
            message = str(report.value(node, SH.resultMessage) or "")
            assert message.strip(), f"{shape} reports no message"
            assert message in _english_messages(shape), f"{message!r}: not an @en sh:message"


@pytest.mark.parametrize("path", WARNING, ids=_ids(WARNING))
def test_warning_example_conforms_with_a_warning(path: Path):
    rule = _rule(path)
    result = _validate(path)
    assert result.conforms, result.text
    assert not result.violations, result.text
    warned = [
        issue
        for issue in result.issues
        if issue.severity == "Warning" and issue.shape.startswith(f"imetsh:{rule}-")
    ]
    assert warned, f"{path.name} draws no warning from imetsh:{rule}-...:\n{result.text}"
    assert all(issue.message.strip() for issue in warned)


# --- the shipped graph and the report ---------------------------------------------------------


def test_shipped_graph_conforms():
    result = pyshacl_reference.shipped_report()
    assert result.conforms, result.text
    assert not result.violations, result.text


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "S10-invalid-04",
            [
                "Does not conform: 1 violation(s)",
                "Violation: A crosswalk record is verified or inferred",
                'focus node: cw:faa-543 ("FAA §543 = 22 U.S.C. 2347b")',
                "path:       imet:verificationStatus",
                "value:      imet:Unverified",
                "shape:      imetsh:S10-codification-status",
            ],
        ),
        (
            "S09-invalid-01",
            [
                "Violation: Each section has exactly one U.S. Code crosswalk record",
                'focus node: faa:section-543 ("FAA §543")',
                "shape:      imetsh:S09-section-codification",
            ],
        ),
        (
            "S21-invalid-01",
            [
                "Violation: An observation has a value for every dimension",
                "focus node: obs:authorization-fy1977-worldwide",
                "path:       imet:figureKind",
                "shape:      imetsh:S21-observation-dimensions",
            ],
        ),
    ],
)
def test_text_report_names_what_to_fix(name: str, expected: list[str]):
    result = _validate(EXAMPLES_DIR / f"{name}.ttl")
    for line in expected:
        assert line in result.text, f"{line!r} not in:\n{result.text}"
    for issue in result.issues:
        for part in (issue.severity, issue.message, issue.focus_node, issue.shape, issue.path):
            assert part is None or part in result.text, f"{part!r} not in:\n{result.text}"


def test_text_report_shows_a_sequence_path():
    result = _validate(EXAMPLES_DIR / "S29-invalid-03.ttl")
    (issue,) = result.violations
    assert issue.path == "time:hasBeginning/time:inXSDDate", issue.path
    assert "path:       time:hasBeginning/time:inXSDDate" in result.text


# --- the SPARQL parse cache -------------------------------------------------------------------

# The first invalid example of each rule with a sh:sparql constraint, and all of S09's (its query
# has two OPTIONALs under GROUP BY/HAVING). Only a sample: pySHACL without the cache is slow.
SPARQL_EXAMPLES = [
    path
    for path in INVALID
    if _rule(path) in _sparql_rules() and (path.stem.endswith("-01") or _rule(path) == "S09")
]


def _found(report: Graph) -> set[tuple]:
    return {
        (
            report.value(result, SH.focusNode),
            report.value(result, SH.sourceShape),
            report.value(result, SH.resultSeverity),
            None if isinstance(value := report.value(result, SH.value), BNode) else value,
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    }


def test_sparql_examples_cover_the_sparql_rules():
    assert {_rule(path) for path in SPARQL_EXAMPLES} == _sparql_rules()
    assert {"S09", "S26", "S28", "S30"} <= _sparql_rules()


@pytest.mark.parametrize("path", SPARQL_EXAMPLES, ids=_ids(SPARQL_EXAMPLES))
def test_parse_cache_reports_what_pyshacl_reports(path: Path):
    """validate() parses each sh:sparql query once; plain pySHACL must find the same results."""
    _, plain_report, _ = pyshacl_validate(
        _data(path),
        shacl_graph=load_shapes(),
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
        meta_shacl=False,
        advanced=False,
    )
    cached = _found(_validate(path).report_graph)
    assert cached == _found(plain_report)
    assert any(str(shape).startswith(f"{IMETSH}{_rule(path)}-") for _, shape, _, _ in cached)


def test_each_sparql_text_is_checked_once_and_a_refused_one_every_time(monkeypatch):
    checked: list[str] = []
    real = SPARQLQueryHelper.check_invalid_sparql

    def counting(self, text, valuenode=None, extravars=None):
        checked.append(text)
        return real(self, text, valuenode=valuenode, extravars=extravars)

    monkeypatch.setattr(SPARQLQueryHelper, "check_invalid_sparql", counting)
    helper = SPARQLQueryHelper.__new__(SPARQLQueryHelper)  # the check reads class attributes only
    good = "SELECT $this WHERE { $this ?p ?o }"
    refused = "SELECT $this WHERE { $this ?p ?o MINUS { $this a ?c } }"
    with _sparql_check_cache():
        for _ in range(3):  # three focus nodes
            assert SPARQLQueryHelper.check_invalid_sparql(helper, good)
            with pytest.raises(ValidationFailure, match="MINUS"):
                SPARQLQueryHelper.check_invalid_sparql(helper, refused)
    assert checked.count(good) == 1 and checked.count(refused) == 3
    assert SPARQLQueryHelper.check_invalid_sparql is counting


def test_parse_cache_is_removed_after_validation():
    query = sparql_processor.SPARQLProcessor.query
    check = SPARQLQueryHelper.check_invalid_sparql
    validate(_data(EXAMPLES_DIR / "S09-invalid-01.ttl"), _shapes())
    assert sparql_processor.SPARQLProcessor.query is query
    assert SPARQLQueryHelper.check_invalid_sparql is check
