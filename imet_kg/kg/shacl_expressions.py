"""SHACL value-node constraints as SPARQL expressions (for :mod:`imet_kg.kg.shacl_compile`).

Each expression is true where a value node breaks a constraint, as pySHACL reads the constraint
(including its choices where SHACL leaves room). Nested shapes (sh:node, sh:or, sh:and, sh:not,
sh:xone) become boolean combinations, their property shapes EXISTS / NOT EXISTS tests.
"""

from __future__ import annotations

import itertools
import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

# Custom SPARQL function (see fast_validation): does rdflib read this literal as its datatype?
WELL_FORMED = URIRef("urn:imet-kg:fn:well-formed")
VALUE_COMPONENTS = {
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
}
RANGE_OPERATORS = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}
NODE_KINDS = {
    SH.IRI: "isIRI(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "(isIRI(?v) || isBlank(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}


class UnsupportedShape(Exception):
    """A shape uses a feature the compiler does not translate (the message says which)."""


def sparql_term(node: Node) -> str:
    """Write an RDF term as SPARQL (plain literals stay plain: Oxigraph reads them as xsd:string,
    the same term)."""
    if isinstance(node, BNode):
        raise UnsupportedShape(f"a blank node {node} as a constraint value")
    return node.n3()


def sparql_path(shapes: Graph, path: Node) -> str:
    """Write a SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return path.n3()
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(sparql_path(shapes, step) for step in Collection(shapes, path)) + ")"
    for predicate, template in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return template.format(sparql_path(shapes, inner))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return (
            "(" + "|".join(sparql_path(shapes, s) for s in Collection(shapes, alternatives)) + ")"
        )
    raise UnsupportedShape(f"a property path {path!r} that is not SHACL")


def violates(shapes: Graph, parameter: URIRef, argument: Node, var: str = "?v") -> str:
    """A SPARQL expression, true where value node ``var`` breaks the constraint (pySHACL's
    reading of it, including its choices where SHACL leaves room)."""
    if parameter in (SH["or"], SH["and"], SH["not"], SH.xone, SH.node):
        return _logical(shapes, parameter, argument, var)
    return re.sub(r"\?v\b", lambda _: var, _value_test(shapes, parameter, argument))


def _value_test(shapes: Graph, parameter: URIRef, argument: Node) -> str:
    if parameter == SH.datatype:
        return f"!({_has_datatype(argument)})"
    if parameter == SH["class"]:
        return f"NOT EXISTS {{ ?v <{RDF.type}>/<{RDFS.subClassOf}>* {sparql_term(argument)} }}"
    if parameter == SH["in"]:
        members = [f"sameTerm(?v, {sparql_term(m)})" for m in Collection(shapes, argument)]
        return "!(" + (" || ".join(members) or "false") + ")"
    if parameter == SH.nodeKind:
        if argument not in NODE_KINDS:
            raise UnsupportedShape(f"sh:nodeKind {argument}")
        return f"!{NODE_KINDS[argument]}"
    if parameter == SH.pattern:
        return _pattern(shapes, argument)
    if parameter in (SH.minLength, SH.maxLength):
        if parameter == SH.minLength and int(argument) == 0:
            return "false"
        operator = "<" if parameter == SH.minLength else ">"
        return f"(isBlank(?v) || STRLEN(STR(?v)) {operator} {int(argument)})"
    if parameter in RANGE_OPERATORS:
        # An incomparable value (another type, an IRI, an ill-typed literal) breaks it: the
        # comparison's error becomes false, and pySHACL reports those too.
        return f"!COALESCE(?v {RANGE_OPERATORS[parameter]} {sparql_term(argument)}, false)"
    if parameter == SH.languageIn:
        return _language_in(shapes, argument)
    raise UnsupportedShape(f"{parameter} is not compiled")


def _has_datatype(datatype: Node) -> str:
    if datatype == RDFS.Literal:
        return "isLiteral(?v)"
    if datatype == RDFS.Datatype:
        return "(isLiteral(?v) && LANG(?v) = '')"
    same = f"isLiteral(?v) && sameTerm(DATATYPE(?v), {sparql_term(datatype)})"
    if datatype in (XSD.string, RDF.langString):
        return f"({same})"
    # Every other datatype: rdflib's reading of the lexical form decides, as in pySHACL.
    if datatype in _NUMERIC:
        # A number Oxigraph parsed (isNumeric) is one Python reads too: asking rdflib only about
        # the others spares a call into Python per value (at 1M triples: 6.2 s -> 0.4 s a shape).
        # IF, not ||: Oxigraph evaluates both sides of an ||.
        return f"({same} && IF(isNumeric(?v), true, <{WELL_FORMED}>(?v)))"
    return f"({same} && <{WELL_FORMED}>(?v))"


# Datatypes whose XSD lexical forms Python's int, Decimal and float all accept; not the derived
# integer types, whose ranges the two libraries might check differently.
_NUMERIC = (XSD.integer, XSD.decimal, XSD.float, XSD.double)


def _pattern(shapes: Graph, shape_pattern: Node) -> str:
    # Python's "$" also matches before a final newline; the Rust regex engine's does not.
    pattern = python_dollar(str(shape_pattern))
    flags = ""
    for owner in shapes.subjects(SH.pattern, shape_pattern):
        flags = str(shapes.value(owner, SH.flags) or "")
    arguments = f"STR(?v), {Literal(pattern).n3()}" + (f", {Literal(flags).n3()}" if flags else "")
    return f"(isBlank(?v) || !REGEX({arguments}))"


def python_dollar(pattern: str) -> str:
    """Rewrite each end anchor ``$`` outside a character class as ``\\n?$``."""
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append("\\n?")
        out.append(char)
    return "".join(out)


def _language_in(shapes: Graph, languages: Node) -> str:
    # pySHACL: the tag, lower-cased, or its first subtag, is one of the listed ranges.
    ranges = sorted({str(item).lower() for item in Collection(shapes, languages)})
    if "*" in ranges:
        return "(LANG(?v) = '')"
    listed = ", ".join(Literal(r).n3() for r in ranges) or "''"
    first = "IF(CONTAINS(LANG(?v), '-'), STRBEFORE(LANG(?v), '-'), LANG(?v))"
    return f"(LANG(?v) = '' || !(LCASE(LANG(?v)) IN ({listed}) || LCASE({first}) IN ({listed})))"


def _logical(shapes: Graph, parameter: URIRef, argument: Node, var: str) -> str:
    if parameter in (SH.node, SH["not"]):
        conforms = _conforms(shapes, argument, var)
        return f"!{conforms}" if parameter == SH.node else conforms
    members = [_conforms(shapes, member, var) for member in Collection(shapes, argument)]
    if parameter == SH["or"]:
        return "!(" + (" || ".join(members) or "false") + ")"
    if parameter == SH["and"]:
        return "!(" + (" && ".join(members) or "true") + ")"
    count = " + ".join(f"IF({member}, 1, 0)" for member in members) or "0"
    return f"(({count}) != 1)"


NESTED_ALLOWED = set(VALUE_COMPONENTS) | {
    RDF.type,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.flags,
    SH.path,
    SH.property,
    SH.minCount,
    SH.maxCount,
    SH.hasValue,
    RDFS.label,
    RDFS.comment,
}
_fresh = itertools.count()


def _conforms(shapes: Graph, member: Node, var: str) -> str:
    """True where ``var`` conforms to a nested shape (sh:node, sh:or, ...): its per-value
    constraints hold for ``var`` itself, and its property shapes' for their values."""
    for parameter in set(shapes.predicates(member)):
        if parameter not in NESTED_ALLOWED:
            raise UnsupportedShape(f"a nested shape with {parameter}")
    path = shapes.value(member, SH.path)
    if path is not None:
        return _property_conforms(shapes, member, var, sparql_path(shapes, path))
    parts = [
        f"!COALESCE({violates(shapes, parameter, argument, var)}, true)"
        for parameter in VALUE_COMPONENTS
        for argument in shapes.objects(member, parameter)
    ]
    parts += [_conforms(shapes, child, var) for child in shapes.objects(member, SH.property)]
    parts += [f"sameTerm({var}, {sparql_term(v)})" for v in shapes.objects(member, SH.hasValue)]
    if (member, SH.minCount, None) in shapes or (member, SH.maxCount, None) in shapes:
        raise UnsupportedShape("a cardinality on a nested node shape")
    return "(" + (" && ".join(sorted(parts)) or "true") + ")"


def _property_conforms(shapes: Graph, member: Node, var: str, path: str) -> str:
    """A nested property shape holds for ``var``: cardinality by EXISTS over distinct values (up
    to three), every value by NOT EXISTS of a breaking one."""
    if (member, SH.property, None) in shapes:
        raise UnsupportedShape("sh:property under a nested property shape")
    parts = []
    for bound, at_least in (
        (shapes.value(member, SH.minCount), True),
        (shapes.value(member, SH.maxCount), False),
    ):
        if bound is None or (at_least and int(bound) == 0):
            continue
        count = int(bound) if at_least else int(bound) + 1
        if count > 3:
            raise UnsupportedShape("a nested cardinality above 3")
        names = [f"?n{next(_fresh)}" for _ in range(count)]
        steps = " ".join(f"{var} {path} {name} ." for name in names)
        distinct = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2))
        exists = f"EXISTS {{ {steps} FILTER({distinct or 'true'}) }}"
        parts.append(exists if at_least else f"!{exists}")
    name = f"?n{next(_fresh)}"
    for value in shapes.objects(member, SH.hasValue):
        parts.append(
            f"EXISTS {{ {var} {path} {name} . FILTER(sameTerm({name}, {sparql_term(value)})) }}"
        )
    for parameter in VALUE_COMPONENTS:
        for argument in shapes.objects(member, parameter):
            test = violates(shapes, parameter, argument, name)
            parts.append(f"NOT EXISTS {{ {var} {path} {name} . FILTER(COALESCE({test}, true)) }}")
    return "(" + (" && ".join(parts) or "true") + ")"
