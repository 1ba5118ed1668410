"""Canonical blank node labels (RDFC-1.0, by Oxigraph), refused early where they would take ages.

RDFC-1.0 tells most blank nodes apart by the statements they are in ("first degree"). Blank nodes
that look alike that way and are linked to each other (a long list of equal items, blank nodes
nested hundreds deep) need its "n-degree" step, whose cost grows steeply with their number (a
list of 200 equal items: 6 s, 500: 25 s). Such graphs are refused with a message instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from imet_kg.errors import ImetKgError

#: Blank nodes alike at first degree allowed in one linked group (100 in a chain: 0.4 s).
MAX_ALIKE_LINKED = 100


class CanonicalizationRefused(ImetKgError):
    """A graph whose blank nodes would take too long to label canonically."""


def refuse_costly_canonicalization(quads: Iterable[ox.Quad]) -> None:
    """Refuse a graph whose blank nodes RDFC-1.0 could only label slowly (see the module).

    Linear in the number of statements that mention blank nodes.

    Raises:
        CanonicalizationRefused: naming how many blank nodes are alike and what to do.
    """
    mentions: dict[str, list[tuple]] = defaultdict(list)
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for quad in quads:
        terms = (quad.subject, quad.predicate, quad.object, quad.graph_name)
        blanks = [t.value for t in terms if isinstance(t, ox.BlankNode)]
        for blank in blanks:
            # The statement as RDFC-1.0's first degree sees it from this node: itself "a",
            # every other blank node "z".
            shape = tuple(
                ("a" if t.value == blank else "z") if isinstance(t, ox.BlankNode) else str(t)
                for t in terms
            )
            mentions[blank].append(shape)
        for other in blanks[1:]:
            parent[root(other)] = root(blanks[0])
    signatures = {blank: tuple(sorted(shapes)) for blank, shapes in mentions.items()}
    alike = Counter(signatures.values())
    groups: Counter[str] = Counter(
        root(blank) for blank, signature in signatures.items() if alike[signature] > 1
    )
    if groups and max(groups.values()) > MAX_ALIKE_LINKED:
        count = max(groups.values())
        raise CanonicalizationRefused(
            f"{count} linked blank nodes only their position tells apart (a long list of equal "
            f"items, or blank nodes nested deeply): byte-stable labels (RDFC-1.0) for them would "
            f"take too long; give them IRIs, or keep such groups under {MAX_ALIKE_LINKED} nodes"
        )


def canonicalize(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads with their blank nodes labelled by RDFC-1.0, after the check above.

    Raises:
        CanonicalizationRefused: see :func:`refuse_costly_canonicalization`.
    """
    refuse_costly_canonicalization(quads)
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)
