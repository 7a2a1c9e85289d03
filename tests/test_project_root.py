"""The project is found by walking up to Pulumi.yaml, as `pulumi` and `git` find theirs: every
command works from any folder inside the project, and names files relative to where it runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from tests.project_copy import copy_project


def invoke(monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str) -> Result:
    monkeypatch.chdir(cwd)
    env = {"PULUMI_BACKEND_URL": "", "APPSPECS_DEBUG": "", "OKTA_ORG_URL": None}
    return CliRunner(env=env).invoke(cli, list(args))


@pytest.mark.parametrize(
    ("where", "shown"),
    [
        ("", "app-specs/apps/"),
        ("app-specs", "apps/"),
        ("app-specs/apps", "../apps/"),
        ("app-specs/logos", "../apps/"),
        ("stacks", "../app-specs/apps/"),
    ],
)
def test_validate_works_from_any_folder_of_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, shown: str
) -> None:
    project = copy_project(tmp_path)
    result = invoke(monkeypatch, project / where, "validate", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["apps"] == 6
    held = [d for d in report["diagnostics"] if d["code"] == "held"]
    assert held and all(d["file"].startswith(shown) for d in held), held
    # the stacks were found too: prod's loopback rule was checked, not skipped
    assert "no stacks" not in result.stderr


def test_plan_works_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(tmp_path)
    result = invoke(monkeypatch, project / "app-specs" / "apps", "plan", "--stack", "dev")
    assert result.exit_code == 0, result.output
    assert "crm-sync" in result.stdout


def test_the_nearest_project_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outer = copy_project(tmp_path)
    inner = copy_project(outer / "app-specs" / "logos")
    (inner / "app-specs" / "apps" / "crm-sync.yaml").unlink()
    result = invoke(monkeypatch, inner / "stacks", "validate", "--format", "json")
    assert result.exit_code == 0, result.output
    files = {d["file"] for d in json.loads(result.stdout)["diagnostics"]}
    assert files and all(f.startswith("../app-specs/") for f in files)
    assert json.loads(result.stdout)["apps"] == 5  # the inner project's, one spec fewer


def test_outside_any_project_the_specs_folder_is_looked_for_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke(monkeypatch, tmp_path, "validate")
    assert result.exit_code == 2
    assert "specs folder 'app-specs' does not exist" in result.stderr


def test_an_explicit_specs_folder_is_taken_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(tmp_path)
    result = invoke(monkeypatch, project / "stacks", "validate", "--specs", "app-specs")
    assert result.exit_code == 2
    assert "specs folder 'app-specs' does not exist" in result.stderr


@pytest.mark.parametrize("flag", ["--specs", "--base"])
def test_the_project_folder_given_for_a_specs_folder_names_the_specs_folder_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    # a checkout of main beside the branch, given whole: its specs are in app-specs/
    project = copy_project(tmp_path)
    (tmp_path / "main").mkdir()
    main = copy_project(tmp_path / "main")
    args = ["plan", "--stack", "dev", flag, str(main)]
    result = invoke(monkeypatch, project, *args)
    assert result.exit_code == 2
    assert f"'{main / 'apps'}' does not exist" in result.stderr
    assert f"{main} is a project: its specs folder is {main / 'app-specs'}" in result.stderr
