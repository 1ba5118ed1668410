"""SHACL validation of the graph, with a report a person can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from pyshacl import validate as shacl_validate
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, SKOS, NamespaceManager
from rdflib.plugins.sparql import processor as sparql_processor

from imet_kg.kg.graph import load_shapes, union_graph
from imet_kg.namespaces import bind_prefixes


@dataclass(frozen=True)
class ValidationIssue:
    """One result of a validation report, in the terms a reader needs.

    Attributes:
        severity: "Violation", "Warning" or "Info".
        focus_node: the node that broke the rule.
        focus_label: its rdfs:label or skos:prefLabel, if it has one.
        path: the property path, when the rule is about one property (SPARQL property-path syntax).
        value: the offending value, when the report gives one.
        message: the shape's English message.
        shape: the IRI of the shape that produced the result (imetsh:Snn-...).
        constraint: the SHACL constraint component that failed, e.g. sh:MinCountConstraintComponent.
        graphs: the named graphs (files) that describe the focus node.
    """

    severity: str
    focus_node: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    shape: str | None
    constraint: str | None = None
    graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of :func:`validate`: pySHACL's three results plus readable issues.

    Attributes:
        conforms: True when no result has severity Violation (warnings do not fail).
        report_graph: the standard sh:ValidationReport graph.
        text: a plain-text report, one block per issue.
        issues: the results, sorted by severity, shape and focus node.
    """

    conforms: bool
    report_graph: Graph
    text: str
    issues: tuple[ValidationIssue, ...]

    @property
    def violations(self) -> tuple[ValidationIssue, ...]:
        return tuple(issue for issue in self.issues if issue.severity == "Violation")


def validate(data: Graph | Dataset, shapes: Graph | None = None) -> ValidationResult:
    """Validate a graph against the IMET-KG shapes.

    RDFS/OWL inference is off (it is slow and the shapes do not need it); class targets still follow
    rdfs:subClassOf triples in the data, which is why the ontology is validated with the data.

    Args:
        data: the graph to check; a Dataset is checked as the union of its named graphs, so rules
            that cross files hold.
        shapes: the shapes graph; the shipped ``ontology/imet-shapes.ttl`` by default.

    Returns:
        A :class:`ValidationResult`.
    """
    data_graph = union_graph(data) if isinstance(data, Dataset) else data
    shapes_graph = shapes if shapes is not None else load_shapes()
    with _sparql_parse_cache(), _sparql_check_cache():
        _, report_graph, _ = shacl_validate(
            data_graph,
            shacl_graph=shapes_graph,
            inference="none",
            allow_warnings=True,
            abort_on_first=False,
            meta_shacl=False,
            advanced=False,
        )
    bind_prefixes(report_graph)
    issues = _issues(report_graph, data_graph, data if isinstance(data, Dataset) else None)
    conforms = not any(issue.severity == "Violation" for issue in issues)
    return ValidationResult(conforms, report_graph, format_report(conforms, issues), issues)


@lru_cache(maxsize=256)
def _parsed_query(text: str, base: str | None, namespaces: tuple[tuple[str, str], ...]):
    return sparql_processor.translateQuery(
        sparql_processor.parseQuery(text), base, dict(namespaces)
    )


@contextmanager
def _sparql_parse_cache() -> Iterator[None]:
    # pySHACL re-parses each sh:sparql query for every focus node, and rdflib's parser costs
    # 10-100 ms a query: most of the validation time. The text is the same for every focus node
    # ($this is pre-bound), so parse it once. rdflib evaluates a parsed query without changing it
    # (that is what prepareQuery is for), which makes the cached algebra safe to reuse.
    original = sparql_processor.SPARQLProcessor.query

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            namespaces = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            strOrQuery = _parsed_query(strOrQuery, base, namespaces)
        return original(self, strOrQuery, initBindings or {}, initNs or {}, base, DEBUG)

    sparql_processor.SPARQLProcessor.query = query
    try:
        yield
    finally:
        sparql_processor.SPARQLProcessor.query = original


