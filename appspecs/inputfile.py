"""The one way an input file or folder is read: specs, catalog, approvals, stack files, logos,
state files, key files, and whatever a repository may hold in their place.

A repository is input like any other: a named pipe under a spec's name would block a read
forever, a link to /dev/zero would read until memory runs out, a device or a socket is no file,
a huge file is no spec. So a file is opened without blocking, checked to be a regular file on
the open descriptor (no window in which a check and the open can see different files), and read
up to a limit. Every failure is an `InputFileError` carrying the path as shown and one line of
why; callers turn it into a diagnostic (exit 1) or an I/O error (exit 2).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, NamedTuple

from appspecs.records import record
from appspecs.text import printable


class SizeLimit(NamedTuple):
    """How large a file may be before it is refused unread, and how large it usually is."""

    max_bytes: int
    usual: str

    @property
    def shown(self) -> str:
        mib, rest = divmod(self.max_bytes, 1024 * 1024)
        return f"{mib} MiB" if not rest else f"{self.max_bytes // 1024} KiB"


class InputFileError(Exception):
    """A file or folder that cannot be read as input. ``reason`` is one line, without the path."""

    def __init__(self, shown: str, reason: str) -> None:
        super().__init__(f"{shown}: {reason}")
        self.shown = shown
        self.reason = reason


class Unreadable(InputFileError):
    """Missing, no permission, not a regular file, a path that cannot name a file: exit 2."""

    def __init__(self, shown: str, why: str, verb: str = "read") -> None:
        super().__init__(shown, f"cannot {verb}: {why}")
        self.why = why


class NotAFile(Unreadable):
    """Something other than a regular file: a folder, a named pipe, a device, a socket."""

    def __init__(self, shown: str, kind: str) -> None:
        super().__init__(shown, f"not a regular file ({kind})")
        self.kind = kind


class TooLarge(InputFileError):
    """Over its size limit; not read beyond it."""

    def __init__(self, shown: str, limit: SizeLimit) -> None:
        super().__init__(shown, f"file is over {limit.shown} and was not parsed; {limit.usual}")
        self.limit = limit


@record
class Position:
    line: int
    column: int


class NotText(InputFileError):
    """Not UTF-8: where the first bad byte is, counted as a text editor would."""

    def __init__(self, shown: str, byte: int, at: Position) -> None:
        super().__init__(shown, f"file is not UTF-8 text (byte 0x{byte:02x})")
        self.at = at


def shown_path(path: Path | str) -> str:
    """A path as messages show it: a NUL, a control character or a byte that is not UTF-8 is
    escaped, never printed raw."""
    return printable(str(path))


def path_problem(path: str) -> str | None:
    """Why ``path`` cannot name a file on any system we run on, or None.

    NUL ends a path to the operating system (Python refuses it: "embedded null byte"); other
    control characters are legal bytes but no one means them in a file name.
    """
    if path.isprintable():  # the common case, in one C call: no NUL, no control character
        return None
    for c in path:
        if c == "\0":
            return "holds a NUL character (\\0), which no file name can contain"
        if "\udc80" <= c <= "\udcff":
            return f"is not UTF-8: it holds the byte {printable(c)}; file names here are UTF-8"
        if not c.isprintable() and c != " ":
            return f"holds the control character {printable(c)}, which no file name should contain"
    return None


def _strerror(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_regular(path: Path, where: str) -> tuple[int, int]:
    """A descriptor open on ``path`` if it names a regular file, and its size then; else
    Unreadable. The open itself never blocks: a FIFO opened non-blocking returns at once, and is
    then refused as not a regular file."""
    problem = path_problem(str(path))
    if problem is not None:
        raise Unreadable(where, f"the path {problem}")
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise Unreadable(where, _strerror(exc)) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFile(where, _kind(st.st_mode))
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


@contextmanager
def open_input(path: Path, shown: str | None = None) -> Iterator[BinaryIO]:
    """Open ``path`` for reading if it is a regular file (a link is followed to what it names).

    Raises Unreadable. The open itself never blocks (see `_open_regular`).
    """
    fd, _size = _open_regular(path, shown_path(path) if shown is None else shown)
    try:
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        yield fh


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_input(path: Path, limit: SizeLimit, shown: str | None = None) -> bytes:
    """The whole file, at most ``limit.max_bytes``. Raises Unreadable or TooLarge."""
    where = shown_path(path) if shown is None else shown
    # Read on the descriptor, without a file object: this runs once per spec, 10,000 times in a
    # large repository, where the buffered file and the context manager cost as much as the read.
    fd, size = _open_regular(path, where)
    try:
        wanted = limit.max_bytes + 1
        chunks: list[bytes] = []
        # The size it had when opened, one byte more to see the end (or that it grew); the
        # loop goes on while a read returns less than asked before the end of the file.
        ask = min(wanted, size + 1)
        while wanted > 0:
            chunk = os.read(fd, ask)
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
            ask = min(wanted, 64 * 1024)
    except OSError as exc:
        raise Unreadable(where, _strerror(exc)) from exc
    finally:
        os.close(fd)
    raw = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(raw) > limit.max_bytes:
        raise TooLarge(where, limit)
    return raw


def decode_text(raw: bytes, shown: str) -> str:
    """UTF-8 text, or NotText with the line and column of the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise NotText(shown, raw[exc.start], Position(line, column)) from exc


def read_input_text(path: Path, limit: SizeLimit, shown: str | None = None) -> str:
    """The whole file as UTF-8 text. Raises Unreadable, TooLarge or NotText."""
    where = shown_path(path) if shown is None else shown
    return decode_text(read_input(path, limit, where), where)


def list_folder(path: Path, shown: str | None = None) -> list[Path]:
    """The entries of a folder that must be there, sorted by name. Raises Unreadable when it is
    missing, is no folder or cannot be listed: an unreadable folder is never an empty one."""
    where = shown_path(path) if shown is None else shown
    try:
        with os.scandir(path) as entries:
            names = sorted(e.name for e in entries)
    except NotADirectoryError as exc:
        raise Unreadable(where, "not a folder", "list") from exc
    except OSError as exc:
        raise Unreadable(where, _strerror(exc), "list") from exc
    except ValueError as exc:  # a NUL in the path
        raise Unreadable(where, "the path holds a NUL character", "list") from exc
    return [path / name for name in names]


def folder_state(path: Path) -> bool | None:
    """Whether a folder that may be absent is there: True (a folder), False (nothing there),
    None (something is there but cannot be used as a folder: unreadable, or not a folder)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False if not path.is_symlink() else None
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    return True if os.access(path, os.R_OK | os.X_OK) else None


def may_exist(path: Path) -> bool:
    """False only when nothing is at ``path`` (nor a dangling link): anything else, a file that
    cannot be read included, is there, and reading it says why it cannot be used."""
    try:
        path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError):
        return True
    return True
