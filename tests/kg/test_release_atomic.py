"""The release folder is replaced whole (issue 13, item 9): a build killed with SIGKILL leaves
the previous release intact and complete, and the next build removes what it left, saying so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from imet_kg.cli import cli
from imet_kg.kg.release import RELEASE_MARKER

EX = "http://example.org/"


def _data(folder: Path, items: int) -> Path:
    folder.mkdir()
    lines = [
        f'<{EX}thing-{i}> <http://www.w3.org/2000/01/rdf-schema#label> "thing {i}" .'
        for i in range(items)
    ]
    (folder / "things.ttl").write_text("\n".join(lines) + "\n")
    return folder


def _snapshot(out: Path) -> dict[str, bytes]:
    """Every release file but the store, by relative path."""
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.relative_to(out).parts[0] != "store"
    }


def _leftovers(parent: Path) -> list[str]:
    return sorted(path.name for path in parent.iterdir() if path.name.endswith(".tmp"))


def _build(out: Path, data: Path):
    return CliRunner().invoke(cli, ["build", "--out", str(out), "--data", str(data)])


def _kill_mid_build(out: Path, data: Path) -> None:
    """Start `imet-kg build` and SIGKILL it once its unfinished release has files in it."""
    entry = "from imet_kg.cli import cli; cli()"
    command = [sys.executable, "-c", entry, "build", "--out", str(out), "--data", str(data)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while process.poll() is None and time.monotonic() < deadline:
            staging = [p for p in out.parent.glob(f".{out.name}.*-release.tmp")]
            if staging and (staging[0] / "validation-report.txt").exists():
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
    finally:
        process.kill()
        process.wait(timeout=60)
    if process.returncode != -signal.SIGKILL:
        pytest.fail(f"the build ended (exit {process.returncode}) before it could be killed")


def test_a_killed_build_leaves_the_old_release_and_the_next_build_cleans_up(tmp_path):
    out = tmp_path / "dist"
    old_data, new_data = _data(tmp_path / "old", 10), _data(tmp_path / "new", 3000)
    assert _build(out, old_data).exit_code == 0
    before = _snapshot(out)
    assert "imet-kg.ttl" in before and "validation-report.txt" in before

    _kill_mid_build(out, new_data)

    assert _snapshot(out) == before  # intact and complete: the same files, the same bytes
    assert any(name.endswith("-release.tmp") for name in _leftovers(tmp_path))

    result = _build(out, new_data)
    assert result.exit_code == 0, result.output
    assert "temporary file(s) an interrupted run left" in result.stderr
    assert _leftovers(tmp_path) == []
    assert _leftovers(out / "store") == []
    assert b"thing 2999" in (out / "imet-kg.nt").read_bytes()


def test_a_non_conforming_build_replaces_the_old_exports(tmp_path):
    # The old exports beside a new failing report were a mix of two builds.
    out = tmp_path / "dist"
    assert _build(out, _data(tmp_path / "good", 5)).exit_code == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "bad.ttl").write_text(
        "@prefix imet: <https://w3id.org/imet-kg/def/> .\n"
        f"<{EX}p> a imet:Program ; imet:verificationStatus <{EX}not-a-status> .\n"
    )
    result = _build(out, bad)
    assert result.exit_code == 1, result.output
    names = set(_snapshot(out))
    assert names == {RELEASE_MARKER, "validation-report.ttl", "validation-report.txt"}


def test_a_folder_that_is_not_a_release_is_refused(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("do not delete")
    result = _build(out, _data(tmp_path / "data", 2))
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "is not an imet-kg release (build replaces the whole folder): choose another --out"
    )
    assert (out / "thesis.tex").read_text() == "do not delete"
    assert _leftovers(tmp_path) == []


def test_a_store_build_removes_the_folder_a_killed_build_left(tmp_path):
    # A query or export killed while it built the store left ".<key>.<pid>-build.tmp" (MBs).
    from imet_kg.kg.persistent import PersistentStore

    data = _data(tmp_path / "data", 3)
    notices: list[str] = []
    store = PersistentStore([data / "things.ttl"], tmp_path / "dist", notices.append)
    ended = subprocess.Popen(["true"])
    ended.wait()
    leftover = store.root / f".{store.key}.{ended.pid}-build.tmp"
    (leftover / "half").mkdir(parents=True)
    store.ensure()
    assert not leftover.exists()
    assert store.is_current()
    assert any("an interrupted run left" in notice for notice in notices)
