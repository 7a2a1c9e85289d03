"""`appspec preview`'s error paths, with the stand-in `pulumi` of test_preview on PATH."""

from __future__ import annotations

from pathlib import Path

from tests import plan_states
from tests.test_preview import _project, _run, _scenario, _standin


def test_a_cli_error_on_the_first_line_of_stderr_is_the_reason_shown(tmp_path: Path) -> None:
    # Pulumi's own failures ("error: the stack is locked...") are often the first line it
    # writes; the Automation API's error text labels that line " stderr: error: ...".
    project = _project(tmp_path)
    env = _scenario(
        tmp_path,
        stacks={"dev": plan_states.document({"manifest": {}})},
        fail="error: the stack is currently locked by 1 lock(s)",
    )
    result = _run(project, str(_standin(tmp_path)), "preview", "--stack", "dev", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "appspec: previewing stack dev: the stack is currently locked by 1 lock(s)\n"
    )
