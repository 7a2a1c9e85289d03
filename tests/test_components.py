"""The components register exactly the resource graph of `appspecs.desired.resources`.

Every check runs the real stack program under Pulumi's mocks (tests/pulumi_harness.py) for the
bundled specs, and compares what was registered with the graph the planner predicts from.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from appspecs.desired.render import PROGRAM_DIR, render
from appspecs.desired.resources import (
    APP_COMPONENT,
    AUTH_SERVER_COMPONENT,
    GET_GROUP,
    GROUP_ASSIGNMENTS,
    OAUTH_APP,
    POLICY,
    RULE,
    SCOPE,
    SERVER,
    GroupId,
    Ref,
    ResourceSpec,
    resource_graph,
)
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config
from components.okta_resources import GraphError, GroupLookup, GroupNotFound, resolve
from tests.pulumi_harness import (
    ROOT,
    STACK_TYPE,
    ProgramFailed,
    ProgramRun,
    ResourceRef,
    mock_client_id,
    mock_group_id,
    mock_resource_id,
    run_stack_program,
)

STACKS = ("dev", "prod")
SERVER_ID = mock_resource_id(SERVER, "api")


@pytest.fixture(scope="module", params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def runs() -> dict[str, ProgramRun]:
    return {name: run_stack_program(name) for name in STACKS}


@pytest.fixture(scope="module")
def graphs() -> dict[str, list[ResourceSpec]]:
    specs = load_specs(ROOT / "app-specs", stacks_dir=ROOT / "stacks")
    return {
        name: resource_graph(render(specs, load_stack_config(ROOT / "stacks", name)))
        for name in STACKS
    }


def camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def mock_output(ref: Ref, by_key: dict[str, ResourceSpec]) -> str:
    """What the mocks answer for a Ref: an OAuth app's id is its client id, as in Okta."""
    target = by_key[ref.key]
    if target.type == OAUTH_APP and ref.output in ("id", "client_id"):
        return mock_client_id(target.name)
    assert ref.output == "id", ref
    return mock_resource_id(target.type, target.name)


