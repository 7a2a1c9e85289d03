"""The domain summary per app against recorded state: scopes granted (a privilege increase) and
revoked, URIs, grant types and groups, partner approvals, held and skipped apps."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from appspecs.desired.render import render
from appspecs.desired.resources import GROUP_ASSIGNMENTS, OAUTH_APP, POLICY, RULE, resource_graph
from appspecs.plan.build import Plan, plan_against_state
from appspecs.plan.deltas import Delta
from appspecs.plan.state import RecordedState, parse_state
from appspecs.plan.summary import AppSummary
from appspecs.report.plan import markdown_plan, plan_json, text_plan
from appspecs.spec.approvals import Approval, write_approvals
from appspecs.spec.load import SpecSet, load_specs
from appspecs.stackconfig import load_stack_config
from tests import plan_states as ps
from tests.approver import EMAIL, signed

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "stacks"


def _specs(root: Path = ROOT / "app-specs") -> SpecSet:
    specs = load_specs(root, stacks_dir=STACKS)
    assert specs.ok, specs.diagnostics
    return specs


def _state(specs: SpecSet, stack: str = "dev") -> dict[str, Any]:
    desired = render(specs, load_stack_config(STACKS, stack))
    return ps.state_for(resource_graph(desired), stack, held=desired.held)


def _plan(specs: SpecSet, doc: dict[str, Any] | None, stack: str = "dev") -> Plan:
    # the edited inputs stand for an older update's: its outputs were the same
    state = parse_state(ps.settle(doc), "state.json") if doc is not None else RecordedState()
    return plan_against_state(specs, load_stack_config(STACKS, stack), state)


def _app(plan: Plan, name: str) -> AppSummary:
    return next(a for a in plan.apps if a.name == name)


def _app_json(plan: Plan, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in plan_json(plan)["apps"] if a["name"] == name)
    return found


@pytest.fixture(scope="module")
def bundled() -> SpecSet:
    return _specs()


@pytest.fixture(scope="module")
def recorded(bundled: SpecSet) -> dict[str, Any]:
    return _state(bundled)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the bundled specs to edit."""
    root = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", root)
    return root


def _edit(root: Path, app: str, old: str, new: str) -> None:
    path = root / "apps" / f"{app}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_nothing_changed(bundled: SpecSet, recorded: dict[str, Any]) -> None:
    plan = _plan(bundled, recorded)
    assert [(a.name, a.change) for a in plan.apps] == [
        ("acme-analytics", "unchanged"),
        ("audience-studio", "unchanged"),
        ("crm-sync", "unchanged"),
        ("enrichment-worker", "unchanged"),
        ("orbit-mobile", "held"),  # never deployed, still held
        ("studio-local", "unchanged"),
    ]
    assert _app(plan, "acme-analytics").approval == "approved"
    orbit = _app(plan, "orbit-mobile")
    assert orbit.approval == "pending" and orbit.held == "awaiting approval"
    assert not orbit.privilege_increase and not orbit.held_removes
    assert [h.name for h in plan.held] == ["orbit-mobile"]
    assert not plan.has_changes


def test_everything_is_added_to_an_empty_state(bundled: SpecSet) -> None:
    plan = _plan(bundled, None)
    crm = _app(plan, "crm-sync")
    assert crm.change == "added" and crm.privilege_increase
    assert crm.scopes == Delta(("api:data:company", "api:data:contact"), ())
    assert crm.groups == Delta(("sales-ops",), ())
    assert _app(plan, "acme-analytics").approval == "recorded"  # the approval takes effect


