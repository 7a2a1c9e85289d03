"""Resource steps against state written for our own resources: create, update with the changed
paths, delete and same; placeholders, secrets, ignore_changes and provider bookkeeping."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from appspecs.desired.render import render
from appspecs.desired.resources import (
    APP_COMPONENT,
    GROUP_ASSIGNMENTS,
    OAUTH_APP,
    POLICY,
    RESET_WHEN_UNSET,
    RULE,
    SCOPE,
    SERVER,
    GroupId,
    resource_graph,
)
from appspecs.plan.build import Plan, PlanInputError, plan_against_state, state_side
from appspecs.plan.deltas import reordered
from appspecs.plan.diff import Step, state_resolver, symbolic_resolver
from appspecs.plan.inputs import Change, diff_inputs
from appspecs.plan.state import RecordedState, Secret, parse_state
from appspecs.plan.values import ABSENT, Unknown
from appspecs.plan.views import views_from_state
from appspecs.plan.wire import Resolver, wire_inputs
from appspecs.report.plan import json_text, markdown_plan, text_plan
from appspecs.report.plan_facts import reordered_fact
from appspecs.spec.load import SpecSet, load_specs
from appspecs.stackconfig import StackConfig, load_stack_config
from tests import plan_states as ps

ROOT = Path(__file__).resolve().parent.parent
URN = "urn:pulumi:dev::appspecs::"


@pytest.fixture(scope="module")
def specs() -> SpecSet:
    return load_specs(ROOT / "app-specs", stacks_dir=ROOT / "stacks")


@pytest.fixture(scope="module")
def dev() -> StackConfig:
    return load_stack_config(ROOT / "stacks", "dev")


@pytest.fixture(scope="module")
def recorded(specs: SpecSet, dev: StackConfig) -> dict[str, Any]:
    """What an update of the bundled specs leaves: the state every test starts from."""
    desired = render(specs, dev)
    return ps.state_for(resource_graph(desired), held=desired.held)


@pytest.fixture
def doc(recorded: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(recorded)


@pytest.fixture
def plan_of(specs: SpecSet, dev: StackConfig) -> Callable[[dict[str, Any]], Plan]:
    def run(document: dict[str, Any]) -> Plan:
        # the edited inputs stand for an older update's: its outputs were the same
        return plan_against_state(specs, dev, parse_state(ps.settle(document), "state.json"))

    return run


def _step(plan: Plan, type_: str, name: str) -> Step:
    return next(s for s in plan.steps if s.type == type_ and s.name == name)


def _changing(plan: Plan) -> list[tuple[str, str, str]]:
    return [(s.op, s.type, s.name) for s in plan.steps if s.op != "same"]


def test_state_of_the_same_specs_is_all_same(doc: dict[str, Any], plan_of: Any) -> None:
    plan = plan_of(doc)
    assert plan.change_summary == {"same": 36}
    assert not plan.has_changes
    assert all(s.diffs == () for s in plan.steps)


def test_empty_state_creates_everything_with_engine_urns(specs: SpecSet, dev: StackConfig) -> None:
    plan = plan_against_state(specs, dev, RecordedState())
    assert plan.change_summary == {"create": 36}
    assert plan.has_changes
    oauth = _step(plan, OAUTH_APP, "crm-sync")
    assert oauth.urn == f"{URN}appspecs:index:OidcApp$okta:app/oAuth:OAuth::crm-sync"
    assert oauth.parent == f"{URN}appspecs:index:OidcApp::crm-sync"
    assert oauth.inputs["redirectUris"] == ["https://crm.acme.example/oauth/callback"]
    assert _step(plan, APP_COMPONENT, "crm-sync").urn == f"{URN}appspecs:index:OidcApp::crm-sync"
    policy = _step(plan, POLICY, "crm-sync-policy")
    (client,) = policy.inputs["clientWhitelists"]
    assert isinstance(client, Unknown) and client.fresh
    assert (client.urn, client.output) == (oauth.urn, "clientId")
    server = policy.inputs["authServerId"]
    assert (
        isinstance(server, Unknown)
        and server.urn == f"{URN}appspecs:index:ApiAuthServer$okta:auth/server:Server::api"
    )


def test_update_lists_the_changed_paths_with_old_and_new(doc: dict[str, Any], plan_of: Any) -> None:
    ps.find(doc, OAUTH_APP, "crm-sync")["inputs"]["redirectUris"] = ["https://old.example/cb"]
    ps.find(doc, OAUTH_APP, "crm-sync")["inputs"]["label"] = "CRM"
    ps.find(doc, RULE, "crm-sync-rule")["inputs"]["scopeWhitelists"] = ["api:data:company"]
    groups = ps.find(doc, GROUP_ASSIGNMENTS, "audience-studio-groups")["inputs"]["groups"]
    groups[1]["priority"] = 5
    plan = plan_of(doc)
    # program order: apps by name, each app's resources as the graph lists them
    assert _changing(plan) == [
        ("update", GROUP_ASSIGNMENTS, "audience-studio-groups"),
        ("update", OAUTH_APP, "crm-sync"),
        ("update", RULE, "crm-sync-rule"),
    ]
    assert _step(plan, OAUTH_APP, "crm-sync").diffs == (
        Change("label", "CRM", "CRM Sync"),
        Change(
            "redirectUris[0]", "https://old.example/cb", "https://crm.acme.example/oauth/callback"
        ),
    )
    assert _step(plan, RULE, "crm-sync-rule").diffs == (
        Change(
            "scopeWhitelists",
            ["api:data:company"],
            [
                "api:data:company",
                "api:data:contact",
                "openid",
                "profile",
                "email",
                "offline_access",
            ],
        ),
    )
    assert _step(plan, GROUP_ASSIGNMENTS, "audience-studio-groups").diffs == (
        Change("groups[1].priority", 5, 1),
    )
    assert plan.change_summary == {"update": 3, "same": 33}


def test_a_first_groups_priority_okta_holds_otherwise_is_no_change(
    doc: dict[str, Any], plan_of: Any
) -> None:
    # the provider's diff suppresses every change of a block's priority to 0 (its
    # DiffSuppressFunc reads a top-level `priority` the resource lacks), so the first group's,
    # which the program sends as 0, is no change whatever Okta holds; the second's is one
    groups = ps.find(doc, GROUP_ASSIGNMENTS, "audience-studio-groups")["inputs"]["groups"]
    groups[0]["priority"] = 3
    assert not plan_of(doc).has_changes
    groups[1]["priority"] = 4
    assert _step(plan_of(doc), GROUP_ASSIGNMENTS, "audience-studio-groups").diffs == (
        Change("groups[1].priority", 4, 1),
    )


def test_resources_no_spec_wants_are_deleted_children_first(
    plan_of: Any, dev: StackConfig, tmp_path: Path
) -> None:
    # state recorded when a sixth app, now removed from the specs, was still there
    extra = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", extra)
    (extra / "apps" / "old-portal.yaml").write_text(
        "name: old-portal\nlabel: Old Portal\ntype: internal\nowner: a@acme.example\n"
        "client:\n  kind: web\n  redirect_uris: [https://old.acme.example/cb]\n"
        "scopes: [api:data:news]\ngroups: [portal-users]\n",
        encoding="utf-8",
    )
    before = load_specs(extra, stacks_dir=ROOT / "stacks")
    assert before.ok, before.diagnostics
    desired = render(before, dev)
    plan = plan_of(ps.state_for(resource_graph(desired), held=desired.held))
    assert _changing(plan) == [
        ("delete", GROUP_ASSIGNMENTS, "old-portal-groups"),
        ("delete", RULE, "old-portal-rule"),
        ("delete", POLICY, "old-portal-policy"),
        ("delete", OAUTH_APP, "old-portal"),
        ("delete", APP_COMPONENT, "old-portal"),
    ]
    deleted = [s for s in plan.steps if s.op == "delete"]
    assert {s.app for s in deleted} == {"old-portal"}
    assert deleted[-1].urn == f"{URN}appspecs:index:OidcApp::old-portal"
    assert not any(s.type.startswith("pulumi:") for s in plan.steps)


def test_root_stack_and_provider_are_never_deleted(plan_of: Any) -> None:
    doc = ps.document(
        {
            "manifest": {},
            "resources": [
                {"urn": f"{URN}pulumi:pulumi:Stack::appspecs-dev", "type": "pulumi:pulumi:Stack"},
                {
                    "urn": f"{URN}pulumi:providers:okta::default_7_0_1",
                    "type": "pulumi:providers:okta",
                    "custom": True,
                },
                {
                    "urn": f"{URN}pulumi:providers:okta::custom",
                    "type": "pulumi:providers:okta",
                    "custom": True,
                },
            ],
        }
    )
    plan = plan_of(doc)
    assert plan.change_summary == {"create": 36}


def test_ignore_changes_hides_the_policy_priority_only(doc: dict[str, Any], plan_of: Any) -> None:
    policy = ps.find(doc, POLICY, "crm-sync-policy")["inputs"]
    policy["priority"] = 7  # Okta renumbered it
    assert plan_of(doc).change_summary == {"same": 36}
    policy["description"] = "edited in the console"
    step = _step(plan_of(doc), POLICY, "crm-sync-policy")
    assert [c.path for c in step.diffs] == ["description"]
    # the rule's priority has no ignore_changes: it does show
    ps.find(doc, RULE, "crm-sync-rule")["inputs"]["priority"] = 3
    assert _step(plan_of(doc), RULE, "crm-sync-rule").diffs == (Change("priority", 3, 1),)


def test_a_set_input_in_another_order_is_no_change(doc: dict[str, Any], plan_of: Any) -> None:
    # scope_whitelist, grant_types, post_logout_redirect_uris are TypeSets to the provider
    rule = ps.find(doc, RULE, "crm-sync-rule")["inputs"]
    rule["scopeWhitelists"] = list(reversed(rule["scopeWhitelists"]))
    oauth = ps.find(doc, OAUTH_APP, "crm-sync")["inputs"]
    oauth["grantTypes"] = list(reversed(oauth["grantTypes"]))
    assert plan_of(doc).change_summary == {"same": 36}
    # redirect_uris is a TypeList: its order is a change
    oauth["redirectUris"] = [*oauth["redirectUris"], "https://crm.acme.example/other"]
    oauth["redirectUris"].reverse()
    assert [c.path for c in _step(plan_of(doc), OAUTH_APP, "crm-sync").diffs] == ["redirectUris"]


def test_refs_take_recorded_outputs(doc: dict[str, Any], plan_of: Any) -> None:
    # the policy names the app's client id, recorded as the OAuth app's clientId output
    oauth = ps.find(doc, OAUTH_APP, "crm-sync")
    policy = ps.find(doc, POLICY, "crm-sync-policy")["inputs"]
    assert policy["clientWhitelists"] == [oauth["outputs"]["clientId"]]
    oauth["outputs"]["clientId"] = "0oaROTATED"
    step = _step(plan_of(doc), POLICY, "crm-sync-policy")
    # a set to the provider: its change is said of the whole value
    assert step.diffs == (Change("clientWhitelists", [oauth["id"]], ["0oaROTATED"]),)


def test_a_ref_with_no_recorded_output_may_be_the_same(doc: dict[str, Any], plan_of: Any) -> None:
    del ps.find(doc, OAUTH_APP, "crm-sync")["outputs"]["clientId"]
    plan = plan_of(doc)
    assert plan.change_summary == {"same": 36}
    (client,) = _step(plan, POLICY, "crm-sync-policy").inputs["clientWhitelists"]
    assert isinstance(client, Unknown) and not client.fresh


def test_a_ref_to_a_resource_to_be_created_is_a_change(doc: dict[str, Any], plan_of: Any) -> None:
    old_id = ps.remove(doc, OAUTH_APP, "crm-sync")["id"]
    plan = plan_of(doc)
    assert _changing(plan) == [
        ("create", OAUTH_APP, "crm-sync"),
        ("update", POLICY, "crm-sync-policy"),
        # keyed by the app's id, which the provider cannot change in place
        ("replace", GROUP_ASSIGNMENTS, "crm-sync-groups"),
    ]
    (change,) = _step(plan, POLICY, "crm-sync-policy").diffs
    # a set to the provider: said whole, as every change of one is
    assert change.path == "clientWhitelists" and change.old == [old_id]
    (client,) = change.new
    assert isinstance(client, Unknown) and client.fresh
    assert "output<string>" in text_plan(plan)
    steps = json.loads(json_text(plan))["steps"]
    policy = next(s for s in steps if s["name"] == "crm-sync-policy")
    assert policy["diffs"] == [
        {
            "path": "clientWhitelists",
            "old": [old_id],
            "new": [
                {
                    "unknown": "output<string>",
                    "urn": f"{URN}appspecs:index:OidcApp$okta:app/oAuth:OAuth::crm-sync",
                    "output": "clientId",
                }
            ],
        }
    ]


def test_group_ids_come_from_the_stack_export(doc: dict[str, Any], plan_of: Any) -> None:
    exported = doc["deployment"]["resources"][0]["outputs"]["groupIds"]
    old = exported["sales-ops"]
    exported["sales-ops"] = "00gRECREATED"  # the group was recreated in Okta
    plan = plan_of(doc)
    assert _step(plan, RULE, "crm-sync-rule").diffs == (
        Change("groupWhitelists", [old], ["00gRECREATED"]),  # a set: said whole
    )
    assert _step(plan, GROUP_ASSIGNMENTS, "crm-sync-groups").diffs == (
        Change("groups[0].id", old, "00gRECREATED"),
    )


def test_without_group_ids_recorded_ids_may_be_the_same(doc: dict[str, Any], plan_of: Any) -> None:
    del doc["deployment"]["resources"][0]["outputs"]["groupIds"]
    plan = plan_of(doc)
    assert plan.change_summary == {"same": 36}


def test_a_group_not_exported_cannot_be_another_exported_group(
    doc: dict[str, Any], plan_of: Any
) -> None:
    # crm-sync's rule records the id of `marketing`, an exported group; the spec says sales-ops,
    # whose id the export no longer holds: unknown, yet surely not marketing's id
    exported = doc["deployment"]["resources"][0]["outputs"]["groupIds"]
    del exported["sales-ops"]
    rule = ps.find(doc, RULE, "crm-sync-rule")["inputs"]
    rule["groupWhitelists"] = [exported["marketing"]]
    (change,) = _step(plan_of(doc), RULE, "crm-sync-rule").diffs
    # a set to the provider: said whole, as every change of one is
    assert change.path == "groupWhitelists" and change.old == [exported["marketing"]]
    (unknown,) = change.new
    assert isinstance(unknown, Unknown) and not unknown.fresh


def _unknown_group(name: str, *, excludes: tuple[str, ...] = ()) -> Unknown:
    return Unknown(GroupId(name), excludes=frozenset(excludes))


SALES, MARKETING, OTHER = "00gSALES", "00gMARKETING", "00gOTHER"


@pytest.mark.parametrize(
    ("new", "old", "same"),
    [
        # the unknown may be the member the known ones leave over, wherever it stands
        ([_unknown_group("sales-ops"), MARKETING], [MARKETING, SALES], True),
        ([MARKETING, _unknown_group("sales-ops")], [SALES, MARKETING], True),
        # ... unless it is known not to be that one (an exported group's id)
        ([_unknown_group("sales-ops", excludes=(SALES,)), MARKETING], [MARKETING, SALES], False),
        # a known member that is not recorded is a change, whatever the unknowns
        ([_unknown_group("sales-ops"), OTHER], [MARKETING, SALES], False),
        # more recorded members than the unknowns can stand for
        ([_unknown_group("sales-ops"), MARKETING], [MARKETING, SALES, OTHER], False),
        # two unknowns, two members left over, one of them excluded for one unknown: the other
        # unknown takes it
        (
            [_unknown_group("a", excludes=(SALES,)), _unknown_group("b")],
            [SALES, OTHER],
            True,
        ),
        # both unknowns excluded from the same member: neither can be it
        (
            [_unknown_group("a", excludes=(SALES,)), _unknown_group("b", excludes=(SALES,))],
            [SALES, OTHER],
            False,
        ),
        # an unknown beside a member it may repeat (a set holds it once)
        ([MARKETING, _unknown_group("a")], [MARKETING], True),
        ([MARKETING, _unknown_group("a", excludes=(MARKETING,))], [MARKETING], False),
        ([_unknown_group("a")], [], False),
    ],
)
def test_a_set_mixing_known_and_unknown_members_compares_as_a_set(
    new: list[Any], old: list[Any], same: bool
) -> None:
    # The rule's group_whitelist is a TypeSet: compared by position, the first two were two
    # changes of members that may well be the same.
    sets = frozenset({"groupWhitelists"})
    diffs = diff_inputs({"groupWhitelists": new}, {"groupWhitelists": old}, sets=sets)
    assert diffs == ([] if same else [Change("groupWhitelists", old, new)])


@pytest.mark.parametrize(
    "resolver",
    [state_resolver({}, {}, {"marketing": MARKETING}), symbolic_resolver({})],
    ids=["against state", "against a base"],
)
def test_a_group_not_known_yet_is_never_everyone(resolver: Resolver) -> None:
    # a rule that named no group records EVERYONE; a group's id is never that word (the
    # provider's group_whitelist: "Group ID or EVERYONE"), so naming groups is a change
    sets = frozenset({"groupWhitelists"})
    for groups in ([GroupId("sales-ops")], [GroupId("sales-ops"), GroupId("ops")]):
        new = wire_inputs({"group_whitelists": groups}, resolver)
        diffs = diff_inputs(new, {"groupWhitelists": ["EVERYONE"]}, sets=sets)
        assert [c.path for c in diffs] == ["groupWhitelists"], groups


def test_one_placeholder_twice_is_not_what_either_excludes() -> None:
    sets = frozenset({"groupWhitelists"})
    twice = [_unknown_group("a", excludes=(SALES,)), _unknown_group("a", excludes=(OTHER,))]
    assert diff_inputs({"groupWhitelists": twice}, {"groupWhitelists": [OTHER]}, sets=sets)
    assert diff_inputs({"groupWhitelists": twice}, {"groupWhitelists": [SALES]}, sets=sets)
    assert not diff_inputs({"groupWhitelists": twice}, {"groupWhitelists": [MARKETING]}, sets=sets)


def test_a_set_held_as_a_secret_compares_as_a_set() -> None:
    sets = frozenset({"grantTypes"})
    old = {"grantTypes": Secret(["refresh_token", "authorization_code"], known=True)}
    assert (
        diff_inputs({"grantTypes": ["authorization_code", "refresh_token"]}, old, sets=sets) == []
    )
    (change,) = diff_inputs({"grantTypes": ["authorization_code"]}, old, sets=sets)
    assert change.path == "grantTypes" and change.old is old["grantTypes"]
    # ciphertext: nothing to compare with, counted as the same (as every secret input)
    cipher = {"grantTypes": Secret()}
    assert diff_inputs({"grantTypes": ["authorization_code"]}, cipher, sets=sets) == []


def test_secrets_compare_when_readable_and_never_print(doc: dict[str, Any], plan_of: Any) -> None:
    oauth = ps.find(doc, OAUTH_APP, "crm-sync")["inputs"]
    oauth["label"] = ps.secret("Hidden Old Label")  # ciphertext: cannot be compared
    oauth["consentMethod"] = ps.plaintext_secret("TRUSTED")  # plaintext and equal
    assert plan_of(doc).change_summary == {"same": 36}
    oauth["consentMethod"] = ps.plaintext_secret("Hidden Old Consent")
    plan = plan_of(doc)
    (change,) = _step(plan, OAUTH_APP, "crm-sync").diffs
    assert change.path == "consentMethod" and isinstance(change.old, Secret)
    assert change.new == "TRUSTED"
    outputs = [text_plan(plan), markdown_plan(plan), json_text(plan)]
    for out in outputs:
        assert "[secret]" in out
        assert "Hidden Old" not in out
    steps = json.loads(json_text(plan))["steps"]
    oauth_step = next(s for s in steps if s["name"] == "crm-sync" and s["type"] == OAUTH_APP)
    assert oauth_step["diffs"] == [{"path": "consentMethod", "old": "[secret]", "new": "TRUSTED"}]


def test_provider_bookkeeping_and_defaults_are_not_changes(
    doc: dict[str, Any], plan_of: Any
) -> None:
    oauth = ps.find(doc, OAUTH_APP, "crm-sync")["inputs"]
    oauth["__defaults"] = ["autoKeyRotation"]
    oauth["autoKeyRotation"] = True
    oauth["tosUri"] = ""  # empty: the same as unset
    oauth["pkceRequired"] = False
    assert plan_of(doc).change_summary == {"same": 36}
    oauth["tosUri"] = "https://x.example/tos"  # set by someone, not by the program: it goes
    assert _step(plan_of(doc), OAUTH_APP, "crm-sync").diffs == (
        Change("tosUri", "https://x.example/tos", ABSENT),
    )


def test_numbers_compare_as_numbers_but_not_as_booleans(doc: dict[str, Any], plan_of: Any) -> None:
    ps.find(doc, RULE, "crm-sync-rule")["inputs"]["priority"] = 1.0  # as mocks and JSON give it
    assert plan_of(doc).change_summary == {"same": 36}
    ps.find(doc, OAUTH_APP, "crm-sync")["inputs"]["pkceRequired"] = 0
    assert _step(plan_of(doc), OAUTH_APP, "crm-sync").diffs == (Change("pkceRequired", 0, False),)


def test_an_input_the_program_stopped_setting_is_removed(doc: dict[str, Any], plan_of: Any) -> None:
    # enrichment-worker sets no redirect URIs; state recorded one from an earlier spec
    ps.find(doc, OAUTH_APP, "enrichment-worker")["inputs"]["redirectUris"] = [
        "https://x.example/cb"
    ]
    plan = plan_of(doc)
    assert _step(plan, OAUTH_APP, "enrichment-worker").diffs == (
        Change("redirectUris", ["https://x.example/cb"], ABSENT),
    )
    assert '- redirectUris: ["https://x.example/cb"]' in text_plan(plan)


def test_a_scope_of_the_catalog_changes_on_the_server(doc: dict[str, Any], plan_of: Any) -> None:
    ps.find(doc, SCOPE, "scope-data-news")["inputs"]["displayName"] = "Old News"
    ps.find(doc, SERVER, "api")["inputs"]["audiences"] = ["api://old"]
    plan = plan_of(doc)
    assert _step(plan, SCOPE, "scope-data-news").diffs == (
        Change("displayName", "Old News", "News"),
    )
    assert _step(plan, SERVER, "api").diffs == (
        Change("audiences", ["api://old"], ["api://appspecs-dev"]),
    )
    assert {s.app for s in plan.steps if s.op == "update"} == {None}


def test_a_leftover_of_a_replacement_is_deleted(doc: dict[str, Any], plan_of: Any) -> None:
    leftover = copy.deepcopy(ps.find(doc, OAUTH_APP, "crm-sync"))
    leftover["delete"] = True
    leftover["id"] = "0oaOLD"
    doc["deployment"]["resources"].append(leftover)
    plan = plan_of(doc)
    assert _changing(plan) == [("delete", OAUTH_APP, "crm-sync")]
    assert _step(plan, OAUTH_APP, "crm-sync").op == "same"


def test_state_of_another_stack_is_refused(specs: SpecSet, dev: StackConfig, recorded: Any) -> None:
    text = json.dumps(recorded).replace("urn:pulumi:dev::", "urn:pulumi:prod::")
    with pytest.raises(
        PlanInputError, match=r"holds resources of prod/appspecs .*not dev/appspecs"
    ):
        plan_against_state(specs, dev, parse_state(json.loads(text), "prod.json"))


def test_state_worked_out_for_another_stack_is_checked_again(
    specs: SpecSet, dev: StackConfig, recorded: Any
) -> None:
    # a StateSide checked for prod (whose resources it holds) is no state of dev's
    text = json.dumps(recorded).replace("urn:pulumi:dev::", "urn:pulumi:prod::")
    side = state_side(parse_state(json.loads(text), "prod.json"), "prod")
    with pytest.raises(
        PlanInputError, match=r"holds resources of prod/appspecs .*not dev/appspecs"
    ):
        plan_against_state(specs, dev, side)


def test_a_json_input_is_compared_as_json(doc: dict[str, Any], plan_of: Any) -> None:
    # Before, the marker showed as escaped JSON text: ~ profile: "{\"appspecs\":{\"digest\"...
    oauth = ps.find(doc, OAUTH_APP, "crm-sync")["inputs"]
    marker = json.loads(oauth["profile"])
    new_digest = marker["appspecs"]["digest"]
    marker["appspecs"]["digest"] = "sha256:" + "0" * 64
    oauth["profile"] = json.dumps(marker)
    # re-encoded, the same document: the provider normalises and compares JSON, no change
    studio = ps.find(doc, OAUTH_APP, "audience-studio")["inputs"]
    studio["profile"] = json.dumps(json.loads(studio["profile"]), indent=2)
    groups = ps.find(doc, GROUP_ASSIGNMENTS, "audience-studio-groups")["inputs"]["groups"]
    groups[0]["profile"] = '{"note": "by hand"}'
    plan = plan_of(doc)
    assert _changing(plan) == [
        ("update", GROUP_ASSIGNMENTS, "audience-studio-groups"),
        ("update", OAUTH_APP, "crm-sync"),
    ]
    assert _step(plan, OAUTH_APP, "crm-sync").diffs == (
        Change("profile.appspecs.digest", "sha256:" + "0" * 64, new_digest),
    )
    assert _step(plan, GROUP_ASSIGNMENTS, "audience-studio-groups").diffs == (
        Change("groups[0].profile.note", "by hand", ABSENT),
    )
    text = text_plan(plan)
    assert '\\"' not in text
    assert f'~ profile.appspecs.digest: "sha256:{"0" * 64}" -> "{new_digest}"' in text
    # The app summary says what the update is: the marker, nothing else.
    (crm,) = [a for a in plan.apps if a.name == "crm-sync"]
    assert crm.marker_only
    short = f"digest {'0' * 12} -> {new_digest.removeprefix('sha256:')[:12]}"
    assert f"      only the profile marker changes: {short} (" in text
    assert "only the profile marker changes (digest " in markdown_plan(plan)
    crm_json = next(a for a in json.loads(json_text(plan))["apps"] if a["name"] == "crm-sync")
    assert crm_json["markerOnly"] is True
    assert crm_json["digest"] == {"old": "sha256:" + "0" * 64, "new": new_digest}


def _as_imported(resource: dict[str, Any], live: dict[str, Any], defaults: dict[str, Any]) -> None:
    """The record `pulumi import` leaves: outputs are the live object read by the provider, and
    inputs are those outputs less every optional input at its default or zero value
    (pulumi-terraform-bridge ExtractInputsFromOutputs), with an empty `__defaults`."""
    outputs = {**resource["outputs"], **live}
    resource["outputs"] = outputs
    inputs = {*resource["inputs"], *live}  # outputs that are inputs (not id, name, ...)
    resource["inputs"] = {
        k: v
        for k, v in outputs.items()
        if k in inputs
        if k not in defaults or v != defaults[k]
        if v not in (None, "", [], False, 0) or k in ("label", "type")
    }
    resource["inputs"]["__defaults"] = []


def test_after_an_import_the_plan_says_exactly_what_the_first_update_resets(
    doc: dict[str, Any], plan_of: Any
) -> None:
    oauth = ps.find(doc, OAUTH_APP, "crm-sync")
    app_defaults = {
        "hideIos": True,
        "hideWeb": True,
        "issuerMode": "ORG_URL",
        "loginMode": "DISABLED",
        "autoKeyRotation": True,
        "refreshTokenRotation": "STATIC",
        "wildcardRedirect": "DISABLED",
        "userNameTemplate": "${source.login}",
        "userNameTemplateType": "BUILT_IN",
    }
    live_app = {
        **app_defaults,
        "clientId": oauth["id"],  # Optional+Computed: kept by the provider when unset
        "authenticationPolicy": "rst-default-policy",
        "issuerMode": "CUSTOM_URL",  # the org's choice: the update would reset it
        "hideWeb": False,
    }
    _as_imported(oauth, live_app, app_defaults)
    rule = ps.find(doc, RULE, "crm-sync-rule")
    rule_defaults = {"accessTokenLifetimeMinutes": 60, "refreshTokenWindowMinutes": 10080}
    _as_imported(rule, {**rule_defaults, "accessTokenLifetimeMinutes": 15}, rule_defaults)
    assert "clientId" in oauth["inputs"] and "hideIos" not in oauth["inputs"]
    plan = plan_of(doc)
    assert _step(plan, OAUTH_APP, "crm-sync").diffs == (
        Change("hideWeb", False, True),
        Change("issuerMode", "CUSTOM_URL", "ORG_URL"),
    )
    assert _step(plan, RULE, "crm-sync-rule").diffs == (
        Change("accessTokenLifetimeMinutes", 15, 60),
    )
    assert plan.change_summary == {"update": 2, "same": 34}


def _read_back(specs: SpecSet, dev: StackConfig, document: dict[str, Any]) -> Plan:
    """The plan of a state whose outputs hold what the provider read from Okta since, its
    inputs as the last update sent them (not settled: the outputs are the point)."""
    return plan_against_state(specs, dev, parse_state(document, "state.json"))


def _changed(plan: Plan) -> dict[str, tuple[Change, ...]]:
    return {s.name: s.diffs for s in plan.steps if s.op != "same"}


def test_a_list_okta_holds_otherwise_is_what_the_update_changes(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # The sampled defect: a scope and a redirect URI added in the console, which a refresh
    # records in the outputs alone (the bridge keeps an input list as long as it was), planned
    # as no change; the engine diffs against the outputs, so pulumi up removes them.
    rule = ps.find(doc, RULE, "crm-sync-rule")["outputs"]
    rule["scopeWhitelists"] = [*rule["scopeWhitelists"], "api:admin:everything"]
    app = ps.find(doc, OAUTH_APP, "crm-sync")["outputs"]
    app["redirectUris"] = [*app["redirectUris"], "https://attacker.example/cb"]
    plan = _read_back(specs, dev, doc)
    changed = _changed(plan)
    assert set(changed) == {"crm-sync-rule", "crm-sync"}
    assert [(c.path, c.old) for c in changed["crm-sync-rule"]] == [
        ("scopeWhitelists", rule["scopeWhitelists"])
    ]
    assert [(c.path, c.old) for c in changed["crm-sync"]] == [("redirectUris", app["redirectUris"])]
    crm = next(a for a in plan.apps if a.name == "crm-sync")
    assert crm.change == "changed"
    assert crm.scopes.removed == ("api:admin:everything",)
    assert crm.redirect_uris.removed == ("https://attacker.example/cb",)
    assert "scopes revoked: api:admin:everything" in text_plan(plan)


def test_a_set_okta_lists_in_another_order_is_no_change(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    rule = ps.find(doc, RULE, "crm-sync-rule")["outputs"]
    rule["scopeWhitelists"] = list(reversed(rule["scopeWhitelists"]))
    plan = _read_back(specs, dev, doc)
    assert _changed(plan) == {} and not plan.has_changes


def test_a_json_input_okta_holds_otherwise_is_compared_as_json(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # the provider keeps the profile normalised (NormalizeDataJSON): written otherwise, the
    # same document is no change; a marker edited in Okta is one
    app = ps.find(doc, OAUTH_APP, "crm-sync")["outputs"]
    profile = json.loads(app["profile"])
    app["profile"] = json.dumps(profile, indent=2)
    assert not _read_back(specs, dev, doc).has_changes
    profile["appspecs"]["digest"] = "edited-in-okta"
    app["profile"] = json.dumps(profile)
    changed = _changed(_read_back(specs, dev, doc))
    assert [(c.path, c.old) for c in changed["crm-sync"]] == [
        ("profile.appspecs.digest", "edited-in-okta")
    ]


def _group_ids(doc: dict[str, Any]) -> dict[str, str]:
    ids: dict[str, str] = doc["deployment"]["resources"][0]["outputs"]["groupIds"]
    return ids


def test_groups_assigned_in_okta_alone_are_what_the_update_removes(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # The rest of the class of the lists above: the provider's read lists every group assigned
    # to the app, those of the inputs first, then those assigned in the console (syncGroups);
    # the engine diffs against that, so pulumi up unassigns them. A group the stack names is
    # said by name, another by its id.
    blocks = ps.find(doc, GROUP_ASSIGNMENTS, "crm-sync-groups")["outputs"]
    sent = list(blocks["groups"])
    console = [
        {"id": _group_ids(doc)["marketing"], "priority": 7, "profile": "{}"},
        {"id": "00gCONSOLE", "profile": "{}"},
    ]
    blocks["groups"] = [*sent, *console]
    plan = _read_back(specs, dev, doc)
    assert _changed(plan) == {"crm-sync-groups": (Change("groups", [*sent, *console], sent),)}
    crm = next(a for a in plan.apps if a.name == "crm-sync")
    assert (crm.change, crm.groups.added, crm.groups.removed) == (
        "changed",
        (),
        ("marketing", "id 00gCONSOLE"),
    )
    assert "groups removed: marketing, id 00gCONSOLE" in text_plan(plan)


def test_groups_unassigned_in_okta_are_what_the_update_assigns_again(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    blocks = ps.find(doc, GROUP_ASSIGNMENTS, "audience-studio-groups")["outputs"]
    _marketing, second = blocks["groups"]
    blocks["groups"] = [second]
    plan = _read_back(specs, dev, doc)
    assert [c.path for c in _changed(plan)["audience-studio-groups"]] == ["groups"]
    studio = next(a for a in plan.apps if a.name == "audience-studio")
    assert (studio.groups.added, studio.groups.removed) == (("marketing",), ())
    # none assigned: the read records null, and every group is assigned again
    blocks["groups"] = None
    studio = next(a for a in _read_back(specs, dev, doc).apps if a.name == "audience-studio")
    assert studio.groups.added == ("marketing", "marketing-ops")


def test_only_which_groups_okta_assigns_is_taken_from_its_record(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # a block both sides assign is compared as the recorded inputs hold it, which a refresh
    # writes Okta's priority into (extractInputs; a profile, a JSON document, it keeps); a
    # priority the outputs alone hold otherwise is not modelled (design.md)
    blocks = ps.find(doc, GROUP_ASSIGNMENTS, "audience-studio-groups")["outputs"]
    blocks["groups"] = [
        {**b, "priority": 40 + i, "profile": "{ }"} for i, b in enumerate(blocks["groups"])
    ]
    assert not _read_back(specs, dev, doc).has_changes


# a key added in the Okta console
CONSOLE_KEY = {"kid": "console-key", "kty": "RSA", "e": "AQAB", "n": "AQAB"}


def _worker_keys(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """enrichment-worker's recorded outputs, and the one key the program sends for it."""
    app: dict[str, Any] = ps.find(doc, OAUTH_APP, "enrichment-worker")["outputs"]
    (sent,) = app["jwks"]
    return app, sent


