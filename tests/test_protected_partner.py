"""An approved partner app is never deleted by a review: its resources are protected, and the plan
says what `pulumi up` will refuse, in every format. Also: removing an approval or retyping is
named as what it is, and a held app's changes read as waiting for approval."""

from __future__ import annotations

import copy
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.deploy.workspace import project_dir, specs_dir_from_project
from appspecs.desired.render import render
from appspecs.desired.resources import APP_COMPONENT, OAUTH_APP, resource_graph
from appspecs.plan.build import Plan, plan_against_state
from appspecs.plan.state import parse_state
from appspecs.plan.summary import AppSummary
from appspecs.plan.urns import graph_urns
from appspecs.report.plan import markdown_plan, plan_json, text_plan
from appspecs.spec.load import SpecSet, load_specs
from appspecs.stackconfig import load_stack_config
from tests import plan_states as ps
from tests.git_env import GIT_ENV
from tests.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "stacks"
ACME_RESOURCES = {
    "acme-analytics",  # the component and its OAuth app
    "acme-analytics-policy",
    "acme-analytics-rule",
    "acme-analytics-groups",
}


def _specs(root: Path) -> SpecSet:
    specs = load_specs(root, stacks_dir=STACKS)
    assert specs.ok, specs.diagnostics
    return specs


# What `pulumi stack export` of prod records protected after `pulumi up` of the bundled specs:
# acme-analytics' resources, written out here rather than read from the program's options, so
# a test against this state checks the plan against the engine's record, not against itself
# (tests/test_stack_program.py checks the program registers exactly these protected).
EXPORTED_PROTECTED = frozenset(
    {
        "urn:pulumi:prod::appspecs::appspecs:index:OidcApp::acme-analytics",
        "urn:pulumi:prod::appspecs::appspecs:index:OidcApp$okta:app/oAuth:OAuth::acme-analytics",
        "urn:pulumi:prod::appspecs::appspecs:index:OidcApp$okta:auth/serverPolicy:ServerPolicy"
        "::acme-analytics-policy",
        "urn:pulumi:prod::appspecs::appspecs:index:OidcApp$okta:auth/serverPolicyRule"
        ":ServerPolicyRule::acme-analytics-rule",
        "urn:pulumi:prod::appspecs::appspecs:index:OidcApp$okta:index/appGroupAssignments"
        ":AppGroupAssignments::acme-analytics-groups",
    }
)


def _recorded() -> dict[str, Any]:
    """Prod state as `pulumi up` of the bundled specs records it, its protect flags those of
    EXPORTED_PROTECTED (written `"protect": true`, left out when false, as the engine does)."""
    specs = _specs(ROOT / "app-specs")
    desired = render(specs, load_stack_config(STACKS, "prod"))
    doc = ps.state_for(resource_graph(desired), "prod", held=desired.held)
    resources = doc["deployment"]["resources"]
    for r in resources:
        r.pop("protect", None)
        if r["urn"] in EXPORTED_PROTECTED:
            r["protect"] = True
    assert {r["urn"] for r in resources if "protect" in r} == EXPORTED_PROTECTED
    return doc


def _plan(specs: SpecSet, doc: dict[str, Any], stack: str = "prod") -> Plan:
    return plan_against_state(
        specs, load_stack_config(STACKS, stack), parse_state(doc, "state.json")
    )


def _app(plan: Plan, name: str) -> AppSummary:
    return next(a for a in plan.apps if a.name == name)


def _formats(plan: Plan) -> tuple[str, str, dict[str, Any]]:
    return text_plan(plan), markdown_plan(plan), plan_json(plan)


def _notice_kinds(plan: Plan) -> list[str]:
    """The notices, checked to be the same in the three formats; their kinds in order."""
    text, markdown, data = _formats(plan)
    kinds = [n["kind"] for n in data["summary"]["notices"]]
    assert kinds == [n.kind for n in plan.summary.notices]
    for notice in data["summary"]["notices"]:
        title = notice["text"].split(":", 1)[0]
        assert f"! {title.upper()}:" in text
        assert f"**{title}:**" in markdown
    return kinds


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", root)
    return root


def test_the_recorded_state_holds_the_approved_partner_apps_protection() -> None:
    state = parse_state(_recorded(), "state.json")
    protected = {r.name for r in state.resources if r.protect}
    assert protected == ACME_RESOURCES  # the partner app's, and nothing else


