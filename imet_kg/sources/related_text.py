"""Parse the vendored U.S. Code text of a related provision (a section outside FAA Part II, Ch. 5).

Each file under ``data/sources/usc22-*.txt`` opens with ``key: value`` source notes, then a blank
line, then the section's text with one designated block per paragraph (``(a) Catchline``,
``(1) text``, ``(A) text``, ``(i) text``). Lines in ``[[ ... ]]`` are the researcher's notes;
``[[ BEGIN`` / ``[[ END`` mark text spliced in from a second source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

#: Designation levels below the section, outermost first.
LEVELS = ("subsection", "paragraph", "subparagraph", "clause", "subclause")

_MARKER = re.compile(r"^\((?P<num>[0-9]+|[A-Za-z]+)\)(?: (?P<body>.*))?$")
_FOOTNOTE_CALL = re.compile(r"^(?P<call>[0-9]+) (?=\S)")
_ROMAN_LOWER = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix|x)$")
_ROMAN_UPPER = re.compile(r"^(?:I{1,3}|IV|V|VI{1,3}|IX|X)$")
_FOLLOWS = {"v": "iv", "x": "ix", "V": "IV", "X": "IX"}


@dataclass
class Block:
    """One paragraph of the body: a designation (or none), its text, and where it came from."""

    num: str | None
    body: str
    spliced: bool = False


@dataclass
class Node:
    """A section or one of its subdivisions, as the Code prints it.

    Attributes:
        level: "section" or one of ``LEVELS``.
        path: designations below the section, e.g. ("a", "2"); a repeated designation gets a
            ``-2`` suffix here (the Code has two subsections (i) in 22 U.S.C. 2304).
        num: the designation as printed, e.g. "i".
        heading: the Code's catchline, without a footnote call.
        text: the block's own text (without its children's).
        footnote: the OLRC footnote call printed on the catchline, if any.
        spliced: the text comes from the second source (see the file's notes).
    """

    level: str
    path: tuple[str, ...]
    num: str
    heading: str | None = None
    text: str | None = None
    footnote: str | None = None
    spliced: bool = False
    children: list[Node] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def read_source_file(path: Path) -> tuple[dict[str, str], list[Block]]:
    """Split a vendored file into its source notes (``key: value``) and its body blocks."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    notes = {}
    for line in head.splitlines():
        key, _, value = line.partition(": ")
        notes[key.strip()] = value.strip()
    blocks: list[Block] = []
    spliced = False
    for para in (p.strip() for p in body.split("\n\n")):
        if not para:
            continue
        if para.startswith("[["):
            spliced = para.startswith("[[ BEGIN") or (spliced and not para.startswith("[[ END"))
            continue
        marker = _MARKER.match(para)
        if marker:
            blocks.append(Block(marker["num"], marker["body"] or "", spliced))
        else:
            blocks.append(Block(None, para, spliced))
    return notes, blocks


def _is_lead_in(text: str) -> bool:
    # Text that introduces subdivisions: it does not end a sentence or an item of a list.
    stripped = text.rstrip()
    return not stripped.endswith((".", ";", ",", " and", " or"))


def _level(num: str, previous: Block | None, open_nums: dict[str, str]) -> str:
    """The level of a designation, resolving i/v/x (letter or roman numeral) from context."""
    lead_in = previous is not None and _is_lead_in(previous.body)
    if num.isdigit():
        return "paragraph"
    if num.islower():
        if len(num) > 1 and _ROMAN_LOWER.match(num):
            return "clause"
        if (num == "i" and lead_in) or (
            num in _FOLLOWS and open_nums.get("clause") == _FOLLOWS[num]
        ):
            return "clause"
        return "subsection"
    if len(num) > 1 and _ROMAN_UPPER.match(num):
        return "subclause"
    if num == "I" and lead_in and "clause" in open_nums:
        return "subclause"
    if num in _FOLLOWS and open_nums.get("subclause") == _FOLLOWS[num]:
        return "subclause"
    return "subparagraph"


def parse_blocks(blocks: list[Block]) -> Node:
    """Build the section's tree from its blocks.

    Raises:
        ValueError: if a block has no place in the tree (text with no open heading, or a
            designation whose parent level is missing).
    """
    section = Node("section", (), "")
    stack: list[Node] = [section]
    previous: Block | None = None
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.num is None:
            _attach_text(stack[-1], block)
        else:
            node = _new_node(block, previous, stack)
            is_heading = following is not None and (
                following.num is None
                or (node.level == "subsection" and bool(block.body) and block.body[-1] not in ".;")
            )
            _fill(node, block, is_heading)
        previous = block
    return section


def _attach_text(node: Node, block: Block) -> None:
    if node.text is not None:
        raise ValueError(f"second text block for {node.path}: {block.body[:60]}")
    node.text = block.body
    node.spliced = node.spliced or block.spliced


def _new_node(block: Block, previous: Block | None, stack: list[Node]) -> Node:
    open_nums = {n.level: n.num for n in stack[1:]}
    level = _level(block.num or "", previous, open_nums)
    depth = LEVELS.index(level)
    while len(stack) > 1 and LEVELS.index(stack[-1].level) >= depth:
        stack.pop()
    parent = stack[-1]
    segment = block.num or ""
    if any(child.num == block.num for child in parent.children):
        segment = f"{segment}-2"  # a designation the Code repeats (two subsections (i))
    node = Node(level, (*parent.path, segment), block.num or "", spliced=block.spliced)
    parent.children.append(node)
    stack.append(node)
    return node


def _fill(node: Node, block: Block, is_heading: bool) -> None:
    body = block.body
    call = _FOOTNOTE_CALL.match(body)
    if call and is_heading:
        node.footnote = call["call"]
        body = body[call.end() :]
    if not body:
        return
    if is_heading:
        node.heading = body
    else:
        node.text = body
