"""`appspec plan --stack NAME` as users run it: where state comes from, the three formats, and
the exit codes, plain and with --detailed-exitcode."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.desired.render import render
from appspecs.desired.resources import OAUTH_APP, RULE, resource_graph
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config
from tests import plan_states as ps
from tests.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(
    os.environ.get("APPSPECS_PULUMI_REFERENCE", ROOT.parent / "shared" / "reference" / "pulumi")
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's specs, stacks and Pulumi.yaml, with no state yet."""
    return copy_project(tmp_path)


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    specs = load_specs(ROOT / "app-specs", stacks_dir=ROOT / "stacks")
    desired = render(specs, load_stack_config(ROOT / "stacks", "dev"))
    return ps.state_for(resource_graph(desired), held=desired.held)


def run(project: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """The command from inside the project, as `appspec plan ...` with the default folders."""
    cwd = os.getcwd()
    os.chdir(project)
    try:
        return CliRunner(env={"PULUMI_BACKEND_URL": "", **(env or {})}).invoke(cli, ["plan", *args])
    finally:
        os.chdir(cwd)


# what a rule of an app that signs users in lists after its catalog scopes
OIDC = ["openid", "profile", "email", "offline_access"]


def changed(recorded: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(json.dumps(recorded))
    ps.find(doc, RULE, "crm-sync-rule")["inputs"]["scopeWhitelists"] = [
        "api:data:company",
        *OIDC,
    ]
    return ps.settle(doc)


def test_without_state_everything_is_a_create(project: Path) -> None:
    result = run(project, "--stack", "dev")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Plan for stack dev against no recorded state\n")
    assert (
        "Changes: 36 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged"
        in result.stdout
    )
    assert result.stderr == ""


def test_the_local_backend_checkpoint_is_found(project: Path, recorded: dict[str, Any]) -> None:
    path = project / ".pulumi" / "stacks" / "appspecs" / "dev.json"
    ps.write(ps.document(recorded["deployment"], "checkpoint"), path)
    result = run(project, "--stack", "dev", "--format", "json")
    data = json.loads(result.stdout)
    assert data["summary"]["against"] == str(path)
    assert data["changeSummary"] == {"same": 36}


def test_the_legacy_gzipped_layout_and_the_backend_url(
    project: Path, recorded: dict[str, Any], tmp_path: Path
) -> None:
    legacy = ps.write(changed(recorded), project / ".pulumi" / "stacks" / "dev.json.gz", gz=True)
    data = json.loads(run(project, "--stack", "dev", "--format", "json").stdout)
    assert data["summary"]["against"] == str(legacy)
    assert data["changeSummary"] == {"update": 1, "same": 35}
    elsewhere = tmp_path / "backend"
    ps.write(recorded, elsewhere / ".pulumi" / "stacks" / "appspecs" / "dev.json")
    env = {"PULUMI_BACKEND_URL": f"file://{elsewhere}"}
    data = json.loads(run(project, "--stack", "dev", "--format", "json", env=env).stdout)
    assert data["changeSummary"] == {"same": 36}


def test_a_cloud_backend_without_state_is_a_usage_error(project: Path) -> None:
    result = run(project, "--stack", "dev", env={"PULUMI_BACKEND_URL": "https://api.pulumi.com"})
    assert result.exit_code == 2
    assert "names a https backend" in result.stderr and "--state" in result.stderr


def test_json_is_one_object_with_the_documented_keys(
    project: Path, recorded: dict[str, Any]
) -> None:
    state = ps.write(changed(recorded), project / "state.json")
    result = run(project, "--stack", "dev", "--state", str(state), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)  # the whole output is one JSON document
    assert list(data) == [
        "ok",
        "planned",  # as the failure report has it (false there)
        "summary",
        "apps",
        "steps",
        "held",
        "changeSummary",
        "registry",
        "diagnostics",
        "baseDiagnostics",
        "baseProblems",
    ]
    assert (data["ok"], data["planned"]) == (True, True)
    assert data["registry"] == []  # against state: no base to compare the registries with
    assert data["baseDiagnostics"] == data["baseProblems"] == []
    assert data["changeSummary"] == {"update": 1, "same": 35}
    assert data["held"] == [{"name": "orbit-mobile", "reason": "awaiting approval"}]
    (step,) = [s for s in data["steps"] if s["op"] != "same"]
    assert step == {
        "urn": "urn:pulumi:dev::appspecs::appspecs:index:OidcApp$okta:auth/serverPolicyRule:ServerPolicyRule::crm-sync-rule",
        "op": "update",
        "type": RULE,
        "name": "crm-sync-rule",
        "parent": "urn:pulumi:dev::appspecs::appspecs:index:OidcApp::crm-sync",
        "app": "crm-sync",
        "diffs": [
            {
                "path": "scopeWhitelists",
                "old": ["api:data:company", *OIDC],
                "new": ["api:data:company", "api:data:contact", *OIDC],
            }
        ],
    }
    crm = next(a for a in data["apps"] if a["name"] == "crm-sync")
    assert crm["scopes"] == {"granted": ["api:data:contact"], "revoked": []}
    assert data["summary"]["privilegeIncreases"] == ["crm-sync"]
    assert data["summary"]["apps"] == {
        "added": 0,
        "adopted": 0,
        "changed": 1,
        "removed": 0,
        "held": 1,
        "change under review": 0,
        "suspended": 0,
        "not in this stack": 0,
        "unchanged": 4,
    }


def test_text_leads_with_the_app_summary(project: Path, recorded: dict[str, Any]) -> None:
    state = ps.write(changed(recorded), project / "state.json")
    out = run(project, "--stack", "dev", "--state", str(state)).stdout
    assert out.index("Apps:") < out.index("Resources:")
    assert (
        "  ~ crm-sync: changed\n      scopes granted: api:data:contact  [PRIVILEGE INCREASE]\n"
        in out
    )
    assert (
        '~ scopeWhitelists: ["api:data:company", "openid", "profile", "email", "offline_access"] '
        '-> ["api:data:company", "api:data:contact", "openid", "profile", "email", '
        '"offline_access"]' in out
    )
    assert "  ! orbit-mobile (partner): held\n" in out


def test_markdown_leads_with_the_summary_table(project: Path, recorded: dict[str, Any]) -> None:
    state = ps.write(changed(recorded), project / "state.json")
    out = run(project, "--stack", "dev", "--state", str(state), "--format", "markdown").stdout
    table = out.index("| App | Change |")
    assert table < out.index("<details>")
    assert "| `crm-sync` | changed | ⚠️ **privilege increase** +`api:data:contact` |" in out
    assert "<details><summary>crm-sync: 1 to update</summary>" in out
    assert out.count("<details>") == out.count("</details>")


DETAILED = "--detailed-exitcode"


def test_detailed_exit_codes(project: Path, recorded: dict[str, Any]) -> None:
    same = ps.write(recorded, project / "same.json")
    other = ps.write(changed(recorded), project / "changed.json")
    assert (
        run(project, "--stack", "dev", "--state", str(same), "--detailed-exitcode").exit_code == 0
    )
    assert (
        run(project, "--stack", "dev", "--state", str(other), "--detailed-exitcode").exit_code == 2
    )
    assert run(project, "--stack", "dev", "--state", str(other)).exit_code == 0
    # every error is 1 there, where 2 means changes
    assert run(project, "--stack", "nope", "--detailed-exitcode").exit_code == 1
    assert (
        run(project, "--stack", "dev", "--state", "missing.json", "--detailed-exitcode").exit_code
        == 1
    )
    bad_flag = run(project, "--stack", "dev", "--detailed-exitcode", "--no-such-flag")
    assert bad_flag.exit_code == 1 and "No such option" in bad_flag.stderr
    assert run(project, "--stack", "dev", "--no-such-flag").exit_code == 2
    # a bad flag before the command too
    runner = CliRunner(env={"PULUMI_BACKEND_URL": ""})
    before = runner.invoke(cli, ["--no-such-flag", "plan", "--stack", "dev", "--detailed-exitcode"])
    assert before.exit_code == 1 and "No such option '--no-such-flag'" in before.stderr
    assert runner.invoke(cli, ["--no-such-flag", "plan", "--stack", "dev"]).exit_code == 2
    assert runner.invoke(cli, ["--no-such-flag", "status", "--detailed-exitcode"]).exit_code == 2
    # an empty $STACK (`--stack $STACK --detailed-exitcode`): the flag is no stack's name but
    # the flag, refused as a value, and 1, never 2 (changes present); nor a file to write
    for args in (("--stack", "--detailed-exitcode"), ("--stack", "dev", "--out", DETAILED)):
        as_value = run(project, *args)
        assert as_value.exit_code == 1, as_value.output
        assert f"Option '{args[-2]}' requires a value, and the next word is '{DETAILED}'" in (
            as_value.stderr
        )
        assert not (project / DETAILED).exists()
    # explicitly a value: a stack so named, unknown (2 without the flag, 1 with it)
    assert run(project, f"--stack={DETAILED}").exit_code == 2
    assert run(project, f"--stack={DETAILED}", DETAILED).exit_code == 1
    # any command: another option is no option's value (a usage error, 2)
    for argv in (
        ["plan", "--stack", "--format", "json"],
        ["validate", "--specs", "--format", "json"],
        ["secret", "rotate", "crm-sync", "--stack", "--org-url", "https://acme.okta.com"],
    ):
        refused = runner.invoke(cli, argv)
        assert refused.exit_code == 2 and "requires a value, and the next word is" in (
            refused.stderr
        ), (argv, refused.output)
    # the next option written with its value, or `--` as the value (click then reads the words
    # after it as options): refused too, and no file of that name (found by a reviewer)
    for args in (("--out", "--format=json"), ("--out", "--", DETAILED)):
        refused = run(project, "--stack", "dev", *args, DETAILED)
        assert (
            refused.exit_code == 1
            and f"Option '--out' requires a value, and the next word is '{args[1]}'"
            in refused.stderr
        )
        assert not (project / args[1]).exists()
    # shell completion parses resiliently: a line being typed is no error
    complete = CliRunner(
        env={
            "_APPSPEC_COMPLETE": "bash_complete",
            "COMP_WORDS": "appspec plan --stack --format json --out",
            "COMP_CWORD": "6",
        }
    )
    completed = complete.invoke(cli, prog_name="appspec")
    assert completed.exit_code == 0 and "requires a value" not in completed.output
    # after `--` a word is an argument, as click reads it
    assert "the next word" not in run(project, "--stack", "dev", "--", "--out", "--x").stderr


def test_unknown_stack_names_the_known_ones(project: Path) -> None:
    result = run(project, "--stack", "staging")
    assert result.exit_code == 2
    assert result.stderr == "appspec: unknown stack 'staging'; known stacks: dev, prod\n"


def test_bad_state_file_is_one_line(project: Path) -> None:
    (project / "state.json").write_text('{"version": 3, "deployment": [', encoding="utf-8")
    result = run(project, "--stack", "dev", "--state", "state.json")
    assert result.exit_code == 2
    assert result.stderr == ("appspec: state file state.json:1:31: not JSON: Expecting value\n")
    assert result.stdout == ""


def test_the_real_sample_is_another_project(project: Path) -> None:
    sample = REFERENCE / "checkpoint-secrets.sample.json"
    if not sample.is_file():
        pytest.skip(f"the pulumi sample is not at {sample} (set APPSPECS_PULUMI_REFERENCE)")
    result = run(project, "--stack", "dev", "--state", str(sample))
    assert result.exit_code == 2
    assert "holds resources of foo/countdown (stack/project), not dev/appspecs" in result.stderr
    assert "ciphertext" not in result.output


def test_invalid_specs_exit_1_with_the_diagnostics(project: Path) -> None:
    path = project / "app-specs" / "apps" / "crm-sync.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("kind: web", "kind: webb"), encoding="utf-8"
    )
    result = run(project, "--stack", "dev")
    assert result.exit_code == 1
    assert "crm-sync.yaml:" in result.stderr and "error[invalid-value] client.kind" in result.stderr
    assert "the specs have errors; nothing to plan" in result.stderr
    assert result.stdout == ""
    assert run(project, "--stack", "dev", "--detailed-exitcode").exit_code == 1


def test_invalid_specs_still_give_one_json_object_or_a_comment_saying_why(
    project: Path,
) -> None:
    path = project / "app-specs" / "apps" / "crm-sync.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("kind: web", "kind: webb"), encoding="utf-8"
    )
    result = run(project, "--stack", "dev", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["ok"], data["planned"], data["stack"], data["errors"]) == (False, False, "dev", 1)
    (error,) = data["diagnostics"]
    assert (error["code"], error["path"]) == ("invalid-value", "client.kind")
    assert error["file"].endswith("crm-sync.yaml") and error["line"] is not None
    assert "the specs have errors; nothing to plan" in result.stderr
    comment = run(project, "--stack", "dev", "--format", "markdown")
    assert comment.exit_code == 1
    assert comment.stdout.startswith("### appspec plan: stack `dev`\n")
    assert "**No plan: the specs have 1 error** (6 apps checked)." in comment.stdout
    assert "error[invalid-value] client.kind" in comment.stdout
    run(project, "--stack", "dev", "--format", "json", "--out", "plan.json")
    assert json.loads((project / "plan.json").read_text(encoding="utf-8"))["planned"] is False
    # text with --out: the file, like every format's, says why there is no plan
    text = run(project, "--stack", "dev", "--out", "plan.txt")
    assert text.exit_code == 1 and text.stdout == ""
    written = (project / "plan.txt").read_text(encoding="utf-8")
    assert "error[invalid-value] client.kind" in written and "1 error" in written
    assert "the specs have errors; nothing to plan" in text.stderr


