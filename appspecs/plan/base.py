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
    """Where the base specs are, and what to call them. `root` is None when the ref has none."""

    root: Path | None
    label: str  # the folder, or "REF (commit abc1234)"


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
def base_tree(ref_or_dir: str, specs_dir: Path) -> Iterator[BaseTree]:
    """The base specs: `ref_or_dir` as a folder when one exists, else a git ref of the repository
    holding `specs_dir`. The temporary copy of a ref is removed on exit."""
    folder = Path(ref_or_dir)
    if folder.is_dir():
        yield BaseTree(folder, str(folder))
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
    listed = _git(repo, "ls-tree", "-d", "--name-only", sha, "--", inside)
    if listed.returncode != 0:
        raise BaseError(f"git ls-tree failed for {label}: {_err(listed)}")
    if inside != "." and not _out(listed):
        yield BaseTree(None, label)
        return
    archive = _git(repo, "archive", "--format=tar", sha, "--", inside)
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
        yield BaseTree(root, label)
