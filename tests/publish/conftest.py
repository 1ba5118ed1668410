"""Fixtures for the publish tests: the bundle's pieces, the publication, its pages, one app.

tests/publish/ is a package so that pytest imports this file as ``publish.conftest``; as a plain
folder it would be imported under the name ``conftest`` and hide tests/conftest.py from the
modules that do ``from conftest import ROOT`` (tests/server_support.py among them).

The app runs in process (Starlette's ``TestClient``, whose ``with`` block runs the lifespan and so
starts the query worker processes), once for the session: routing tests need no live server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph
from starlette.testclient import TestClient

from imet_kg.kg.bundle import Bundle
from imet_kg.publish.limits import Limits
from imet_kg.publish.resources import Publication
from imet_kg.publish.server import create_app
from imet_kg.publish.views import Pages
from imet_kg.sparql.saved import SavedQuery

MAX_ROWS = 1000


@pytest.fixture(scope="session")
def bundle() -> Bundle:
    """The shipped bundle, for its shapes, context and saved queries (the graph: ``graph``)."""
    return Bundle()


@pytest.fixture(scope="session")
def queries(bundle: Bundle) -> list[SavedQuery]:
    return bundle.queries


@pytest.fixture(scope="session")
def shapes(bundle: Bundle) -> Graph:
    return bundle.shapes


@pytest.fixture
def session_graph_in_commands(monkeypatch: pytest.MonkeyPatch, graph) -> None:
    """Commands that make a ``Bundle()`` get the session's graph instead of building it again."""
    monkeypatch.setattr(Bundle, "dataset", property(lambda self: graph))


@pytest.fixture(scope="session")
def publication(graph, shapes: Graph) -> Publication:
    """The shipped graph's publication, with the shapes (do not modify)."""
    return Publication(graph, shapes=shapes)


@pytest.fixture(scope="session")
def pages(publication: Publication, queries: list[SavedQuery]) -> Pages:
    return Pages(publication, queries)


@pytest.fixture(scope="session")
def limits() -> Limits:
    """A small row limit, so the truncation test is quick. The time limit stays the default:
    the saved queries must not hit it on a busy machine (test_live_server.py tests it)."""
    return Limits(max_rows=MAX_ROWS, workers=2)


@pytest.fixture(scope="session")
def client(graph, bundle: Bundle, limits: Limits) -> Iterator[TestClient]:
    """The whole web app over the shipped graph, as ``imet-kg serve`` builds it, in process."""
    app = create_app(graph, bundle.queries, limits, bundle.context, bundle.shapes)
    with TestClient(app) as client:
        yield client
