"""The one way a file the project writes is replaced: written beside it under a name no other
writer picks, then renamed over it, so that a reader (or a second writer) sees the old file or
the new one, never half of one; and a lock on its folder for a read-modify-write.

A symlink standing at the path is replaced, never followed: a committed link must not make a
write land in the file it points to.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the compare-before-write still holds
    fcntl = None  # type: ignore[assignment]


def replace_file(path: Path, text: str) -> None:
    """``path`` holds ``text`` (UTF-8), or is unchanged when this raises OSError. A file it
    replaces keeps its mode (a group-writable approvals.yaml stays so); a new one is 0644."""
    # imported here: validate imports this module (through the approvals' models) and never
    # writes; tempfile, with random and shutil, is 2 ms of the pre-commit hook's start
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, _mode_of(path))  # mkstemp makes it 0600
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode_of(path: Path) -> int:
    """The permission bits of the regular file at ``path``, or 0644: nothing written this way
    is secret, and a symlink standing there is replaced, so its target's mode is not taken."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return 0o644
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else 0o644


@contextlib.contextmanager
def folder_locked(folder: Path) -> Iterator[None]:
    """Held by one process at a time for ``folder``: two runs that each read a file, add to it
    and write it back would otherwise both succeed while the file keeps one of the additions.
    A lock on the folder itself, so that no lock file is left in a repository."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock
