"""A command that a report tells its reader to run (the whole plan, every warning, the JSON)
repeats the flags that chose what the report was made from: the specs and stacks folders, a
plan's state file, an audit's org; never a default, which is the reader's own."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import click
from click.testing import CliRunner, Result

from appspecs.cli.common import given_flags
from appspecs.cli.main import cli
from appspecs.diagnostics import Diagnostic, Severity
from appspecs.report.markdown import quoted_warnings
from appspecs.report.plan_markdown import again_command, markdown_plan
from appspecs.report.refused import Refusal, refused_report
from appspecs.report.rerun import Rerun
from tests.project_copy import copy_project
from tests.test_plan_markdown import many

RERUN = Rerun(("--specs", "ci/app specs", "--stacks", "ci/stacks"), ("--state", "dev.json"))


def test_each_command_a_report_names_repeats_the_flags_quoted_for_a_shell() -> None:
    assert RERUN.command("plan", "--stack", "dev") == (
        "appspec plan --stack dev --specs 'ci/app specs' --stacks ci/stacks --state dev.json"
    )
    # validate reads the specs and stacks only: a plan's state is no flag of it
    assert RERUN.validate() == "appspec validate --specs 'ci/app specs' --stacks ci/stacks"
    assert Rerun().validate() == "appspec validate"


def test_a_plan_cut_short_names_the_same_specs_and_state_to_run_again() -> None:
    out = markdown_plan(many(60), limit=3000, rerun=RERUN)
    whole = "appspec plan --stack dev --specs 'ci/app specs' --stacks ci/stacks --state dev.json"
    assert out.rstrip().endswith(f"Run `{whole}` for the whole plan."), out[-300:]
    base = dataclasses.replace(many(1), mode="base", base="0123abc")
    assert again_command(base, Rerun(RERUN.specs)) == (
        "appspec plan --stack dev --specs 'ci/app specs' --stacks ci/stacks --base 0123abc"
    )


def test_the_errors_and_warnings_listed_elsewhere_name_validate_of_the_same_specs() -> None:
    warnings = [
        Diagnostic(Severity.WARNING, "invalid-value", f"app-specs/apps/a{i}.yml", None, None, "",
                   "ignored: app specs are read from files ending in .yaml")
        for i in range(12)
    ]  # fmt: skip
    said = "`appspec validate --specs 'ci/app specs' --stacks ci/stacks` lists them all."
    assert quoted_warnings(warnings, RERUN)[-1] == f"> … and 2 more warnings: {said}  "
    errors = [dataclasses.replace(w, severity=Severity.ERROR) for w in warnings]
    refusal = Refusal("plan", "planned", "dev", "no plan", RERUN)
    out = refused_report(refusal, errors, 12, "markdown")
    assert "(`appspec validate --specs 'ci/app specs' --stacks ci/stacks` lists them):" in out


def test_only_the_flags_given_on_the_command_line_are_repeated() -> None:
    @click.command()
    @click.option("--specs", default="app-specs")
    @click.option("--stacks", envvar="STACKS_DIR")
    @click.option("--state")
    def command(specs: str, stacks: str | None, state: str | None) -> None:
        click.echo(repr(given_flags("specs", "stacks", "state")))

    def given(*args: str) -> str:
        result = CliRunner(env={"STACKS_DIR": "env-stacks"}).invoke(command, list(args))
        assert result.exit_code == 0, result.output
        return result.output.strip()

    assert given() == "()"  # a default, a variable of the environment: the reader's own
    # in the order the command declares them, as given
    assert given("--state=s.json", "--specs", "x") == "('--specs', 'x', '--state', 's.json')"


def _invoke(project: Path, *args: str) -> Result:
    runner = CliRunner(env={"OKTA_API_TOKEN": None, "OKTA_CLIENT_ID": None})
    return runner.invoke(cli, list(args), catch_exceptions=False)


def test_the_cli_gives_the_reports_the_flags_it_was_given(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    for i in range(12):  # a warning each: a file that is no spec
        (project / "app-specs" / "apps" / f"stray{i}.yml").write_text("x: 1\n", encoding="utf-8")
    specs, stacks = str(project / "app-specs"), str(project / "stacks")
    # --stacks names the folder --specs alone reads: not repeated
    lister = f"`appspec validate --specs {specs}` lists them all."
    for command in ("plan", "status"):
        result = _invoke(
            project, command, "--stack", "dev", "--specs", specs, "--stacks", stacks,
            "--format", "markdown",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert f"> … and 2 more warnings: {lister}  " in result.stdout.splitlines(), command
    # a status of specs with errors says which validate lists them, in every format
    (project / "app-specs" / "apps" / "crm-sync.yaml").write_text("name: 1\n", encoding="utf-8")
    for fmt in ("text", "markdown", "json"):
        result = _invoke(
            project, "status", "--stack", "dev", "--specs", specs, "--stacks", stacks,
            "--format", fmt,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert f"(appspec validate --specs {specs} lists them)" in result.stdout
    # an audit refused for the specs' errors names validate of the same specs
    result = _invoke(
        project, "audit", "--stack", "dev", "--org-url", "https://acme.okta.com",
        "--specs", specs, "--format", "markdown",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert f"(`appspec validate --specs {specs}` lists them):" in result.stdout


def test_the_approve_command_a_spec_message_names_reads_the_folders_given(tmp_path: Path) -> None:
    # validate's note on a held app, and the fix of an approval whose signature does not count,
    # named `appspec approve ...` with the default folders: pasted, it approved in another tree
    project = copy_project(tmp_path)
    approvals = project / "app-specs" / "approvals.yaml"
    approvals.write_text(
        approvals.read_text(encoding="utf-8").replace(
            "approved_by: security-review@acme.example", "approved_by: mallory@acme.example", 1
        ),
        encoding="utf-8",
    )
    specs, stacks = str(project / "app-specs"), str(project / "stacks")
    folders = f"--specs {specs}"  # the stacks given are those beside it: --specs reads them
    given = _invoke(project, "validate", "--specs", specs, "--stacks", stacks, "--format", "json")
    assert given.exit_code == 1, given.output
    messages = {
        (d["code"], Path(d["file"]).name): d["message"]
        for d in json.loads(given.stdout)["diagnostics"]
    }
    approve = "appspec approve {} --by EMAIL --ticket ID --key PATH"
    assert (
        f"{approve.format('orbit-mobile')} {folders} (digest "
        in (messages["held", "orbit-mobile.yaml"])
    )
    fix = messages["signature", "approvals.yaml"]
    assert fix.endswith(
        f"approve it with a listed key: {approve.format('acme-analytics')} {folders}"
    )
    # the same command in the text report, and none repeated when none were given
    text = _invoke(project, "validate", "--specs", specs, "--stacks", stacks)
    assert f"{approve.format('orbit-mobile')} {folders} (digest " in text.stdout
    cwd = Path.cwd()
    os.chdir(project)
    try:
        plain = _invoke(project, "validate", "--format", "json")
    finally:
        os.chdir(cwd)
    held = next(
        d
        for d in json.loads(plain.stdout)["diagnostics"]
        if d["code"] == "held" and d["file"].endswith("orbit-mobile.yaml")
    )
    assert f"{approve.format('orbit-mobile')} (digest " in held["message"]
    # the JSON of a diagnostic is as it was: the command is said in its message only
    assert sorted(held) == ["code", "column", "file", "line", "message", "path", "severity"]


def _held_message(result: Result) -> str:
    assert result.exit_code == 0, result.output
    message: str = next(
        d["message"]
        for d in json.loads(result.stdout)["diagnostics"]
        if d["code"] == "held" and d["file"].endswith("orbit-mobile.yaml")
    )
    return message


def test_a_path_repeated_reads_the_same_folder_wherever_the_command_is_pasted(
    tmp_path: Path,
) -> None:
    # `--specs ..` typed in app-specs/apps was repeated as `--specs ..`: pasted at the root,
    # or read in a CI log, it named the folder above the project
    project = copy_project(tmp_path)
    shutil.copytree(project / "app-specs", project / "review" / "app-specs")
    shutil.copytree(project / "stacks", project / "other-stacks")
    approve = "appspec approve orbit-mobile --by EMAIL --ticket ID --key PATH"
    cwd = Path.cwd()
    try:
        os.chdir(project / "app-specs" / "apps")
        # the project's own folders: the reader's default anywhere in the project
        given = _invoke(project, "validate", "--specs", "..", "--stacks", "../../stacks",
                        "--format", "json")  # fmt: skip
        assert f"{approve} (digest " in _held_message(given)
        # another folder, from below the root: written whole
        given = _invoke(
            project, "validate", "--specs", "../../review/app-specs", "--format", "json"
        )
        review = project / "review" / "app-specs"
        assert f"{approve} --specs {review} (digest " in _held_message(given)
        # from the root, as typed: a reader runs it at the root of their own clone
        os.chdir(project)
        given = _invoke(project, "validate", "--specs", "review/app-specs",
                        "--stacks", "other-stacks", "--format", "json")  # fmt: skip
        words = "--specs review/app-specs --stacks other-stacks"
        assert f"{approve} {words} (digest " in _held_message(given)
    finally:
        os.chdir(cwd)


def test_a_base_folder_is_repeated_to_read_the_same_folder(tmp_path: Path) -> None:
    # the whole plan's command repeated `--base ../../base-specs` as typed in app-specs/apps,
    # while --specs and --state given there were written whole
    project = copy_project(tmp_path)
    base = project / "base-specs"
    shutil.copytree(project / "app-specs", base)
    crm = base / "apps" / "crm-sync.yaml"
    extra = "".join(f"x{i}: 1\n" for i in range(12))  # an error each: more than a comment shows
    crm.write_text(crm.read_text(encoding="utf-8") + extra, encoding="utf-8")
    cwd = Path.cwd()
    try:
        os.chdir(project / "app-specs" / "apps")
        result = _invoke(project, "plan", "--stack", "dev", "--base", "../../base-specs",
                         "--format", "markdown")  # fmt: skip
        os.chdir(project)
        at_root = _invoke(project, "plan", "--stack", "dev", "--base", "base-specs",
                          "--format", "markdown")  # fmt: skip
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    again = f"`appspec plan --stack dev --base {base}` lists them all."
    assert f"more errors of the base: {again}" in result.stdout, result.stdout[:2000]
    # from the root, as typed: the reader's clone has it there too
    assert "more errors of the base: `appspec plan --stack dev --base base-specs` lists" in (
        at_root.stdout
    )
