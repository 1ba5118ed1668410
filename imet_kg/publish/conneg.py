"""Content negotiation: read an HTTP Accept header and choose one of the media types on offer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header, e.g. ``text/*;q=0.5``.

    Attributes:
        type: the main type (``text``, or ``*``).
        subtype: the subtype (``turtle``, or ``*``).
        q: the quality value, 0 to 1.
        order: its position in the header (earlier wins a tie).
    """

    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """How specifically this matches ``media_type``: 0 not, 1 ``*/*``, 2 ``t/*``, 3 exactly."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header into media ranges; a missing or empty header means ``*/*``.

    Malformed entries are skipped; a malformed ``q`` counts as 1.
    """
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for order, item in enumerate(header.split(",")):
        parts = [part.strip() for part in item.split(";")]
        main, sep, sub = parts[0].lower().partition("/")
        if not sep or not main or not sub:
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append(MediaRange(main, sub, q, order))
    return ranges


def choose(header: str | None, offered: Sequence[str]) -> str | None:
    """Choose the media type to send.

    Each offered type takes the quality of the most specific range that matches it; the highest
    quality wins, then the earlier range in the header, then the earlier type in ``offered`` (so
    ``offered`` lists the server's preference, used for ``*/*``).

    Args:
        header: the request's Accept header (None when absent).
        offered: the media types the server can send, most preferred first.

    Returns:
        The chosen media type, or None when nothing offered is acceptable (answer 406).
    """
    ranges = parse_accept(header)
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, media_type in enumerate(offered):
        specificity, q, order = 0, 0.0, 0
        for media_range in ranges:
            level = media_range.matches(media_type)
            if level > specificity:
                specificity, q, order = level, media_range.q, media_range.order
        if specificity == 0 or q <= 0:
            continue
        key = (-q, order if specificity == 3 else len(ranges), index)
        if best is None or key < best:
            best, chosen = key, media_type
    return chosen
