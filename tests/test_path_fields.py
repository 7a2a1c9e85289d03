"""A NUL (or another control character) in any field that names a file is a diagnostic at its
line, never `internal error: ValueError: embedded null byte` from deep in a file check."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from tests.project_copy import copy_project


def invoke(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(cwd)
    runner = CliRunner(env={"PULUMI_BACKEND_URL": "", "APPSPECS_DEBUG": "", "OKTA_ORG_URL": ""})
    return runner.invoke(cli, list(args))


@pytest.mark.parametrize(
    "written", [r"logos/crm\0sync.png", r"logos/crm\tsync.png", r"logos/\x1b[31m.png"]
)
def test_an_impossible_character_in_a_logo_path_is_a_diagnostic_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    project = copy_project(tmp_path)
    spec = project / "app-specs" / "apps" / "crm-sync.yaml"
    text, n = re.subn(
        r"(?m)^logo: .*$", lambda _m: f'logo: "{written}"', spec.read_text(encoding="utf-8")
    )
    assert n == 1
    spec.write_text(text, encoding="utf-8")
    line = 1 + text[: text.index("logo:")].count("\n")
    result = invoke(project, monkeypatch, "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    [d] = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"]
    assert (d["file"], d["line"], d["path"]) == ("app-specs/apps/crm-sync.yaml", line, "logo")
    assert "the path holds" in d["message"]
    assert "\0" not in d["message"] and "\x1b" not in d["message"]


@pytest.mark.parametrize("command", [("validate",), ("plan", "--stack", "dev")])
def test_a_nul_in_the_specs_dir_setting_is_an_error_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    project = copy_project(tmp_path)
    stack = project / "stacks" / "Pulumi.dev.yaml"
    text = stack.read_text(encoding="utf-8") + '  appspecs:specsDir: "app\\0specs"\n'
    stack.write_text(text, encoding="utf-8")
    lines = text.count("\n")
    result = invoke(project, monkeypatch, *command)
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output
    assert f"Pulumi.dev.yaml:{lines}:22: appspecs:specsDir: the path holds a NUL" in result.output
