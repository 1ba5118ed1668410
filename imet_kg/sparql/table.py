"""Render SELECT results as a text table for people: prefixed names, grouped numbers, fitted width.

The W3C formats (CSV, TSV, JSON, XML) carry the raw terms; this table is only for reading, so it
shortens what a person does not need: full IRIs become ``prefix:local`` with the project's
prefixes, numbers get thousands separators, and, when a width is given, long values are cut to
fit it, keeping the identifying end of an IRI (``…/section-546``) and the start of a text.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from imet_kg.namespaces import PREFIXES

ELLIPSIS = "…"
COLUMN_GAP = "  "
#: A text column is not narrowed below this (or its header, if wider), however small the terminal.
MIN_COLUMN_WIDTH = 8
#: Integers with fewer digits (years, section numbers) stay as written, as style guides advise.
GROUPING_FROM = 10_000

_NUMERIC_DATATYPES = frozenset(
    str(XSD[name])
    for name in [
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    ]
)
# Longest namespace first, so id/graph/ terms are not written with a shorter prefix's namespace.
_NAMESPACES = sorted(
    ((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda p: -len(p[0])
)


def text_table(variables: Sequence[str], rows: Sequence[Sequence], width: int | None = None) -> str:
    """Lay out ``rows`` (rdflib terms or None) under ``variables`` as aligned text columns.

    Args:
        variables: the column names.
        rows: one sequence of terms per row; None for an unbound variable.
        width: the characters a line may take (the terminal's width); None never cuts a value.

    Returns:
        The table, a dashed rule under the header, and a ``(N rows)`` line.
    """
    cells = [[_cell(term) for term in row] for row in rows]
    numeric = [_numbers_only([row[i] for row in rows]) for i in range(len(variables))]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(variables)]
    if width is not None:
        # A cut number would read as a different number: numeric columns keep their width.
        floors = [
            w if is_number else min(w, max(len(name), MIN_COLUMN_WIDTH))
            for w, name, is_number in zip(widths, variables, numeric, strict=True)
        ]
        widths = _fit(widths, floors, width)
        cells = [
            [
                _clip(text, w, keep_end=isinstance(term, (URIRef, BNode)))
                for text, w, term in zip(texts, widths, terms, strict=True)
            ]
            for texts, terms in zip(cells, rows, strict=True)
        ]

    def line(values: Sequence[str], right: Sequence[bool]) -> str:
        padded = (
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        )
        return COLUMN_GAP.join(padded).rstrip()

    left = [False] * len(variables)
    out = [line(variables, numeric), line(["-" * w for w in widths], left)]
    out += [line(row, numeric) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def short_name(term: URIRef | BNode) -> str:
    """``prefix:local`` for an IRI in one of the project's namespaces, else the IRI itself."""
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term)
    for namespace, prefix in _NAMESPACES:
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def format_number(lexical: str) -> str:
    """Write a number for reading: ``27000000.0`` -> ``27,000,000``, ``0.350`` -> ``0.350``.

    Integral values lose a ``.0``; digits after the point are kept as written; values under
    :data:`GROUPING_FROM` are not grouped. A lexical form that is not a number is returned as is.
    """
    try:
        value = Decimal(lexical.strip())
    except InvalidOperation:
        return lexical
    if not value.is_finite():
        return lexical
    sign = "-" if value < 0 else ""
    whole, _, fraction = format(abs(value), "f").partition(".")
    if value == value.to_integral_value():
        fraction = ""
    if int(whole) >= GROUPING_FROM:
        whole = f"{int(whole):,}"
    return sign + whole + (f".{fraction}" if fraction else "")


def _is_number(term) -> bool:
    return isinstance(term, Literal) and str(term.datatype) in _NUMERIC_DATATYPES


def _numbers_only(column: list) -> bool:
    bound = [term for term in column if term is not None]
    return bool(bound) and all(_is_number(term) for term in bound)


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, (URIRef, BNode)):
        return short_name(term)
    if _is_number(term):
        return format_number(str(term))
    return " ".join(str(term).split())  # one line per row, whatever the text holds


def _fit(widths: list[int], floors: list[int], width: int) -> list[int]:
    """Narrow the widest columns, all to one cap, until a line fits ``width``.

    No column goes below its floor, so on a very narrow terminal the lines may still be longer
    than ``width``.
    """
    budget = width - len(COLUMN_GAP) * (len(widths) - 1)
    if sum(widths) <= budget:
        return widths
    for cap in range(max(widths), 0, -1):
        capped = [max(floor, min(w, cap)) for w, floor in zip(widths, floors, strict=True)]
        if sum(capped) <= budget:
            return capped
    return floors


def _clip(text: str, width: int, keep_end: bool) -> str:
    if len(text) <= width:
        return text
    if keep_end:  # an IRI is told apart by its end: …/section-546, not https://w3id.org/imet…
        tail = text[len(text) - width + 1 :]
        slash = tail.find("/", 1)
        if 0 < slash < len(tail) // 2:  # start at a path step when that loses little
            tail = tail[slash:]
        return ELLIPSIS + tail
    return text[: width - 1] + ELLIPSIS
