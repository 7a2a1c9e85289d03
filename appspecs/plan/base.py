"""The base spec tree for `--base`: a folder as it is, or the specs folder at a git ref.

A git ref is read with `git` itself (`git archive` of the specs path at that commit, unpacked
into a temporary folder), so the review of a pull request from a fork needs no credentials and
leaves the working tree alone.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from appspecs.inputfile import SizeLimit
from appspecs.records import record
from appspecs.spec.load import LIST_LIMIT, SPEC_LIMIT
from appspecs.spec.logos import LOGO_LIMIT
from appspecs.spec.specset import SpecSet
from appspecs.stackconfig import STACK_FILE_LIMIT
from appspecs.text import masked_urls

GIT_TIMEOUT = 120.0
# A file of the base is read by the same readers as the head's, each up to its own limit: no
# more of it than the largest of them reads is written out.
FILE_BYTES = max(lim.max_bytes for lim in (SPEC_LIMIT, LIST_LIMIT, LOGO_LIMIT, STACK_FILE_LIMIT))
# A specs tree of 10,000 apps is some 10 MB in 10,000 files; far beyond that it is no specs tree.
TOTAL_BYTES = 1024 * 1024 * 1024
MAX_ENTRIES = 100_000


class BaseError(Exception):
    """The base cannot be read: not a folder, not a git ref, git failed (a usage error)."""


@record
class BaseTree:
    """Where the base specs and stacks are, and what to call them. `root` is None when the ref
    has no specs folder; `stacks` is None when it has no stacks folder."""

    root: Path | None
    label: str  # the folder, or "REF (commit abc1234)"
    stacks: Path | None = None
    # a ref's files are read from a temporary copy: (that folder with its slash, "REF:")
    unpacked_as: tuple[str, str] | None = None
    # what --base takes to compare with this very base again: the folder, or the ref's commit
    # (a branch moves on)
    again: str | None = None

    @property
    def is_folder(self) -> bool:
        """A folder given as it is, not a ref's files."""
        return self.root is not None and self.unpacked_as is None

    def named(self, text: str) -> str:
        """``text`` with the temporary copy's paths said as git names a file at a ref
        (``origin/main:app-specs/apps/x.yaml``, as `git show` takes it); a folder's as they are."""
        if self.unpacked_as is None:
            return text
        return text.replace(*self.unpacked_as)


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, check=False, timeout=120
        )
    except FileNotFoundError as exc:
        raise BaseError(
            "--base names no folder, and git is not installed to read it as a ref"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise BaseError(f"git {args[0]} took over {exc.timeout:.0f} s") from exc


def _out(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode("utf-8", "replace").strip()


def _err(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    # git names a remote as configured: a CI clone's URL may carry its token
    return masked_urls(lines[-1]) if lines else f"exit status {result.returncode}"


@contextmanager
def base_tree(ref_or_dir: str, specs_dir: Path, stacks_dir: Path) -> Iterator[BaseTree]:
    """The base specs and stacks: `ref_or_dir` as a folder when one exists (its stacks beside
    it), else a git ref of the repository holding `specs_dir` (its specs and stacks folders at
    that commit). The temporary copy of a ref is removed on exit."""
    if not ref_or_dir.strip():  # Path('') is '.', a folder: an unset variable would plan it
        raise BaseError(f"--base {ref_or_dir!r} names no folder or git ref (is a variable unset?)")
    folder = Path(ref_or_dir)
    if folder.is_dir():
        beside = folder.resolve().parent / "stacks"
        yield BaseTree(folder, str(folder), beside if beside.is_dir() else None, again=ref_or_dir)
        return
    if ref_or_dir.startswith("-"):
        raise BaseError(f"--base '{ref_or_dir}' is neither a folder nor a git ref")
    where = specs_dir if specs_dir.is_dir() else Path(".")
    top = _git(where, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise BaseError(
            f"--base '{ref_or_dir}' is not a folder, and {where} is not in a git repository "
            f"to read it as a ref ({_err(top)})"
        )
    repo = Path(_out(top))
    commit = _git(
        repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref_or_dir}^{{commit}}"
    )
    if commit.returncode != 0 or not _out(commit):
        raise BaseError(f"--base '{ref_or_dir}' is neither a folder nor a commit in {repo}")
    sha = _out(commit)
    try:
        inside = specs_dir.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError as exc:
        raise BaseError(
            f"the specs folder {specs_dir} is not inside the repository {repo}"
        ) from exc
    label = f"{ref_or_dir} (commit {sha[:12]})"
    if not _exists_at(repo, sha, inside, label):
        yield BaseTree(None, label, again=sha)
        return
    paths = [inside]
    try:
        stacks_inside: str | None = stacks_dir.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        stacks_inside = None  # stacks outside the repository: the head's stand for the base's
    if stacks_inside is not None and _exists_at(repo, sha, stacks_inside, label):
        paths.append(stacks_inside)
    else:
        stacks_inside = None
    with tempfile.TemporaryDirectory(prefix="appspec-base-") as tmp:
        _unpack(repo, sha, paths, Path(tmp), label)
        root = Path(tmp) / inside
        if root.is_dir():
            # git keeps no empty folder: a specs folder without apps/ at the ref had no apps yet
            (root / "apps").mkdir(exist_ok=True)
        stacks = Path(tmp) / stacks_inside if stacks_inside is not None else None
        yield BaseTree(root, label, stacks, (f"{Path(tmp)}/", f"{ref_or_dir}:"), again=sha)


def named_in_base(base: SpecSet, tree: BaseTree) -> SpecSet:
    """The base specs with the files their errors name, and their messages quote (a logo's
    file, an approval's spec), as ``tree`` names them."""
    if tree.unpacked_as is None:
        return base
    return dataclasses.replace(
        base,
        diagnostics=[
            dataclasses.replace(d, file=tree.named(d.file), message=tree.named(d.message))
            for d in base.diagnostics
        ],
        io_errors=[
            dataclasses.replace(p, message=tree.named(p.message), file=tree.named(p.file))
            for p in base.io_errors
        ],
    )


def _unpack(repo: Path, sha: str, paths: list[str], dest: Path, label: str) -> None:
    """`git archive` of ``paths`` at ``sha``, streamed into ``dest``: the tree is never held
    in memory, and each file is written up to what the largest input limit reads of it."""
    command = ["git", "-C", str(repo), "archive", "--format=tar", sha, "--", *paths]
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        except OSError as exc:
            raise BaseError(f"cannot run git archive for {label}: {exc.strerror or exc}") from exc
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(GIT_TIMEOUT, stop)
        timer.start()
        unpack_error: Exception | None = None
        assert proc.stdout is not None
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
                _extract(tar, dest, label)
            while proc.stdout.read(64 * 1024):
                pass  # the archive's padding: git ends once it is written
        except (tarfile.TarError, OSError) as exc:
            unpack_error = exc
        finally:
            proc.stdout.close()  # a git still writing (a limit was hit) stops at once
            _end(proc)
            timer.cancel()
        if timed_out.is_set():
            raise BaseError(f"git archive took over {GIT_TIMEOUT:.0f} s for {label}")
        errors.seek(0)
        said = errors.read(4096).decode("utf-8", "replace").strip().splitlines()
        if proc.returncode != 0 and said:
            raise BaseError(f"git archive failed for {label}: {masked_urls(said[-1])}")
        if unpack_error is not None:
            raise BaseError(f"cannot unpack the specs of {label}: {unpack_error}")
        if proc.returncode != 0:
            raise BaseError(f"git archive failed for {label}: exit status {proc.returncode}")


def _end(proc: subprocess.Popen[bytes]) -> None:
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _extract(tar: tarfile.TarFile, dest: Path, label: str) -> None:
    total = 0
    with tar:
        for count, member in enumerate(tar, start=1):
            if count > MAX_ENTRIES:
                raise BaseError(
                    f"the specs of {label} hold over {MAX_ENTRIES} files and folders; "
                    "this is no specs tree"
                )
            kept = tarfile.data_filter(member, str(dest))
            if not kept.isreg() or kept.size <= FILE_BYTES:
                total += kept.size
                _check_total(total, label)
                tar.extract(kept, dest, filter="data")
                continue
            # Over every input limit: its first bytes are enough for the reader to refuse it as
            # too large (with its size: the file keeps it, as a sparse file on disk).
            total += FILE_BYTES + 1
            _check_total(total, label)
            source = tar.extractfile(kept)
            assert source is not None
            target = dest / kept.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as fh:
                shutil.copyfileobj(_Head(source, FILE_BYTES + 1), fh)
                fh.truncate(kept.size)


def _check_total(total: int, label: str) -> None:
    if total > TOTAL_BYTES:
        raise BaseError(
            f"the specs of {label} are over {SizeLimit(TOTAL_BYTES, '').shown}; "
            "this is no specs tree"
        )


class _Head(io.RawIOBase):
    """The first ``size`` bytes of a stream."""

    def __init__(self, source: IO[bytes], size: int) -> None:
        self._source = source
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)[: self._left]
        data = self._source.read(len(view))
        view[: len(data)] = data
        self._left -= len(data)
        return len(data)


def _exists_at(repo: Path, sha: str, inside: str, label: str) -> bool:
    """Whether the folder `inside` (relative to the repository) exists at commit `sha`."""
    if inside == ".":
        return True
    listed = _git(repo, "ls-tree", "-d", "--name-only", sha, "--", inside)
    if listed.returncode != 0:
        raise BaseError(f"git ls-tree failed for {label}: {_err(listed)}")
    return bool(_out(listed))
