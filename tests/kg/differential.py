"""The differential check of the SPARQL-compiled validator against pySHACL, the reference.

Both validators run on the same data and must report the same results: focus node, source shape,
result path, severity, constraint component, value and message. Used by test_fast_validation.py
(the shipped graph and the shape examples) and test_fast_validation_mutations.py (mutated samples).
"""

from __future__ import annotations

from functools import cache

import pyshacl_reference
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from imet_kg.kg.fast_validation import validate_dataset
from imet_kg.kg.validation import ValidationResult, validate


def shipped_shapes() -> Graph:
    return pyshacl_reference.shapes()


@cache
def sampling_shapes() -> set[str]:
    """Shapes whose ?value is a SAMPLE(...): SPARQL lets each engine pick any member of the group,
    and rdflib and Oxigraph pick differently, so their value is not compared."""
    shapes = shipped_shapes()
    return {
        shapes.namespace_manager.normalizeUri(shape)
        for shape, constraint in shapes.subject_objects(SH.sparql)
        if "SAMPLE(" in str(shapes.value(constraint, SH.select)).upper()
    }


def results_of(result: ValidationResult) -> set[tuple]:
    return {
        (
            i.severity,
            i.focus_node,
            i.path,
            "(a sample)" if i.shape in sampling_shapes() else i.value,
            i.shape,
            i.constraint,
            i.message,
        )
        for i in result.issues
    }


def rdflib_ordering(missing: set[tuple], found: set[tuple]) -> set[tuple]:
    """The results only pySHACL reports because rdflib orders literals SPARQL cannot compare.

    SPARQL makes ``"1976"^^xsd:gYear <= "1990-11-05"^^xsd:date`` or ``"FY1977" >= 1977`` an
    error, so the FILTER drops the row (Oxigraph); rdflib orders such literals by datatype IRI
    and keeps it. It happens only where a SPARQL constraint compares a mistyped literal, which a
    core sh:datatype shape reports on the same focus node in both reports.
    """
    mistyped = {r[1] for r in found if r[5] == "sh:DatatypeConstraintComponent"}
    return {r for r in missing if r[5] == "sh:SPARQLConstraintComponent" and r[1] in mistyped}


def assert_same(data, label: str, reference: ValidationResult | None = None) -> ValidationResult:
    """Compare the compiled validator on ``data`` with pySHACL (``reference``, if already known,
    is pySHACL's report on the same data)."""
    if reference is None:
        try:
            reference = validate(data, shipped_shapes())
        except (TypeError, AttributeError) as exc:
            # rdflib's SPARQL evaluator can crash on mistyped data (pySHACL then returns a
            # ValidationFailure where the report graph should be): no reference to compare with.
            pytest.skip(f"pySHACL fails on this sample: {exc!r}")
    fast = validate_dataset(data, shipped_shapes())
    expected, found = results_of(reference), results_of(fast)
    expected -= rdflib_ordering(expected - found, found)
    missing = "\n".join(map(str, sorted(expected - found, key=str)))
    extra = "\n".join(map(str, sorted(found - expected, key=str)))
    assert found == expected, f"{label}\nonly pySHACL:\n{missing}\nonly compiled:\n{extra}"
    assert fast.conforms == reference.conforms
    return fast
