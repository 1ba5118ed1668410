"""Rewrite a SHACL-SPARQL SELECT so that one query answers for every focus node at once.

SHACL pre-binds ``$this`` to one focus node per query. The all-at-once form joins the focus nodes
(a sub-select of ``?this``) into every group that mentions ``$this`` and is evaluated on its own
(the WHERE clause, UNION branches, OPTIONAL and plain groups). Groups after EXISTS / NOT EXISTS
are left alone: SPARQL evaluates them with the solution's bindings, ``?this`` included. A query
the rewrite cannot keep equivalent (MINUS, VALUES, SERVICE, GRAPH, a sub-select, LIMIT/OFFSET,
aggregates not grouped by ``$this``) is marked to run once per focus node instead.
"""

from __future__ import annotations

import re

# Strings, IRIs, comments, variables, words, braces: enough to find groups and keywords without
# being fooled by a brace or keyword inside a literal or an IRI.
TOKEN = re.compile(
    r"""(?P<string>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
    r"""|(?P<iri><[^<>"{}|^`\\\s]*>)"""
    r"""|(?P<comment>\#[^\n]*)"""
    r"""|(?P<var>[?$][A-Za-z0-9_]+)"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[^\s{}();,]*)?|:[^\s{}();,]*)"""
    r"""|(?P<open>\{)|(?P<close>\})"""
    r"""|(?P<other>\S)""",
    re.S,
)
PER_FOCUS_WORDS = {"MINUS", "VALUES", "SERVICE", "GRAPH", "LIMIT", "OFFSET"}
AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "HAVING"}
THIS = {"?this", "$this"}


class PrebindError(Exception):
    """The query text is not a SELECT query this module can read."""


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    return [
        (match.lastgroup or "", match.group(), match.start(), match.end())
        for match in TOKEN.finditer(text)
        if match.lastgroup != "comment"
    ]


def prebind_select(text: str, target: str) -> tuple[str, bool]:
    """Rewrite a SELECT query with ``$this`` for all focus nodes of ``target`` at once.

    Args:
        text: the constraint's sh:select (prefixes not yet added).
        target: a SELECT query binding ``?this`` to each focus node.

    Returns:
        The rewritten query and False, or the query unchanged and True when it must run once
        per focus node.

    Raises:
        PrebindError: if the text has no SELECT with a WHERE group.
    """
    tokens = _tokens(text)
    words = [value.upper() for kind, value, _, _ in tokens if kind == "word"]
    if "SELECT" not in words:
        raise PrebindError("not a SELECT query")
    opening = next((i for i, t in enumerate(tokens) if t[0] == "open"), None)
    if opening is None:
        raise PrebindError("a SELECT without a WHERE group")
    closing = _matching(tokens, opening)
    if not _grouped_by_this(tokens[_last_close(tokens) + 1 :], words):
        # Neither form can report per focus node; the caller falls back to pySHACL.
        raise PrebindError("aggregates that are not grouped by $this")
    if words.count("SELECT") > 1 or PER_FOCUS_WORDS & set(words):
        # Run once per focus node with $this substituted; the row must name its focus node.
        return _project_this(tokens, text), True
    focus = f" {{ {target} }} "
    where = _group(text, tokens, opening, closing, focus, top=True)
    query = text[: tokens[opening][2]] + where + text[tokens[closing][3] :]
    return _project_this(tokens, query), False


Token = tuple[str, str, int, int]


def _anti_joins(
    text: str, tokens: list[Token], opening: int, closing: int, focus: str
) -> str | None:
    """Rewrite each top-level ``FILTER NOT EXISTS { P }`` as ``MINUS { focus BGP P }``.

    Oxigraph evaluates a correlated NOT EXISTS once per solution, scanning as if nothing were
    bound (S28 at 1M triples: minutes); MINUS is one set-at-a-time anti-join. The two agree when
    every solution of the WHERE group binds the same variables, ?this among them: the group is
    a basic graph pattern with filters (checked here), and so is P. Returns None otherwise.
    """
    clauses = _top_level_filters(tokens, opening + 1, closing)
    if clauses is None or not any(negated for _, _, negated in clauses):
        return None
    bgp, last = [], tokens[opening][3]
    for start, end, _ in clauses:
        bgp.append(text[last : tokens[start][2]])
        last = tokens[end][3]
    bgp.append(text[last : tokens[closing][2]])
    # A FILTER may sit between two triple patterns with dots on either side: rejoin the pieces.
    pieces = [part.strip().strip(".").strip() for part in bgp]
    triples = " . ".join(piece for piece in pieces if piece)
    out, last = ["{", focus], tokens[opening][3]
    for start, end, negated in clauses:
        if not negated:
            continue
        inner_open = start + 3
        if _top_level_filters(tokens, inner_open + 1, end) is None:
            return None
        pattern = text[tokens[inner_open][3] : tokens[end][2]]
        out.append(text[last : tokens[start][2]])
        out.append(f"MINUS {{ {focus} {triples} {'.' if triples else ''} {pattern} }}")
        last = tokens[end][3]
    out.append(text[last : tokens[closing][3]])
    return "".join(out)


def _top_level_filters(tokens: list[Token], start: int, end: int) -> list[tuple] | None:
    """The FILTER clauses directly in tokens[start:end] as (first, last token, is NOT EXISTS),
    or None if the group holds anything but triple patterns and filters (a nested group,
    OPTIONAL, UNION, BIND, VALUES, MINUS, a sub-select...)."""
    clauses, index = [], start
    while index < end:
        kind, value = tokens[index][0], tokens[index][1].upper()
        if kind == "open" or value in {"OPTIONAL", "UNION", "BIND", "VALUES", "MINUS", "SELECT"}:
            return None
        if value != "FILTER":
            index += 1
            continue
        following = [tokens[i][1].upper() for i in range(index + 1, min(index + 3, end))]
        if following[:2] == ["NOT", "EXISTS"] or following[:1] == ["EXISTS"]:
            negated = following[0] == "NOT"
            brace = index + (3 if negated else 2)
            if brace >= end or tokens[brace][0] != "open":
                return None
            last = _matching(tokens, brace)
            clauses.append((index, last, negated))
        else:
            last = _closing_paren(tokens, index + 1 + (tokens[index + 1][1] != "("), end)
            if last is None:
                return None
            clauses.append((index, last, False))
        index = last + 1
    return clauses


def _closing_paren(tokens: list[Token], index: int, end: int) -> int | None:
    if index >= end or tokens[index][1] != "(":
        return None
    depth = 0
    for position in range(index, end):
        depth += tokens[position][1] == "("
        depth -= tokens[position][1] == ")"
        if depth == 0:
            return position
    return None


def _matching(tokens: list[tuple[str, str, int, int]], opening: int) -> int:
    depth = 0
    for index in range(opening, len(tokens)):
        kind = tokens[index][0]
        depth += kind == "open"
        depth -= kind == "close"
        if depth == 0:
            return index
    raise PrebindError("unbalanced braces")


def _group(text: str, tokens: list, opening: int, closing: int, focus: str, top: bool) -> str:
    """The text of the group tokens[opening..closing], braces included, for all focus nodes:
    as anti-joins if it is a basic graph pattern with NOT EXISTS filters, else with the focus
    nodes joined in (if it mentions $this, or is the WHERE group) and its inner groups rewritten.
    Groups after EXISTS / NOT EXISTS stay as they are: they see the solution's ?this."""
    if top or any(t[1] in THIS for t in tokens[opening:closing]):
        anti_joins = _anti_joins(text, tokens, opening, closing, focus)
        if anti_joins is not None:
            return anti_joins
        out = ["{", focus]
    else:
        out = ["{"]
    last, index = tokens[opening][3], opening + 1
    while index < closing:
        if tokens[index][0] != "open":
            index += 1
            continue
        inner = _matching(tokens, index)
        if tokens[index - 1][1].upper() != "EXISTS":
            out.append(text[last : tokens[index][2]])
            out.append(_group(text, tokens, index, inner, focus, top=False))
            last = tokens[inner][3]
        index = inner + 1
    out.append(text[last : tokens[closing][3]])
    return "".join(out)


def _last_close(tokens: list[tuple[str, str, int, int]]) -> int:
    return max(i for i, t in enumerate(tokens) if t[0] == "close")


def _grouped_by_this(tail: list[tuple[str, str, int, int]], words: list[str]) -> bool:
    """Aggregates are safe only when the solutions are grouped per focus node."""
    text = " ".join(value.upper() for _, value, _, _ in tail)
    if "GROUP" in text:
        group_by = re.split(r"\b(?:HAVING|ORDER)\b", text.split("GROUP", 1)[1])[0]
        return "?THIS" in group_by or "$THIS" in group_by
    return not (AGGREGATES & set(words))


def _project_this(tokens: list[tuple[str, str, int, int]], text: str) -> str:
    """Make sure ?this is a result column (the rewrite needs to know each row's focus node)."""
    head = []
    for kind, value, _, _ in tokens:
        if kind == "open" or value.upper() == "WHERE":
            break
        head.append(value.upper())
    star = (len(head) > 1 and head[1] == "*") or (len(head) > 2 and head[1:3] == ["DISTINCT", "*"])
    if star or THIS & {value.lower() for value in head}:
        return text
    match = re.search(r"\bSELECT(\s+(?:DISTINCT|REDUCED))?", text, re.I)
    assert match is not None
    return text[: match.end()] + " ?this" + text[match.end() :]