def test_scopes_uris_grants_and_groups_from_recorded_resources(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    doc = copy.deepcopy(recorded)
    rule = ps.find(doc, RULE, "audience-studio-rule")["inputs"]
    # recorded: fewer manage scopes, one read scope since dropped; offline_access is not a scope
    rule["scopeWhitelists"] = ["api:audience:read", "api:data:scoops", "offline_access"]
    oauth = ps.find(doc, OAUTH_APP, "audience-studio")["inputs"]
    oauth["redirectUris"] = ["https://studio.acme.example/callback", "https://old.acme.example/cb"]
    oauth["postLogoutRedirectUris"] = []
    oauth["grantTypes"] = ["authorization_code"]
    oauth["label"] = "Studio"
    exported = doc["deployment"]["resources"][0]["outputs"]["groupIds"]
    exported["design"] = "00gDESIGN"
    groups = ps.find(doc, GROUP_ASSIGNMENTS, "audience-studio-groups")["inputs"]["groups"]
    groups[1]["id"] = "00gDESIGN"  # recorded: marketing and design; the spec: marketing-ops
    plan = _plan(bundled, doc)
    studio = _app(plan, "audience-studio")
    assert studio.change == "changed"
    assert studio.privilege_increase
    assert studio.scopes == Delta(
        ("api:audience:manage", "api:audience-member:manage", "api:audience-member:read"),
        ("api:data:scoops",),
    )
    assert studio.redirect_uris == Delta((), ("https://old.acme.example/cb",))
    assert studio.post_logout_redirect_uris == Delta(("https://studio.acme.example/",), ())
    assert studio.grant_types == Delta(("refresh_token",), ())
    assert studio.groups == Delta(("marketing-ops",), ("design",))
    assert studio.label == ("Studio", "Audience Studio")
    # the rule recorded only offline_access of the OpenID Connect scopes
    assert studio.oidc_scopes == Delta(("openid", "profile", "email"), ())


def test_openid_connect_scopes_revoked_are_a_change_not_a_marker(
    tree: Path, recorded: dict[str, Any]
) -> None:
    _edit(tree, "crm-sync", "  redirect_uris:", "  oidc_scopes: [openid]\n  redirect_uris:")
    plan = _plan(_specs(tree), recorded)
    crm = _app(plan, "crm-sync")
    assert (crm.change, crm.scopes, crm.oidc_scopes) == (
        "changed",
        Delta(),
        Delta((), ("profile", "email")),
    )
    assert not crm.marker_only and not crm.privilege_increase
    text, markdown = text_plan(plan), markdown_plan(plan)
    assert "OpenID Connect scopes revoked: profile, email" in text
    assert "−`profile` −`email`" in markdown
    crm_json = _app_json(plan, "crm-sync")
    assert crm_json["oidcScopes"] == {"granted": [], "revoked": ["profile", "email"]}
    assert crm_json["markerOnly"] is False
    for out in (text, markdown):
        assert "only the profile marker changes" not in out


def test_a_list_in_another_order_is_said_where_okta_keeps_the_order(
    tree: Path, recorded: dict[str, Any]
) -> None:
    # scopes are a set to the provider: reordered, only the profile marker changes
    _edit(
        tree,
        "crm-sync",
        "  - api:data:company\n  - api:data:contact\n",
        "  - api:data:contact\n  - api:data:company\n",
    )
    # groups are a list of the group assignments: reordered, the update rewrites them
    _edit(
        tree,
        "audience-studio",
        "  - marketing\n  - marketing-ops\n",
        "  - marketing-ops\n  - marketing\n",
    )
    plan = _plan(_specs(tree), recorded)
    crm, studio = _app(plan, "crm-sync"), _app(plan, "audience-studio")
    assert crm.marker_only and crm.reordered == ()
    assert {s.type for s in plan.steps if s.app == "crm-sync" and s.op != "same"} == {OAUTH_APP}
    assert studio.reordered == ("groups",) and not studio.marker_only
    assert studio.groups == Delta()
    text, markdown = text_plan(plan), markdown_plan(plan)
    assert "order changed: groups (the same values in another order, which Okta keeps)" in text
    assert "changed; order of groups changed" in markdown
    studio_json = _app_json(plan, "audience-studio")
    assert (studio_json["reordered"], studio_json["markerOnly"]) == (["groups"], False)


def test_an_openid_connect_scope_gained_is_a_privilege_increase(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    # profile and email release the user's claims; offline_access gives refresh tokens
    doc = copy.deepcopy(recorded)
    rule = ps.find(doc, RULE, "crm-sync-rule")["inputs"]
    rule["scopeWhitelists"] = ["api:data:company", "api:data:contact", "openid"]
    plan = _plan(bundled, doc)
    crm = _app(plan, "crm-sync")
    assert crm.oidc_scopes == Delta(("profile", "email", "offline_access"), ())
    assert crm.privilege_increase and not crm.scopes_requested_only
    assert [n.apps for n in plan.summary.notices if n.kind == "privilegeIncrease"] == [
        ("crm-sync",)
    ]
    text, markdown = text_plan(plan), markdown_plan(plan)
    data = plan_json(plan)
    assert (
        "OpenID Connect scopes granted: profile, email, offline_access  [PRIVILEGE INCREASE]"
        in text
    )
    assert "⚠️ **privilege increase** +`profile` +`email` +`offline_access`" in markdown
    assert data["summary"]["privilegeIncreases"] == ["crm-sync"]


def test_openid_connect_scopes_a_change_under_review_revokes_are_listed(
    tree: Path, recorded: dict[str, Any]
) -> None:
    _edit(tree, "acme-analytics", "  redirect_uris:", "  oidc_scopes: [openid]\n  redirect_uris:")
    plan = _plan(_specs(tree), recorded)
    acme = _app(plan, "acme-analytics")
    assert acme.change == "change under review" and acme.oidc_scopes == Delta()
    assert acme.review is not None
    assert acme.review.oidc_scopes == Delta((), ("profile", "email"))
    text = text_plan(plan)
    assert "OpenID Connect scopes to revoke: profile, email" in text
    assert "no change of scopes" not in text
    acme_json = _app_json(plan, "acme-analytics")
    assert acme_json["review"]["oidcScopes"] == {"requested": [], "revoked": ["profile", "email"]}


def test_only_revoking_is_no_privilege_increase(tree: Path, recorded: dict[str, Any]) -> None:
    _edit(tree, "crm-sync", "  - api:data:contact\n", "")
    crm = _app(_plan(_specs(tree), recorded), "crm-sync")
    assert crm.change == "changed"
    assert crm.scopes == Delta((), ("api:data:contact",))
    assert not crm.privilege_increase


def test_a_changed_partner_spec_is_a_change_under_review_and_okta_keeps_the_approved_one(
    tree: Path, recorded: dict[str, Any]
) -> None:
    _edit(tree, "acme-analytics", "  - api:data:news\n", "  - api:data:news\n  - api:data:intent\n")
    plan = _plan(_specs(tree), recorded)
    acme = _app(plan, "acme-analytics")
    assert acme.change == "change under review"
    assert acme.approval == "approved"  # the approval stands, for the version Okta keeps
    assert acme.held is None and not acme.held_removes
    assert acme.scopes == Delta()  # nothing granted by this update
    assert acme.review is not None and acme.review.scopes == Delta(("api:data:intent",), ())
    assert acme.privilege_increase and acme.scopes_requested_only
    assert [s for s in plan.steps if s.app == "acme-analytics" and s.op != "same"] == []


def test_removing_the_approval_is_said_and_the_protected_app_is_kept(
    tree: Path, recorded: dict[str, Any]
) -> None:
    (tree / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    plan = _plan(_specs(tree), recorded)
    acme = _app(plan, "acme-analytics")
    assert (acme.approval, acme.held_removes, acme.kept_protected) == ("removed", False, True)
    assert {s.refused for s in plan.steps if s.app == "acme-analytics"} == {True}


def test_retyping_an_approved_partner_app_to_internal_removes_its_approval(
    tree: Path, recorded: dict[str, Any]
) -> None:
    (tree / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    _edit(tree, "acme-analytics", "type: partner", "type: internal")
    _edit(tree, "acme-analytics", "partner: acme-analytics\n", "")
    plan = _plan(_specs(tree), recorded)
    acme = _app(plan, "acme-analytics")
    assert (acme.change, acme.approval, acme.retyped) == (
        "changed",
        "removed",
        ("partner", "internal"),
    )


def test_retyping_a_live_internal_app_to_partner_waits_for_its_first_approval(
    tree: Path, recorded: dict[str, Any]
) -> None:
    # the state holds crm-sync, which never had an approval to lose: not "approval removed"
    _edit(tree, "crm-sync", "type: internal\n", "type: partner\npartner: orbit-crm\n")
    links = "links:\n  terms: https://crm.acme.example/t\n  privacy: https://crm.acme.example/p\n"
    with (tree / "apps" / "crm-sync.yaml").open("a", encoding="utf-8") as f:
        f.write(links)
    plan = _plan(_specs(tree), recorded)
    crm = _app(plan, "crm-sync")
    assert (crm.change, crm.approval, crm.retyped) == (
        "changed",
        "pending",
        ("internal", "partner"),
    )
    assert crm.held_removes  # held, it leaves Okta: the plan says so loudly
    assert "approval pending" in text_plan(plan) and "approval removed" not in text_plan(plan)


def test_a_new_approval_is_recorded(tree: Path, bundled: SpecSet, tmp_path: Path) -> None:
    # state from before orbit-mobile was approved; now it is
    before = _state(bundled)
    specs = _specs(tree)
    approval = Approval(
        app="orbit-mobile",
        digest=specs.apps["orbit-mobile"].digest,
        approved_by=EMAIL,
        ticket="SEC-2001",
        approved_at="2026-11-28T10:00:00+00:00",
    )
    write_approvals(
        tree / "approvals.yaml", [*specs.approvals.values(), signed(approval, tmp_path)]
    )
    plan = _plan(_specs(tree), before)
    orbit = _app(plan, "orbit-mobile")
    assert (orbit.change, orbit.approval, orbit.held) == ("added", "recorded", None)
    assert orbit.privilege_increase
    assert plan.held == ()


def test_an_app_whose_spec_is_gone_is_removed(tree: Path, recorded: dict[str, Any]) -> None:
    (tree / "apps" / "enrichment-worker.yaml").unlink()
    worker = _app(_plan(_specs(tree), recorded), "enrichment-worker")
    assert worker.change == "removed"
    assert worker.scopes == Delta((), ("api:data:company", "api:data:intent", "api:data:news"))


def test_apps_not_for_the_stack_are_skipped_and_removed_if_there(bundled: SpecSet) -> None:
    prod_doc = _state(bundled, "prod")
    plan = _plan(bundled, prod_doc, "prod")
    local = _app(plan, "studio-local")
    assert (local.change, local.skipped) == ("unchanged", "environments: [dev]")
    assert [s.name for s in plan.skipped] == ["studio-local"]
    # prod state that still has studio-local (deployed before `environments` was set)
    dev_doc = _state(bundled, "dev")
    text = json.dumps(dev_doc).replace("urn:pulumi:dev::", "urn:pulumi:prod::")
    text = text.replace("appspecs-api-dev", "appspecs-api").replace(
        "api://appspecs-dev", "api://appspecs"
    )
    plan = _plan(bundled, json.loads(text), "prod")
    local = _app(plan, "studio-local")
    assert (local.change, local.skipped) == ("removed", "environments: [dev]")
    assert {s.name for s in plan.steps if s.op == "delete"} >= {"studio-local", "studio-local-rule"}


def test_unnamed_group_ids_are_not_guessed(bundled: SpecSet, recorded: dict[str, Any]) -> None:
    doc = copy.deepcopy(recorded)
    del doc["deployment"]["resources"][0]["outputs"]["groupIds"]  # an older program's state
    plan = _plan(bundled, doc)
    assert _app(plan, "crm-sync").change == "unchanged"
    assert not plan.has_changes


def _hand_made(doc: dict[str, Any], app: str) -> None:
    """The app as `pulumi import` records a hand-made one: no appspecs marker in its profile
    (import leaves an empty one out), its policy and rule under the names people gave them."""
    oauth = ps.find(doc, OAUTH_APP, app)
    del oauth["inputs"]["profile"], oauth["outputs"]["profile"]
    ps.find(doc, POLICY, f"{app}-policy")["inputs"]["name"] = "CRM Sync access"
    ps.find(doc, RULE, f"{app}-rule")["inputs"]["name"] = "Allow sign-in"


def test_an_adopted_app_reads_adopted_and_shows_only_what_changes(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    # Before: "+ crm-sync: added ... [PRIVILEGE INCREASE]" in a reviewer's eyes: adopting an
    # existing app could not be told from granting a new one.
    doc = copy.deepcopy(recorded)
    _hand_made(doc, "crm-sync")
    plan = _plan(bundled, doc)
    crm = _app(plan, "crm-sync")
    assert (crm.change, crm.status) == ("adopted", "adopted")
    assert not crm.privilege_increase and not crm.scopes and not crm.redirect_uris
    assert plan.summary.counts["adopted"] == 1 and plan.summary.notices == ()
    text = text_plan(plan)
    assert "  = crm-sync: adopted" in text and "PRIVILEGE INCREASE" not in text
    assert "      adopted from Okta (recorded by pulumi import): the same app and client id" in text
    # The resources say exactly what the update does: the marker, the policy and rule names.
    changing = {(s.name, c.path) for s in plan.steps if s.op != "same" for c in s.diffs}
    assert changing == {
        ("crm-sync", "profile"),
        ("crm-sync-policy", "name"),
        ("crm-sync-rule", "name"),
    }
    assert '\\"appspecs\\"' not in text  # the marker as a document, not escaped JSON
    assert {s.op for s in plan.steps if s.app == "crm-sync"} == {"same", "update"}
    row = next(line for line in markdown_plan(plan).splitlines() if "`crm-sync`" in line)
    assert "| adopted: " in row and "privilege" not in row
    crm_json = _app_json(plan, "crm-sync")
    assert (crm_json["status"], crm_json["privilegeIncrease"]) == ("adopted", False)


def test_an_adopted_app_that_gains_a_scope_still_says_so(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    doc = copy.deepcopy(recorded)
    _hand_made(doc, "crm-sync")
    ps.find(doc, RULE, "crm-sync-rule")["inputs"]["scopeWhitelists"] = ["api:data:company"]
    crm = _app(_plan(bundled, doc), "crm-sync")
    assert crm.change == "adopted" and crm.scopes.added == ("api:data:contact",)
    assert crm.privilege_increase


@pytest.mark.parametrize("protected", [True, False])
def test_a_change_under_review_that_leaves_the_stack_says_it_against_state(
    tree: Path, recorded: dict[str, Any], protected: bool
) -> None:
    # whether pulumi up refuses the deletes once it is approved is the state's to say: a stack
    # deployed before the program protected partner apps deletes it
    path = tree / "apps" / "acme-analytics.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "environments: [prod]\n", encoding="utf-8")
    doc = copy.deepcopy(recorded)
    if not protected:
        for r in doc["deployment"]["resources"]:
            r.pop("protect", None)
    plan = _plan(_specs(tree), doc)
    acme = _app(plan, "acme-analytics")
    assert acme.change == "change under review" and acme.review is not None
    assert (acme.review.leaves, acme.review.protected) == (("prod",), protected)
    assert plan.change_summary == {"same": len(plan.steps)}
    refused = "pulumi up refuses to delete its Okta resources" in text_plan(plan)
    deleted = "the update deletes its Okta resources, and its client id stops working"
    assert (refused, deleted in text_plan(plan)) == (protected, not protected)
    review = _app_json(plan, "acme-analytics")["review"]
    assert (review["leaves"], review["keptProtected"]) == ({"environments": ["prod"]}, protected)
