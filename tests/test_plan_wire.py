"""Python names to wire names, proven against pulumi_okta's own translation tables for every key
the resource graph uses; and the plan stays clear of pulumi imports, which are slow."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from appspecs.desired.render import render
from appspecs.desired.resources import (
    GROUP_ASSIGNMENTS,
    OAUTH_APP,
    POLICY,
    RULE,
    SCOPE,
    SERVER,
    GroupId,
    Ref,
    ResourceSpec,
    placeholders,
    resource_graph,
)
from appspecs.plan.wire import wire_inputs, wire_name
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config, stack_config_from_values

ROOT = Path(__file__).resolve().parent.parent


def _graphs() -> Iterator[ResourceSpec]:
    """Every resource of both stacks, and of a stack using an existing server by id."""
    specs = load_specs(ROOT / "app-specs", stacks_dir=ROOT / "stacks")
    for stack in ("dev", "prod"):
        yield from resource_graph(render(specs, load_stack_config(ROOT / "stacks", stack)))
    existing = stack_config_from_values("dev", {"appspecs:authServer": {"id": "aus123"}})
    yield from resource_graph(render(specs, existing))


@pytest.fixture(scope="module")
def okta() -> Any:
    return pytest.importorskip("pulumi_okta")


@pytest.fixture(scope="module")
def translate() -> Any:
    types = pytest.importorskip("pulumi._types")
    return types


def test_every_input_name_matches_pulumi_okta(okta: Any, translate: Any) -> None:
    args = {
        SERVER: okta.auth.ServerArgs,
        SCOPE: okta.auth.ServerScopeArgs,
        OAUTH_APP: okta.app.OAuthArgs,
        POLICY: okta.auth.ServerPolicyArgs,
        RULE: okta.auth.ServerPolicyRuleArgs,
        GROUP_ASSIGNMENTS: okta.AppGroupAssignmentsArgs,
    }
    checked: set[tuple[str, str]] = set()
    for r in _graphs():
        if not r.custom:
            assert r.inputs == {}
            continue
        table = translate.input_type_py_to_pulumi_names(args[r.type])
        for name in [*r.inputs, *r.ignore_changes]:
            assert name in table, f"{r.type} has no input {name}"
            assert wire_name(name) == table[name], (r.type, name)
            checked.add((r.type, name))
    group_table = translate.input_type_py_to_pulumi_names(okta.AppGroupAssignmentsGroupArgs)
    for r in _graphs():
        for group in r.inputs.get("groups", []):
            for name in group:
                assert wire_name(name) == group_table[name]
    assert {t for t, _ in checked} == set(args)
    assert ("okta:app/oAuth:OAuth", "post_logout_redirect_uris") in checked
    assert (POLICY, "client_whitelists") in checked


def test_every_output_a_ref_names_matches_pulumi_okta(okta: Any, translate: Any) -> None:
    classes = {
        SERVER: okta.auth.Server,
        OAUTH_APP: okta.app.OAuth,
        POLICY: okta.auth.ServerPolicy,
    }
    by_key = {}
    outputs: set[tuple[str, str]] = set()
    for r in _graphs():
        by_key[r.key] = r
        for ph in placeholders(r.inputs):
            if isinstance(ph, Ref):
                outputs.add((by_key[ph.key].type, ph.output))
    assert outputs == {(SERVER, "id"), (OAUTH_APP, "client_id"), (OAUTH_APP, "id"), (POLICY, "id")}
    for type_, output in outputs:
        if output == "id":
            continue  # every resource's id: not a property of its class
        table = translate.resource_py_to_pulumi_names(classes[type_])
        assert wire_name(output) == table[output]


@pytest.mark.parametrize(
    ("python", "wire"),
    [
        ("name", "name"),
        ("redirect_uris", "redirectUris"),
        ("grant_type_whitelists", "grantTypeWhitelists"),
        ("auth_server_id", "authServerId"),
        ("client_id", "clientId"),
    ],
)
def test_wire_name(python: str, wire: str) -> None:
    assert wire_name(python) == wire


def test_nested_keys_are_translated_and_values_kept() -> None:
    ref = Ref("app/x/oauth", "client_id")
    value: Mapping[str, Any] = {"client_whitelists": [ref], "groups": [{"id": "g", "some_key": 1}]}
    assert wire_inputs(value) == {"clientWhitelists": [ref], "groups": [{"id": "g", "someKey": 1}]}


def test_with_a_resolver_placeholders_are_resolved_in_the_same_walk() -> None:
    ref, group = Ref("app/x/oauth", "client_id"), GroupId("eng")
    asked: list[Ref | GroupId] = []

    def resolver(placeholder: Ref | GroupId) -> str:
        asked.append(placeholder)
        return f"<{placeholder}>"

    value: Mapping[str, Any] = {
        "client_whitelists": (ref,),
        "groups": [{"group_id": group, "some_key": [1, None]}],
        "name": "x",
    }
    assert wire_inputs(value, resolver) == {
        "clientWhitelists": [f"<{ref}>"],
        "groups": [{"groupId": f"<{group}>", "someKey": [1, None]}],
        "name": "x",
    }
    assert asked == [ref, group]  # in the order of the inputs, each once
    # without one, the same walk keeps them: what the base plan and the tests' states use
    assert wire_inputs(value)["groups"] == [{"groupId": group, "someKey": [1, None]}]


def test_the_plan_does_not_import_pulumi() -> None:
    code = (
        "import sys, appspecs.cli.plan, appspecs.report.plan, appspecs.plan.build, appspecs.plan.base; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_okta', 'grpc')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
