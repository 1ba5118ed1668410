"""SHACL validation on an embedded Oxigraph store, one query per shape: pySHACL's results, faster.

The shapes are compiled by :mod:`imet_kg.kg.shacl_compile`; each check asks for the results over
all focus nodes at once. The results become a standard sh:ValidationReport graph and the same
:class:`~imet_kg.kg.validation.ValidationResult` that :func:`imet_kg.kg.validation.validate`
returns, so the CLI and the reports do not change. pySHACL stays the reference: a differential
test (tests/kg/test_fast_validation.py) requires both to report the same results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from imet_kg.errors import ImetKgError
from imet_kg.kg.shacl_compile import Check, compile_shapes, shape_targets, target_query
from imet_kg.kg.shacl_expressions import WELL_FORMED
from imet_kg.kg.shacl_report import (
    Finding,
    finish_report,
    report_graph,
    store_from_rdflib,
    to_rdflib,
)
from imet_kg.kg.validation import ValidationResult
from imet_kg.rdf.oxigraph_terms import quiet_rdflib

Fallback = TypingLiteral["raise", "pyshacl"]


class UncompiledShapesError(ImetKgError):
    """Some shapes could not be compiled to SPARQL, and no fallback was asked for."""


def validate_on_store(
    store: ox.Store,
    shapes: Graph,
    *,
    namespaces: Iterable[tuple[str, str]] = (),
    fallback: Fallback = "raise",
    lexical_forms: dict[tuple, Node] | None = None,
    workers: int = 2,
    union_default_graph: bool = True,
) -> ValidationResult:
    """Validate the union of a store's graphs against a shapes graph, as pySHACL would.

    Args:
        store: the data (named graphs and/or the default graph); the ontology must be in it, since
            class targets follow its rdfs:subClassOf triples.
        shapes: the shapes graph.
        namespaces: prefixes to write the report's nodes with (the data's own).
        fallback: what to do with a shape the compiler cannot translate: "raise" (the default,
            never skip silently) or "pyshacl" (validate just those shapes with pySHACL, on an
            rdflib copy of the data: correct, slow at scale).
        lexical_forms: the data's own writing of literals, by :func:`_literal_key` alone and
            with their subject and predicate: Oxigraph stores "150.0"^^xsd:decimal as "150"
            and "x"@EN-gb as "x"@en-gb, and a report should quote the data.
        workers: how many checks run at once.
        union_default_graph: query the union of the named graphs (the default); False for a
            store that keeps that union in its default graph (:class:`imet_kg.kg.embedded.
            EmbeddedStore` does: Oxigraph's computed union repeats a triple once per graph).

    Returns:
        A :class:`ValidationResult` like :func:`imet_kg.kg.validation.validate`'s.

    Raises:
        UncompiledShapesError: if a shape cannot be compiled and ``fallback`` is "raise".
    """
    checks, skipped = _compiled(shapes)
    if skipped and fallback == "raise":
        reasons = "; ".join(f"{shape}: {why}" for shape, why in sorted(skipped.items()))
        raise UncompiledShapesError(f"shapes not compiled to SPARQL: {reasons}")
    # Two threads: Oxigraph answers queries without holding the GIL, and the checks are
    # independent reads of one store.
    with quiet_rdflib(), ThreadPoolExecutor(max_workers=workers) as pool:
        targets = sorted({check.target for check in checks})
        present = pool.map(
            lambda target: _has_focus_nodes(store, target, union_default_graph), targets
        )
        focused = {target for target, found in zip(targets, present, strict=True) if found}
        per_check = list(
            pool.map(
                lambda check: list(_run(store, check, union_default_graph)),
                [check for check in checks if check.target in focused],
            )
        )
    findings = [finding for found in per_check for finding in found]
    if lexical_forms:
        findings = [_as_written(finding, lexical_forms) for finding in findings]
    report = report_graph(findings, shapes)
    if skipped:
        report += _pyshacl_report(store, shapes, skipped, checks, union_default_graph)
    return finish_report(store, report, namespaces)


def validate_dataset(data: Graph | Dataset, shapes: Graph | None = None) -> ValidationResult:
    """Validate an rdflib graph or dataset (copied into an in-memory Oxigraph store).

    Blank nodes keep their identifiers, so the report names the same nodes pySHACL's does.
    """
    from imet_kg.kg.graph import load_shapes

    store = store_from_rdflib(data)
    # As validate() does: a dataset is read through union_graph(), which has only the project's
    # prefixes; a graph brings its own.
    names = () if isinstance(data, Dataset) else [(p, str(ns)) for p, ns in data.namespaces()]
    shapes = shapes if shapes is not None else load_shapes()
    forms: dict[tuple, Node] = {}
    for s, p, o in data.triples((None, None, None)):
        if (key := _literal_key(o)) is not None:
            # "0" and "0.0" (xsd:decimal) are one term in Oxigraph: the triple tells them apart.
            forms.setdefault(key, o)
            forms[(s, p, *key)] = o
    return validate_on_store(store, shapes, namespaces=names, lexical_forms=forms)


def _literal_key(node: Node | None) -> tuple | None:
    # What Oxigraph keeps of a literal: the value of a typed one, the lower-cased language tag.
    if not isinstance(node, Literal):
        return None
    if node.language:
        return ("@", node.language.lower(), str(node))
    if node.datatype and node.value is not None:
        return (node.datatype, node.value)
    return None


def _as_written(finding: Finding, forms: dict[tuple, Node]) -> Finding:
    def written(node: Node | None, subject: Node | None = None) -> Node | None:
        key = _literal_key(node)
        if key is None:
            return node
        # Not "a or b": a literal of value 0 or "" is false in Python.
        exact = forms.get((subject, finding.check.path, *key))
        return exact if exact is not None else forms.get(key, node)

    return replace(
        finding, focus=written(finding.focus), value=written(finding.value, finding.focus)
    )


# --- running the checks -------------------------------------------------------------------------


def _compiled(shapes: Graph) -> tuple[list[Check], dict]:
    # Compiling the shipped shapes takes about 0.13 s, as long as validating a small graph, and a
    # process that validates many graphs (the server's tests, a batch of files) uses one shapes
    # graph. The key is the shapes' triples themselves: equal triples mean equal blank nodes, which
    # the checks hold (paths, sh:sparql nodes) and the report copies, so a hit is exact; hashing
    # the shipped shapes takes about 3 ms.
    key = frozenset(shapes)
    compiled = _COMPILED.get(key)
    if compiled is None:
        if len(_COMPILED) >= 4:
            _COMPILED.pop(next(iter(_COMPILED)))
        compiled = _COMPILED[key] = compile_shapes(shapes)
    checks, skipped = compiled
    return list(checks), dict(skipped)


_COMPILED: dict[frozenset, tuple[list[Check], dict]] = {}


def _query(
    store: ox.Store, text: str, prefixes: dict[str, str], union: bool = True, **kwargs
) -> ox.QuerySolutions:
    return store.query(
        text,
        prefixes=prefixes or None,
        use_default_graph_as_union=union,
        custom_functions={ox.NamedNode(str(WELL_FORMED)): _well_formed},
        **kwargs,
    )


def _has_focus_nodes(store: ox.Store, target: str, union: bool) -> bool:
    # A check reports on its shape's focus nodes only, so a shape without any needs no check. On
    # a small graph (an example, a file of additions) most shapes have none, and asking once per
    # shape costs less than running its checks: the ontology alone took 54 ms, now 21 ms. The
    # shipped graph, where nearly every shape has focus nodes, went from 336 ms to 366 ms; at
    # 1.1M triples the asking is lost in the noise (32.5 s before, 30.9 s after).
    return bool(_query(store, f"ASK {{ {target} }}", {}, union))


def _run(store: ox.Store, check: Check, union: bool = True) -> Iterator[Finding]:
    if check.kind == "sparql" and check.per_focus:
        for row in _query(store, check.target, {}, union):
            focus = row["this"]
            subs = {ox.Variable("this"): focus}
            solutions = _query(store, check.query, check.prefixes, union, substitutions=subs)
            yield from _sparql_findings(check, solutions, to_rdflib(focus))
        return
    solutions = _query(store, check.query, check.prefixes, union)
    if check.kind == "sparql":
        yield from _sparql_findings(check, solutions, None)
    elif check.kind == "value":
        yield from _value_findings(check, solutions)
    elif check.kind == "count":
        for row in solutions:
            count = int(row["n"].value)
            if check.min_count is not None and count < check.min_count:
                yield Finding(check, to_rdflib(row["this"]), SH.MinCountConstraintComponent)
            if check.max_count is not None and count > check.max_count:
                yield Finding(check, to_rdflib(row["this"]), SH.MaxCountConstraintComponent)
    else:
        for row in solutions:
            yield Finding(check, to_rdflib(row["this"]), check.components[0])


def _value_findings(check: Check, solutions: ox.QuerySolutions) -> Iterator[Finding]:
    columns = [f"c{i}" for i in range(len(check.components))]
    for row in solutions:
        focus, value = to_rdflib(row["this"]), to_rdflib(row["value"])
        for column, component in zip(columns, check.components, strict=True):
            if row[column].value == "true":
                yield Finding(check, focus, component, value=value)


def _sparql_findings(
    check: Check, solutions: ox.QuerySolutions, focus: Node | None
) -> Iterator[Finding]:
    """pySHACL's reading of a SPARQL constraint's rows: ?failure, ?this, ?path, ?value, deduplicated
    per focus node; a node shape's result has the focus node as value when ?value is unbound."""
    variables = [variable.value for variable in solutions.variables]
    seen: set = set()
    failed: set = set()
    for row in solutions:
        bound = {name: to_rdflib(row[name]) for name in variables if row[name] is not None}
        this = bound.pop("this", None)
        this = focus if this is None else this
        if this is None:
            raise ImetKgError(f"{check.shape}: a SPARQL constraint row without $this")
        if bound.pop("failure", None) is not None:
            if this not in failed:
                failed.add(this)
                default = this if check.path is None else None
                yield Finding(check, this, SH.SPARQLConstraintComponent, default, None, ())
            continue
        path, value = bound.pop("path", None), bound.pop("value", None)
        key = (this, path, value, tuple(sorted(bound.items())))
        if key in seen:
            continue
        seen.add(key)
        if value is None and check.path is None:
            value = this
        message_vars = (("this", this), ("path", path), ("value", value), *sorted(bound.items()))
        yield Finding(
            check,
            this,
            SH.SPARQLConstraintComponent,
            value,
            path,
            tuple((k, v) for k, v in message_vars if v is not None),
        )


def _well_formed(term) -> ox.Literal:
    """True where rdflib reads the literal as a value of its datatype (pySHACL's sh:datatype)."""
    if not isinstance(term, ox.Literal):
        return ox.Literal(False)
    return ox.Literal(_rdflib_well_formed(term.value, term.datatype.value))


@lru_cache(maxsize=1 << 16)
def _rdflib_well_formed(lexical: str, datatype: str) -> bool:
    from datetime import date, datetime, time
    from decimal import Decimal

    literal = Literal(lexical, datatype=URIRef(datatype))
    if getattr(literal, "ill_typed", None) is True:
        return False
    # The same tests as pyshacl's DatatypeConstraintComponent._assert_actual_datatype.
    expected = {
        str(XSD.integer): int,
        str(XSD.float): float,
        str(XSD.decimal): Decimal,
        str(XSD.boolean): bool,
        str(XSD.date): date,
        str(XSD.time): time,
        str(XSD.dateTime): datetime,
    }.get(datatype)
    return expected is None or isinstance(literal.value, expected)


def _pyshacl_report(
    store: ox.Store, shapes: Graph, skipped: dict, checks: list[Check], union: bool = True
) -> Graph:
    """Validate the shapes the compiler skipped with pySHACL, on an rdflib copy of the data.

    Each skipped shape gets its focus nodes as sh:targetNode (its own targets, or those it
    inherits through sh:property), so pySHACL validates exactly what it would have.
    """
    from pyshacl import validate as shacl_validate

    subset = Graph()
    for triple in shapes:
        subset.add(triple)
    targets = shape_targets(shapes)
    for shape in list(subset.subjects(SH.property)):
        # Compiled shapes' children were checked; a skipped property shape keeps its own.
        if shape not in skipped or (shape, SH.path, None) not in shapes:
            subset.remove((shape, SH.property, None))
    for predicate in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
        subset.remove((None, predicate, None))
    for shape in skipped:
        for row in _query(store, target_query(targets[shape]), {}, union):
            subset.add((shape, SH.targetNode, to_rdflib(row["this"])))
    data = Graph()
    for quad in store:
        data.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    _, report, _ = shacl_validate(data, shacl_graph=subset, inference="none", allow_warnings=True)
    for root in list(report.subjects(RDF.type, SH.ValidationReport)):
        report.remove((root, None, None))
    return report
