"""The pre-commit hook other repositories use, and this repository's own pre-commit config.

Two ways of running the hook on a folder of specs, one valid and one not:
- its `entry` and `args` run exactly as pre-commit runs them, with this environment's `appspec`
  (fast, no network);
- pre-commit itself, from a clone of this package's source, as another repository would use it:
  it builds the hook's virtualenv with pip, so it needs the package index and takes ~20 s on a
  warm pip cache. Tests stay off the network by default: it runs with APPSPECS_NETWORK_TESTS=1.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"
CONFIG = ROOT / ".pre-commit-config.yaml"
BIN = Path(sys.executable).parent
# git as a bare tool: no user or system config (hooks, signing) leaks into the temporary repos
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}
UNKNOWN_SCOPE = "api:nope:read"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True)


def _hook() -> dict[str, Any]:
    from pre_commit.clientlib import load_manifest

    # the manifest as pre-commit reads it: schema-checked, defaults filled in
    hooks = load_manifest(str(HOOKS))
    assert [h["id"] for h in hooks] == ["appspec-validate"]
    hook: dict[str, Any] = hooks[0]
    return hook


def _specs_repo(where: Path, *, valid: bool) -> Path:
    """A git repository holding a copy of the bundled specs, broken on request."""
    where.mkdir(parents=True)
    shutil.copytree(ROOT / "app-specs", where / "app-specs")
    if not valid:
        spec = where / "app-specs" / "apps" / "crm-sync.yaml"
        text = spec.read_text(encoding="utf-8")
        assert "  - api:data:contact\n" in text
        spec.write_text(text.replace("  - api:data:contact\n", f"  - {UNKNOWN_SCOPE}\n"))
    (where / "README.md").write_text("specs\n")
    _git(where, "init", "-q")
    _git(where, "add", "-A")
    return where


def _tracked(repo: Path) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=repo, env=GIT_ENV, check=True, capture_output=True, text=True
    )
    return out.stdout.split()


# --- the manifest -------------------------------------------------------------------------------


def test_the_hook_is_declared_as_other_repositories_need_it() -> None:
    hook = _hook()
    assert hook["language"] == "python"
    assert hook["entry"] == "appspec validate"
    assert hook["args"] == ["--specs", "app-specs"]
    assert hook["pass_filenames"] is False
    # `language: python` installs this package: the entry must be one of its console scripts
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert shlex.split(hook["entry"])[0] in scripts


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("app-specs/apps/crm-sync.yaml", True),
        ("app-specs/scope-catalog.yaml", True),
        ("app-specs/approvals.yaml", True),
        ("app-specs/logos/crm-sync.png", True),
        ("appspecs/cli/main.py", False),
        ("docs/app-specs.md", False),
        ("README.md", False),
    ],
)
def test_the_hook_runs_for_changes_under_the_specs_folder(path: str, runs: bool) -> None:
    hook = _hook()
    matched = re.search(hook["files"], path) is not None and not re.search(hook["exclude"], path)
    assert matched is runs


@pytest.mark.parametrize("valid", [True, False], ids=["valid", "invalid"])
def test_the_hook_entry_run_as_pre_commit_runs_it(tmp_path: Path, valid: bool) -> None:
    hook = _hook()
    repo = _specs_repo(tmp_path / "specs", valid=valid)
    assert any(re.search(hook["files"], f) for f in _tracked(repo)), "the hook would not run"
    # pre-commit puts the hook's environment first on PATH, runs `entry args` from the repo root
    # and, with pass_filenames false, adds no file names
    command = [*shlex.split(hook["entry"]), *hook["args"]]
    result = subprocess.run(
        command,
        cwd=repo,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if valid:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "0 errors" in result.stdout
    else:
        assert result.returncode == 1, result.stdout + result.stderr
        assert "app-specs/apps/crm-sync.yaml:17:5: error[unknown-scope]" in result.stdout
        assert UNKNOWN_SCOPE in result.stdout
    assert "Traceback" not in result.stderr


# --- pre-commit itself, as another repository runs the hook ----------------------------------------


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This package's source with its manifest, committed, as pre-commit would clone it."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("appspecs", "components"):
        if (ROOT / package).is_dir():
            shutil.copytree(ROOT / package, repo / package, ignore=ignore)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--no-verify", "-m", "hooks")
    yield repo


def _pre_commit(repo: Path, hook_repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repo, env=GIT_ENV, capture_output=True, text=True
    ).stdout.strip()
    config = {
        "repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": "appspec-validate"}]}]
    }
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git(repo, "add", ".pre-commit-config.yaml")
    return subprocess.run(
        [str(BIN / "pre-commit"), "run", "--all-files", "--color", "never"],
        cwd=repo,
        env={**GIT_ENV, "PRE_COMMIT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(
    os.environ.get("APPSPECS_NETWORK_TESTS") != "1",
    reason="pre-commit builds the hook's environment with pip from the package index (network); "
    "set APPSPECS_NETWORK_TESTS=1 to run it",
)
def test_pre_commit_installs_and_runs_the_hook_from_a_clone(
    tmp_path: Path, hook_repo: Path
) -> None:
    if not (BIN / "pre-commit").is_file():
        pytest.fail("pre-commit is not installed: pip install -e '.[test]'")
    home = tmp_path / "pre-commit-home"
    good = _pre_commit(_specs_repo(tmp_path / "good", valid=True), hook_repo, home)
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"appspec validate\.+Passed", good.stdout), good.stdout
    # the second run reuses the environment the first one built
    bad = _pre_commit(_specs_repo(tmp_path / "bad", valid=False), hook_repo, home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"appspec validate\.+Failed", bad.stdout), bad.stdout
    assert "error[unknown-scope]" in bad.stdout and UNKNOWN_SCOPE in bad.stdout


# --- this repository's own config -----------------------------------------------------------------


def test_this_repositorys_config_is_valid_and_runs_the_venvs_tools() -> None:
    check = subprocess.run(
        [str(BIN / "pre-commit"), "validate-config", str(CONFIG)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert set(hooks) == {"ruff-check", "ruff-format", "mypy", "appspec-validate"}
    assert hooks["ruff-check"]["entry"].startswith(".venv/bin/ruff check")
    assert hooks["ruff-format"]["entry"].startswith(".venv/bin/ruff format")
    assert hooks["mypy"]["pass_filenames"] is False
    assert hooks["appspec-validate"]["entry"] == ".venv/bin/appspec validate"
    assert hooks["appspec-validate"]["args"] == ["--specs", "app-specs"]
    for hook in hooks.values():
        tool = shlex.split(hook["entry"])[0]
        assert (ROOT / tool).parent == ROOT / ".venv" / "bin", tool
