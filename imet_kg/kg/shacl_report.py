"""The report of the compiled validator: results as a standard sh:ValidationReport graph, then
the :class:`~imet_kg.kg.validation.ValidationResult` that pySHACL's path produces, and the
conversions between rdflib and pyoxigraph terms they need."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from imet_kg.kg.embedded import to_rdflib  # one owner of Oxigraph-to-rdflib terms
from imet_kg.kg.shacl_compile import Check
from imet_kg.kg.validation import ValidationResult, _issues, format_report
from imet_kg.namespaces import bind_prefixes
from imet_kg.rdf.oxigraph_terms import to_oxigraph


@dataclass(frozen=True)
class Finding:
    """One validation result before it becomes report triples."""

    check: Check
    focus: Node
    component: URIRef
    value: Node | None = None
    path: Node | None = None
    message_vars: tuple[tuple[str, Node], ...] | None = None


def store_from_rdflib(data: Graph | Dataset) -> ox.Store:
    """Copy an rdflib graph (default graph) or dataset (its named graphs) into a new store."""
    store = ox.Store()
    if isinstance(data, Dataset):
        default = data.default_graph.identifier
        quads = (
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph() if g == default else to_ox(g))
            for s, p, o, g in data.quads((None, None, None, None))
        )
    else:
        quads = (ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in data)
    store.extend(quads)
    return store


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term (:func:`imet_kg.rdf.oxigraph_terms.to_oxigraph`), or
    the name of a Graph standing for its name, as rdflib's ``quads()`` gives them."""
    if isinstance(term, Graph):
        term = term.identifier
    return to_oxigraph(term)


# --- the report ---------------------------------------------------------------------------------


def report_graph(findings: list[Finding], shapes: Graph) -> Graph:
    """A standard sh:ValidationReport, with the triples pySHACL writes for each result."""
    report = Graph()
    for finding in findings:
        check, node = finding.check, BNode()
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, finding.focus))
        report.add((node, SH.sourceShape, check.shape))
        report.add((node, SH.resultSeverity, check.severity))
        report.add((node, SH.sourceConstraintComponent, finding.component))
        if finding.value is not None:
            report.add((node, SH.value, finding.value))
        path = finding.path if finding.path is not None else check.path
        if path is not None:
            report.add((node, SH.resultPath, path))
            _copy_blank_closure(shapes, path, report)
        if check.source_constraint is not None:
            report.add((node, SH.sourceConstraint, check.source_constraint))
        for message in check.messages:
            report.add((node, SH.resultMessage, _message(message, finding.message_vars)))
    return report


def _message(message: Literal, variables: tuple[tuple[str, Node], ...] | None) -> Literal:
    # pySHACL fills {$var} / {?var} in a SPARQL constraint's message and drops its language tag.
    if variables is None:
        return message
    text = str(message)
    for name, value in variables:
        text = re.sub("{[?$]" + name + "}", str(value).replace("\\", "\\\\"), text)
    return Literal(text)


def _copy_blank_closure(source: Graph, node: Node, target: Graph) -> None:
    """Copy the triples of a blank node (a SHACL path) and those of the blank nodes it reaches."""
    todo = [node]
    while todo:
        current = todo.pop()
        if not isinstance(current, BNode):
            continue
        for predicate, obj in source.predicate_objects(current):
            if (current, predicate, obj) not in target:
                target.add((current, predicate, obj))
                todo.append(obj)


def finish_report(
    store: ox.Store, report: Graph, namespaces: Iterable[tuple[str, str]]
) -> ValidationResult:
    """Finish the report as validate() does, reading labels and named graphs from the store."""
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    conforms = not any((r, SH.resultSeverity, SH.Violation) in report for r in results)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(conforms)))
    for result in results:
        report.add((root, SH.result, result))
    bind_prefixes(report)
    labels, graphs = _focus_context(store, {report.value(r, SH.focusNode) for r in results})
    for prefix, namespace in namespaces:
        labels.bind(prefix, namespace, override=False)
    issues = _issues(report, labels, graphs)
    return ValidationResult(conforms, report, format_report(conforms, issues), issues)


def _focus_context(store: ox.Store, focus_nodes: set[Node]) -> tuple[Graph, Dataset]:
    """Just what the issues need: the focus nodes' labels, and the named graphs describing them."""
    labels = Graph()
    graphs = Dataset(default_union=True)
    for focus in focus_nodes:
        subject = to_ox(focus)
        for predicate in (RDFS.label, SKOS.prefLabel):
            for quad in store.quads_for_pattern(subject, to_ox(predicate), None, None):
                labels.add((focus, predicate, to_rdflib(quad.object)))
        for quad in store.quads_for_pattern(subject, None, None, None):
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                named = graphs.graph(to_rdflib(quad.graph_name))
                named.add((focus, RDF.type, RDFS.Resource))
    return labels, graphs
