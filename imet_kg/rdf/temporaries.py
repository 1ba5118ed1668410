"""Hidden temporary files and folders named after their process, and cleaning up after killed runs.

Everything written atomically (output files, the release folder, the static site, the store) is
first written under a :func:`temporary_name`, then renamed into place. A run killed in between
leaves it behind; the next run that writes to the same place removes it and says so.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable
from pathlib import Path


def temporary_name(path: Path, tag: str | None = None) -> Path:
    """A hidden name beside ``path`` for a file or folder being written by this process:
    ``.<name>.<pid>-<tag>.tmp`` (tag: random hex by default). The pid lets a later run tell
    what a killed run left behind (see :func:`remove_stale_temporaries`)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{tag or secrets.token_hex(4)}.tmp")


def remove_stale_temporaries(path: Path, notice: Callable[[str], None] | None = None) -> int:
    """Remove the temporary files and folders beside ``path`` that a killed run left behind.

    Only names of :func:`temporary_name`'s form whose process is gone are removed, so a
    command running at the same time keeps its own. One line on stderr (or ``notice``) says
    what was removed.

    Returns:
        How many were removed.
    """
    path = Path(path)
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)-[0-9a-z]+\.tmp$")
    removed: list[str] = []
    with contextlib.suppress(OSError):
        for candidate in path.parent.iterdir():
            match = pattern.match(candidate.name)
            if match is None or _process_alive(int(match.group(1))):
                continue
            if candidate.is_dir() and not candidate.is_symlink():
                shutil.rmtree(candidate, ignore_errors=True)
            else:
                candidate.unlink(missing_ok=True)
            removed.append(candidate.name)
    if removed:
        message = (
            f"imet-kg: removed {len(removed)} temporary file(s) an interrupted run left in "
            f"{path.parent}: {', '.join(sorted(removed))}"
        )
        (notice or (lambda text: print(text, file=sys.stderr)))(message)
    return len(removed)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def replace_folder(new: Path, out: Path) -> None:
    """Put the finished folder ``new`` (a :func:`temporary_name` beside ``out``) in place of
    ``out``, whole, and remove the old one.

    The two folders are exchanged in one step (Linux ``renameat2``), so ``out`` always holds a
    complete folder, the old one or the new one; elsewhere two renames leave an instant between.
    """
    os.chmod(new, 0o755)  # a folder made private by its writer is meant to be read
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # now the old folder
        return
    old = temporary_name(out, "old")
    os.rename(out, old)
    try:
        os.rename(new, out)
    except OSError:
        os.rename(old, out)  # put the previous folder back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths in one step (Linux ``renameat2``); False where that is unsupported."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: the kernel or file system lacks it
        return False
    raise OSError(errno, os.strerror(errno), str(second))