def _validate_counts(project: Path) -> str:
    """The counts line `appspec validate` gives for the project's specs."""
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(cli, ["validate"])
    finally:
        os.chdir(cwd)
    return result.stdout.splitlines()[-1]


def test_the_specs_warnings_are_said_with_the_plan_in_every_format(project: Path) -> None:
    # The sampled defect: validate warned that the approvals were unsigned and that a .yml file
    # was ignored; the plan said nothing of either, in any format.
    (project / "app-specs" / "allowed_signers").unlink()
    (project / "app-specs" / "apps" / "billing.yml").write_text("name: billing\n")
    text = run(project, "--stack", "dev")
    assert text.exit_code == 0
    warned = [line for line in text.stdout.splitlines() if ": warning[" in line]
    assert [w.split(": warning[")[1].split("]")[0] for w in warned] == [
        "signature",
        "invalid-value",
    ]
    assert warned[0].startswith("app-specs/allowed_signers: warning[signature] approvals are not")
    assert warned[1] == (
        "app-specs/apps/billing.yml: warning[invalid-value] ignored: app specs are read from "
        "files ending in .yaml (lowercase)"
    )
    assert "2 warnings" in _validate_counts(project)
    data = json.loads(run(project, "--stack", "dev", "--format", "json").stdout)
    assert data["summary"]["warnings"] == 2
    assert [(d["severity"], d["code"]) for d in data["diagnostics"]] == [
        ("warning", "signature"),
        ("warning", "invalid-value"),
    ]
    comment = run(project, "--stack", "dev", "--format", "markdown").stdout
    assert f"> ⚠️ {warned[1]}  " in comment.splitlines()