def on_the_wire(value: Any, by_key: dict[str, ResourceSpec]) -> Any:
    """A graph input as the mocks receive it: placeholders answered, numbers as floats."""
    if isinstance(value, Ref):
        return mock_output(value, by_key)
    if isinstance(value, GroupId):
        return mock_group_id(value.name)
    if isinstance(value, dict):
        return {k: on_the_wire(v, by_key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [on_the_wire(v, by_key) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def test_registers_exactly_the_resources_of_the_graph(
    stack: str, runs: dict[str, ProgramRun], graphs: dict[str, list[ResourceSpec]]
) -> None:
    registered = {(r.type, r.name, r.custom) for r in runs[stack].registrations}
    expected = {(s.type, s.name, s.custom) for s in graphs[stack]}
    assert registered == expected
    assert len(runs[stack].registrations) == len(graphs[stack])


def test_parents_are_the_graph_parents(
    stack: str, runs: dict[str, ProgramRun], graphs: dict[str, list[ResourceSpec]]
) -> None:
    by_key = {s.key: s for s in graphs[stack]}
    root = ResourceRef(STACK_TYPE, f"appspecs-{stack}")
    for spec in graphs[stack]:
        parent = by_key[spec.parent] if spec.parent else None
        want = ResourceRef(parent.type, parent.name) if parent else root
        assert runs[stack].find(spec.type, spec.name).parent == want, spec.key


def test_every_okta_resource_belongs_to_a_component(
    stack: str, runs: dict[str, ProgramRun]
) -> None:
    run = runs[stack]
    for r in run.custom:
        assert r.parent is not None and r.parent.type in (AUTH_SERVER_COMPONENT, APP_COMPONENT)
    for r in run.registrations:
        if not r.custom:
            assert r.parent == ResourceRef(STACK_TYPE, f"appspecs-{stack}")
    app = run.find(APP_COMPONENT, "crm-sync")
    assert {(c.type, c.name) for c in run.children(app)} == {
        (OAUTH_APP, "crm-sync"),
        (POLICY, "crm-sync-policy"),
        (RULE, "crm-sync-rule"),
        (GROUP_ASSIGNMENTS, "crm-sync-groups"),
    }
    assert run.engine_urn(run.find(OAUTH_APP, "crm-sync")) == (
        f"urn:pulumi:{stack}::appspecs::appspecs:index:OidcApp$okta:app/oAuth:OAuth::crm-sync"
    )


def test_inputs_are_the_graph_inputs_in_wire_names(
    stack: str, runs: dict[str, ProgramRun], graphs: dict[str, list[ResourceSpec]]
) -> None:
    by_key = {s.key: s for s in graphs[stack]}
    for spec in graphs[stack]:
        want = {camel(k): on_the_wire(v, by_key) for k, v in spec.inputs.items()}
        assert runs[stack].find(spec.type, spec.name).inputs == want, spec.key


def test_ignore_changes_come_from_the_graph(
    stack: str, runs: dict[str, ProgramRun], graphs: dict[str, list[ResourceSpec]]
) -> None:
    for spec in graphs[stack]:
        assert runs[stack].find(spec.type, spec.name).ignore_changes == spec.ignore_changes
    assert runs[stack].find(POLICY, "crm-sync-policy").ignore_changes == ("priority",)


def test_oauth_apps_have_the_settings_of_their_kind(runs: dict[str, ProgramRun]) -> None:
    run = runs["dev"]
    web = run.find(OAUTH_APP, "crm-sync").inputs
    assert web["type"] == "web"
    assert web["label"] == "CRM Sync"
    assert web["grantTypes"] == ["authorization_code", "refresh_token"]
    assert web["responseTypes"] == ["code"]
    assert web["tokenEndpointAuthMethod"] == "client_secret_basic"
    assert web["pkceRequired"] is False
    assert web["consentMethod"] == "TRUSTED"
    assert web["omitSecret"] is True
    assert web["redirectUris"] == ["https://crm.acme.example/oauth/callback"]
    assert web["postLogoutRedirectUris"] == ["https://crm.acme.example/signed-out"]
    assert web["logo"] == "../app-specs/logos/crm-sync.png"
    # Relative to the program's folder (Pulumi.yaml `main: stacks/`), where Pulumi starts the
    # provider that opens it.
    assert (ROOT / "stacks" / web["logo"]).is_file()
    assert re.fullmatch(
        r'\{"appspecs":\{"digest":"sha256:[0-9a-f]{64}","name":"crm-sync"\}\}', web["profile"]
    )

    spa = run.find(OAUTH_APP, "audience-studio").inputs
    assert (spa["type"], spa["tokenEndpointAuthMethod"], spa["pkceRequired"]) == (
        "browser",
        "none",
        True,
    )
    assert spa["omitSecret"] is True

    service = run.find(OAUTH_APP, "enrichment-worker").inputs
    assert service["type"] == "service"
    assert service["grantTypes"] == ["client_credentials"]
    assert service["responseTypes"] == ["token"]
    assert "redirectUris" not in service  # an empty list reads back as absent
    assert service["omitSecret"] is True

    partner = run.find(OAUTH_APP, "acme-analytics").inputs
    assert partner["consentMethod"] == "REQUIRED"


def test_each_policy_names_only_its_own_client(stack: str, runs: dict[str, ProgramRun]) -> None:
    run = runs[stack]
    policies = run.of_type(POLICY)
    assert policies
    for policy in policies:
        app = policy.name.removesuffix("-policy")
        client_id = run.find(OAUTH_APP, app).outputs["clientId"]
        assert client_id == mock_client_id(app)
        assert policy.inputs["clientWhitelists"] == [client_id]
        assert policy.inputs["authServerId"] == SERVER_ID
        assert policy.inputs["name"] == app
        assert ResourceRef(OAUTH_APP, app) in policy.dependencies


def test_rules_grant_the_spec_scopes_to_its_groups(runs: dict[str, ProgramRun]) -> None:
    run = runs["dev"]
    rule = run.find(RULE, "crm-sync-rule").inputs
    assert rule["policyId"] == mock_resource_id(POLICY, "crm-sync-policy")
    assert rule["authServerId"] == SERVER_ID
    assert rule["grantTypeWhitelists"] == ["authorization_code"]
    # catalog scopes, then the OpenID Connect scopes of a sign-in (the kind's default), then
    # offline_access for the refresh_token grant
    assert rule["scopeWhitelists"] == [
        *("api:data:company", "api:data:contact"),
        *("openid", "profile", "email", "offline_access"),
    ]
    assert rule["groupWhitelists"] == [mock_group_id("sales-ops")]
    assert rule["priority"] == 1.0

    service = run.find(RULE, "enrichment-worker-rule").inputs
    assert service["grantTypeWhitelists"] == ["client_credentials"]
    assert service["scopeWhitelists"] == ["api:data:company", "api:data:intent", "api:data:news"]
    assert service["groupWhitelists"] == ["EVERYONE"]


def test_group_assignments_name_the_spec_groups(runs: dict[str, ProgramRun]) -> None:
    run = runs["dev"]
    assignments = run.find(GROUP_ASSIGNMENTS, "audience-studio-groups").inputs
    assert assignments == {
        "appId": mock_client_id("audience-studio"),
        "groups": [
            {"id": mock_group_id("marketing"), "priority": 0.0, "profile": "{}"},
            {"id": mock_group_id("marketing-ops"), "priority": 1.0, "profile": "{}"},
        ],
    }
    names = {r.name for r in run.of_type(GROUP_ASSIGNMENTS)}
    assert "enrichment-worker-groups" not in names  # a service app has no users to assign


def test_auth_server_and_one_scope_per_catalog_entry(
    stack: str, runs: dict[str, ProgramRun]
) -> None:
    run = runs[stack]
    server = run.find(SERVER, "api")
    suffix = "-dev" if stack == "dev" else ""
    assert server.inputs == {
        "name": f"appspecs-api{suffix}",
        "audiences": [f"api://appspecs{suffix}"],
        "description": "Scopes of the API, managed by appspecs.",
        "status": "ACTIVE",
        # stated at the provider's defaults: an adopted server is not reset unannounced
        "issuerMode": "ORG_URL",
        "credentialsRotationMode": "AUTO",
    }
    specs = load_specs(ROOT / "app-specs")
    assert specs.catalog is not None
    scopes = {r.inputs["name"]: r for r in run.of_type(SCOPE)}
    assert set(scopes) == {s.value for s in specs.catalog.scopes}
    company = scopes["api:data:company"]
    assert company.name == "scope-data-company"
    assert company.inputs["authServerId"] == SERVER_ID
    assert company.inputs["consent"] == "REQUIRED"
    assert company.inputs["metadataPublish"] == "ALL_CLIENTS"


def test_components_register_their_outputs(stack: str, runs: dict[str, ProgramRun]) -> None:
    run = runs[stack]
    assert run.find(AUTH_SERVER_COMPONENT, "api").registered_outputs == {"id": SERVER_ID}
    for app in run.of_type(APP_COMPONENT):
        assert app.registered_outputs == {"clientId": mock_client_id(app.name)}


def test_an_existing_auth_server_is_used_by_id() -> None:
    existing = "ausExisting000000001"
    run = run_stack_program("dev", config={"appspecs:authServer": {"id": existing}})
    assert run.of_type(SERVER) == []
    assert run.of_type(SCOPE)
    for r in run.of_type(SCOPE) + run.of_type(POLICY) + run.of_type(RULE):
        assert r.inputs["authServerId"] == existing, r.name
    assert run.find(AUTH_SERVER_COMPONENT, "api").registered_outputs == {"id": existing}


def _write_app(apps: Path, name: str, groups: list[str]) -> None:
    lines = "\n".join(f"  - {g}" for g in groups)
    (apps / f"{name}.yaml").write_text(
        f"name: {name}\nlabel: {name}\ntype: internal\nowner: team@acme.example\n"
        f"client:\n  kind: web\n  redirect_uris:\n    - https://{name}.acme.example/cb\n"
        f"scopes:\n  - api:data:company\ngroups:\n{lines}\n",
        encoding="utf-8",
    )


def test_each_group_is_looked_up_once_per_run(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    (specs / "apps").mkdir(parents=True)
    shutil.copy(ROOT / "app-specs" / "scope-catalog.yaml", specs)
    _write_app(specs / "apps", "alpha", ["shared", "alpha-only"])
    _write_app(specs / "apps", "beta", ["shared"])
    run = run_stack_program("dev", specs_dir=specs)
    looked_up = [i.args["name"] for i in run.invokes if i.token == GET_GROUP]
    assert sorted(looked_up) == ["alpha-only", "shared"]
    assert {i.token for i in run.invokes} == {GET_GROUP}
    assert run.find(RULE, "beta-rule").inputs["groupWhitelists"] == [mock_group_id("shared")]
    assert run.outputs["groupIds"] == {g: mock_group_id(g) for g in ("shared", "alpha-only")}


def test_a_ref_to_a_resource_not_yet_created_is_a_graph_error() -> None:
    with pytest.raises(GraphError, match="app/x/oauth"):
        resolve({"client_whitelists": [Ref("app/x/oauth", "client_id")]}, {}, GroupLookup())


def test_plain_values_pass_through_resolve_unchanged() -> None:
    value = {"a": [1, "two", {"three": True}], "b": ("x", "y")}
    assert resolve(value, {}, GroupLookup()) == {"a": [1, "two", {"three": True}], "b": ["x", "y"]}


def test_logo_paths_are_relative_to_the_program_folder_for_any_specs_folder(
    tmp_path: Path,
) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "app-specs", specs)
    run = run_stack_program("dev", specs_dir=specs)
    logo = run.find(OAUTH_APP, "crm-sync").inputs["logo"]
    # Named as `appspec plan` names it, so the plan predicts the same input.
    program = ROOT / "stacks"
    assert logo == Path(os.path.relpath(specs / "logos" / "crm-sync.png", program)).as_posix()
    assert (program / logo).resolve() == (specs / "logos" / "crm-sync.png").resolve()


def test_the_program_folder_is_pulumi_yamls_main() -> None:
    # The logo paths above are relative to it: Pulumi starts the providers in `main`.
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
    assert project["main"].rstrip("/") == PROGRAM_DIR


def test_a_web_app_may_require_pkce(tmp_path: Path) -> None:
    specs = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    path = specs / "apps" / "crm-sync.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nscopes:" in text
    path.write_text(text.replace("\nscopes:", "\n  pkce: true\nscopes:", 1), encoding="utf-8")
    run = run_stack_program("dev", config={"appspecs:specsDir": str(specs)})
    web = run.find(OAUTH_APP, "crm-sync").inputs
    assert (web["tokenEndpointAuthMethod"], web["pkceRequired"]) == ("client_secret_basic", True)


def test_policies_on_the_server_are_created_one_after_another() -> None:
    # Okta answers 500 to policies created at once on one server (no lock in
    # resource_okta_auth_server_policy.go; terraform-provider-okta #1198). Each registration of a
    # policy here takes as long as a create would, and still only one is ever in flight; the
    # apps, which nothing orders, do overlap.
    run = run_stack_program("dev", slow={POLICY: 0.05, OAUTH_APP: 0.05})
    assert run.most_in_flight[POLICY] == 1
    assert run.most_in_flight[OAUTH_APP] > 1
    # No dependency is recorded for the order: a chain of them is walked recursively by the
    # SDK's cycle check (a RecursionError past some 950 apps).
    for policy in run.of_type(POLICY):
        assert [d for d in policy.dependencies if d.type == POLICY] == []


def test_each_rule_waits_for_the_scopes_it_names(stack: str, runs: dict[str, ProgramRun]) -> None:
    run = runs[stack]
    scopes = {r.inputs["name"]: r.ref for r in run.of_type(SCOPE)}
    for rule in run.of_type(RULE):
        named = [s for s in rule.inputs["scopeWhitelists"] if s in scopes]
        assert named, rule.name
        missing = [s for s in named if scopes[s] not in rule.dependencies]
        assert missing == [], rule.name


def test_what_moves_to_another_server_or_policy_is_replaced(
    stack: str, runs: dict[str, ProgramRun], graphs: dict[str, list[ResourceSpec]]
) -> None:
    # The provider does not mark authServerId or policyId ForceNew: without replace_on_changes the
    # engine would update in place and PUT to the new server with the old id.
    run = runs[stack]
    for spec in graphs[stack]:
        if spec.custom:
            got = run.find(spec.type, spec.name).replace_on_changes
            assert sorted(got) == sorted(camel(p) for p in spec.replace_on_changes), spec.key
    for scope in run.of_type(SCOPE):
        assert scope.replace_on_changes == ("authServerId",)
    for policy in run.of_type(POLICY):
        assert policy.replace_on_changes == ("authServerId",)
    for rule in run.of_type(RULE):
        assert sorted(rule.replace_on_changes) == ["authServerId", "policyId"]


def test_a_group_found_only_by_its_prefix_stops_the_program() -> None:
    # data_source_okta_group.go falls back to a prefix match with only a warning: a spec naming
    # `sales-ops` must not assign (and grant) `sales-ops-emea`.
    with pytest.raises(ProgramFailed) as failed:
        run_stack_program("dev", group_names={"sales-ops": "sales-ops-emea"})
    assert isinstance(failed.value.error, GroupNotFound)
    message = str(failed.value.error)
    assert "no Okta group is named 'sales-ops' exactly" in message
    assert "'sales-ops-emea'" in message