@contextmanager
def _sparql_check_cache() -> Iterator[None]:
    # pySHACL also checks each sh:sparql text (MINUS, VALUES, nested SELECT, ...) with regular
    # expressions for every focus node: a sixth of a validation's time. The answer depends on the
    # text alone (and on which variables are pre-bound), so one validation checks each text once;
    # a refused text raises each time, as before.
    original = SPARQLQueryHelper.check_invalid_sparql
    passed: set[tuple] = set()

    def check(self, sparql_text, valuenode=None, extravars=None):
        key = (sparql_text, valuenode is not None, frozenset(extravars or ()))
        if key not in passed:
            original(self, sparql_text, valuenode=valuenode, extravars=extravars)
            passed.add(key)
        return True

    SPARQLQueryHelper.check_invalid_sparql = check
    try:
        yield
    finally:
        SPARQLQueryHelper.check_invalid_sparql = original


def _issues(report: Graph, data: Graph, dataset: Dataset | None) -> tuple[ValidationIssue, ...]:
    names = _prefixes(data)
    issues = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        component = report.value(result, SH.sourceConstraintComponent)
        issues.append(
            ValidationIssue(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus_node=_show(names, focus),
                focus_label=_label(data, focus),
                path=_show_path(report, names, path) if path is not None else None,
                value=_show(names, value) if value is not None else None,
                message=str(report.value(result, SH.resultMessage) or ""),
                shape=_show(names, report.value(result, SH.sourceShape)),
                constraint=_show(names, component) if component is not None else None,
                graphs=_graphs_describing(dataset, focus),
            )
        )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    issues.sort(key=lambda i: (order.get(i.severity, 3), i.shape or "", i.focus_node, i.path or ""))
    return tuple(issues)


def _prefixes(data: Graph) -> NamespaceManager:
    # The project's prefixes first (so shapes read imetsh:...), then the data's own (cw:, fx:, ...).
    names = bind_prefixes(Graph()).namespace_manager
    taken = {prefix for prefix, _ in names.namespaces()}
    for prefix, namespace in data.namespaces():
        if prefix and prefix not in taken:
            names.bind(prefix, namespace, override=False)
    return names


def _show(names: NamespaceManager, node) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return names.normalizeUri(node)
        except Exception:  # an IRI no prefix can shorten
            return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(names)
    return str(node)


def _show_path(report: Graph, names: NamespaceManager, path) -> str:
    """Write a SHACL property path (IRI, sequence, inverse, alternative, ...) as SPARQL does."""
    if isinstance(path, URIRef):
        return _show(names, path)
    if (path, RDF.first, None) in report:
        return "/".join(_show_path(report, names, step) for step in Collection(report, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = report.value(path, predicate)
        if inner is not None:
            return template.format(_show_path(report, names, inner))
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        steps = (_show_path(report, names, step) for step in Collection(report, alternatives))
        return "(" + "|".join(steps) + ")"
    return str(path)


def _label(graph: Graph, node) -> str | None:
    if node is None:
        return None
    label = graph.value(node, RDFS.label) or graph.value(node, SKOS.prefLabel)
    return str(label) if label is not None else None


def _graphs_describing(dataset: Dataset | None, node) -> tuple[str, ...]:
    if dataset is None or node is None:
        return ()
    default = dataset.default_graph.identifier
    # quads() names the graph of each triple; contexts() answers the union default graph here.
    graphs = {str(g) for _, _, _, g in dataset.quads((node, None, None, None)) if g != default}
    return tuple(sorted(graphs))


def format_report(conforms: bool, issues: tuple[ValidationIssue, ...]) -> str:
    """Render issues as plain text: a summary line, then one block per issue."""
    counts = {s: sum(i.severity == s for i in issues) for s in ("Violation", "Warning", "Info")}
    head = "Conforms" if conforms else "Does not conform"
    lines = [
        f"{head}: {counts['Violation']} violation(s), {counts['Warning']} warning(s), "
        f"{counts['Info']} info"
    ]
    for issue in issues:
        focus = issue.focus_node + (f' ("{issue.focus_label}")' if issue.focus_label else "")
        lines.append("")
        lines.append(f"{issue.severity}: {issue.message}")
        lines.append(f"  focus node: {focus}")
        if issue.path:
            lines.append(f"  path:       {issue.path}")
        if issue.value:
            lines.append(f"  value:      {issue.value}")
        if issue.shape:
            lines.append(f"  shape:      {issue.shape}")
        if issue.constraint:
            lines.append(f"  constraint: {issue.constraint}")
        for graph_iri in issue.graphs:
            lines.append(f"  described in graph: {graph_iri}")
    return "\n".join(lines) + "\n"