def test_a_plan_without_warnings_lists_none(project: Path) -> None:
    data = json.loads(run(project, "--stack", "dev", "--format", "json").stdout)
    assert (data["summary"]["warnings"], data["diagnostics"]) == (0, [])
    assert ": warning[" not in run(project, "--stack", "dev").stdout


def test_specs_with_errors_count_their_warnings_as_validate_does(project: Path) -> None:
    # The sampled defect: the refusal's counts line said "0 warnings" where validate said 1.
    path = project / "app-specs" / "apps" / "crm-sync.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("kind: web", "kind: webb"), encoding="utf-8"
    )
    (project / "app-specs" / "apps" / "billing.yml").write_text("name: billing\n")
    counts = _validate_counts(project)
    assert counts == "6 apps checked: 1 error, 1 warning, 1 held (orbit-mobile)"
    text = run(project, "--stack", "dev")
    assert text.exit_code == 1
    assert counts in text.stderr.splitlines()
    assert "billing.yml: warning[invalid-value]" in text.stderr
    data = json.loads(run(project, "--stack", "dev", "--format", "json").stdout)
    # the apps checked too, which JSON and Markdown did not say: the counts line's every count
    assert (data["apps"], data["errors"], data["warnings"], data["held"]) == (
        6,
        1,
        1,
        ["orbit-mobile"],
    )
    # in file order, as validate lists them
    assert [d["severity"] for d in data["diagnostics"]] == ["warning", "error"]
    comment = run(project, "--stack", "dev", "--format", "markdown").stdout
    assert "**No plan: the specs have 1 error** (6 apps checked)." in comment
    assert "Warnings (1):" in comment and "billing.yml: warning[invalid-value]" in comment


