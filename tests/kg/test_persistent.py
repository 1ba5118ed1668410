"""Tests for the persistent store: built once per set of inputs, reopened read-only, rebuilt with
a notice when an input changes, and safe when two users meet."""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

import pytest

from imet_kg.kg.graph import ontology_files
from imet_kg.kg.persistent import PersistentStore, input_key
from imet_kg.paths import DATA_DIR


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("agencies.ttl", "fiscal-years.ttl"):
        shutil.copy(DATA_DIR / name, data / name)
    return [*ontology_files(), *sorted(data.glob("*.ttl"))]


def test_built_once_then_reopened_without_rebuilding(inputs, tmp_path):
    notices: list[str] = []
    first = PersistentStore(inputs, tmp_path / "dist", notices.append)
    store = first.open()
    assert len(store) > 0 and len(notices) == 1 and "no store yet" in notices[0]
    assert (tmp_path / "dist" / "store" / first.key / "READY").is_file()
    first.close()
    again = PersistentStore(inputs, tmp_path / "dist", notices.append)
    assert again.is_current() and len(again.open()) == len(store)
    assert len(notices) == 1  # opened, not rebuilt
    again.close()


def test_an_edited_input_gives_a_new_key_and_a_rebuild_with_a_notice(inputs, tmp_path):
    out = tmp_path / "dist"
    old = PersistentStore(inputs, out)
    old.ensure()
    with inputs[-1].open("a") as handle:
        handle.write("\n# an edit\n")
    notices: list[str] = []
    new = PersistentStore(inputs, out, notices.append)
    assert new.key != old.key and not new.is_current()
    new.ensure()
    assert "inputs changed" in notices[0]
    assert not old.folder.exists()  # nobody was reading the old store


def test_an_old_store_in_use_is_kept_until_its_reader_is_done(inputs, tmp_path):
    out = tmp_path / "dist"
    reader = PersistentStore(inputs, out)
    store = reader.open()
    with inputs[-1].open("a") as handle:
        handle.write("\n# an edit\n")
    PersistentStore(inputs, out).ensure()
    assert reader.folder.is_dir()  # still held by the reader's shared lock
    assert len(store) > 0  # and still readable
    reader.close()


def test_a_builder_waits_for_another_builder(inputs, tmp_path):
    out = tmp_path / "dist"
    store = PersistentStore(inputs, out)
    lock = out / "store" / f"{store.key}.lock"
    lock.parent.mkdir(parents=True)
    with open(lock, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            fcntl.flock(open(lock, "a+b"), fcntl.LOCK_SH | fcntl.LOCK_NB)  # noqa: SIM115
        except BlockingIOError:
            blocked = True
        else:
            blocked = False
    assert blocked  # readers wait while a build holds the lock
    assert store.ensure() == store.folder


def test_the_key_covers_names_contents_and_versions(inputs):
    key = input_key(inputs)
    assert key == input_key(list(reversed(inputs)))  # order of listing does not matter
    assert len(key) == 16 and int(key, 16) >= 0
    assert input_key(inputs[:-1]) != key
