"""`appspec plan --base`: two spec trees compared without state, as for a pull request from a
fork, with the base read from a temporary git repository or a folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.desired.resources import OAUTH_APP
from tests.approver import approve_args
from tests.git_env import GIT_ENV

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding a copy of the project's specs and stacks, committed once."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(ROOT / "app-specs", root / "app-specs")
    shutil.copytree(
        ROOT / "stacks", root / "stacks", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def plan(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "plan",
            "--stack",
            "dev",
            "--specs",
            str(repo / "app-specs"),
            "--stacks",
            str(repo / "stacks"),
            *args,
        ],
    )


def plan_json(repo: Path, *args: str) -> dict[str, Any]:
    result = plan(repo, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def edit(repo: Path, app: str, old: str, new: str) -> None:
    path = repo / "app-specs" / "apps" / f"{app}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def app(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in data["apps"] if a["name"] == name)
    return found


def test_a_change_to_an_approved_partner_app_waits_for_review_and_touches_nothing(
    repo: Path,
) -> None:
    # The acceptance case: a new description and a new scope, planned against the base.
    edit(repo, "acme-analytics", "  - api:data:news\n", "  - api:data:news\n  - api:data:intent\n")
    edit(repo, "acme-analytics", "Partner dashboard", "Partner dashboards")
    data = plan_json(repo, "--base", "main")
    acme = app(data, "acme-analytics")
    assert acme["change"] == "change under review" and acme["partner"] is True
    assert acme["privilegeIncrease"] is True and acme["scopesRequestedOnly"] is True
    assert acme["scopes"] == {"granted": [], "revoked": []}
    assert acme["review"]["scopes"] == {"requested": ["api:data:intent"], "revoked": []}
    assert acme["approval"] == "approved"
    assert acme["held"] is None and acme["heldRemoves"] is False
    assert data["summary"]["privilegeIncreases"] == ["acme-analytics"]
    assert data["summary"]["changesUnderReview"] == ["acme-analytics"]
    assert data["summary"]["approvalsInvalidated"] == []
    assert data["summary"]["mode"] == "base" and data["summary"]["against"].startswith(
        "main (commit "
    )
    assert {h["name"] for h in data["held"]} == {"orbit-mobile"}
    # no acme-analytics resource is updated, replaced or deleted
    assert data["changeSummary"] == {"same": 36}
    assert [s for s in data["steps"] if s["app"] == "acme-analytics" and s["op"] != "same"] == []
    assert [a["name"] for a in data["apps"] if a["change"] != "unchanged"] == ["acme-analytics"]
    text = plan(repo, "--base", "main").stdout
    assert "acme-analytics (partner): change under review" in text
    assert "scopes requested: api:data:intent  [PRIVILEGE INCREASE once approved]" in text
    markdown = plan(repo, "--base", "main", "--format", "markdown").stdout
    assert "scopes requested by `acme-analytics`, granted once approved" in markdown
    assert "**Change under review:** `acme-analytics`" in markdown
    assert "| `acme-analytics` (partner) | change under review" in markdown
    assert "scopes granted to" not in markdown


def test_removing_an_approval_or_retyping_to_internal_is_said_in_every_format(
    repo: Path,
) -> None:
    (repo / "app-specs" / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    data = plan_json(repo, "--base", "main")
    assert data["summary"]["approvalsRemoved"] == ["acme-analytics"]
    assert "approval removed from approvals.yaml" in plan(repo, "--base", "main").stdout
    edit(repo, "acme-analytics", "type: partner", "type: internal")
    edit(repo, "acme-analytics", "partner: acme-analytics\n", "")
    data = plan_json(repo, "--base", "main")
    acme = app(data, "acme-analytics")
    assert (acme["approval"], acme["retyped"]) == ("removed", {"old": "partner", "new": "internal"})
    assert data["summary"]["approvalsRemoved"] == ["acme-analytics"]
    assert data["summary"]["retypedToInternal"] == ["acme-analytics"]
    text = plan(repo, "--base", "main").stdout
    assert "type: partner -> internal" in text and "approval removed" in text
    assert "  ~ acme-analytics: changed\n" in text
    assert "live as an internal app once merged" in text and "is held" not in text
    markdown = plan(repo, "--base", "main", "--format", "markdown").stdout
    # release_of deploys an internal app when merged: the retyped app is live, never held
    assert "**Retyped to internal:** `acme-analytics` goes live as an internal app when merged" in (
        markdown
    )
    assert "**Approval removed:**" not in markdown and "is held" not in markdown
    assert [n["kind"] for n in data["summary"]["notices"]] == ["retypedToInternal"]
    assert "goes live as an internal app when merged" in data["summary"]["notices"][0]["text"]


def test_a_held_partner_app_retyped_to_internal_is_said_as_such(repo: Path) -> None:
    # Never approved, so never in Okta: the retype alone sends it live, unreviewed, on merge.
    edit(repo, "orbit-mobile", "type: partner", "type: internal")
    edit(repo, "orbit-mobile", "partner: orbit-crm\n", "")
    data = plan_json(repo, "--base", "main")
    orbit = app(data, "orbit-mobile")
    assert (orbit["change"], orbit["partner"]) == ("added", False)
    assert orbit["retyped"] == {"old": "partner", "new": "internal"}
    assert orbit["privilegeIncrease"] is True
    assert data["summary"]["retypedToInternal"] == ["orbit-mobile"]
    kinds = [n["kind"] for n in data["summary"]["notices"]]
    assert kinds == ["privilegeIncrease", "retypedToInternal"]
    text = plan(repo, "--base", "main").stdout
    assert "! RETYPED TO INTERNAL: orbit-mobile goes live as an internal app when merged" in text
    assert "type: partner -> internal: live as an internal app once merged" in text
    markdown = plan(repo, "--base", "main", "--format", "markdown").stdout
    assert "**Retyped to internal:** `orbit-mobile` goes live as an internal app" in markdown


def test_the_plan_reads_the_ref_without_touching_the_working_tree(repo: Path) -> None:
    edit(repo, "crm-sync", "CRM Sync", "CRM Sync 2")
    status = git(repo, "status", "--porcelain")
    head = git(repo, "rev-parse", "HEAD")
    data = plan_json(repo, "--base", "HEAD")
    assert git(repo, "status", "--porcelain") == status
    assert git(repo, "rev-parse", "HEAD") == head
    crm = app(data, "crm-sync")
    assert crm["label"] == {"old": "CRM Sync", "new": "CRM Sync 2"}
    update = next(s for s in data["steps"] if s["op"] == "update" and s["name"] == "crm-sync")
    assert {d["path"] for d in update["diffs"]} == {
        "label",
        "profile.appspecs.digest",
    }  # the digest changed


def test_a_change_under_review_that_leaves_the_stack_says_what_approving_it_does(
    repo: Path, tmp_path: Path
) -> None:
    # The sampled defect: the change said "environments changed; no change of scopes, ..." and
    # only once approved did the plan show that pulumi up refuses the deletes and fails.
    path = repo / "app-specs" / "apps" / "acme-analytics.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "environments: [prod]\n", encoding="utf-8")
    # and a scope more, which once approved is prod's alone: nothing is requested for dev
    edit(repo, "acme-analytics", "  - api:data:news\n", "  - api:data:news\n  - api:data:intent\n")
    refused = (
        "pulumi up refuses to delete its Okta resources (protected: an approved partner app), so "
        "it keeps running, and every update fails until its environments name this stack again "
        "or it is retired on purpose"
    )
    data = plan_json(repo, "--base", "main")
    acme = app(data, "acme-analytics")
    assert acme["change"] == "change under review" and acme["skipped"] is None
    assert (acme["review"]["leaves"], acme["review"]["keptProtected"]) == (
        {"environments": ["prod"]},
        True,
    )
    assert data["changeSummary"] == {"same": 36}  # under review: nothing of it changes yet
    assert data["summary"]["privilegeIncreases"] == [] and acme["privilegeIncrease"] is False
    assert acme["review"]["scopes"] == {"requested": [], "revoked": []}
    kinds = [n["kind"] for n in data["summary"]["notices"]]
    assert kinds == ["changeUnderReview"]
    text = plan(repo, "--base", "main").stdout.splitlines()
    assert f"        leaves this stack (environments: [prod]): {refused}" in text
    assert not any("no change of scopes" in line for line in text)
    assert not any("PRIVILEGE INCREASE" in line for line in text)
    markdown = plan(repo, "--base", "main", "--format", "markdown").stdout
    assert f"once approved: leaves this stack (environments: [prod]): {refused}" in markdown
    assert "privilege increase" not in markdown.lower()
    # approved, it leaves: the deletes are refused, and what undoes it is the stack, not the spec
    approved = CliRunner().invoke(
        cli,
        [
            *("approve", "acme-analytics", *approve_args(tmp_path), "--ticket", "SEC-2"),
            *("--specs", str(repo / "app-specs"), "--stacks", str(repo / "stacks")),
        ],
    )
    assert approved.exit_code == 0, approved.output
    data = plan_json(repo, "--base", "main")
    acme = app(data, "acme-analytics")
    assert (acme["change"], acme["keptProtected"], acme["review"]) == ("removed", True, None)
    assert f"      {refused}" in plan(repo, "--base", "main").stdout.splitlines()


def test_an_internal_app_change_needs_no_approval(repo: Path) -> None:
    edit(repo, "crm-sync", "  - api:data:contact\n", "  - api:data:contact\n  - api:data:news\n")
    data = plan_json(repo, "--base", "main")
    crm = app(data, "crm-sync")
    assert crm["privilegeIncrease"] is True and crm["approval"] is None and crm["held"] is None
    rule = next(s for s in data["steps"] if s["name"] == "crm-sync-rule")
    assert rule["op"] == "update"
    assert rule["diffs"] == [
        {
            "path": "scopeWhitelists",
            "old": [
                "api:data:company",
                "api:data:contact",
                "openid",
                "profile",
                "email",
                "offline_access",
            ],
            "new": [
                "api:data:company",
                "api:data:contact",
                "api:data:news",
                "openid",
                "profile",
                "email",
                "offline_access",
            ],
        }
    ]


def test_a_new_partner_app_is_added_and_pending(repo: Path) -> None:
    shutil.copy(repo / "app-specs" / "apps" / "orbit-mobile.yaml", repo / "orbit.yaml")
    git(repo, "rm", "-q", "app-specs/apps/orbit-mobile.yaml")
    git(repo, "commit", "-q", "-m", "without orbit")
    shutil.copy(repo / "orbit.yaml", repo / "app-specs" / "apps" / "orbit-mobile.yaml")
    data = plan_json(repo, "--base", "HEAD")
    orbit = app(data, "orbit-mobile")
    assert (orbit["change"], orbit["approval"], orbit["held"]) == (
        "added",
        "pending",
        "awaiting approval",
    )
    assert orbit["privilegeIncrease"] is True
    assert data["changeSummary"] == {"same": 36}  # held: nothing reaches Okta yet
    assert data["summary"]["changes"] is True


def test_approving_a_held_partner_app_adds_it_with_every_scope_granted(
    repo: Path, tmp_path: Path
) -> None:
    approved = CliRunner().invoke(
        cli,
        [
            *("approve", "orbit-mobile", *approve_args(tmp_path), "--ticket", "SEC-1"),
            *("--specs", str(repo / "app-specs"), "--stacks", str(repo / "stacks")),
        ],
    )
    assert approved.exit_code == 0, approved.output
    data = plan_json(repo, "--base", "main")
    orbit = app(data, "orbit-mobile")
    # Okta gains the app: to a reviewer this is an app added, every scope a privilege granted.
    assert (orbit["change"], orbit["approval"], orbit["held"]) == ("added", "recorded", None)
    assert orbit["privilegeIncrease"] is True
    assert orbit["scopes"] == {
        "granted": ["api:account-summary:read", "api:data:contact"],
        "revoked": [],
    }
    assert data["summary"]["privilegeIncreases"] == ["orbit-mobile"]
    assert data["changeSummary"] == {"create": 5, "same": 36}
    text = plan(repo, "--base", "main").stdout
    assert "+ orbit-mobile (partner): added" in text
    assert "[PRIVILEGE INCREASE]" in text


def test_a_stack_setting_changed_since_the_base_is_planned(repo: Path) -> None:
    path = repo / "stacks" / "Pulumi.dev.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "audience: api://appspecs-dev", "audience: api://appspecs-dev2"
        ),
        encoding="utf-8",
    )
    data = plan_json(repo, "--base", "main")
    server = next(s for s in data["steps"] if s["name"] == "api" and s["op"] != "same")
    assert server["op"] == "update" and server["diffs"][0]["path"].startswith("audiences")
    assert data["summary"]["notes"] == [
        'stack setting appspecs:authServer.audience changes: "api://appspecs-dev" -> '
        '"api://appspecs-dev2"'
    ]


def test_a_stack_file_broken_at_the_base_plans_with_this_changes_settings(repo: Path) -> None:
    path = repo / "stacks" / "Pulumi.dev.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text("config:\n  appspecs:authServer: [\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken dev stack")
    path.write_text(good, encoding="utf-8")
    data = plan_json(repo, "--base", "HEAD")
    # Checked against this change's stacks too, studio-local (dev only, loopback) loads at the
    # base: unchanged, not "added".
    assert [a["name"] for a in data["apps"] if a["change"] != "unchanged"] == []
    [note] = data["summary"]["notes"]
    # the file named as git names it at the ref (`git show HEAD:stacks/Pulumi.dev.yaml`)
    assert note.startswith(
        "the base's settings of stack dev cannot be read (HEAD:stacks/Pulumi.dev.yaml:3:1: "
    ), note
    assert "appspec-base-" not in note


def test_a_stack_new_since_the_base_plans_everything_new(repo: Path) -> None:
    shutil.copy(repo / "stacks" / "Pulumi.dev.yaml", repo / "stacks" / "Pulumi.qa.yaml")
    result = CliRunner().invoke(
        cli,
        [
            *("plan", "--stack", "qa", "--specs", str(repo / "app-specs")),
            *("--stacks", str(repo / "stacks"), "--base", "main", "--format", "json"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["notes"] == ["stack qa is new since the base: everything is new"]
    assert set(data["changeSummary"]) == {"create"}


def test_a_new_kind_replaces_the_app_and_what_names_it(repo: Path) -> None:
    # Okta cannot change an app's type: the provider replaces it, with a new client id, so the
    # group assignments (keyed by the app's id) are replaced too and the policy updated.
    edit(repo, "crm-sync", "kind: web", "kind: spa")
    data = plan_json(repo, "--base", "main")
    ops = {s["name"]: s["op"] for s in data["steps"] if s["op"] != "same"}
    assert ops == {
        "crm-sync": "replace",
        "crm-sync-groups": "replace",
        "crm-sync-policy": "update",
    }
    assert data["changeSummary"]["replace"] == 2
    assert app(data, "crm-sync")["kind"] == {"old": "web", "new": "spa"}
    text = plan(repo, "--base", "main").stdout
    # a single-page app is a public client: no secret, new or old
    assert "kind: web -> spa: Okta replaces the app (a new client id for its consumers)" in text
    assert app(data, "crm-sync")["usesClientSecret"] is False
    markdown = plan(repo, "--base", "main", "--format", "markdown").stdout
    assert "**kind web → spa: replaced, new client id**" in markdown
    assert "+-   okta:app/oAuth:OAuth crm-sync (replace)" in text
    assert "2 to replace" in text


def test_a_single_page_app_made_a_web_app_gets_a_secret_with_its_new_client_id(
    repo: Path,
) -> None:
    # a web app authenticates with a client secret (client_secret_basic): the new app's consumers
    # need that too, where a single-page app had none
    edit(repo, "audience-studio", "kind: spa", "kind: web")
    text = plan(repo, "--base", "main").stdout
    fact = "kind: spa -> web: Okta replaces the app (a new client id and secret for its consumers)"
    assert fact in text
    assert app(plan_json(repo, "--base", "main"), "audience-studio")["usesClientSecret"] is True
    markdown = plan(repo, "--base", "main", "--format", "markdown").stdout
    assert "**kind spa → web: replaced, new client id and secret**" in markdown


def test_moving_to_another_server_replaces_its_scopes_policies_and_rules(repo: Path) -> None:
    # The provider would update them in place (authServerId and policyId are not ForceNew) and
    # PUT to the new server with the old ids; the program asks for replacements, and so does
    # the plan: its replace fields are the schema's plus the program's replace_on_changes.
    path = repo / "stacks" / "Pulumi.dev.yaml"
    dev = path.read_text(encoding="utf-8")
    server = "    name: appspecs-api-dev\n    audience: api://appspecs-dev\n"
    assert server in dev
    path.write_text(dev.replace(server, "    id: aus-old-server\n"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "an existing server")
    path.write_text(dev.replace(server, "    id: aus-new-server\n"), encoding="utf-8")
    data = plan_json(repo, "--base", "HEAD")
    ops = {(s["type"].rsplit(":", 1)[1], s["op"]) for s in data["steps"]}
    assert ops == {
        ("ApiAuthServer", "same"),
        ("OidcApp", "same"),
        ("ServerScope", "replace"),
        ("ServerPolicy", "replace"),
        ("ServerPolicyRule", "replace"),
        ("OAuth", "same"),
        ("AppGroupAssignments", "same"),
    }


def test_a_new_picture_under_the_same_logo_path_is_an_update(repo: Path) -> None:
    # The input is the path; the provider keeps the file's hash and uploads the new picture.
    logo = repo / "app-specs" / "logos" / "crm-sync.png"
    logo.write_bytes(logo.read_bytes() + b"\0")
    data = plan_json(repo, "--base", "main")
    assert (app(data, "crm-sync")["change"], app(data, "crm-sync")["logoChanged"]) == (
        "changed",
        True,
    )
    oauth = next(s for s in data["steps"] if s["name"] == "crm-sync" and s["type"] == OAUTH_APP)
    assert oauth["op"] == "update"
    # The marker's digest covers the picture too, so the profile changes with it.
    by_path = {d["path"]: d for d in oauth["diffs"]}
    assert set(by_path) == {"logo (file content)", "profile.appspecs.digest"}
    change = by_path["logo (file content)"]
    assert change["old"].startswith("sha256:") and change["new"] != change["old"]


def test_dropping_a_logo_changes_nothing_in_okta(repo: Path) -> None:
    # The provider keeps the logo when the input goes away (it suppresses that diff).
    edit(repo, "crm-sync", "logo: logos/crm-sync.png\n", "")
    data = plan_json(repo, "--base", "main")
    oauth = next(s for s in data["steps"] if s["name"] == "crm-sync" and s["type"] == OAUTH_APP)
    assert oauth["op"] == "update"  # the marker's digest changes, not the logo
    assert [d["path"] for d in oauth["diffs"]] == ["profile.appspecs.digest"]


def test_requiring_pkce_is_said_in_the_summary(repo: Path) -> None:
    edit(repo, "crm-sync", "\nscopes:", "\n  pkce: true\nscopes:")
    data = plan_json(repo, "--base", "main")
    crm = app(data, "crm-sync")
    assert (crm["change"], crm["pkceRequired"]) == ("changed", {"old": False, "new": True})
    assert "PKCE: not required -> required" in plan(repo, "--base", "main").stdout


def test_removing_an_approval_is_said_as_such(repo: Path) -> None:
    (repo / "app-specs" / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    data = plan_json(repo, "--base", "main")
    acme = app(data, "acme-analytics")
    # Not "invalidated" (that says the spec changed): the record itself went. Its resources are
    # protected: pulumi up refuses to delete them, so the partner's app keeps running.
    assert (acme["approval"], acme["heldRemoves"], acme["keptProtected"]) == (
        "removed",
        False,
        True,
    )
    assert data["summary"]["approvalsRemoved"] == ["acme-analytics"]
    assert data["summary"]["approvalsInvalidated"] == []
    assert "approval removed from approvals.yaml" in plan(repo, "--base", "main").stdout


def test_no_change_against_the_base(repo: Path) -> None:
    data = plan_json(repo, "--base", "main")
    assert data["changeSummary"] == {"same": 36}
    assert data["summary"]["changes"] is False
    assert plan(repo, "--base", "main", "--detailed-exitcode").exit_code == 0
    edit(repo, "crm-sync", "CRM Sync", "CRM")
    assert plan(repo, "--base", "main", "--detailed-exitcode").exit_code == 2


def test_a_base_folder(repo: Path, tmp_path: Path) -> None:
    base = tmp_path / "base-specs"
    shutil.copytree(repo / "app-specs", base)
    (repo / "app-specs" / "apps" / "enrichment-worker.yaml").unlink()
    data = plan_json(repo, "--base", str(base))
    assert app(data, "enrichment-worker")["change"] == "removed"
    assert data["summary"]["against"] == str(base)
    assert data["changeSummary"]["delete"] == 4


def test_a_base_with_errors_still_shows_the_head(repo: Path) -> None:
    edit(repo, "crm-sync", "kind: web", "kind: webb")
    git(repo, "commit", "-qam", "broken crm-sync")
    edit(repo, "crm-sync", "kind: webb", "kind: web")
    data = plan_json(repo, "--base", "HEAD")
    assert data["summary"]["notes"][-1].startswith("the base specs have 1 error:")
    assert app(data, "crm-sync")["change"] == "added"
    assert app(data, "audience-studio")["change"] == "unchanged"
    # why crm-sync is new: the error, its file named as git names it at the ref, not the
    # temporary copy it was read from
    [error] = data["baseDiagnostics"]
    assert error["file"] == "HEAD:app-specs/apps/crm-sync.yaml" and error["line"] is not None
    assert (error["severity"], error["code"], error["path"]) == (
        "error",
        "invalid-value",
        "client.kind",
    )
    assert data["baseProblems"] == [] and data["diagnostics"] == []
    text = plan(repo, "--base", "HEAD").stdout.splitlines()
    note = next(i for i, line in enumerate(text) if "the base specs have 1 error" in line)
    assert text[note + 1].startswith(
        f"  HEAD:app-specs/apps/crm-sync.yaml:{error['line']}:{error['column']}: "
        "error[invalid-value] client.kind: "
    ), text
    markdown = plan(repo, "--base", "HEAD", "--format", "markdown").stdout
    assert f"> ⛔ HEAD:app-specs/apps/crm-sync.yaml:{error['line']}:" in markdown, markdown
    assert "appspec-base-" not in markdown + "\n".join(text)


def test_a_base_error_s_message_names_its_file_as_git_does(repo: Path) -> None:
    # the message quotes a path too (the logo it cannot find), not only the diagnostic's file
    edit(repo, "crm-sync", "logo: logos/crm-sync.png", "logo: logos/gone.png")
    git(repo, "commit", "-qam", "crm-sync's logo is gone")
    edit(repo, "crm-sync", "logo: logos/gone.png", "logo: logos/crm-sync.png")
    data = plan_json(repo, "--base", "HEAD")
    [error] = data["baseDiagnostics"]
    assert error["file"] == "HEAD:app-specs/apps/crm-sync.yaml"
    assert error["message"] == "logo 'logos/gone.png' does not exist under HEAD:app-specs"
    for fmt in ("text", "markdown", "json"):
        assert "appspec-base-" not in plan(repo, "--base", "HEAD", "--format", fmt).stdout


def test_a_markdown_plan_names_the_very_base_to_list_the_rest_of_its_errors(repo: Path) -> None:
    extra = "".join(f"x{i}: 1\n" for i in range(12))  # an error each
    edit(repo, "crm-sync", "name: crm-sync\n", f"name: crm-sync\n{extra}")
    edit(repo, "studio-local", "name: studio-local\n", "name: studio-local\nx: 1\n")
    git(repo, "commit", "-qam", "crm-sync with twelve unknown fields, studio-local with one")
    sha = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, "crm-sync", extra, "")
    edit(repo, "studio-local", "x: 1\n", "")
    data = plan_json(repo, "--base", "main")
    assert len(data["baseDiagnostics"]) == 13
    markdown = plan(repo, "--base", "main", "--format", "markdown").stdout
    # the commit, not the branch: the branch may have moved on when the comment is read
    # of the same specs and stacks: the stacks given are those --specs alone reads
    flags = f"--specs {repo / 'app-specs'}"
    again = f"`appspec plan --stack dev {flags} --base {sha}`"
    assert f"> … and 3 more errors of the base: {again} lists them all.  " in markdown
    # every file with errors has its first one shown, not only the file with the most
    assert "> ⛔ main:app-specs/apps/studio-local.yaml:" in markdown
    # which the text plan lists all of
    text = plan(repo, "--base", sha).stdout
    assert sum("error[" in line for line in text.splitlines()) == 13


def test_a_stack_deploying_another_specs_folder_is_no_error_of_the_base(repo: Path) -> None:
    # the ref's copy holds its specs and stacks only: another stack's specsDir is not there
    shutil.copytree(repo / "app-specs", repo / "prod-specs")
    prod = repo / "stacks" / "Pulumi.prod.yaml"
    prod.write_text(prod.read_text(encoding="utf-8") + "  appspecs:specsDir: prod-specs\n", "utf-8")
    (repo / "Pulumi.yaml").write_text("name: appspecs\nruntime: python\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "prod deploys prod-specs")
    data = plan_json(repo, "--base", "HEAD")
    assert (data["baseDiagnostics"], data["baseProblems"]) == ([], [])
    assert all(a["change"] == "unchanged" for a in data["apps"] if a["name"] != "orbit-mobile")


def test_a_base_folder_s_unreadable_file_is_said_in_the_plan(repo: Path, tmp_path: Path) -> None:
    base = tmp_path / "base-specs"
    shutil.copytree(repo / "app-specs", base)
    os.mkfifo(base / "apps" / "stuck.yaml")  # not a regular file: refused, never opened to block
    result = plan(repo, "--base", str(base), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["notes"][-1].startswith("the base specs have 1 error:")
    [problem] = data["baseProblems"]
    assert problem.startswith(f"{base}/apps/stuck.yaml: "), problem
    assert data["baseDiagnostics"] == []
    text = plan(repo, "--base", str(base)).stdout.splitlines()
    assert f"  {problem}" in text, text


def test_a_ref_without_the_specs_folder_makes_everything_new(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("empty\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    shutil.copytree(ROOT / "app-specs", root / "app-specs")
    shutil.copytree(
        ROOT / "stacks", root / "stacks", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    data = plan_json(root, "--base", "main")
    assert {a["change"] for a in data["apps"]} == {"added"}
    assert data["changeSummary"] == {"create": 36}
    assert any("has no specs folder" in n for n in data["summary"]["notes"])


@pytest.mark.parametrize("ref", ["no-such-branch", "-n", "main~5"])
def test_a_bad_ref_is_a_usage_error(repo: Path, ref: str) -> None:
    result = plan(repo, "--base", ref)
    assert result.exit_code == 2
    assert f"--base '{ref}' is neither a folder nor" in result.stderr
    assert result.stdout == ""
    assert plan(repo, "--base", ref, "--detailed-exitcode").exit_code == 1


def test_a_ref_outside_a_repository(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "app-specs", tmp_path / "app-specs")
    shutil.copytree(
        ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    env = {"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    result = CliRunner(env=env).invoke(
        cli,
        ["plan", "--stack", "dev", "--specs", str(tmp_path / "app-specs"), "--base", "main"],
    )
    assert result.exit_code == 2
    assert "is not in a git repository" in result.stderr


def test_state_and_base_do_not_mix(repo: Path, tmp_path: Path) -> None:
    result = plan(repo, "--base", "main", "--state", str(tmp_path / "x.json"))
    assert result.exit_code == 2
    assert "--state and --base cannot be combined" in result.stderr


def test_scopes_written_in_another_order_are_said_to_change_nothing_okta_is_given(
    repo: Path,
) -> None:
    # The sampled defect: "scopes changed; no change of scopes, ...", and JSON said nothing of
    # what changed. The provider holds scopes as a set: the order changes the digest alone.
    edit(
        repo,
        "acme-analytics",
        "  - api:data:company\n  - api:data:news\n",
        "  - api:data:news\n  - api:data:company\n",
    )
    acme = app(plan_json(repo, "--base", "main"), "acme-analytics")
    review = acme["review"]
    assert acme["change"] == "change under review"
    assert review["fields"] == ["scopes"]
    assert review["scopes"] == {"requested": [], "revoked": []}
    text = plan(repo, "--base", "main").stdout
    assert "scopes changed in the spec, not in what Okta is given (no change of scopes" in text
