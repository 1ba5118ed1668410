"""The persistent store: an Oxigraph folder beside the release, keyed by a hash of its inputs.

``imet-kg build`` leaves ``<out>/store/<key>/``; later commands open it read-only instead of
parsing the Turtle again, as long as no input changed. The key is a SHA-256 over every input
file's name and bytes and the versions of IMET-KG and pyoxigraph, so any edit (or upgrade) gives a
new key and a new folder, built beside the old one and renamed into place when complete.

Two commands may run at once: each store folder has a lock file; readers hold a shared lock while
they use the folder, a builder an exclusive one while it builds, and an old folder is removed only
when nobody holds its lock. A folder is never written after it is renamed into place, so
read-only opens never see a writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from imet_kg import __version__
from imet_kg.kg.embedded import EmbeddedStore
from imet_kg.kg.store_loading import load_graphs
from imet_kg.rdf.temporaries import remove_stale_temporaries, temporary_name

STORE_FOLDER = "store"
_READY = "READY"
_KEY = re.compile(r"^[0-9a-f]{16}$")


def input_key(paths: Iterable[Path]) -> str:
    """The store key for a list of input files: 16 hex digits of a SHA-256."""
    digest = hashlib.sha256(f"imet-kg {__version__}; pyoxigraph {ox.__version__}\n".encode())
    for path in sorted(Path(p) for p in paths):
        digest.update(f"{path.name}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _locked(lock_file: Path, exclusive: bool) -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class PersistentStore:
    """The store folder for a set of input files, under ``<out>/store/``.

    Args:
        paths: the input files (ontology and data), in load order.
        out: the release folder the store lives in (``dist`` by default).
        notice: called with a one-line message when the store is (re)built.
    """

    def __init__(
        self,
        paths: Iterable[Path],
        out: Path,
        notice: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self.root = Path(out) / STORE_FOLDER
        self.key = input_key(self.paths)
        self.folder = self.root / self.key
        self.notice = notice

    def is_current(self) -> bool:
        """Whether a complete store for exactly these inputs is in place."""
        return (self.folder / _READY).is_file()

    def ensure(self) -> Path:
        """Build the store folder if it is missing or out of date; return it."""
        if self.is_current():
            return self.folder
        existed = self.root.exists()
        try:
            with _locked(self.root / f"{self.key}.lock", exclusive=True):
                if not self.is_current():  # another process may have built it while we waited
                    self._build()
        except BaseException:
            # A failed first build (a malformed input, say) leaves nothing behind.
            if not self.folder.exists():
                (self.root / f"{self.key}.lock").unlink(missing_ok=True)
                if not existed:
                    with contextlib.suppress(OSError):
                        self.root.rmdir()
            raise
        return self.folder

    def open(self) -> EmbeddedStore:
        """Open the current store read-only, building it first if needed.

        The process holds a shared lock on the folder until :meth:`close` (or its exit), so no
        other process removes the folder while this one reads it.
        """
        self.ensure()
        self._reader = open(self.root / f"{self.key}.lock", "a+b")  # noqa: SIM115 (held open)
        fcntl.flock(self._reader, fcntl.LOCK_SH)
        return EmbeddedStore(ox.Store.read_only(str(self.folder)))

    def close(self) -> None:
        """Release the shared lock taken by :meth:`open`."""
        reader = getattr(self, "_reader", None)
        if reader is not None:
            reader.close()
            self._reader = None

    def _build(self) -> None:
        started = time.perf_counter()
        stale = [p for p in self.root.glob("*") if _KEY.match(p.name) and p.name != self.key]
        reason = "inputs changed since the store was built" if stale else "no store yet"
        # A run killed while building left its folder; ours is named after our pid.
        remove_stale_temporaries(self.folder, self.notice)
        temporary = temporary_name(self.folder, "build")
        try:
            self._load(temporary)
            os.replace(temporary, self.folder)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        seconds = time.perf_counter() - started
        self.notice(f"imet-kg: {reason}: built {self.folder} in {seconds:.1f} s")
        for old in stale:
            self._remove_if_unused(old)

    def _load(self, folder: Path) -> None:
        store = ox.Store(str(folder))
        failure: BaseException | None = None
        try:
            load_graphs(store, self.paths, bulk=True)
            store.optimize()
            store.flush()
        except BaseException as exc:
            failure = exc
        # Close RocksDB before the folder is renamed or removed: an open store keeps writing
        # files. The failure's traceback holds the frames (and so the store) of the loader, so
        # it is dropped; the message says what went wrong.
        for error in _chain(failure):
            error.__traceback__ = None
        del store
        if failure is not None:
            raise failure
        (folder / _READY).write_text(f"{self.key}\n")

    def _remove_if_unused(self, folder: Path) -> None:
        lock_file = self.root / f"{folder.name}.lock"
        try:
            with open(lock_file, "a+b") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder, ignore_errors=True)
            lock_file.unlink(missing_ok=True)
        except BlockingIOError:
            pass  # a reader still has it open; the next build tries again


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    """An exception and those it was raised from or while handling."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__
