"""Every response field and query parameter the snapshot reader relies on exists in Okta's
official OpenAPI description of that operation; and the list of those fields is the truth about
the parsers (they need no other field, and use each one listed).

The spec is read from ``$APPSPECS_OKTA_SPEC`` or ``../shared/reference/okta/`` beside the repo.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from appspecs.live import fields
from appspecs.live.fields import OPERATIONS, Operation
from appspecs.live.model import (
    app_ids_of,
    group_ids_of,
    parse_app,
    parse_auth_server,
    parse_group,
    parse_policy,
    parse_rule,
    parse_scope,
)
from appspecs.live.secrets import secret_info
from appspecs.okta import OktaError
from tests.audit_support import REPO, Org, audit_cli, seeded_org

SPEC_ENV = "APPSPECS_OKTA_SPEC"
DEFAULT_SPEC = REPO.parent / "shared" / "reference" / "okta" / "management-minimal.yaml"

Schema = dict[str, Any]


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    path = Path(os.environ.get(SPEC_ENV) or DEFAULT_SPEC)
    if not path.is_file():
        pytest.skip(f"Okta's OpenAPI spec is not at {path} (set {SPEC_ENV} to its path)")
    with path.open(encoding="utf-8") as fh:
        spec: dict[str, Any] = yaml.load(fh, Loader=yaml.CSafeLoader)
    return spec


def resolve(spec: dict[str, Any], node: Schema) -> Schema:
    for _ in range(50):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return node
        target: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        node = target
    raise AssertionError("a $ref chain that does not end")


def declares(spec: dict[str, Any], schema: Schema, path: list[str], depth: int = 0) -> bool:
    """Whether ``path`` (field names) is declared by the schema or any of its branches."""
    schema = resolve(spec, schema)
    if not path:
        return True
    if depth > 30:
        return False
    head, rest = path[0], path[1:]
    prop = (schema.get("properties") or {}).get(head)
    if prop is not None and declares(spec, prop, rest, depth + 1):
        return True
    branches = [b for key in ("allOf", "anyOf", "oneOf") for b in schema.get(key, [])]
    return any(declares(spec, b, path, depth + 1) for b in branches)


def item_schema(spec: dict[str, Any], op: Operation) -> Schema:
    if op.variant is not None:
        return {"$ref": f"#/components/schemas/{op.variant}"}
    response = spec["paths"][op.path]["get"]["responses"]["200"]
    schema = resolve(spec, response)["content"]["application/json"]["schema"]
    schema = resolve(spec, schema)
    return schema["items"] if schema.get("type") == "array" else schema


def param_names(spec: dict[str, Any], op: Operation) -> set[str]:
    item = spec["paths"][op.path]
    listed = [*item.get("parameters", []), *item["get"].get("parameters", [])]
    return {resolve(spec, p)["name"] for p in listed if resolve(spec, p).get("in") == "query"}


IDS = [op.path for op in OPERATIONS]


@pytest.mark.parametrize("op", OPERATIONS, ids=IDS)
def test_every_field_read_is_in_the_spec(op: Operation) -> None:
    spec = load_spec()
    schema = item_schema(spec, op)
    missing = [f for f in op.fields if not declares(spec, schema, f.split("."))]
    assert missing == [], f"{op.path}: not in the spec's schema: {missing}"


@pytest.mark.parametrize("op", OPERATIONS, ids=IDS)
def test_every_query_parameter_sent_is_in_the_spec(op: Operation) -> None:
    spec = load_spec()
    unknown = sorted(set(op.params) - param_names(spec, op))
    assert unknown == [], f"{op.path}: parameters the spec does not have: {unknown}"


def test_the_oidc_variant_is_what_the_apps_filter_returns() -> None:
    spec = load_spec()
    app = spec["components"]["schemas"]["Application"]
    mapping = app["discriminator"]["mapping"]
    assert mapping["OPENID_CONNECT"].endswith("/OpenIdConnectApplication")
    variant = spec["components"]["schemas"]["OpenIdConnectApplication"]
    assert variant["x-okta-defined-as"]["name"] == "oidc_client"


# --- the field lists are what the parsers use ---------------------------------------------

PARSERS: dict[str, Callable[[Any], Any]] = {
    fields.APPS.path: parse_app,
    fields.APP_GROUPS.path: lambda obj: group_ids_of([obj]),
    fields.GROUPS.path: parse_group,
    fields.GROUP_APPS.path: lambda obj: app_ids_of([obj]),
    fields.SERVERS.path: parse_auth_server,
    fields.SERVER.path: parse_auth_server,
    fields.SCOPES.path: parse_scope,
    fields.POLICIES.path: parse_policy,
    fields.RULES.path: parse_rule,
    fields.SECRETS.path: secret_info,
}


def sample_value(name: str) -> Any:
    if name == "profile":
        return {"appspecs": {"name": "crm-sync", "digest": "sha256:0"}}
    if name in ("pkce_required", "system", "iOS", "web"):
        return True
    if name.endswith("Minutes"):
        return 30
    if name == "created":
        return "2026-01-31T09:15:00.000Z"
    if name == "keys":
        return [{"kid": "k1", "kty": "RSA", "e": "AQAB", "n": "n-value", "status": "ACTIVE"}]
    if name in ("leeway", "accessTokenLifetimeMinutes", "refreshTokenWindowMinutes"):
        return 30
    if name.endswith(("_types", "_uris", "include", "audiences")):
        return ["x"]
    return f"{name}-value"


def object_with(paths: tuple[str, ...]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for dotted in paths:
        *parents, leaf = dotted.split(".")
        node = obj
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = sample_value(leaf)
    return obj


def parsed(op: Operation, obj: dict[str, Any]) -> Any:
    try:
        return PARSERS[op.path](obj)
    except OktaError as exc:
        return exc.__class__


# Fields that say what is wrong with an object: empty for a well-formed one, by design.
PROBLEM_FIELDS = frozenset({"marker_problem"})


def values_of(result: Any) -> list[Any]:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        fields_ = dataclasses.fields(result)
        return [getattr(result, f.name) for f in fields_ if f.name not in PROBLEM_FIELDS]
    return [result]


@pytest.mark.parametrize("op", OPERATIONS, ids=IDS)
def test_the_parsers_need_no_field_beyond_the_list(op: Operation) -> None:
    result = parsed(op, object_with(op.fields))
    empty = [v for v in values_of(result) if v is None or v == () or v is False]
    assert empty == [], f"{op.path}: parsed {result!r}"


@pytest.mark.parametrize("op", OPERATIONS, ids=IDS)
def test_the_parsers_use_every_field_listed(op: Operation) -> None:
    whole = parsed(op, object_with(op.fields))
    unused = [f for f in op.fields if parsed(op, object_with(tuple(set(op.fields) - {f}))) == whole]
    assert unused == [], f"{op.path}: listed but not read: {unused}"


# --- the list covers every read the audit makes ---------------------------------------------


@pytest.fixture
def org() -> Iterator[Org]:
    yield from seeded_org()


def template(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\{[^}]+\}", "[^/]+", path))


def test_every_request_of_an_audit_is_a_listed_operation(org: Org) -> None:
    org.okta.add_group("x")  # per group or per app: both kinds of assignment reads are listed
    assert audit_cli(org).exit_code == 0
    patterns = {op.path: template(op.path) for op in OPERATIONS}
    seen: dict[str, set[str]] = {}
    for request in org.okta.requests:
        matches = [p for p, rx in patterns.items() if rx.fullmatch(request.path)]
        assert matches, f"{request.method} {request.path} is not in appspecs.live.fields"
        assert request.method == "GET"
        op = next(o for o in OPERATIONS if o.path == matches[0])
        sent = set(request.query) - set(op.params)
        assert sent == set(), f"{request.path}: parameters sent but not listed: {sent}"
        seen.setdefault(matches[0], set())
    assert fields.SECRETS.path in seen and fields.GROUP_APPS.path in seen