def test_specs_with_errors_name_the_held_apps_in_every_format(project: Path) -> None:
    # The sampled defect: the text's counts line said "1 held (orbit-mobile)", as validate's
    # does; JSON and Markdown, which leave out the infos naming it, said nothing of it.
    path = project / "app-specs" / "apps" / "crm-sync.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("kind: web", "kind: webb"), encoding="utf-8"
    )
    assert run(project, "--stack", "dev").stderr.splitlines()[-2].endswith("1 held (orbit-mobile)")
    data = json.loads(run(project, "--stack", "dev", "--format", "json").stdout)
    assert data["held"] == ["orbit-mobile"]
    assert "info" not in {d["severity"] for d in data["diagnostics"]}
    comment = run(project, "--stack", "dev", "--format", "markdown").stdout
    assert "Held (1): `orbit-mobile`" in comment.splitlines()


def test_out_writes_the_plan(project: Path) -> None:
    result = run(project, "--stack", "dev", "--format", "json", "--out", "plan.json")
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads((project / "plan.json").read_text(encoding="utf-8"))["changeSummary"] == {
        "create": 36
    }


def test_the_installed_command_on_the_bundled_specs() -> None:
    """What scripts/check runs: no credentials, exit 0."""
    env = {k: v for k, v in os.environ.items() if k != "PULUMI_BACKEND_URL"}
    exe = Path(ROOT / ".venv" / "bin" / "appspec")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "appspecs"]
    result = subprocess.run(
        [*command, "plan", "--stack", "dev", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    creates = [s for s in data["steps"] if s["type"] == OAUTH_APP]
    assert {s["name"] for s in creates} == {
        "acme-analytics",
        "audience-studio",
        "crm-sync",
        "enrichment-worker",
        "studio-local",
    }


def test_a_stack_that_deploys_another_specs_folder_is_not_planned_from_this_one(
    project: Path,
) -> None:
    # The program would deploy other/app-specs: a plan of app-specs/ would show what never happens.
    shutil.copytree(project / "app-specs", project / "other" / "app-specs")
    stack_file = project / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(
        stack_file.read_text(encoding="utf-8") + "  appspecs:specsDir: other/app-specs\n",
        encoding="utf-8",
    )
    result = run(project, "--stack", "dev")
    assert result.exit_code == 2
    assert (
        "stack 'dev' deploys the specs in other/app-specs (appspecs:specsDir, relative to the "
        "project), not app-specs: give --specs"
    ) in result.stderr
    deployed = (project / "other" / "app-specs").resolve()
    assert result.stderr.strip().endswith(f"give --specs {deployed}")
    again = run(project, "--stack", "dev", "--specs", "other/app-specs", "--stacks", "stacks")
    assert again.exit_code == 0, again.output
    # run in app-specs/, --specs . is app-specs from the project, as the setting is written
    cwd = Path.cwd()
    try:
        os.chdir(project / "app-specs")
        here = CliRunner().invoke(cli, ["plan", "--stack", "dev", "--specs", "."])
    finally:
        os.chdir(cwd)
    assert here.exit_code == 2
    assert "(appspecs:specsDir, relative to the project), not app-specs: give" in here.stderr
    # a folder with a space is quoted for a shell, as every command said is
    spaced = project / "other specs"
    shutil.copytree(project / "app-specs", spaced)
    stack_file.write_text(
        stack_file.read_text(encoding="utf-8").replace("other/app-specs", "other specs"), "utf-8"
    )
    quoted = run(project, "--stack", "dev", "--specs", "app-specs", "--stacks", "stacks")
    assert quoted.exit_code == 2
    assert quoted.stderr.strip().endswith(f"give --specs '{spaced.resolve()}'"), quoted.stderr


def test_a_lone_surrogate_in_the_state_is_written_as_its_escape(
    project: Path, recorded: dict[str, Any]
) -> None:
    # JSON's "\ud800" decodes to a lone surrogate, which UTF-8 cannot encode: every format but
    # Markdown ended in an internal error (exit 2) halfway through the report
    doc = json.loads(json.dumps(recorded))
    ps.find(doc, OAUTH_APP, "crm-sync")["inputs"]["label"] = "CRM \ud800 Sync"
    state = ps.write(ps.settle(doc), project / "state.json")  # recorded so by an older update
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PULUMI_BACKEND_URL": ""}

    def plan(*args: str) -> subprocess.CompletedProcess[bytes]:
        command = [sys.executable, "-m", "appspecs", "plan", "--stack", "dev", "--state"]
        return subprocess.run(
            [*command, str(state), *args], cwd=project, env=env, capture_output=True, check=False
        )

    text = plan()
    assert text.returncode == 0, text.stderr
    assert b'label: "CRM \\ud800 Sync" -> "CRM Sync"' in text.stdout
    as_json = plan("--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    (crm,) = [a for a in json.loads(as_json.stdout)["apps"] if a["name"] == "crm-sync"]
    assert crm["label"] == {"old": "CRM \ud800 Sync", "new": "CRM Sync"}  # read back as it was
    out = project / "plan.json"
    assert plan("--format", "json", "--out", str(out)).returncode == 0
    assert out.read_bytes() == as_json.stdout


def test_a_stacks_folder_that_is_not_there_is_said_so_as_validate_says(project: Path) -> None:
    # it said "unknown stack 'dev'; known stacks: none (no Pulumi.<stack>.yaml in nothere)"
    for stacks, said in (("nothere", "is not a folder"), ("app-specs", "holds no Pulumi.")):
        result = run(project, "--stack", "dev", "--stacks", stacks)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"appspec: --stacks {stacks} {said}"), result.stderr


def test_a_stacks_folder_not_typed_is_named_as_no_flag(tmp_path: Path) -> None:
    # only the specs copied: the default stacks/ is not there, and no --stacks was given
    (tmp_path / "out").mkdir()
    shutil.copytree(ROOT / "app-specs", tmp_path / "out" / "app-specs")
    for command in ("plan", "status"):
        cwd = Path.cwd()
        try:
            os.chdir(tmp_path / "out")
            result = CliRunner().invoke(cli, [command, "--stack", "dev"])
        finally:
            os.chdir(cwd)
        assert result.exit_code == 2
        assert "--stacks" not in result.stderr, result.stderr
        assert result.stderr.startswith("appspec: unknown stack 'dev'; known stacks: none")


def test_a_gzip_state_whose_text_is_not_json_says_where_in_the_unpacked_text(
    project: Path,
) -> None:
    import gzip

    state = project / "state.json.gz"
    state.write_bytes(gzip.compress(b'{"version": 3,\n "deployment": {,}}\n'))
    result = run(project, "--stack", "dev", "--state", str(state))
    assert result.exit_code == 2
    assert result.stderr == (
        f"appspec: state file {state}: its gzip stream is not JSON: Expecting property name "
        "enclosed in double quotes at line 2 column 17 of the unpacked text\n"
    )
