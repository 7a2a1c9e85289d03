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


def _specs_repo(
    where: Path, *, valid: bool, specs: str = "app-specs", stacks: str | None = None
) -> Path:
    """A git repository holding a copy of the bundled specs (and stack files), broken on request."""
    where.mkdir(parents=True)
    shutil.copytree(ROOT / "app-specs", where / specs)
    if stacks is not None:
        (where / stacks).mkdir(parents=True)
        for settings in (ROOT / "stacks").glob("Pulumi.*.yaml"):
            shutil.copy2(settings, where / stacks / settings.name)
    if not valid:
        spec = where / specs / "apps" / "crm-sync.yaml"
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


def _changed(repo: Path) -> list[str]:
    """The files a commit would carry: what pre-commit checks on `git commit`."""
    out = subprocess.run(
        ["git", "diff", "--name-only", "HEAD"],
        cwd=repo,
        env=GIT_ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.split()


def _selected(hook: dict[str, Any], files: list[str]) -> list[str]:
    """The files pre-commit runs the hook for; none, and it skips it ("no files to check")."""
    return [f for f in files if re.search(hook["files"], f) and not re.search(hook["exclude"], f)]


def _run_as_pre_commit(hook: dict[str, Any], repo: Path) -> subprocess.CompletedProcess[str]:
    """The hook's `entry` and `args` run as pre-commit runs them, with this environment's tools."""
    # pre-commit puts the hook's environment first on PATH, runs `entry args` from the repo root
    # and, with pass_filenames false, adds no file names
    return subprocess.run(
        [*shlex.split(hook["entry"]), *hook["args"]],
        cwd=repo,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _documented_hook_for_another_layout() -> dict[str, Any]:
    """The hook entry the spec language's pre-commit section shows for specs kept elsewhere."""
    text = (ROOT / "docs" / "spec-language.md").read_text(encoding="utf-8")
    # from its heading to the next heading of its level or up (outside code), or the page's end
    lines = text.splitlines()
    start = lines.index("## pre-commit") + 1
    fence, end = False, len(lines)
    for number, line in enumerate(lines[start:], start):
        fence ^= line.startswith("```")
        if not fence and re.match(r"#{1,2} ", line):
            end = number
            break
    section = "\n".join(lines[start:end]) + "\n"
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    entries = [yaml.safe_load(b) for b in blocks]
    hooks = [e[0] for e in entries if isinstance(e, list)]
    assert len(hooks) == 1, "docs/spec-language.md shows no hook entry for another layout"
    entry: dict[str, Any] = hooks[0]
    assert entry["id"] == "appspec-validate"
    return entry


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
        # the stack settings decide, e.g., which stacks allow loopback redirects
        ("stacks/Pulumi.prod.yaml", True),
        ("stacks/Pulumi.qa.yaml", True),
        ("appspecs/cli/main.py", False),
        ("docs/app-specs.md", False),
        ("README.md", False),
    ],
)
def test_the_hook_runs_for_changes_under_the_specs_and_stacks_folders(
    path: str, runs: bool
) -> None:
    hook = _hook()
    matched = re.search(hook["files"], path) is not None and not re.search(hook["exclude"], path)
    assert matched is runs


@pytest.mark.parametrize("valid", [True, False], ids=["valid", "invalid"])
def test_the_hook_entry_run_as_pre_commit_runs_it(tmp_path: Path, valid: bool) -> None:
    hook = _hook()
    repo = _specs_repo(tmp_path / "specs", valid=valid)
    assert _selected(hook, _tracked(repo)), "the hook would not run"
    result = _run_as_pre_commit(hook, repo)
    if valid:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "0 errors" in result.stdout
    else:
        assert result.returncode == 1, result.stdout + result.stderr
        assert "app-specs/apps/crm-sync.yaml:17:5: error[unknown-scope]" in result.stdout
        assert UNKNOWN_SCOPE in result.stdout
    assert "Traceback" not in result.stderr


def test_a_change_to_the_stack_settings_alone_runs_the_hook(tmp_path: Path) -> None:
    """The specs are unchanged, yet a stack that stops allowing loopback makes one invalid."""
    hook = _hook()
    repo = _specs_repo(tmp_path / "specs", valid=True, stacks="stacks")
    _git(repo, "commit", "-q", "--no-verify", "-m", "specs")
    dev = repo / "stacks" / "Pulumi.dev.yaml"
    text = dev.read_text(encoding="utf-8")
    assert "allowLoopbackRedirects: true" in text
    dev.write_text(text.replace("allowLoopbackRedirects: true", "allowLoopbackRedirects: false"))
    assert _changed(repo) == ["stacks/Pulumi.dev.yaml"]
    assert _selected(hook, _changed(repo)), "pre-commit would skip the hook for this commit"
    result = _run_as_pre_commit(hook, repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "error[redirect-uri]" in result.stdout and "stack 'dev'" in result.stdout


@pytest.mark.parametrize("valid", [True, False], ids=["valid", "invalid"])
def test_the_documented_hook_for_another_layout_runs_as_pre_commit_runs_it(
    tmp_path: Path, valid: bool
) -> None:
    override = _documented_hook_for_another_layout()
    assert {"args", "files"} <= set(override), "another layout needs both args and files"
    # a repository's config overrides the manifest's keys, as pre-commit merges them
    hook = {**_hook(), **override}
    args = hook["args"]
    specs = args[args.index("--specs") + 1]
    stacks = args[args.index("--stacks") + 1] if "--stacks" in args else None
    assert stacks is not None, "the docs' example names the stacks folder too"
    repo = _specs_repo(tmp_path / "specs", valid=valid, specs=specs, stacks=stacks)
    # the old advice, args alone, left the manifest's files pattern: nothing matched, no run
    assert not _selected({**_hook(), "args": args}, [f for f in _tracked(repo) if f != "README.md"])
    for folder in (specs, stacks):
        assert _selected(hook, [f for f in _tracked(repo) if f.startswith(f"{folder}/")]), folder
    result = _run_as_pre_commit(hook, repo)
    if valid:
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"{specs}/apps/crm-sync.yaml:17:5: error[unknown-scope]" in result.stdout


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
