"""The project's prefixes, built into every query: a query (or a parameter value) may use
``imet:``, ``faa:``, ``country:`` ... without declaring them.

The names are those of :data:`imet_kg.namespaces.PREFIXES` and those the ontology and data files
declare for the project's IRIs (``faa:``, ``program:``, ``place:`` ...), read from the files'
``@prefix`` lines so that a new data file's prefix needs no second list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from imet_kg.namespaces import PREFIXES
from imet_kg.paths import DATA_DIR, ONTOLOGY_DIR
from imet_kg.sparql.text import mask_strings_iris_comments

_TURTLE_PREFIX = re.compile(r"^\s*@prefix\s+([A-Za-z][\w.-]*):\s*<([^<>\s]*)>\s*\.", re.M)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.I)
# A prefixed name's prefix: not inside a variable, an IRI or another name.
_USED = re.compile(r"(?<![\w?$:.\-])([A-Za-z][\w.-]*)?:")


@lru_cache(maxsize=8)
def project_prefixes(folders: tuple[Path, ...] = (ONTOLOGY_DIR, DATA_DIR)) -> Mapping[str, str]:
    """Prefix name to namespace IRI: the data files' prefixes, and PREFIXES (which win a clash).

    The mapping is shared (cached), so it is read-only.
    """
    prefixes: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.ttl")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for name, namespace in _TURTLE_PREFIX.findall(text):
                prefixes.setdefault(name, namespace)
    prefixes.update((name, str(namespace)) for name, namespace in PREFIXES.items())
    return MappingProxyType(dict(sorted(prefixes.items())))


def missing_prologue(text: str, prefixes: Mapping[str, str] | None = None) -> str:
    """The PREFIX declarations, on one line, for the project prefixes ``text`` uses without
    declaring; ``""`` when it declares all it uses."""
    prefixes = project_prefixes() if prefixes is None else prefixes
    masked = mask_strings_iris_comments(text)
    declared = {name or "" for name in _DECLARED.findall(masked)}
    used = {name or "" for name in _USED.findall(masked)}
    wanted = sorted(name for name in used - declared if name in prefixes)
    return " ".join(f"PREFIX {name}: <{prefixes[name]}>" for name in wanted)
