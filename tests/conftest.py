"""Shared fixtures: paths built from this file, the shipped graph, and real local SPARQL servers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"


#: Test files that share a per-process cache, sent to one worker together.
SAME_WORKER = {
    "tests/kg/test_validation.py": "pyshacl-reference",  # kg/pyshacl_reference.py
    "tests/kg/test_fast_validation.py": "pyshacl-reference",
}


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Send each test file whole to one worker, as ``--dist loadfile`` does, and the files of
    SAME_WORKER together: a module's costly fixture (the static site, a live server, Virtuoso)
    is built once, and pySHACL validates each input once for both validation modules.
    (``--dist loadgroup`` with ``xdist_group`` marks would say this, but with pytest 9 and
    pytest-xdist 3.8 it spread a marked module over both workers.)"""
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return SAME_WORKER.get(path, path)

    return FileScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def release_folder(tmp_path_factory) -> Iterator[Path]:
    """Commands keep their persistent store under $IMET_KG_DIST: a session folder, not ./dist."""
    folder = tmp_path_factory.mktemp("dist")
    previous = os.environ.get("IMET_KG_DIST")
    os.environ["IMET_KG_DIST"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("IMET_KG_DIST", None)
    else:
        os.environ["IMET_KG_DIST"] = previous


@pytest.fixture(scope="session")
def graph():
    """The shipped knowledge graph (built once per test session; do not modify it)."""
    from imet_kg.kg.graph import build_graph

    return build_graph()


def free_port() -> int:
    """Ask the OS for a free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 20.0) -> None:
    """Poll ``url`` until it answers (any HTTP status) or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # the server answered
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no answer from {url} after {timeout} s") from None
            time.sleep(0.05)


@dataclass(frozen=True)
class OxigraphServer:
    """A running ``oxigraph serve`` on 127.0.0.1 (in memory)."""

    base: str

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base}/store"

    def add_to_default_graph(self, data: str, content_type: str = "text/turtle") -> None:
        """Add RDF to the server's default graph (Graph Store Protocol POST)."""
        request = urllib.request.Request(
            f"{self.store_url}?default",
            data=data.encode(),
            headers={"Content-Type": content_type},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()


@pytest.fixture
def oxigraph_server_factory() -> Iterator[Callable[..., OxigraphServer]]:
    """Start real Oxigraph servers (the `oxigraph` PyPI package's CLI) on free local ports.

    Call the factory with ``union_default_graph=True`` for a server whose default graph is the
    union of the named graphs. Every server started is stopped at the end of the test.
    """
    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the `oxigraph` command is missing: pip install -e '.[test]'")
    processes: list[subprocess.Popen] = []

    def start(union_default_graph: bool = False) -> OxigraphServer:
        port = free_port()
        command = [binary, "serve", "--bind", f"127.0.0.1:{port}"]
        if union_default_graph:
            command.append("--union-default-graph")
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/query?query=ASK%7B%7D")
        return OxigraphServer(base)

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def require(module: str):
    """Import an optional dependency: skipped locally when absent, but a failure in CI (CI=true),
    where `.ci/run` installs every extra, so nothing is silently skipped there."""
    import importlib
    import os

    if os.environ.get("CI") == "true":
        return importlib.import_module(module)
    return pytest.importorskip(module)
