"""Replay the recorded amendments of FAA Part II, Chapter 5 into point-in-time versions, as RDF.

The effects file ``data/sources/faa-part2-ch5-amendments.csv`` (source notes beside it in
``faa-part2-ch5-amendments.md``) has one row per textual effect, with the verbatim strings its
source quotes and the exact replay operation in the Code's wording. Each section's versions are
built by applying the rows in order to the earliest text the file records; the last version must
equal today's Code text in ``data/sources/faa-part2-ch5.txt`` byte for byte.
``data/versions.ttl`` is generated with ``python -m imet_kg.sources.versions``.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from imet_kg.paths import DATA_DIR
from imet_kg.sources.uscode_text import SOURCE_TEXT_FILE, Provision, parse_code_lines

EFFECTS_FILE = DATA_DIR / "sources" / "faa-part2-ch5-amendments.csv"
VERSIONS_FILE = DATA_DIR / "versions.ttl"

_SECTION_HEADER = re.compile(r"^§(?P<code>2347[a-h]?)\. .+?\s{2,}\[FAA sec\. (?P<faa>\d+)[^\]]*\]$")
REPLAY_OPS = ("text", "replace", "append", "unknown")
TEXT_STATUSES = ("as-printed", "reconstructed", "unknown")


@dataclass(frozen=True)
class EffectRow:
    """One row of the effects file (the columns the generator reads; the others are notes)."""

    section: str
    code_section: str
    law: str
    date: str
    statutes_at_large: str
    effect: str
    version: str
    valid_from: str
    op: str
    find: str
    replace_with: str
    text_status: str
    text_source: str
    sources: tuple[str, ...]
    verification: str
    new_text: str
    anchor_text: str
    old_text: str


@dataclass
class Version:
    """One version of a section: the text it had between two dates, and what produced it.

    Attributes:
        section: the FAA section number, e.g. "541".
        key: the law that produced the version ("101-513"), or "origin-unknown".
        valid_from / valid_until: ISO dates, "" where unknown or (until) still in force.
        block: the section's text in the Code-text format, or None where it is unknown.
        moved_under_a: True if a later version designated this text as subsection (a).
    """

    section: str
    code_section: str
    key: str
    law: str
    valid_from: str
    text_status: str
    text_source: str
    verification: str
    block: str | None
    effects: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    valid_until: str = ""
    moved_under_a: bool = False


def read_effects(path: Path = EFFECTS_FILE) -> list[EffectRow]:
    """Read the effects file.

    Raises:
        ValueError: on an unknown replay operation or text status.
    """
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for raw in csv.DictReader(handle):
            row = EffectRow(
                section=raw["faa_section"],
                code_section=raw["usc_section"],
                law=raw["public_law"],
                date=raw["date"],
                statutes_at_large=raw["statutes_at_large"],
                effect=raw["effect"],
                version=raw["version"],
                valid_from=raw["valid_from"],
                op=raw["replay_op"],
                find=raw["replay_find"],
                replace_with=raw["replay_with"],
                text_status=raw["text_status"],
                text_source=raw["text_source"],
                sources=tuple(raw["sources"].split()),
                verification=raw["verification"],
                new_text=raw["new_text"],
                anchor_text=raw["anchor_text"],
                old_text=raw["old_text"],
            )
            if row.op not in REPLAY_OPS or row.text_status not in TEXT_STATUSES:
                raise ValueError(f"{path}: bad replay_op or text_status in {raw}")
            rows.append(row)
    return rows


def code_blocks(path: Path = SOURCE_TEXT_FILE) -> dict[str, tuple[str, str]]:
    """Today's text of each section: FAA number -> (header line, statute lines joined by a blank
    line), read from the vendored Code text (editorial notes and the appendix left out)."""
    blocks: dict[str, tuple[str, list[str]]] = {}
    current: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("====="):
            current = None
            continue
        header = _SECTION_HEADER.match(raw)
        if header:
            current = header["faa"]
            blocks[current] = (raw, [])
        elif current is not None and raw.strip() and not raw[0].isspace():
            blocks[current][1].append(raw.strip())
    return {faa: (header, "\n\n".join(lines)) for faa, (header, lines) in blocks.items()}


def apply_effect(block: str, row: EffectRow) -> str:
    """Apply one replay operation to a section's text.

    Raises:
        ValueError: if the text to replace does not occur exactly once.
    """
    if row.op == "append":
        return f"{block}\n\n{row.replace_with}"
    if block.count(row.find) != 1:
        raise ValueError(f"{row.effect}: {row.find!r} occurs {block.count(row.find)} times")
    return block.replace(row.find, row.replace_with)


def replay(rows: list[EffectRow]) -> dict[str, list[Version]]:
    """Group the rows into versions, section by section, applying each row to the text before it.

    Returns:
        FAA section number -> its versions, oldest first, each with its valid-until date (the
        next version's valid-from) and its text (None where unknown).

    Raises:
        ValueError: if a row changes a text that is unknown, or rows of one version disagree.
    """
    versions: dict[str, list[Version]] = {}
    for row in rows:
        history = versions.setdefault(row.section, [])
        if not history or history[-1].key != row.version:
            previous = history[-1].block if history else None
            history.append(_new_version(row, previous))
        version = history[-1]
        if (row.valid_from, row.text_status) != (version.valid_from, version.text_status):
            raise ValueError(f"rows of version {row.section}/{row.version} disagree")
        if row.op == "text":
            version.block = row.replace_with
        elif row.op == "unknown":
            version.block = None
        elif version.block is None:
            raise ValueError(f"{row.effect}: changes a text that is unknown")
        else:
            version.block = apply_effect(version.block, row)
        version.effects += [row.effect] if row.effect else []
        version.sources += [s for s in row.sources if s not in version.sources]
    for history in versions.values():
        for earlier, later in pairwise(history):
            earlier.valid_until = later.valid_from
        _mark_designations(history)
    return versions


def _new_version(row: EffectRow, previous: str | None) -> Version:
    return Version(
        section=row.section,
        code_section=row.code_section,
        key=row.version,
        law=row.law,
        valid_from=row.valid_from,
        text_status=row.text_status,
        text_source=row.text_source,
        verification=row.verification,
        block=previous,
    )


def _mark_designations(history: list[Version]) -> None:
    # A version whose text a later version designated as subsection (a) keeps its words in
    # today's (a): its paragraphs realize today's (a)(1), (a)(2), ...
    for index, version in enumerate(history):
        later = [v.block for v in history[index + 1 :] if v.block is not None]
        version.moved_under_a = (
            version.block is not None
            and not version.block.startswith("(a) ")
            and any(block.startswith("(a) ") for block in later)
        )


def version_provisions(version: Version, header: str) -> list[Provision]:
    """The section's subdivisions in a version, in reading order, clauses left out."""
    if version.block is None:
        return []
    (section,) = parse_code_lines([header, *version.block.split("\n")], f"{version.key}")
    found: list[Provision] = []

    def walk(provision: Provision) -> None:
        if provision.kind != "clause":
            found.append(provision)
            for child in provision.children:
                walk(child)

    walk(section)
    return found


def today_path(version: Version, path: tuple[str, ...]) -> tuple[str, ...]:
    """Where a version's subdivision sits in today's text (paragraphs under an undesignated
    section moved into subsection (a) when the section was designated)."""
    if version.moved_under_a and len(path) > 1 and path[1].isdigit():
        return (path[0], "a", *path[1:])
    return path


if __name__ == "__main__":  # pragma: no cover
    from imet_kg.sources.versions_rdf import write_versions_file

    size = write_versions_file()
    print(f"wrote {VERSIONS_FILE} ({size} bytes)", file=sys.stderr)
