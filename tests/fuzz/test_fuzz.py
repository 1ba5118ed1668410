"""Every hostile input of the corpus (fuzz_corpus.py) through the command line, in process.

For each input: no traceback, an exit code of 0, 1 or 2, exactly one ``imet-kg: error:`` line on
stderr when it is not 0, no outward connection (a socket guard refuses and records any address
but 127.0.0.1; a local listener counts the connections that reach it: none may), and no orphaned
files (no ``.tmp`` left, no output file after a failure). The summary is printed (``-s``).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzz_corpus import Case, all_cases

from imet_kg.cli import main

LOCAL = ("127.0.0.1", "::1", "localhost")


class Entry:
    """The ``imet-kg`` script itself (``main``: usage errors in one line too), for CliRunner."""

    name = "imet-kg"

    def main(self, args, prog_name, **extra):
        sys.argv = [prog_name, *args]
        main()


class Listener:
    """A TCP server on 127.0.0.1 that accepts and counts connections (and answers nothing)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.server.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def outward(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse, and record, every connection to an address that is not this machine's loopback."""
    attempts: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def host_of(address: object) -> str:
        return str(address[0]) if isinstance(address, tuple) else str(address)

    def guarded(real):
        def connect(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6) and host_of(address) not in LOCAL:
                attempts.append(f"{host_of(address)}:{address[1]}")
                raise ConnectionRefusedError(f"test guard: no outward connection to {address}")
            return real(self, address)

        return connect

    def create_connection(address, *args, **kwargs):
        if host_of(address) not in LOCAL:
            attempts.append(f"{address[0]}:{address[1]}")
            raise ConnectionRefusedError(f"test guard: no outward connection to {address}")
        return real_create_connection(address, *args, **kwargs)

    real_create_connection = socket.create_connection
    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return attempts


@contextlib.contextmanager
def _logged() -> Iterator[list[str]]:
    """Collect the log records of WARNING and above (a real run prints them on stderr)."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            traceback = " (with a traceback)" if record.exc_info else ""
            records.append(f"{record.name}: {record.getMessage()[:120]}{traceback}")

    handler = Collect(level=logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield records
    finally:
        root.removeHandler(handler)


def _fill(text: str, listener: Listener, work: Path) -> str:
    return text.replace("{listener}", listener.url).replace("{work}", str(work))


def _prepare(case: Case, work: Path, listener: Listener) -> tuple[str, ...]:
    work.mkdir(parents=True)
    for name, data in case.files.items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.replace(b"{listener}", listener.url.encode()))
    return tuple(_fill(arg, listener, work) for arg in case.args)


def _faults(case: Case, result, work: Path, before: set[Path]) -> list[str]:
    faults = []
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        faults.append(f"traceback: {type(result.exception).__name__}: {result.exception}")
    elif "Traceback (most recent call last)" in result.output + stderr:
        faults.append("traceback in the output")
    if result.exit_code not in (0, 1, 2):
        faults.append(f"exit code {result.exit_code}")
    if result.exit_code != 0:
        lines = stderr.splitlines()
        errors = [line for line in lines if line.startswith("imet-kg: error: ")]
        others = [line for line in lines if not line.startswith("imet-kg: ")]
        if len(errors) != 1 or others:
            faults.append(f"stderr is not one error line: {stderr[-300:]!r}")
    left = [p for p in work.rglob("*") if ".tmp" in p.name]
    if left:
        faults.append(f"temporary files left: {[str(p.relative_to(work)) for p in left]}")
    if result.exit_code != 0:
        for output in case.outputs:
            path = work / output if output else None
            try:
                written = path is not None and path.exists() and path not in before
            except OSError:  # e.g. a name too long to exist
                written = False
            if written and path != work:
                faults.append(f"output written despite the failure: {output!r}")
    return faults


def test_every_hostile_input_gets_a_clean_answer(tmp_path, listener, outward, monkeypatch):
    cases = all_cases()
    assert len(cases) >= 300
    runner = CliRunner()
    monkeypatch.setattr(sys, "argv", list(sys.argv))  # Entry sets it per input
    faults: dict[str, list[str]] = {}
    exits: Counter[int] = Counter()
    seconds: dict[str, float] = {}
    for index, case in enumerate(cases):
        work = tmp_path / f"{index:03d}"
        args = _prepare(case, work, listener)
        before = set(work.rglob("*"))
        reached, attempted = listener.connections, len(outward)
        monkeypatch.chdir(work)
        started = time.perf_counter()
        with _logged() as records:
            result = runner.invoke(Entry(), list(args))
        seconds[case.name] = time.perf_counter() - started
        exits[result.exit_code] += 1
        problems = _faults(case, result, work, before)
        # Warnings that reach the root logger are printed on stderr by a real run, tracebacks
        # and all (rdflib logs "Failed to convert Literal lexical form" with its traceback).
        problems += [f"log on stderr: {record}" for record in records]
        if len(outward) > attempted:
            problems.append(f"outward connections attempted: {outward[attempted:]}")
        if listener.connections > reached:
            problems.append(f"{listener.connections - reached} connection(s) reached the listener")
        if problems:
            faults[case.name] = problems
    monkeypatch.chdir(tmp_path)
    tracebacks = sum(1 for found in faults.values() if any("traceback" in f for f in found))
    summary = [
        f"fuzz corpus: {len(cases)} inputs; exit codes {dict(sorted(exits.items()))}; "
        f"{len(faults)} with faults, {tracebacks} tracebacks; outward connections "
        f"{len(outward)}, listener connections {listener.connections}"
    ]
    by_kind: Counter[str] = Counter()
    for name, spent in seconds.items():
        by_kind[name.split("-")[0]] += spent
    summary.append(
        "seconds by kind: " + ", ".join(f"{k} {v:.1f}" for k, v in by_kind.most_common())
    )
    slowest = sorted(seconds.items(), key=lambda item: -item[1])[:8]
    summary.append("slowest: " + ", ".join(f"{name} {time:.2f} s" for name, time in slowest))
    summary += [f"  {name}: {'; '.join(found)}"[:600] for name, found in sorted(faults.items())]
    print("\n".join(summary))
    assert not faults, "\n".join(summary)
