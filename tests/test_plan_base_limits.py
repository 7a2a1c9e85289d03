"""`plan --base REF` on a hostile base tree: read as a stream with the input files' limits,
never wholly into memory, and every limit said as one clear usage error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from appspecs.cli.main import cli
from appspecs.plan import base
from tests.project_copy import copy_project
from tests.test_plan_base import ROOT, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

HUGE = 200 * 1024 * 1024

# Runs the real command in a process of its own and reports that process's peak memory (git's
# is its own: it streams a blob over core.bigFileThreshold). VmHWM, not getrusage's ru_maxrss,
# which Linux carries over from the forked parent (pytest, large by then) across exec.
MEASURED = """
import sys
from appspecs.cli.main import main
try:
    main()
finally:
    with open("/proc/self/status") as fh:
        peak_kib = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
    sys.stderr.write(f"\\nPEAK {peak_kib * 1024}\\n")
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_project(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "core.bigFileThreshold", "1m")
    return root


def commit(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc")
def test_a_huge_file_in_the_base_is_refused_without_reading_it_into_memory(repo: Path) -> None:
    huge = repo / "app-specs" / "apps" / "huge.yaml"
    with huge.open("wb") as fh:
        fh.truncate(HUGE)  # zeros: small in git, 200 MiB in the archive
    commit(repo)
    huge.unlink()
    result = subprocess.run(
        [sys.executable, "-c", MEASURED, "plan", "--stack", "dev", "--base", "HEAD"],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert "the base specs have 1 error" in result.stdout
    peak = int(result.stderr.rsplit("PEAK ", 1)[1])
    assert peak < HUGE // 2, f"peak memory {peak} bytes"


def test_the_base_tree_stays_within_its_limits(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(repo)
    monkeypatch.chdir(repo)
    monkeypatch.setattr(base, "MAX_ENTRIES", 5)
    result = CliRunner().invoke(cli, ["plan", "--stack", "dev", "--base", "HEAD"])
    assert result.exit_code == 2
    assert "hold over 5 files and folders; this is no specs tree" in result.stderr
    monkeypatch.setattr(base, "MAX_ENTRIES", 100_000)
    monkeypatch.setattr(base, "TOTAL_BYTES", 1024)
    result = CliRunner().invoke(cli, ["plan", "--stack", "dev", "--base", "HEAD"])
    assert result.exit_code == 2
    assert "are over 1 KiB; this is no specs tree" in result.stderr


def test_a_base_with_a_spec_over_its_limit_says_too_large(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = repo / "app-specs" / "apps" / "big.yaml"
    big.write_bytes(b"#" * (5 * 1024 * 1024) + b"\n")  # over every input limit: kept sparse
    commit(repo)
    big.unlink()
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(
        cli, ["plan", "--stack", "dev", "--base", "HEAD", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["summary"]["notes"]
    assert any("the base specs have 1 error" in n for n in notes), notes
