"""Query parameters: which values each type accepts, the RDF term a value stands for, and how a
term is written into SPARQL text so that no value can change what the query does.

A value is checked against its type before it becomes a term (ASCII digits only for numbers, a
real calendar date, an IRI the SPARQL grammar and Oxigraph both accept), and a term is written
with escapes of our own rather than rdflib's ``n3()``, which leaves a trailing quote or a ``\\u``
sequence that SPARQL decodes before it parses.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from imet_kg.errors import QueryError

PARAM_TYPES = ("iri", "string", "integer", "decimal", "date")

# An absolute IRI as SPARQL's IRIREF allows it: a scheme, then no space, control character or
# any of <>"{}|^`\ (C1 controls and DEL are refused too: no IRI in the graph has them).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\\x7f-\x9f]*")
_PREFIXED_NAME = re.compile(r"([A-Za-z][\w.-]*)?:(.*)", re.DOTALL)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
# The characters of a string that are written as SPARQL ECHAR escapes.
_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``" (did you mean X?)"`` for the candidate closest to ``word``; ``""`` if none is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


@dataclass(frozen=True)
class QueryParam:
    """A parameter a saved query declares in its header.

    Attributes:
        name: the SPARQL variable it binds (without ``?``).
        type: one of ``iri``, ``string``, ``integer``, ``decimal``, ``date``.
        default: the value used when none is given (as text), or None if the parameter is required.
        short: for an ``iri`` parameter, the IRI a short value stands for, with ``{}`` where the
            value goes (``https://w3id.org/imet-kg/id/faa/section-{}``: ``section=546``).
    """

    name: str
    type: str
    default: str | None = None
    short: str | None = None

    def to_term(self, value: str, prefixes: Mapping[str, str] | None = None) -> URIRef | Literal:
        """Turn a value given as text into the RDF term this parameter binds.

        Args:
            value: the text, as typed. An ``iri`` value is an absolute IRI, a prefixed name
                (``faa:section-546``) whose prefix is in ``prefixes``, or the short form.
            prefixes: prefix name to namespace IRI, for prefixed names.

        Raises:
            QueryError: ``parameter NAME: 'VALUE' is not a valid TYPE (why)``.
        """
        try:
            _check_text(value)
            if self.type == "iri":
                return URIRef(self._expand(value, prefixes or {}))
            if self.type == "integer":
                _check_pattern(_INTEGER, value, "digits 0-9 with an optional sign")
                return Literal(int(value), datatype=XSD.integer)
            if self.type == "decimal":
                _check_pattern(_DECIMAL, value, "digits 0-9 with an optional sign and point")
                return Literal(Decimal(value), datatype=XSD.decimal)
            if self.type == "date":
                _check_pattern(_DATE, value, "YYYY-MM-DD")
                datetime.date.fromisoformat(value)  # refuses 2021-02-30 with a one-line message
                return Literal(value, datatype=XSD.date)
            return Literal(value)
        except ValueError as exc:
            raise QueryError(
                f"parameter {self.name}: {value!r} is not a valid {self.type} ({exc})"
            ) from exc

    def _expand(self, value: str, prefixes: Mapping[str, str]) -> str:
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        prefixed = _PREFIXED_NAME.fullmatch(value)
        if prefixed and (prefixed[1] or "") in prefixes:
            value = prefixes[prefixed[1] or ""] + prefixed[2]
        elif ":" not in value:
            if self.short is None:
                raise ValueError("give an absolute IRI or a prefixed name such as imet:Actual")
            value = self.short.replace("{}", value)
        check_iri(value)
        return value

    def spelling(self, value: str, prefixes: Mapping[str, str]) -> tuple[str, str, str]:
        """How an ``iri`` value was typed, to write another IRI the same way in a message.

        Returns:
            ``(head, tail, written)``: an IRI ``head + local + tail`` is written ``written + local``
            (``faa:`` for a prefixed name, ``section=`` for the short form, the namespace for an
            IRI).
        """
        value = value.removeprefix("<").removesuffix(">")
        prefixed = _PREFIXED_NAME.fullmatch(value)
        if prefixed and (prefixed[1] or "") in prefixes:
            return prefixes[prefixed[1] or ""], "", f"{prefixed[1] or ''}:"
        if ":" not in value and self.short is not None:
            head, _, tail = self.short.partition("{}")
            return head, tail, f"{self.name}="
        namespace = value[: max(value.rfind("/"), value.rfind("#")) + 1]
        return namespace, "", namespace

    def short_example(self) -> str | None:
        """The short form of the default value (``546`` for ``.../faa/section-546``), if any."""
        if self.short is None or self.default is None:
            return None
        head, _, tail = self.short.partition("{}")
        if self.default.startswith(head) and self.default.endswith(tail):
            return self.default[len(head) : len(self.default) - len(tail)]
        return None

    def as_dict(self) -> dict[str, str | None]:
        """Name, type and default; ``short`` only for a parameter that has a short form."""
        described = {"name": self.name, "type": self.type, "default": self.default}
        return described if self.short is None else described | {"short": self.short}


def _check_text(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # A command-line argument that was not UTF-8 arrives with lone surrogates.
        raise ValueError("not UTF-8 text") from None


def _check_pattern(pattern: re.Pattern, value: str, expected: str) -> None:
    if not pattern.fullmatch(value):
        raise ValueError(f"expected {expected}")


def check_iri(value: str) -> None:
    """Check that ``value`` is an absolute IRI that SPARQL can carry between ``<`` and ``>``.

    Raises:
        ValueError: naming what is wrong (a space, a control character, no scheme, ...).
    """
    if not _ABSOLUTE_IRI.fullmatch(value):
        bad = re.search(r"[\x00-\x20<>\"{}|^`\\\x7f-\x9f]", value)
        if bad:
            raise ValueError(f"an IRI cannot hold {bad.group()!r}")
        raise ValueError("not an absolute IRI (scheme:...)")
    import pyoxigraph

    pyoxigraph.NamedNode(value)  # Oxigraph's own check (e.g. a malformed host or %-escape)


def sparql_term(term: URIRef | Literal) -> str:
    """Write an IRI or a literal as SPARQL text that stands for exactly that term.

    Raises:
        ValueError: for an IRI that SPARQL cannot carry (see :func:`check_iri`).
    """
    if isinstance(term, URIRef):
        check_iri(str(term))
        return f"<{term}>"
    text = f'"{sparql_string(str(term))}"'
    if term.language:
        if not _LANGUAGE_TAG.fullmatch(term.language):
            raise ValueError(f"not a language tag: {term.language!r}")
        return f"{text}@{term.language}"
    if term.datatype is not None and term.datatype != XSD.string:
        check_iri(str(term.datatype))
        return f"{text}^^<{term.datatype}>"
    return text


def sparql_string(text: str) -> str:
    """Escape ``text`` for the inside of a SPARQL ``"..."`` literal.

    Quotes, backslashes and line breaks become ECHAR escapes (``\\"`` ``\\\\`` ``\\n``). SPARQL
    decodes ``\\uXXXX`` and ``\\UXXXXXXXX`` in the whole query text before it parses it, so a
    backslash of the value followed by ``u`` must not reach the parser as ``\\u``: that ``u`` (and
    the hex digits after it, since rdflib reads up to eight) are written as ``\\u00XX`` escapes,
    which decode to themselves. No other codepoint escape is written: one followed by hex digits
    would be read with them by rdflib.
    """
    out = []
    state = "plain"  # or "after backslash", or "after u" (in the hex digits that follow)
    for char in text:
        if (state == "after backslash" and char in "uU") or (
            state == "after u" and char in _HEX_DIGITS
        ):
            out.append(f"\\u{ord(char):04X}")
            state = "after u"
            continue
        out.append(_ECHAR.get(char, char))
        state = "after backslash" if char == "\\" else "plain"
    return "".join(out)
