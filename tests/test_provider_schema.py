"""Every registration the program makes, checked against the Okta provider's own Pulumi schema.

The stack program runs under mocks (tests/pulumi_harness.py) for the bundled stacks, and for a
generated specs tree holding every kind and option (the `valid-every-kind` validate case plus a
web app requiring PKCE) on a created server and on an existing one. Each registration must use
only input names the schema knows, set every required input, give values of the declared types,
and ask for replacements consistently with the plan (`appspecs.plan.diff.replace_fields`: the
schema's `willReplaceOnChanges` plus the program's `replace_on_changes`).

The schema is `../shared/reference/pulumi-okta/schema-subset.json` (pulumi/pulumi-okta's
`schema.json`, the resources we use); the tests skip, saying so, when it is absent.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appspecs.desired.render import render
from appspecs.desired.resources import (
    GET_GROUP,
    IGNORED_WHEN_ZERO,
    KEPT_WHEN_UNSET,
    PROVIDER_REPLACES,
    READ_BLOCKS,
    RESET_WHEN_UNSET,
    SET_INPUTS,
    resource_graph,
)
from appspecs.plan.diff import replace_fields
from appspecs.spec.load import load_specs
from appspecs.stackconfig import AuthServerConfig, load_stack_config
from tests.pulumi_harness import ROOT, ProgramRun, Registration, run_stack_program
from tests.test_validate_cases import build_tree

SCHEMA_FILE = Path(
    os.environ.get(
        "APPSPECS_PULUMI_OKTA_SCHEMA",
        ROOT.parent / "shared" / "reference" / "pulumi-okta" / "schema-subset.json",
    )
)
EXISTING_SERVER = {"id": "aus-existing-server"}

PKCE_WEB_APP = """\
name: web-pkce
label: Web PKCE
type: internal
owner: team@acme.example
client:
  kind: web
  redirect_uris: [https://web-pkce.acme.example/cb]
  pkce: true
scopes: [api:data:company]
groups: [analysts]
"""


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    if not SCHEMA_FILE.is_file():
        pytest.skip(f"the provider schema is not at {SCHEMA_FILE} (../shared/reference/)")
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def every_option(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A specs tree with one app of every kind and every optional field (validate's case)."""
    tree = tmp_path_factory.mktemp("every-option") / "tree"
    build_tree("valid-every-kind", tree)
    (tree / "app-specs" / "apps" / "web-pkce.yaml").write_text(PKCE_WEB_APP, encoding="utf-8")
    specs = load_specs(tree / "app-specs", stacks_dir=ROOT / "stacks")
    assert specs.ok, [str(d) for d in specs.diagnostics if d.is_error]
    kinds = {loaded.spec.client.kind for loaded in specs.apps.values()}
    assert kinds == {"web", "spa", "native", "service"}
    return tree / "app-specs"


RUNS = [
    ("dev", None, None),
    ("prod", None, None),
    ("dev", "every-option", None),
    ("prod", "every-option", None),
    ("dev", "every-option", EXISTING_SERVER),
]


@pytest.fixture(scope="module")
def runs(every_option: Path) -> list[tuple[str, Path, ProgramRun]]:
    out = []
    for stack, specs, server in RUNS:
        specs_dir = every_option if specs else ROOT / "app-specs"
        config = {"appspecs:authServer": server} if server else None
        run = run_stack_program(stack, specs_dir=specs_dir, config=config)
        out.append((stack, specs_dir, run))
    return out


def custom(runs: list[tuple[str, Path, ProgramRun]]) -> Iterator[Registration]:
    for _, _, run in runs:
        yield from run.custom


def _type_errors(value: Any, prop: dict[str, Any], schema: dict[str, Any], at: str) -> list[str]:
    if "$ref" in prop:
        ref = prop["$ref"].removeprefix("#/types/")
        declared = schema["types"][ref]
        if not isinstance(value, dict):
            return [f"{at}: expected an object of {ref}, got {value!r}"]
        errors = [
            f"{at}.{k}: not a property of {ref}" for k in value if k not in declared["properties"]
        ]
        errors += [
            f"{at}.{k}: required by {ref}" for k in declared.get("required", []) if k not in value
        ]
        for k, v in value.items():
            if k in declared["properties"]:
                errors += _type_errors(v, declared["properties"][k], schema, f"{at}.{k}")
        return errors
    kind = prop.get("type")
    if kind == "string":
        ok = isinstance(value, str)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "integer":  # the wire carries numbers as floats
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value == int(value)
    elif kind == "array":
        if not isinstance(value, list):
            return [f"{at}: expected an array, got {value!r}"]
        return [
            e
            for i, v in enumerate(value)
            for e in _type_errors(v, prop["items"], schema, f"{at}[{i}]")
        ]
    else:
        return [f"{at}: the schema's type {kind!r} is not one this test knows"]
    return [] if ok else [f"{at}: expected {kind}, got {value!r}"]


def test_every_run_registers_every_provider_resource_type(
    runs: list[tuple[str, Path, ProgramRun]], schema: dict[str, Any]
) -> None:
    registered = {r.type for r in custom(runs)}
    assert registered == set(schema["resources"]), "a type the program uses is not in the schema"


def test_every_input_is_one_the_schema_knows_with_its_declared_type(
    runs: list[tuple[str, Path, ProgramRun]], schema: dict[str, Any]
) -> None:
    errors: list[str] = []
    for r in custom(runs):
        declared = schema["resources"][r.type]["inputProperties"]
        for name, value in r.inputs.items():
            where = f"{r.type} {r.name}: {name}"
            if name not in declared:
                errors.append(f"{where}: not an input of the provider")
            else:
                errors += _type_errors(value, declared[name], schema, where)
    assert errors == []


def test_every_required_input_is_set(
    runs: list[tuple[str, Path, ProgramRun]], schema: dict[str, Any]
) -> None:
    missing = [
        f"{r.type} {r.name}: {name}"
        for r in custom(runs)
        for name in schema["resources"][r.type].get("requiredInputs", [])
        if r.inputs.get(name) in (None, "")
    ]
    assert missing == []


def test_the_group_lookup_sends_only_the_functions_inputs(
    runs: list[tuple[str, Path, ProgramRun]], schema: dict[str, Any]
) -> None:
    declared = schema["functions"][GET_GROUP]["inputs"]["properties"]
    invokes = [i for _, _, run in runs for i in run.invokes if i.token == GET_GROUP]
    assert invokes
    for invoke in invokes:
        assert set(invoke.args) <= set(declared), invoke.args
        assert all(_type_errors(v, declared[k], schema, k) == [] for k, v in invoke.args.items())


def schema_replaces(schema: dict[str, Any], type_: str) -> frozenset[str]:
    props = schema["resources"][type_]["inputProperties"]
    return frozenset(n for n, p in props.items() if p.get("willReplaceOnChanges"))


def test_the_provider_replace_table_is_the_schemas(schema: dict[str, Any]) -> None:
    # pulumi_okta ships no schema to read at run time: PROVIDER_REPLACES is the one copy, and
    # this is what keeps it the schema's.
    for type_ in schema["resources"]:
        assert PROVIDER_REPLACES.get(type_, frozenset()) == schema_replaces(schema, type_), type_
    assert set(PROVIDER_REPLACES) <= set(schema["resources"])


def test_every_set_input_is_a_list_of_strings_in_the_schema(schema: dict[str, Any]) -> None:
    # the schema says list, never set (the bridge writes TypeSet as an array): the table names
    # the provider's TypeSets, and this keeps each one an input the schema has, of that shape
    for type_, names in SET_INPUTS.items():
        props = schema["resources"][type_]["inputProperties"]
        for name in names:
            assert props[name]["type"] == "array", (type_, name)
            assert props[name]["items"] == {"type": "string"}, (type_, name)
    # the ones that are lists to the provider: their order is a change
    assert "redirectUris" not in SET_INPUTS["okta:app/oAuth:OAuth"]


def _block_type(schema: dict[str, Any], type_: str, name: str) -> dict[str, Any]:
    """The properties of the blocks a list input of the schema holds."""
    prop = schema["resources"][type_]["inputProperties"][name]
    assert prop["type"] == "array", (type_, name)
    ref = prop["items"]["$ref"].removeprefix("#/types/")
    properties: dict[str, Any] = schema["types"][ref]["properties"]
    return properties


def test_the_block_tables_name_blocks_and_members_the_schema_has(schema: dict[str, Any]) -> None:
    # READ_BLOCKS: lists of blocks, each named by a string member; IGNORED_WHEN_ZERO: numbers
    # inside such blocks (`name[].member`)
    for type_, blocks in READ_BLOCKS.items():
        for name, member in blocks.items():
            assert _block_type(schema, type_, name)[member]["type"] == "string", (type_, name)
    for type_, paths in IGNORED_WHEN_ZERO.items():
        for path in paths:
            name, member = path.split("[].")
            assert _block_type(schema, type_, name)[member]["type"] == "integer", (type_, path)


def _optional_not_computed(schema: dict[str, Any], type_: str) -> set[str]:
    """The inputs the provider neither requires nor computes: the bridge leaves out of the
    outputs' `required` exactly the Optional, not Computed ones (pulumi-terraform-bridge
    pkg/tfgen/generate.go, `isOptional`, for an output)."""
    resource = schema["resources"][type_]
    return set(resource["inputProperties"]) - set(resource.get("required", ()))


_ZERO_OF = {"string": str, "integer": int, "boolean": bool, "array": list}


def test_the_unset_tables_cover_every_input_the_provider_resets_with_its_type(
    schema: dict[str, Any],
) -> None:
    # RESET_WHEN_UNSET is the one copy of what the provider's diff takes for an unset input:
    # this keeps it every optional, not computed input of our resources, less those the
    # provider keeps (KEPT_WHEN_UNSET) and the lists of blocks read from Okta (READ_BLOCKS),
    # each value of its input's type (None for a one-block list, which the schema gives as an
    # object)
    for type_ in schema["resources"]:
        kept = KEPT_WHEN_UNSET.get(type_, frozenset())
        blocks = set(READ_BLOCKS.get(type_, {}))
        resets = RESET_WHEN_UNSET.get(type_, {})
        expected = _optional_not_computed(schema, type_) - kept - blocks
        assert set(resets) == expected, (type_, set(resets) ^ expected)
        props = schema["resources"][type_]["inputProperties"]
        for name, value in resets.items():
            declared = props[name].get("type")
            if declared is None:  # a `$ref`: an object
                assert "$ref" in props[name] and value is None, (type_, name)
            else:
                assert type(value) is _ZERO_OF[declared], (type_, name, value)
            if type(value) is list:
                assert value == [], (type_, name)
    # what the provider keeps unset is an optional input too, or one it computes
    for type_, names in KEPT_WHEN_UNSET.items():
        assert names <= set(schema["resources"][type_]["inputProperties"]), type_


def test_replacements_asked_for_are_those_the_plan_predicts(
    runs: list[tuple[str, Path, ProgramRun]], schema: dict[str, Any]
) -> None:
    for (stack, specs_dir, run), (_, _, server) in zip(runs, RUNS, strict=True):
        stack_config = load_stack_config(ROOT / "stacks", stack)
        if server is not None:
            settings = stack_config.settings.model_copy(
                update={"auth_server": AuthServerConfig(**server)}
            )
            stack_config = dataclasses.replace(stack_config, settings=settings)
        specs = load_specs(specs_dir, stacks_dir=ROOT / "stacks")
        graph = [s for s in resource_graph(render(specs, stack_config)) if s.custom]
        assert len(graph) == len(run.custom)
        for spec in graph:
            registered = run.find(spec.type, spec.name)
            engine = set(registered.replace_on_changes) | schema_replaces(schema, spec.type)
            assert engine == set(replace_fields(spec)), spec.key
            known = schema["resources"][spec.type]["inputProperties"]
            assert set(registered.replace_on_changes) <= set(known), spec.key
