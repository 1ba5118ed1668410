"""Compile a SHACL shapes graph into SPARQL queries that check all focus nodes at once.

pySHACL asks one question per focus node; at a million triples that is minutes. Each compiled
:class:`Check` is one SELECT over every focus node of a shape, whose rows are the shape's
validation results. :mod:`imet_kg.kg.fast_validation` runs the checks on an Oxigraph store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from imet_kg.kg.shacl_expressions import (
    VALUE_COMPONENTS,
    UnsupportedShape,
    sparql_path,
    sparql_term,
    violates,
)
from imet_kg.kg.sparql_prebind import PrebindError, prebind_select

# A shape using one of these is not compiled (the caller falls back or fails loudly).
UNSUPPORTED = (
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH.qualifiedValueShape,
    SH.closed,
    SH.target,
)


@dataclass(frozen=True)
class Check:
    """One SPARQL query whose rows are validation results of one shape.

    Attributes:
        shape: the shape reported as sh:sourceShape.
        severity: its sh:severity.
        messages: its sh:message literals (for SPARQL constraints: the constraint's).
        path: the shape's sh:path node in the shapes graph (None for node shapes).
        kind: "value" (rows ?this ?value plus one boolean ?c<i> per component), "count"
            (?this ?n, checked against min/max), "unique-lang", "has-value" or "sparql".
        query: the SELECT text.
        components: for "value", the constraint component of each ?c<i> column; else one.
        min_count, max_count: for "count".
        source_constraint: for "sparql", the sh:sparql node.
        per_focus: for "sparql", the query could not be rewritten for all focus nodes at once and
            runs once per focus node ($this substituted); ``target`` then lists the focus nodes.
        target: a SELECT of ?this, the shape's focus nodes.
    """

    shape: Node
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None
    kind: str
    query: str
    components: tuple[URIRef, ...]
    min_count: int | None = None
    max_count: int | None = None
    source_constraint: Node | None = None
    per_focus: bool = False
    target: str = ""
    prefixes: dict[str, str] = field(default_factory=dict)


def compile_shapes(shapes: Graph) -> tuple[list[Check], dict[Node, str]]:
    """Compile every shape that has focus nodes into checks.

    Returns:
        The checks, and the shapes that could not be compiled with the reason for each.
    """
    checks: list[Check] = []
    skipped: dict[Node, str] = {}
    for shape, targets in sorted(shape_targets(shapes).items(), key=lambda item: str(item[0])):
        try:
            checks.extend(_compile_shape(shapes, shape, target_query(targets)))
        except (UnsupportedShape, PrebindError) as exc:
            skipped[shape] = str(exc)
    return checks, skipped


def shape_targets(shapes: Graph) -> dict[Node, set[str]]:
    """Each active shape with focus nodes, and the SPARQL patterns (binding ?this) of its targets.

    A shape reached through sh:property validates the focus nodes of the shape above it, so it
    inherits that shape's targets (a shape reached twice validates the union).
    """
    own: dict[Node, set[str]] = {}
    declared = [SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf]
    for shape in set(shapes.subjects(SH.targetClass)) | _implicit_class_shapes(shapes):
        own.setdefault(shape, set())
    for predicate in declared:
        for shape, value in shapes.subject_objects(predicate):
            own.setdefault(shape, set()).add(_target_pattern(predicate, value))
    for shape in _implicit_class_shapes(shapes):
        own[shape].add(_target_pattern(SH.targetClass, shape))
    result: dict[Node, set[str]] = {}
    pending = [(shape, patterns) for shape, patterns in own.items()]
    while pending:
        shape, patterns = pending.pop()
        if _deactivated(shapes, shape):
            continue
        known = result.setdefault(shape, set())
        if patterns <= known and known:
            continue
        known |= patterns
        if (shape, SH.path, None) in shapes:
            continue  # its sh:property shapes validate its value nodes: not compiled (see below)
        for child in shapes.objects(shape, SH.property):
            pending.append((child, set(known)))
    return {shape: patterns for shape, patterns in result.items() if patterns}


def _implicit_class_shapes(shapes: Graph) -> set[Node]:
    # A shape that is also a class targets its own instances (SHACL 2.1.3.3).
    kinds = (SH.NodeShape, SH.PropertyShape)
    classes = set(shapes.subjects(RDF.type, RDFS.Class)) | set(shapes.subjects(RDF.type, OWL.Class))
    return {s for s in classes if any((s, RDF.type, kind) in shapes for kind in kinds)}


def _deactivated(shapes: Graph, shape: Node) -> bool:
    return any(value.toPython() is True for value in shapes.objects(shape, SH.deactivated))


def _target_pattern(predicate: URIRef, value: Node) -> str:
    term = sparql_term(value)
    if predicate == SH.targetClass:
        return f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {term} ."
    if predicate == SH.targetNode:
        return f"VALUES ?this {{ {term} }}"
    if predicate == SH.targetSubjectsOf:
        return f"?this {term} [] ."
    return f"[] {term} ?this ."


def target_query(patterns: set[str]) -> str:
    union = " UNION ".join(f"{{ {pattern} }}" for pattern in sorted(patterns))
    return f"SELECT DISTINCT ?this WHERE {{ {union} }}"


def _compile_shape(shapes: Graph, shape: Node, target: str) -> Iterator[Check]:
    for predicate in UNSUPPORTED:
        if (shape, predicate, None) in shapes:
            raise UnsupportedShape(f"{shape}: {predicate} is not compiled")
    path = shapes.value(shape, SH.path)
    if path is not None and (shape, SH.property, None) in shapes:
        raise UnsupportedShape(f"{shape}: sh:property under a property shape is not compiled")
    base = {
        "shape": shape,
        "severity": shapes.value(shape, SH.severity) or SH.Violation,
        "messages": tuple(sorted(m for m in shapes.objects(shape, SH.message))),
        "path": path,
        "target": target,
    }
    focus = f"{{ {target} }}"
    values = f"?this {sparql_path(shapes, path)} ?v ." if path is not None else "BIND(?this AS ?v)"
    yield from _value_check(shapes, shape, base, focus, values)
    yield from _cardinality_checks(shapes, shape, base, focus, path)
    for sparql_node in sorted(shapes.objects(shape, SH.sparql), key=str):
        yield _sparql_check(shapes, shape, sparql_node, base, path)


def _value_check(
    shapes: Graph, shape: Node, base: dict, focus: str, values: str
) -> Iterator[Check]:
    """One query for all the per-value-node constraints of a shape: a boolean column per
    constraint, true where the value node breaks it."""
    columns, components = [], []
    for parameter, component in VALUE_COMPONENTS.items():
        for argument in sorted(shapes.objects(shape, parameter), key=str):
            condition = violates(shapes, parameter, argument)
            columns.append(f"(COALESCE({condition}, true) AS ?c{len(columns)})")
            components.append(component)
    if not columns:
        return
    any_column = " || ".join(f"?c{i}" for i in range(len(columns)))
    query = (
        f"SELECT DISTINCT ?this (?v AS ?value) {' '.join(columns)} WHERE {{ "
        f"{{ SELECT DISTINCT ?this ?v WHERE {{ {focus} {values} }} }} }}"
    )
    # The booleans are projected, then filtered outside, so each is computed once.
    query = f"SELECT * WHERE {{ {{ {query} }} FILTER({any_column}) }}"
    yield Check(kind="value", query=query, components=tuple(components), **base)


def _cardinality_checks(
    shapes: Graph, shape: Node, base: dict, focus: str, path: Node | None
) -> Iterator[Check]:
    minimum = _integer(shapes.value(shape, SH.minCount))
    maximum = _integer(shapes.value(shape, SH.maxCount))
    has_value = sorted(shapes.objects(shape, SH.hasValue), key=str)
    unique_lang = any(v.toPython() is True for v in shapes.objects(shape, SH.uniqueLang))
    if path is None and (minimum is not None or maximum is not None or unique_lang):
        raise UnsupportedShape(f"{shape}: a cardinality or sh:uniqueLang on a node shape")
    step = sparql_path(shapes, path) if path is not None else None
    values = f"?this {step} ?v ." if step else "BIND(?this AS ?v)"
    if minimum is not None or maximum is not None:
        query = _count_query(focus, values, step, minimum, maximum)
        components = (SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent)
        yield Check(
            kind="count",
            query=query,
            components=components,
            min_count=minimum,
            max_count=maximum,
            **base,
        )
    if unique_lang:
        query = (
            f"SELECT ?this ?lang WHERE {{ {focus} {values} FILTER(LANG(?v) != '') "
            f"BIND(LCASE(LANG(?v)) AS ?lang) }} GROUP BY ?this ?lang HAVING(COUNT(DISTINCT ?v) > 1)"
        )
        yield Check(
            kind="unique-lang", query=query, components=(SH.UniqueLangConstraintComponent,), **base
        )
    for value in has_value:
        query = (
            f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {values} "
            f"FILTER(sameTerm(?v, {sparql_term(value)})) }} }}"
        )
        yield Check(
            kind="has-value", query=query, components=(SH.HasValueConstraintComponent,), **base
        )


def _count_query(
    focus: str, values: str, step: str, minimum: int | None, maximum: int | None
) -> str:
    """Rows ?this ?n where a focus node's number of value nodes ?n breaks a bound; the runner tells
    which bound from ?n."""
    if minimum in (None, 0, 1) and maximum in (None, 0, 1):
        # The usual bounds need no counting: "none" and "two different ones" are a NOT EXISTS and
        # a join, ?n standing for the count (at 1M triples about 40% quicker than a GROUP BY).
        branches = []
        if minimum == 1:
            branches.append(f"{focus} FILTER NOT EXISTS {{ {values} }} BIND(0 AS ?n)")
        if maximum == 0:
            branches.append(f"{focus} FILTER EXISTS {{ {values} }} BIND(1 AS ?n)")
        elif maximum == 1:
            branches.append(
                f"{focus} {values} ?this {step} ?v2 . FILTER(!sameTerm(?v, ?v2)) BIND(2 AS ?n)"
            )
        if not branches:  # minCount 0 alone: nothing can break it
            return "SELECT ?this ?n WHERE { FILTER(false) }"
        union = " UNION ".join(f"{{ {branch} }}" for branch in branches)
        return f"SELECT DISTINCT ?this ?n WHERE {{ {union} }}"
    # One grouping for both bounds.
    tests = [f"?n < {minimum}"] if minimum is not None else []
    tests += [f"?n > {maximum}"] if maximum is not None else []
    return (
        f"SELECT ?this ?n WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ "
        f"{focus} OPTIONAL {{ {values} }} }} GROUP BY ?this }} FILTER({' || '.join(tests)}) }}"
    )


def _integer(node: Node | None) -> int | None:
    return None if node is None else int(node)


def _sparql_check(
    shapes: Graph, shape: Node, constraint: Node, base: dict, path: Node | None
) -> Check:
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShape(f"{shape}: a sh:sparql constraint without sh:select")
    if any(value.toPython() is True for value in shapes.objects(constraint, SH.deactivated)):
        raise UnsupportedShape(f"{shape}: a deactivated sh:sparql constraint (not compiled)")
    text = str(select)
    if path is not None:
        text = _replace_path(text, sparql_path(shapes, path))
    if not isinstance(shape, URIRef) and "currentShape" in text:
        raise UnsupportedShape(f"{shape}: $currentShape on a blank-node shape")
    text = text.replace("$currentShape", shape.n3()).replace("?currentShape", shape.n3())
    if "shapesGraph" in text:
        raise UnsupportedShape(f"{shape}: $shapesGraph (pySHACL does not support it either)")
    prefixes = declared_prefixes(shapes, constraint)
    query, per_focus = prebind_select(text, base["target"])
    messages = tuple(sorted(shapes.objects(constraint, SH.message)))
    return Check(
        **{**base, "messages": messages + base["messages"]},
        kind="sparql",
        query=query,
        components=(SH.SPARQLConstraintComponent,),
        source_constraint=constraint,
        per_focus=per_focus,
        prefixes=prefixes,
    )


def _replace_path(text: str, path: str) -> str:
    # As pySHACL does: $PATH (or ?PATH) after a space or bracket becomes the path's text.
    return re.sub(r"([\s{}()])[\$\?]PATH", lambda m: m.group(1) + path, text, flags=re.M)


def declared_prefixes(shapes: Graph, constraint: Node) -> dict[str, str]:
    """The prefixes a SPARQL constraint may use, found as pySHACL finds them: the sh:declare of
    its sh:prefixes nodes, plus those of every owl:Ontology unless that node is one itself."""
    ontologies = set(shapes.subjects(RDF.type, OWL.Ontology))
    global_declares = {d for o in ontologies for d in shapes.objects(o, SH.declare)}
    prefixes: dict[str, str] = {}
    for node in shapes.objects(constraint, SH.prefixes):
        own = set(shapes.objects(node, SH.declare))
        declares = own if own and node in ontologies else global_declares | own
        for declare in sorted(declares, key=str):
            prefix, namespace = (
                shapes.value(declare, SH.prefix),
                shapes.value(declare, SH.namespace),
            )
            if prefix is None or namespace is None:
                raise UnsupportedShape(f"a sh:declare without sh:prefix or sh:namespace: {declare}")
            prefixes[str(prefix)] = str(namespace)
    return prefixes