def test_the_program_protects_what_the_export_records_and_the_plan_agrees() -> None:
    # The graph the program registers protects exactly those URNs, so the plan of an unchanged
    # tree against the export has no protection to add or lift.
    specs = _specs(ROOT / "app-specs")
    graph = resource_graph(render(specs, load_stack_config(STACKS, "prod")))
    urns = graph_urns(graph, "prod", ps.PROJECT)
    assert {urns[r.key] for r in graph if r.protect} == EXPORTED_PROTECTED
    plan = _plan(specs, _recorded())
    assert plan.notes == () and not plan.summary.refused
    assert {s.op for s in plan.steps} == {"same"}


def test_removing_an_approval_never_deletes_the_live_partner_app(tree: Path) -> None:
    (tree / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    plan = _plan(_specs(tree), _recorded())
    acme = _app(plan, "acme-analytics")
    assert (acme.status, acme.approval) == ("held", "removed")
    assert acme.kept_protected and not acme.held_removes
    deletes = [s for s in plan.steps if s.op == "delete"]
    assert {s.name for s in deletes} == ACME_RESOURCES
    assert all(s.refused for s in deletes)
    # Delete refused, not "live app deleted": pulumi up refuses every one of these deletes.
    assert _notice_kinds(plan) == ["deleteRefused", "approvalRemoved"]
    text, markdown, data = _formats(plan)
    client_id = ps.okta_id(OAUTH_APP, "acme-analytics")
    assert "! DELETE REFUSED: pulumi up refuses to delete the resources of acme-analytics" in text
    assert f"acme-analytics (client id {client_id})" in text
    assert "LIVE APP DELETED" not in text and "Live app deleted" not in markdown
    # Named as what it is: its approval went, its spec did not change.
    assert "its spec changed" not in text and "its spec changed" not in markdown
    assert "      approval removed from approvals.yaml\n" in text
    assert "      pulumi up refuses to delete its Okta resources (protected" in text
    row = next(line for line in markdown.splitlines() if line.startswith("| `acme-analytics`"))
    assert "pulumi up refuses to delete its Okta resources" in row and "**removed**" in row
    assert "resources are deleted" not in row
    assert data["summary"]["approvalsRemoved"] == ["acme-analytics"]
    assert data["summary"]["keptProtected"] == ["acme-analytics"]
    acme_json = next(a for a in data["apps"] if a["name"] == "acme-analytics")
    assert (acme_json["approval"], acme_json["keptProtected"], acme_json["heldRemoves"]) == (
        "removed",
        True,
        False,
    )
    assert {s["name"] for s in data["steps"] if s.get("refused")} == ACME_RESOURCES
    # How to retire it on purpose, the same command in every format.
    (refused,) = data["summary"]["refused"]
    assert refused["app"] == "acme-analytics" and len(refused["urns"]) == 5
    command = refused["unprotect"]
    assert command.startswith("pulumi state unprotect --stack prod 'urn:pulumi:prod::appspecs::")
    assert command in text and command in markdown
    assert "5 to delete (5 refused: protected)" in text
    assert "**5 to delete** (5 refused: protected)" in markdown


def test_deleting_an_approved_partner_apps_spec_says_its_approval_went_too(tree: Path) -> None:
    (tree / "apps" / "acme-analytics.yaml").unlink()
    (tree / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    plan = _plan(_specs(tree), _recorded())
    acme = _app(plan, "acme-analytics")
    assert (acme.status, acme.approval, acme.kept_protected) == ("removed", "removed", True)
    # nothing of it changes in Okta: no scope is said to be revoked
    assert not acme.scopes and not acme.redirect_uris and not acme.groups
    assert _notice_kinds(plan) == ["deleteRefused", "approvalRemoved"]
    text, markdown, data = _formats(plan)
    assert "scopes revoked" not in text
    assert "until the spec is restored or it is retired on purpose" in text
    assert "until the spec is restored or it is retired on purpose" in markdown
    assert data["summary"]["approvalsRemoved"] == ["acme-analytics"]
    acme_json = next(a for a in data["apps"] if a["name"] == "acme-analytics")
    assert acme_json["scopes"] == {"granted": [], "revoked": []}


def test_state_recorded_without_protection_is_said_to_delete(tree: Path) -> None:
    # An update by a program from before protection: the engine would delete, and the plan
    # says so rather than promise a refusal.
    doc = _recorded()
    for r in doc["deployment"]["resources"]:
        r.pop("protect", None)
    (tree / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    plan = _plan(_specs(tree), doc)
    acme = _app(plan, "acme-analytics")
    assert acme.held_removes and not acme.kept_protected
    assert _notice_kinds(plan) == ["liveAppDeleted", "approvalRemoved"]
    assert not any(s.refused for s in plan.steps)
    assert (
        "merged as it is, the update deletes its Okta resources (approved only after such an "
        "update, it is a new app with a new client id)" in text_plan(plan)
    )


def test_a_replace_of_a_protected_resource_is_refused(tree: Path) -> None:
    doc = _recorded()
    # recorded as another kind: the spec's kind makes the provider replace the app
    app = ps.find(doc, OAUTH_APP, "acme-analytics")
    app["inputs"]["type"] = app["outputs"]["type"] = "browser"  # as an older update left it
    plan = _plan(_specs(tree), doc)
    (oauth,) = [s for s in plan.steps if s.type == OAUTH_APP and s.op == "replace"]
    assert oauth.refused
    kinds = _notice_kinds(plan)
    assert kinds[0] == "replaceRefused" and "liveAppReplaced" not in kinds
    text, markdown, data = _formats(plan)
    assert "okta:app/oAuth:OAuth acme-analytics (replace, refused: protected)" in text
    assert "okta:app/oAuth:OAuth acme-analytics (replace, refused: protected)" in markdown
    assert data["summary"]["refused"][0]["app"] == "acme-analytics"


def test_an_unprotected_replace_still_says_the_client_id_stops(tree: Path) -> None:
    doc = _recorded()
    app = ps.find(doc, OAUTH_APP, "crm-sync")
    app["inputs"]["type"] = app["outputs"]["type"] = "browser"  # as an older update left it
    plan = _plan(_specs(tree), doc)
    assert _notice_kinds(plan) == ["liveAppReplaced"]
    assert plan.summary.refused == ()


def test_retyping_an_approved_partner_app_to_internal_goes_live_as_internal(tree: Path) -> None:
    (tree / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    path = tree / "apps" / "acme-analytics.yaml"
    text = path.read_text(encoding="utf-8").replace("type: partner", "type: internal")
    path.write_text(text.replace("partner: acme-analytics\n", ""), encoding="utf-8")
    plan = _plan(_specs(tree), _recorded())
    acme = _app(plan, "acme-analytics")
    # release_of deploys an internal app as merged: updated in place, never held or deleted
    assert (acme.status, acme.approval, acme.retyped) == (
        "changed",
        "removed",
        ("partner", "internal"),
    )
    assert acme.held is None and not acme.kept_protected
    assert {s.op for s in plan.steps if s.app == "acme-analytics"} == {"same", "update"}
    assert _notice_kinds(plan) == ["retypedToInternal"]
    text, markdown, data = _formats(plan)
    for out in (text, markdown, data["summary"]["notices"][0]["text"]):
        assert "acme-analytics` goes live" in out or "acme-analytics goes live" in out
        assert "is held" not in out
    assert "live as an internal app once merged" in text
    assert "live as an internal app once merged" in markdown
    assert data["summary"]["approvalsRemoved"] == ["acme-analytics"]
    assert data["summary"]["retypedToInternal"] == ["acme-analytics"]


def test_a_held_apps_changes_read_as_waiting_for_approval(tree: Path) -> None:
    # orbit-mobile was never approved: nothing of it is in Okta, nothing is granted.
    plan = _plan(_specs(tree), _recorded())
    orbit = _app(plan, "orbit-mobile")
    assert orbit.status == "held" and orbit.pending
    text, markdown, data = _formats(plan)
    row = next(line for line in markdown.splitlines() if line.startswith("| `orbit-mobile`"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    scopes, uris, grants, groups = cells[2:6]
    assert scopes.startswith("requested, once approved: +`api:account-summary:read`")
    assert uris == "once approved: +`com.orbitcrm.mobile:/oauth/callback`"
    assert grants.startswith("once approved: +`authorization_code`")
    assert groups == "once approved: +`partner-orbit`"
    # text lists what markdown's cells and JSON's `requested` hold, in the same words
    after = text.split("orbit-mobile (partner): held\n", 1)[1].splitlines()
    orbit_text = list(itertools.takewhile(lambda line: line.startswith(" " * 6), after))
    assert orbit_text == [
        "      requests scopes: api:account-summary:read, api:data:contact (granted once approved)",
        "      requests OpenID Connect scopes: openid, profile, email, offline_access"
        " (granted once approved)",
        "      redirect URIs added once approved: com.orbitcrm.mobile:/oauth/callback",
        "      grant types added once approved: authorization_code, refresh_token",
        "      groups added once approved: partner-orbit",
        "      held: awaiting approval; not in Okta",
    ]
    orbit_json = next(a for a in data["apps"] if a["name"] == "orbit-mobile")
    assert orbit_json["scopes"] == {"granted": [], "revoked": []}
    assert orbit_json["redirectUris"] == {"added": [], "removed": []}
    assert orbit_json["requested"]["scopes"] == {
        "requested": ["api:account-summary:read", "api:data:contact"],
        "revoked": [],
    }
    assert orbit_json["requested"]["groups"] == {"added": ["partner-orbit"], "removed": []}
    assert orbit_json["oidcScopes"] == {"granted": [], "revoked": []}
    assert orbit_json["requested"]["oidcScopes"]["requested"] == [
        "openid",
        "profile",
        "email",
        "offline_access",
    ]


def test_a_deployed_app_has_no_requested_changes(tree: Path) -> None:
    path = tree / "apps" / "crm-sync.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - api:data:contact\n", ""), encoding="utf-8"
    )
    data = plan_json(_plan(_specs(tree), _recorded()))
    crm = next(a for a in data["apps"] if a["name"] == "crm-sync")
    assert crm["requested"] is None and crm["scopes"]["revoked"] == ["api:data:contact"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        env={**os.environ, **GIT_ENV},
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_removing_an_approval_in_a_pull_request_as_a_reviewer_runs_it(tmp_path: Path) -> None:
    # appspec plan --stack prod --base HEAD~1, in a copy of the project, after a commit.
    project = copy_project(tmp_path)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "base")
    (project / "app-specs" / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    _git(project, "commit", "-q", "-am", "remove the approval")
    cwd = os.getcwd()
    os.chdir(project)
    try:
        runs = {
            fmt: CliRunner().invoke(
                cli, ["plan", "--stack", "prod", "--base", "HEAD~1", "--format", fmt]
            )
            for fmt in ("text", "markdown", "json")
        }
    finally:
        os.chdir(cwd)
    # The base plan reads no state: the protection may be lifted already, and by the retire
    # procedure this merge comes first. It says so, above the notices, and exits 0.
    assert {fmt: r.exit_code for fmt, r in runs.items()} == dict.fromkeys(runs, 0)
    assert {fmt: r.stderr for fmt, r in runs.items()} == dict.fromkeys(runs, "")
    verdict = runs["text"].stdout.splitlines()[1]
    assert verdict.startswith(
        "! UPDATE REFUSED WHILE PROTECTED: pulumi up refuses 5 deletes of resources of "
        "acme-analytics for as long as the stack's state records them protected"
    )
    assert "A plan against a base reads no state, so it does not fail on them" in verdict
    banner = "> ⚠️ **Update refused while protected:** pulumi up refuses 5 deletes of resources"
    assert f"{banner} of `acme-analytics` for as long as" in runs["markdown"].stdout
    data = json.loads(runs["json"].stdout)
    assert data["summary"]["updateRefused"] is None
    [said] = data["summary"]["verdicts"]
    assert (said["kind"], said["failed"]) == ("updateRefused", False)
    assert f"! {said['title'].upper()}: {said['text']}" == verdict
    assert [n["kind"] for n in data["summary"]["notices"]] == ["deleteRefused", "approvalRemoved"]
    assert data["summary"]["approvalsRemoved"] == ["acme-analytics"]
    ops = {s["op"] for s in data["steps"] if s["app"] == "acme-analytics"}
    assert ops == {"delete"} and all(s["refused"] for s in data["steps"] if s["op"] == "delete")
    for fmt in ("text", "markdown"):
        out = runs[fmt].stdout
        assert "its spec changed" not in out and "refused: protected" in out
        assert "approval removed from approvals.yaml" in out or "**removed**" in out


def _plan_cli(tree: Path, state: Path, *args: str) -> Result:
    """`appspec plan --stack prod` of the tree against a state file, as CI or a person runs it."""
    return CliRunner(env={"PULUMI_BACKEND_URL": ""}).invoke(
        cli,
        [
            *("plan", "--stack", "prod", "--specs", str(tree), "--stacks", str(STACKS)),
            *("--state", str(state), *args),
        ],
    )


REFUSED_LINE = (
    "appspec: the update of stack prod would fail: pulumi up refuses 5 deletes of protected "
    "resources of acme-analytics (each marked refused in the plan); to retire an app on purpose, "
    "see docs/commands.md, retiring a partner app\n"
)


def test_a_plan_against_state_whose_update_would_be_refused_exits_1_after_the_plan(
    tree: Path, tmp_path: Path
) -> None:
    # As Terraform's prevent_destroy fails `terraform plan`: the CI job goes red before the
    # merge whose `pulumi up` would fail, and the whole plan is still there to read.
    state = ps.write(_recorded(), tmp_path / "state.json")
    (tree / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    expected = plan_against_state(
        _specs(tree),
        load_stack_config(STACKS, "prod"),
        parse_state(_recorded(), str(state)),
        specs_dir_from_project=specs_dir_from_project(tree, project_dir(STACKS)),
    )
    runs = {fmt: _plan_cli(tree, state, "--format", fmt) for fmt in ("text", "markdown", "json")}
    for fmt, result in runs.items():
        assert result.exit_code == 1, (fmt, result.output)
        assert result.stderr == REFUSED_LINE, fmt
    text, markdown = runs["text"].stdout, runs["markdown"].stdout
    # printed whole, as when the update would go through
    assert text == text_plan(expected)
    lines = text.splitlines()
    assert lines[1].startswith("! UPDATE REFUSED: pulumi up would refuse 5 deletes of protected")
    assert "so the update would fail: this plan exits 1" in lines[1]
    assert lines[2].startswith("! DELETE REFUSED:") and lines[-1].startswith("Changes: ")
    assert "> ⛔ **Update refused:** pulumi up would refuse 5 deletes" in markdown
    assert "this plan exits 1" in markdown and "<details>" in markdown
    data = json.loads(runs["json"].stdout)
    assert data["summary"]["updateRefused"] is True
    [said] = data["summary"]["verdicts"]
    assert (said["kind"], said["failed"]) == ("updateRefused", True)
    assert f"! {said['title'].upper()}: {said['text']}" == lines[1]
    assert [r["app"] for r in data["summary"]["refused"]] == ["acme-analytics"]
    # 1 is the error of --detailed-exitcode, never 2 (changes, fit to apply)
    detailed = _plan_cli(tree, state, "--detailed-exitcode")
    assert (detailed.exit_code, detailed.stderr, detailed.stdout) == (1, REFUSED_LINE, text)
    out = tmp_path / "plan.md"
    written = _plan_cli(tree, state, "--format", "markdown", "--out", str(out))
    assert (written.exit_code, written.stderr) == (1, REFUSED_LINE)
    assert out.read_text(encoding="utf-8") == markdown


def test_a_plan_against_state_exits_0_once_the_protection_is_lifted(
    tree: Path, tmp_path: Path
) -> None:
    # step 2 of retiring the app on purpose: `pulumi state unprotect` of the URNs the plan lists
    doc = _recorded()
    (tree / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    unchanged = _plan_cli(tree, ps.write(doc, tmp_path / "protected.json"), "--format", "json")
    (refused,) = json.loads(unchanged.stdout)["summary"]["refused"]
    for r in doc["deployment"]["resources"]:
        if r["urn"] in refused["urns"]:
            del r["protect"]
    state = ps.write(doc, tmp_path / "unprotected.json")
    result = _plan_cli(tree, state, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    data = json.loads(result.stdout)
    assert data["summary"]["updateRefused"] is False and data["summary"]["refused"] == []
    assert data["summary"]["notices"][0]["kind"] == "liveAppDeleted"
    assert _plan_cli(tree, state, "--detailed-exitcode").exit_code == 2
    # the bundled specs against their own state: nothing refused, nothing said of it
    same = _plan_cli(ROOT / "app-specs", ps.write(_recorded(), tmp_path / "same.json"))
    assert (same.exit_code, same.stderr) == (0, "")
    assert "UPDATE REFUSED" not in same.stdout


def test_a_refused_replace_fails_the_plan_against_state(tree: Path, tmp_path: Path) -> None:
    doc = _recorded()
    app = ps.find(doc, OAUTH_APP, "acme-analytics")
    app["inputs"]["type"] = app["outputs"]["type"] = "browser"  # as an older update left it
    result = _plan_cli(tree, ps.write(doc, tmp_path / "state.json"))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "appspec: the update of stack prod would fail: pulumi up refuses 2 replaces of protected "
        "resources of acme-analytics"
    )
    assert "! UPDATE REFUSED: pulumi up would refuse 2 replaces of protected" in result.stdout


def test_an_edited_approval_digest_is_an_error_and_deploys_nothing(tree: Path) -> None:
    approvals = tree / "approvals.yaml"
    text = approvals.read_text(encoding="utf-8")
    digest = _specs(tree).apps["acme-analytics"].digest
    approvals.write_text(text.replace(digest, "sha256:" + "0" * 64), encoding="utf-8")
    specs = load_specs(tree, stacks_dir=STACKS)
    # what was edited is said, and the signature no longer matches (allowed_signers is there)
    error, signature = [d for d in specs.diagnostics if d.is_error]
    assert (signature.code, signature.path) == ("signature", "approvals[0].signature")
    # at the digest that was edited, not at the kept version: it is the approval that is wrong
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("  digest: "))
    assert (error.code, error.path, error.line) == ("approval", "approvals[0].digest", line)
    assert "neither the digest of the version kept under spec:" in error.message
    assert "acme-analytics" not in specs.approved
    (note,) = [d for d in specs.diagnostics if d.code == "held" and "acme" in d.message]
    assert "change is under review" not in note.message
    assert "its approval in approvals.yaml is not valid" in note.message
    result = CliRunner().invoke(
        cli, ["plan", "--stack", "prod", "--specs", str(tree), "--stacks", str(STACKS)]
    )
    assert result.exit_code == 1
    assert "nothing to plan" in result.output


def test_a_changed_kept_version_is_still_said_to_be_the_edit(tree: Path) -> None:
    # the digest is the spec's: what was edited is the version kept under spec:
    approvals = tree / "approvals.yaml"
    text = approvals.read_text(encoding="utf-8")
    approvals.write_text(text.replace("    label: Acme Analytics", "    label: Acme"), "utf-8")
    (error,) = [d for d in load_specs(tree, stacks_dir=STACKS).diagnostics if d.is_error]
    assert error.path == "approvals[0].spec" and "changed after the approval" in error.message


def test_protection_follows_the_app_not_the_resources_type() -> None:
    specs = _specs(ROOT / "app-specs")
    graph = resource_graph(render(specs, load_stack_config(STACKS, "dev")))
    components = {r.name: r.protect for r in graph if r.type == APP_COMPONENT}
    assert components == {
        "acme-analytics": True,
        "audience-studio": False,
        "crm-sync": False,
        "enrichment-worker": False,
        "studio-local": False,
    }
    assert not any(r.protect for r in graph if r.parent == "auth" or r.key == "auth")


def test_the_state_reader_takes_protect_only_when_it_is_true() -> None:
    doc = copy.deepcopy(_recorded())
    ps.find(doc, OAUTH_APP, "acme-analytics")["protect"] = "true"  # not a JSON boolean
    state = parse_state(doc, "state.json")
    acme = {r.type: r.protect for r in state.resources if r.name == "acme-analytics"}
    assert acme == {APP_COMPONENT: True, OAUTH_APP: False}


def test_the_first_update_that_protects_an_app_says_so(tree: Path) -> None:
    # state from before protection: no step changes, but the update records the flag
    doc = _recorded()
    for r in doc["deployment"]["resources"]:
        r.pop("protect", None)
    plan = _plan(_specs(tree), doc)
    assert plan.notes == (
        "the update protects the resources of acme-analytics (an approved partner app): from "
        "then on pulumi up refuses to delete or replace them",
    )
    assert "note: the update protects the resources of acme-analytics" in text_plan(plan)
    assert plan_json(plan)["summary"]["notes"] == list(plan.notes)
    assert _plan(_specs(tree), _recorded()).notes == ()  # recorded protected: nothing to say


def test_an_update_that_lifts_an_imports_protection_says_so(tree: Path) -> None:
    # pulumi import protects what it imports; the program protects only approved partner apps
    doc = _recorded()
    for r in doc["deployment"]["resources"]:
        if r["urn"].endswith(("::crm-sync", "::crm-sync-policy", "::crm-sync-rule")):
            r["protect"] = True
    (note,) = _plan(_specs(tree), doc).notes
    assert note.startswith("the update lifts the protection of the resources of crm-sync (only")


def _status(specs: Path, state: Path) -> dict[str, Any]:
    result = CliRunner(env={"PULUMI_BACKEND_URL": ""}).invoke(
        cli,
        [
            *("status", "--stack", "prod", "--specs", str(specs), "--stacks", str(STACKS)),
            *("--state", str(state), "--format", "json"),
        ],
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_status_says_a_protected_app_that_deploys_nothing_keeps_running(
    tree: Path, tmp_path: Path
) -> None:
    state = ps.write(_recorded(), tmp_path / "state.json")
    (tree / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    data = _status(tree, state)
    acme = next(a for a in data["apps"] if a["name"] == "acme-analytics")
    assert (acme["state"], acme["recorded"], acme["keptProtected"]) == ("under review", True, True)
    assert not any("deletes it from Okta" in n for n in acme["notes"])
    assert any("pulumi up refuses to delete it, so it keeps running" in n for n in acme["notes"])
    (tree / "apps" / "acme-analytics.yaml").unlink()
    data = _status(tree, state)
    assert data["recordedOnly"] == data["recordedOnlyProtected"] == ["acme-analytics"]
    assert not any("the next update deletes" in n for n in data["notes"])
    assert any("pulumi up refuses to delete them" in n for n in data["notes"])


def test_a_digest_set_to_a_changed_spec_approves_nothing(tree: Path) -> None:
    # someone changes the spec and writes its new digest into the approval: no review happened
    path = tree / "apps" / "acme-analytics.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - api:data:news\n", "  - api:data:intent\n"),
        encoding="utf-8",
    )
    new = load_specs(tree, stacks_dir=STACKS).apps["acme-analytics"].digest
    approvals = tree / "approvals.yaml"
    old = _specs(ROOT / "app-specs").apps["acme-analytics"].digest
    approvals.write_text(approvals.read_text(encoding="utf-8").replace(old, new), "utf-8")
    specs = load_specs(tree, stacks_dir=STACKS)
    # the signature no longer holds either (allowed_signers is there): both are said
    errors = {d.path: d for d in specs.diagnostics if d.is_error}
    assert set(errors) == {"approvals[0].spec", "approvals[0].signature"}
    assert "which approves nothing" in errors["approvals[0].spec"].message
    assert "acme-analytics" not in specs.approved and not specs.ok


def _cells(markdown: str, app: str) -> list[str]:
    row = next(line for line in markdown.splitlines() if line.startswith(f"| `{app}`"))
    return [c.strip() for c in row.strip("|").split("|")]


def test_a_scope_a_change_under_review_drops_is_not_said_revoked_now(tree: Path) -> None:
    path = tree / "apps" / "acme-analytics.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - api:data:news\n", ""), encoding="utf-8"
    )
    plan = _plan(_specs(tree), _recorded())
    acme = _app(plan, "acme-analytics")
    assert acme.status == "change under review" and not acme.scopes
    text, markdown, data = _formats(plan)
    assert _cells(markdown, "acme-analytics")[2] == "once approved: −`api:data:news`"
    assert "        scopes to revoke: api:data:news\n" in text and "scopes revoked" not in text
    acme_json = next(a for a in data["apps"] if a["name"] == "acme-analytics")
    assert acme_json["scopes"] == {"granted": [], "revoked": []}
    assert acme_json["review"]["scopes"] == {"requested": [], "revoked": ["api:data:news"]}


def test_a_leftover_of_a_replacement_is_deleted_even_when_protected(tree: Path) -> None:
    doc = _recorded()
    resources = doc["deployment"]["resources"]
    leftover = copy.deepcopy(ps.find(doc, OAUTH_APP, "acme-analytics"))
    leftover.update(delete=True, id="0oaOLD")
    resources.append(leftover)
    plan = _plan(_specs(tree), doc)
    (step,) = [s for s in plan.steps if s.op == "delete"]
    assert step.urn == leftover["urn"] and not step.refused
    assert plan.summary.refused == ()
