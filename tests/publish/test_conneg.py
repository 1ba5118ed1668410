"""Unit tests for content negotiation (imet_kg.publish.conneg): Accept parsing and choosing."""

from __future__ import annotations

import pytest

from imet_kg.publish.conneg import MediaRange, choose, parse_accept

PAGE_TYPES = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("*/*", "text/html"),
        ("text/turtle", "text/turtle"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
        ("application/*", "application/ld+json"),
        ("text/html;q=0, */*;q=0.1", "text/turtle"),
        ("application/pdf", None),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ],
)
def test_content_negotiation(accept, expected):
    assert choose(accept, PAGE_TYPES) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        # Equal quality: the earlier range in the header wins over the server's order.
        ("application/n-triples, text/turtle", "application/n-triples"),
        # A more specific range decides a type's quality, whatever its place.
        ("text/*;q=0.9, text/turtle;q=0.2", "text/html"),
        # q=0 refuses, even under a wildcard that allows the rest.
        ("*/*, text/html;q=0", "text/turtle"),
        # An empty header is */*.
        ("", "text/html"),
        ("  ", "text/html"),
        # Case does not matter; parameters other than q are ignored.
        ("TEXT/Turtle; charset=utf-8", "text/turtle"),
    ],
)
def test_choose_ranks_by_quality_then_header_order_then_server_order(accept, expected):
    assert choose(accept, PAGE_TYPES) == expected


def test_nothing_offered_is_nothing_chosen():
    assert choose("*/*", []) is None


def test_parse_accept_skips_malformed_entries_and_clamps_q():
    ranges = parse_accept("text/turtle;q=2, nonsense, ;q=1, application/json;q=x, */*;q=-1")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "turtle", 1.0),
        ("application", "json", 1.0),  # a malformed q counts as 1
        ("*", "*", 0.0),
    ]
    assert [r.order for r in ranges] == [0, 3, 4]  # positions in the header


def test_media_range_specificity():
    assert MediaRange("*", "*", 1, 0).matches("text/html") == 1
    assert MediaRange("text", "*", 1, 0).matches("text/html") == 2
    assert MediaRange("text", "html", 1, 0).matches("text/html") == 3
    assert MediaRange("text", "turtle", 1, 0).matches("text/html") == 0
    assert MediaRange("image", "*", 1, 0).matches("text/html") == 0
