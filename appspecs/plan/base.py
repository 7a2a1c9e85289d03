"""The base spec tree for `--base`: a folder as it is, or the specs folder at a git ref.

A git ref is read with `git` itself (`git archive` of the specs path at that commit, unpacked
into a temporary folder), so the review of a pull request from a fork needs no credentials and
leaves the working tree alone.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class BaseError(Exception):
    """The base cannot be read: not a folder, not a git ref, git failed (a usage error)."""


@dataclass(frozen=True, slots=True)
class BaseTree:
    """Where the base specs and stacks are, and what to call them. `root` is None when the ref
    has no specs folder; `stacks` is None when it has no stacks folder."""

    root: Path | None
    label: str  # the folder, or "REF (commit abc1234)"
    stacks: Path | None = None


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
    return lines[-1] if lines else f"exit status {result.returncode}"


@contextmanager
def base_tree(ref_or_dir: str, specs_dir: Path, stacks_dir: Path) -> Iterator[BaseTree]:
    """The base specs and stacks: `ref_or_dir` as a folder when one exists (its stacks beside
    it), else a git ref of the repository holding `specs_dir` (its specs and stacks folders at
    that commit). The temporary copy of a ref is removed on exit."""
    folder = Path(ref_or_dir)
    if folder.is_dir():
        beside = folder.resolve().parent / "stacks"
        yield BaseTree(folder, str(folder), beside if beside.is_dir() else None)
        return
    if not ref_or_dir or ref_or_dir.startswith("-"):
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
        yield BaseTree(None, label)
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
    archive = _git(repo, "archive", "--format=tar", sha, "--", *paths)
    if archive.returncode != 0:
        raise BaseError(f"git archive failed for {label}: {_err(archive)}")
    with tempfile.TemporaryDirectory(prefix="appspec-base-") as tmp:
        try:
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BaseError(f"cannot unpack the specs of {label}: {exc}") from exc
        root = Path(tmp) / inside
        if root.is_dir():
            # git keeps no empty folder: a specs folder without apps/ at the ref had no apps yet
            (root / "apps").mkdir(exist_ok=True)
        stacks = Path(tmp) / stacks_inside if stacks_inside is not None else None
        yield BaseTree(root, label, stacks)


def _exists_at(repo: Path, sha: str, inside: str, label: str) -> bool:
    """Whether the folder `inside` (relative to the repository) exists at commit `sha`."""
    if inside == ".":
        return True
    listed = _git(repo, "ls-tree", "-d", "--name-only", sha, "--", inside)
    if listed.returncode != 0:
        raise BaseError(f"git ls-tree failed for {label}: {_err(listed)}")
    return bool(_out(listed))
