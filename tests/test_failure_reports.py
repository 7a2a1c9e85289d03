"""A command whose --format promises one report (json's object, markdown's comment) still gives
it when a usage or I/O problem stops it (exit 2), as `validate --format json` does; text says
it in its line on stderr alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from tests.project_copy import copy_project


def invoke(project: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    runner = CliRunner(env={"OKTA_API_TOKEN": None, "OKTA_CLIENT_ID": None, **(env or {})})
    argv = [*args, "--specs", str(project / "app-specs"), "--stacks", str(project / "stacks")]
    result = runner.invoke(cli, argv, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def one_object(result: Result) -> dict[str, object]:
    data = json.loads(result.stdout)  # exactly one JSON object, nothing else on stdout
    assert isinstance(data, dict)
    return data


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def test_an_unknown_stack_is_one_json_object_saying_why(project: Path) -> None:
    result = invoke(project, "plan", "--stack", "staging", "--format", "json")
    assert result.exit_code == 2
    data = one_object(result)
    assert (data["ok"], data["planned"], data["stack"], data["errors"]) == (
        False,
        False,
        "staging",
        0,
    )
    (problem,) = data["problems"]  # type: ignore[misc]
    assert "unknown stack 'staging'" in problem and data["error"] == problem
    # the same words as the line on stderr
    assert f"appspec: {problem}\n" == result.stderr
    # --detailed-exitcode: any error is 1, the object is the same
    detailed = invoke(
        project, "plan", "--stack", "staging", "--format", "json", "--detailed-exitcode"
    )
    assert detailed.exit_code == 1 and one_object(detailed) == data


def test_status_keeps_errors_and_problems_for_the_specs_and_names_its_failures_apart(
    project: Path,
) -> None:
    # status's own json counts the specs' errors in `errors` and lists them in `problems`
    listed = one_object(invoke(project, "status", "--stack", "dev", "--format", "json"))
    assert isinstance(listed["problems"], list) and "failures" not in listed
    result = invoke(project, "status", "--stack", "staging", "--format", "json")
    assert result.exit_code == 2
    data = one_object(result)
    assert (data["ok"], data["listed"], data["stack"]) == (False, False, "staging")
    assert "errors" not in data and "problems" not in data
    (failure,) = data["failures"]  # type: ignore[misc]
    assert "unknown stack 'staging'" in failure and data["error"] == failure


def test_text_with_out_writes_the_problem_to_the_file(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.txt"
    result = invoke(project, "plan", "--stack", "staging", "--out", str(out))
    assert result.exit_code == 2 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == result.stderr  # the same line
    assert result.stderr.startswith("appspec: unknown stack 'staging'")


def test_every_unreadable_file_is_a_problem_of_the_report(project: Path) -> None:
    for name in ("crm-sync", "orbit-mobile"):
        (project / "app-specs" / "apps" / f"{name}.yaml").unlink()
        (project / "app-specs" / "apps" / f"{name}.yaml").mkdir()
    data = one_object(invoke(project, "plan", "--stack", "dev", "--format", "json"))
    problems = data["problems"]
    assert isinstance(problems, list) and len(problems) == 2
    assert data["error"] == "; ".join(problems)
    comment = invoke(project, "plan", "--stack", "dev", "--format", "markdown")
    assert comment.exit_code == 2
    bullets = [line for line in comment.stdout.splitlines() if line.startswith("- ")]
    assert len(bullets) == 2 and "crm-sync.yaml" in bullets[0] and "orbit-mobile" in bullets[1]


def test_an_unreadable_state_file_is_written_to_out_as_the_plan_would_be(
    project: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    state.write_text("{}", encoding="utf-8")
    out = tmp_path / "plan.json"
    args = ["plan", "--stack", "dev", "--state", str(state), "--format", "json", "--out", str(out)]
    result = invoke(project, *args)
    assert result.exit_code == 2 and result.stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["planned"] is False
    assert data["problems"] == [
        f"state file {state}: no 'version': not a Pulumi state document (version 3)"
    ]


def test_an_unreadable_spec_file_is_a_problem_of_the_json_report(project: Path) -> None:
    (project / "app-specs" / "apps" / "crm-sync.yaml").unlink()
    (project / "app-specs" / "apps" / "crm-sync.yaml").mkdir()
    result = invoke(project, "plan", "--stack", "dev", "--format", "json")
    assert result.exit_code == 2
    (problem,) = one_object(result)["problems"]  # type: ignore[misc]
    assert "crm-sync.yaml" in problem


def test_markdown_says_why_in_a_comment_and_text_only_on_stderr(project: Path) -> None:
    comment = invoke(project, "plan", "--stack", "staging", "--format", "markdown")
    assert comment.exit_code == 2
    assert comment.stdout.startswith("### appspec plan: stack `staging`\n\n**No plan:** ")
    assert "unknown stack" in comment.stdout
    text = invoke(project, "plan", "--stack", "staging")
    assert text.exit_code == 2 and text.stdout == ""
    assert "unknown stack 'staging'" in text.stderr


def test_specs_with_errors_still_give_one_object_not_two(project: Path) -> None:
    path = project / "app-specs" / "apps" / "crm-sync.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: web", "kind: webb"))
    result = invoke(project, "plan", "--stack", "dev", "--format", "json")
    assert result.exit_code == 1
    data = one_object(result)
    assert (data["errors"], data["problems"]) == (1, [])


def test_audit_without_credentials_is_one_json_object(project: Path) -> None:
    args = ["audit", "--stack", "dev", "--org-url", "https://acme.okta.com", "--format", "json"]
    result = invoke(project, *args)
    assert result.exit_code == 2
    data = one_object(result)
    assert (data["audited"], data["stack"]) == (False, "dev")
    assert "credentials" in str(data["error"])