def test_a_key_added_in_okta_is_what_the_update_removes(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # the same class: the provider's read lists every key Okta holds for the app
    # (setOAuthClientSettingsV6), so a key added in the console, which lets whoever holds its
    # private half sign in as the client, is removed by pulumi up; and one Okta lost is added
    app, sent = _worker_keys(doc)
    console = CONSOLE_KEY
    app["jwks"] = [sent, console]
    plan = _read_back(specs, dev, doc)
    assert _changed(plan) == {"enrichment-worker": (Change("jwks", [sent, console], [sent]),)}
    worker = next(a for a in plan.apps if a.name == "enrichment-worker")
    assert (worker.change, worker.keys.added, worker.keys.removed) == (
        "changed",
        (),
        ("console-key",),
    )
    assert "key removed: console-key" in text_plan(plan)
    app["jwks"] = [console]
    worker = next(a for a in _read_back(specs, dev, doc).apps if a.name == "enrichment-worker")
    assert (worker.keys.added, worker.keys.removed) == (("svc-2026-11",), ("console-key",))
    # the same keys, their material written otherwise by Okta: taken from the inputs
    app["jwks"] = [{**sent, "n": sent["n"] + "=="}]
    assert not _read_back(specs, dev, doc).has_changes


def _keys_said(plan: Plan, app: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    summary = next(a for a in plan.apps if a.name == app)
    return summary.keys.added, summary.keys.removed


def test_keys_added_in_okta_to_an_app_that_sends_none_are_what_the_update_removes(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # crm-sync signs in with its client secret: the program sends no `jwks` (optional, not
    # computed), and the read records every key Okta holds all the same
    app = ps.find(doc, OAUTH_APP, "crm-sync")
    assert "jwks" not in app["inputs"]
    console = CONSOLE_KEY
    app["outputs"]["jwks"] = [console]
    plan = _read_back(specs, dev, doc)
    assert _changed(plan) == {"crm-sync": (Change("jwks", [console], ABSENT),)}
    assert _keys_said(plan, "crm-sync") == ((), ("console-key",))
    app["inputs"]["jwks"] = None  # recorded as null (pulumi import): none sent either
    assert _keys_said(_read_back(specs, dev, doc), "crm-sync") == ((), ("console-key",))
    app["outputs"]["jwks"] = []  # none held: nothing to remove
    assert not _read_back(specs, dev, doc).has_changes


def test_a_key_okta_holds_without_a_kid_is_one_more(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # the read writes each key's kid as Okta gives it, which may be none: the key is still one
    # the update removes, and does not hide the others
    app, sent = _worker_keys(doc)
    nameless = {"kid": "", "kty": "RSA", "e": "AQAB", "n": "AQAB"}  # as the provider records it
    console = CONSOLE_KEY
    app["jwks"] = [sent, nameless, console]
    plan = _read_back(specs, dev, doc)
    assert _changed(plan) == {
        "enrichment-worker": (Change("jwks", [sent, nameless, console], [sent]),)
    }
    assert _keys_said(plan, "enrichment-worker") == ((), ("(no kid)", "console-key"))
    assert "key removed: (no kid)\n      key removed: console-key\n" in text_plan(plan)


def test_a_key_okta_holds_as_a_secret_is_said_without_its_value(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # a block taken from the outputs may hold secrets the inputs do not: read as the inputs'
    # are (plaintext compared, ciphertext not known), never printed, never a crash
    app, sent = _worker_keys(doc)
    app["jwks"] = [sent, {"kid": "console-key", "kty": "RSA", "e": "AQAB", "n": ps.secret("N")}]
    plan = _read_back(specs, dev, doc)
    assert [c.path for c in _changed(plan)["enrichment-worker"]] == ["jwks"]
    # plaintext: compared, and said as every field a secret feeds is, masked
    app["jwks"][1]["n"] = ps.plaintext_secret("SECRET-MODULUS")
    plan = _read_back(specs, dev, doc)
    assert _keys_said(plan, "enrichment-worker") == ((), ("[secret]",))
    for text in (text_plan(plan), markdown_plan(plan), json_text(plan)):
        assert "SECRET-MODULUS" not in text


def test_keys_in_another_order_are_said_reordered(doc: dict[str, Any]) -> None:
    # jwks is a list to the provider (TypeList), as redirect URIs are: the update writes the
    # program's order back
    view = views_from_state(parse_state(doc, "state.json"))["enrichment-worker"]
    one, two = ("a", '{"kid": "a"}'), ("b", '{"kid": "b"}')
    before, after = (dataclasses.replace(view, keys=k) for k in ((one, two), (two, one)))
    assert reordered(before, after) == ("jwks",)
    assert reordered_fact(("jwks",)) == [
        "order changed: keys (the same values in another order, which Okta keeps)"
    ]


def _with_recorded_logo(doc: dict[str, Any], picture: bytes) -> None:
    """The OAuth app of crm-sync as the provider records it: its logo output is the hash of the
    file (LocalFileStateFunc), its input the path."""
    app = ps.find(doc, OAUTH_APP, "crm-sync")
    assert app["inputs"]["logo"].endswith("crm-sync.png")
    app["outputs"]["logo"] = hashlib.sha256(picture).hexdigest()


def test_a_new_picture_at_the_recorded_logo_path_is_an_update_against_state(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # Before, against state the logo was compared by its path alone: a new picture under the
    # same path, which the provider uploads, was said as the profile marker's change only.
    _with_recorded_logo(doc, b"the picture uploaded before")
    plan = _read_back(specs, dev, doc)
    (step,) = [s for s in plan.steps if s.op != "same"]
    paths = {c.path: c for c in step.diffs}
    assert (step.name, set(paths)) == ("crm-sync", {"logo (file content)"})
    picture = (ROOT / "app-specs" / "logos" / "crm-sync.png").read_bytes()
    assert paths["logo (file content)"].new == f"sha256:{hashlib.sha256(picture).hexdigest()}"
    crm = next(a for a in plan.apps if a.name == "crm-sync")
    assert (crm.change, crm.logo_changed) == ("changed", True)
    assert "logo: a new picture" in text_plan(plan)


def test_the_same_picture_at_another_path_is_no_change_of_the_logo(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    picture = (ROOT / "app-specs" / "logos" / "crm-sync.png").read_bytes()
    _with_recorded_logo(doc, picture)
    assert not _read_back(specs, dev, doc).has_changes
    # recorded under another path: the provider compares the hashes, which are the same
    ps.find(doc, OAUTH_APP, "crm-sync")["inputs"]["logo"] = "app-specs/logos/old-name.png"
    plan = _read_back(specs, dev, doc)
    assert [s for s in plan.steps if s.op != "same"] == []
    crm = next(a for a in plan.apps if a.name == "crm-sync")
    assert not crm.logo_changed


def test_a_profile_or_a_list_okta_holds_none_of_is_a_change(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # the provider reads a profile Okta does not have as "" (which its JSON diff cannot
    # suppress) and an empty list as null: either is a change the update makes
    app = ps.find(doc, OAUTH_APP, "crm-sync")["outputs"]
    app["profile"], app["redirectUris"] = "", None
    changed = _changed(_read_back(specs, dev, doc))
    assert {c.path: c.old for c in changed["crm-sync"]} == {"profile": "", "redirectUris": None}


def test_a_profile_okta_holds_otherwise_changes_the_app_in_every_format(
    specs: SpecSet, dev: StackConfig, doc: dict[str, Any]
) -> None:
    # a key more in the profile Okta holds: the update sets the profile back, so the app is
    # changed, though no field the summary names is; and a marker Okta lost is drift, not an
    # app adopted by `pulumi import` (the inputs the program sent hold it)
    app = ps.find(doc, OAUTH_APP, "audience-studio")["outputs"]
    app["profile"] = json.dumps({**json.loads(app["profile"]), "note": "x"})
    plan = _read_back(specs, dev, doc)
    assert [c.path for c in _changed(plan)["audience-studio"]] == ["profile.note"]
    studio = next(a for a in plan.apps if a.name == "audience-studio")
    assert (studio.change, studio.resources_only) == ("changed", True)
    said = "its resources change in inputs this summary does not name (see Resources)"
    assert f"      {said}" in text_plan(plan).splitlines()
    assert said in markdown_plan(plan)
    data = json.loads(json_text(plan))
    (entry,) = [a for a in data["apps"] if a["name"] == "audience-studio"]
    assert (entry["status"], entry["resourcesOnly"]) == ("changed", True)
    app["profile"] = "{}"
    studio = next(a for a in _read_back(specs, dev, doc).apps if a.name == "audience-studio")
    assert studio.change == "changed" and studio.status != "adopted"


def _as_read(doc: dict[str, Any]) -> dict[str, Any]:
    """The settled document with the outputs the provider's read records beside the inputs: each
    input the program leaves unset at what the provider's diff takes for it (RESET_WHEN_UNSET),
    as Okta gives it back for an app nobody touched."""
    ps.settle(doc)
    for r in doc["deployment"]["resources"]:
        for key, reset in RESET_WHEN_UNSET.get(r["type"], {}).items():
            r["outputs"].setdefault(key, copy.deepcopy(reset))
    return doc


def test_outputs_at_what_the_provider_takes_for_unset_inputs_are_no_change(
    doc: dict[str, Any], specs: SpecSet, dev: StackConfig
) -> None:
    doc = _as_read(doc)
    rule = ps.find(doc, RULE, "crm-sync-rule")["outputs"]
    # null where Okta gives nothing: a zero, an empty list, no block
    rule.update(inlineHookId=None, userWhitelists=None)
    ps.find(doc, OAUTH_APP, "crm-sync")["outputs"].update(network=None, adminNote=None)
    # a secret whose value is not known here is taken as unchanged, as the steps take one
    ps.find(doc, OAUTH_APP, "enrichment-worker")["outputs"]["clientBasicSecret"] = ps.secret("x")
    # inputs whose unset value the provider's diff suppresses: kept as Okta holds them
    app = ps.find(doc, OAUTH_APP, "audience-studio")
    for side in ("inputs", "outputs"):
        app[side].update(userNameTemplatePushStatus="PUSH", appSettingsJson='{"a":"b"}')
    app["outputs"]["appLinksJson"] = '{"audience_studio_link": true}'
    plan = _read_back(specs, dev, doc)
    assert _changing(plan) == [] and not plan.has_changes


SENT = object()  # the change is back to what the program sends


@pytest.mark.parametrize(
    ("type_", "name", "key", "value", "change"),
    [
        # unset by the program: who may get tokens, a user let in, a group kept out (sets)
        (RULE, "crm-sync-rule", "userWhitelists", ["00uSOMEONE"], ABSENT),
        (RULE, "crm-sync-rule", "groupBlacklists", ["00gEXCLUDED"], ABSENT),
        (RULE, "crm-sync-rule", "refreshTokenLifetimeMinutes", 129600, ABSENT),
        (RULE, "crm-sync-rule", "type", "OTHER", "RESOURCE_ACCESS"),
        (OAUTH_APP, "enrichment-worker", "redirectUris", ["https://x.example/cb"], ABSENT),
        (OAUTH_APP, "crm-sync", "loginUri", "https://crm.acme.example/login", ABSENT),
        (OAUTH_APP, "crm-sync", "adminNote", "set in the console", ABSENT),
        (OAUTH_APP, "crm-sync", "implicitAssignment", True, ABSENT),
        (OAUTH_APP, "crm-sync", "network", {"connection": "ZONE", "include": ["nzo1"]}, ABSENT),
        (SCOPE, "scope-data-company", "optional", True, ABSENT),
        # sent, and recorded otherwise by an update's own read; Okta leaving a value out is
        # recorded as "" (setOAuthClientSettingsV6)
        (OAUTH_APP, "crm-sync", "label", "Renamed in console", SENT),
        (OAUTH_APP, "crm-sync", "issuerMode", "", SENT),
        (OAUTH_APP, "crm-sync", "wildcardRedirect", "", SENT),
        (RULE, "crm-sync-rule", "accessTokenLifetimeMinutes", 5, SENT),
    ],
)
def test_a_value_only_the_outputs_hold_is_one_the_update_changes(
    doc: dict[str, Any],
    specs: SpecSet,
    dev: StackConfig,
    type_: str,
    name: str,
    key: str,
    value: Any,
    change: Any,
) -> None:
    # The sampled defects: set in the console and read back by a refresh (into the outputs
    # alone, for an input the program leaves unset), or recorded otherwise than it was sent,
    # such a value planned as "no change", though the bridge diffs against the outputs and the
    # provider's update sends the program's value, or the unset one.
    doc = _as_read(doc)
    resource = ps.find(doc, type_, name)
    assert (key in resource["inputs"]) is (change is SENT)
    sent = resource["inputs"].get(key)
    resource["outputs"][key] = value
    plan = _read_back(specs, dev, doc)
    assert _changing(plan) == [("update", type_, name)]
    assert _step(plan, type_, name).diffs == (
        Change(key, value, sent if change is SENT else change),
    )
    for out in (text_plan(plan), markdown_plan(plan)):
        assert key in out, out
    steps = json.loads(json_text(plan))["steps"]
    (said,) = [s for s in steps if s["op"] == "update"]
    assert [d["path"] for d in said["diffs"]] == [key]


def test_outputs_that_are_no_value_sent_are_not_compared_as_one(
    doc: dict[str, Any], specs: SpecSet, dev: StackConfig
) -> None:
    doc = _as_read(doc)
    app = ps.find(doc, OAUTH_APP, "crm-sync")
    assert app["inputs"]["logo"]
    # the provider's StateFunc of the path: the file's hash, the picture the spec deploys
    app["outputs"]["logo"] = specs.apps["crm-sync"].logo_sha256
    app["outputs"]["label"] = None  # nothing known against the input
    rule = ps.find(doc, RULE, "crm-sync-rule")["outputs"]
    rule["accessTokenLifetimeMinutes"] = float(rule["accessTokenLifetimeMinutes"])  # 60.0
    profile = json.loads(app["inputs"]["profile"])
    app["outputs"]["profile"] = json.dumps(profile, indent=2)  # the same document, normalised
    plan = _read_back(specs, dev, doc)
    assert _changing(plan) == [] and not plan.has_changes
    # compared with as sent: neither the hash nor the other text is taken for a value sent
    (rec,) = [r for r in parse_state(doc, "s").resources if r.urn == app["urn"]]
    for key in ("logo", "profile", "label"):
        assert rec.compared[key] == app["inputs"][key], key


def test_an_input_the_bridge_defaulted_is_compared_as_its_default_with_the_outputs(
    doc: dict[str, Any], specs: SpecSet, dev: StackConfig
) -> None:
    # Check writes an unsent input's default among the inputs and names it in `__defaults`;
    # the engine's inputs hold that default again, and it diffs them against the outputs
    doc = _as_read(doc)
    rule = ps.find(doc, RULE, "crm-sync-rule")
    rule["inputs"].update(type="RESOURCE_ACCESS", __defaults=["type"])
    assert not _read_back(specs, dev, doc).has_changes
    rule["outputs"]["type"] = "OTHER"
    plan = _read_back(specs, dev, doc)
    assert _step(plan, RULE, "crm-sync-rule").diffs == (Change("type", "OTHER", "RESOURCE_ACCESS"),)


def test_values_only_the_outputs_hold_are_said_in_the_order_of_their_names(
    doc: dict[str, Any], specs: SpecSet, dev: StackConfig
) -> None:
    # found among a set of names, whose order changes from one process to the next
    doc = _as_read(doc)
    outputs = ps.find(doc, OAUTH_APP, "crm-sync")["outputs"]
    outputs.update(loginUri="https://l.example", adminNote="a", enduserNote="e", logoUri="u")
    step = _step(_read_back(specs, dev, doc), OAUTH_APP, "crm-sync")
    assert [c.path for c in step.diffs] == ["adminNote", "enduserNote", "loginUri", "logoUri"]
