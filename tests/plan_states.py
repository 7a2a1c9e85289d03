"""State documents as a `pulumi up` of our stack program would record them, for plan tests and
the plan benchmark. Built from the resource graph, with the engine's URNs, a default provider,
the root stack's exports, and `propertyDependencies` entries that are null as in real state."""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from appspecs.desired.resources import (
    APP_COMPONENT,
    AUTH_SERVER_COMPONENT,
    OAUTH_APP,
    POLICY,
    RULE,
    SCOPE,
    SERVER,
    GroupId,
    Ref,
    placeholders,
)
from appspecs.plan.diff import PlannedResource, planned_resources
from appspecs.plan.urns import make_urn, root_stack_urn
from appspecs.plan.wire import wire_inputs

PROJECT = "appspecs"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
PROVIDER_ID = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
ID_PREFIX = {SERVER: "aus", SCOPE: "scp", OAUTH_APP: "0oa", POLICY: "00p", RULE: "0pr"}


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def okta_id(type_: str, name: str) -> str:
    prefix = ID_PREFIX.get(type_, "0xx")
    return prefix + _digest(f"{type_}::{name}", 17)


def group_id(name: str) -> str:
    return "00g" + _digest(f"group::{name}", 17)


def secret(value: Any) -> dict[str, str]:
    """A secret as a `b64` secrets provider records it: base64 of the JSON-encoded value."""
    text = base64.b64encode(json.dumps(json.dumps(value)).encode()).decode()
    return {SIG_KEY: SECRET_SIG, "ciphertext": text}


def plaintext_secret(value: Any) -> dict[str, str]:
    """A secret as `pulumi stack export --show-secrets` prints it."""
    return {SIG_KEY: SECRET_SIG, "plaintext": json.dumps(value)}


def provider_urn(stack: str) -> str:
    return make_urn(stack, PROJECT, ["pulumi:providers:okta"], "default_7_0_1")


def _walk(value: Any, ids: Mapping[str, str], groups: Mapping[str, str]) -> Any:
    if isinstance(value, Ref):
        return ids[value.key]
    if isinstance(value, GroupId):
        return groups[value.name]
    if isinstance(value, Mapping):
        return {k: _walk(v, ids, groups) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, ids, groups) for v in value]
    return value


def _group_names(planned: Sequence[PlannedResource]) -> Iterator[str]:
    for p in planned:
        for ph in placeholders(p.spec.inputs):
            if isinstance(ph, GroupId):
                yield ph.name


def deployment(
    planned: Sequence[PlannedResource],
    stack: str,
    *,
    null_dependencies: bool = True,
    group_ids: Mapping[str, str] | None = None,
    held: Sequence[str] = (),
) -> dict[str, Any]:
    """The `deployment` object an update of exactly these resources would leave."""
    groups = dict(group_ids) if group_ids is not None else {}
    for name in _group_names(planned):
        groups.setdefault(name, group_id(name))
    ids = {p.spec.key: okta_id(p.spec.type, p.spec.name) for p in planned if p.spec.custom}
    urns = {p.spec.key: p.urn for p in planned}
    root = root_stack_urn(stack, PROJECT)
    provider = provider_urn(stack)
    client_ids: dict[str, str] = {}
    resources: list[dict[str, Any]] = [
        {"urn": root, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {}},
        {
            "urn": provider,
            "custom": True,
            "id": PROVIDER_ID,
            "type": "pulumi:providers:okta",
            "inputs": {
                "orgName": "acme-dev",
                "baseUrl": "okta.com",
                "apiToken": secret("x"),
                "version": "7.0.1",
            },
            "outputs": {
                "orgName": "acme-dev",
                "baseUrl": "okta.com",
                "apiToken": secret("x"),
                "version": "7.0.1",
            },
        },
    ]
    for p in planned:
        # a Ref to `client_id` is the OAuth app's id: Okta uses one value for both
        wired = wire_inputs(p.spec.inputs)
        inputs = _walk(wired, ids, groups)
        deps: dict[str, list[str] | None] = {}
        for key, value in wired.items():
            refs = sorted({urns[ph.key] for ph in placeholders(value) if isinstance(ph, Ref)})
            deps[key] = refs or (None if null_dependencies else [])
        entry: dict[str, Any] = {
            "urn": p.urn,
            "custom": p.spec.custom,
            "type": p.spec.type,
            "parent": p.parent_urn,
        }
        if p.spec.protect:
            entry["protect"] = True  # as the engine records the option (left out when false)
        if p.spec.custom:
            rid = ids[p.spec.key]
            outputs = {**inputs, "id": rid}
            if p.spec.type == OAUTH_APP:
                outputs["clientId"] = rid
                outputs["clientSecret"] = secret("")  # omit_secret: the provider keeps none
                client_ids[p.spec.name] = rid
            entry.update(
                id=rid,
                inputs=inputs,
                outputs=outputs,
                provider=f"{provider}::{PROVIDER_ID}",
                propertyDependencies=deps,
                dependencies=sorted({u for v in deps.values() for u in (v or [])}),
            )
        elif p.spec.type == APP_COMPONENT:
            entry["outputs"] = {"clientId": ids[f"{p.spec.key}/oauth"]}
        elif p.spec.type == AUTH_SERVER_COMPONENT:
            entry["outputs"] = {"id": ids.get("auth/server", "")}
        resources.append(entry)
    resources[0]["outputs"] = {
        "clientIds": client_ids,
        "heldApps": list(held),
        "groupIds": {n: groups[n] for n in dict.fromkeys(_group_names(planned))},
    }
    return {
        "manifest": {
            "time": "2026-11-28T17:00:00.000000000Z",
            "magic": _digest("m", 64),
            "version": "v3.272.0",
        },
        "secrets_providers": {"type": "b64", "state": {}},
        "resources": resources,
    }


def document(
    dep: Mapping[str, Any], form: Literal["export", "checkpoint"] = "export", stack: str = "dev"
) -> dict[str, Any]:
    if form == "checkpoint":
        return {
            "version": 3,
            "checkpoint": {"stack": f"organization/{PROJECT}/{stack}", "latest": dict(dep)},
        }
    return {"version": 3, "deployment": dict(dep)}


def state_for(graph: Sequence[Any], stack: str = "dev", **kwargs: Any) -> dict[str, Any]:
    """An export document for a resource graph (`resource_graph(render(...))`)."""
    return document(
        deployment(planned_resources(graph, stack, PROJECT), stack, **kwargs), stack=stack
    )


def settle(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as an update leaves it: each resource's outputs hold its inputs (what the
    provider read back once it applied them), beside the outputs only the provider sets. A test
    that edits recorded inputs to stand for an older update settles the document after, as the
    engine diffs against the outputs (appspecs.plan.state.recorded_lists)."""
    for r in (doc.get("deployment") or doc["checkpoint"]["latest"])["resources"]:
        outputs = r.setdefault("outputs", {})
        for key, value in r.get("inputs", {}).items():
            if not key.startswith("__"):
                outputs[key] = copy.deepcopy(value)
    return doc


def find(doc: Mapping[str, Any], type_: str, name: str) -> dict[str, Any]:
    """A resource of a document, to change it in place."""
    resources = (doc.get("deployment") or doc["checkpoint"]["latest"])["resources"]
    for r in resources:
        if r["type"] == type_ and r["urn"].endswith(f"::{name}"):
            found: dict[str, Any] = r
            return found
    raise KeyError(f"{type_} {name}")


def remove(doc: dict[str, Any], type_: str, name: str) -> dict[str, Any]:
    resources = (doc.get("deployment") or doc["checkpoint"]["latest"])["resources"]
    target = find(doc, type_, name)
    resources.remove(target)
    return target


def write(doc: Mapping[str, Any], path: Path, *, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(doc, indent=2).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def without_null_dependencies(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A copy whose null `propertyDependencies` entries are [] (what the schema requires)."""
    out = copy.deepcopy(dict(doc))
    dep = out.get("deployment") or out["checkpoint"]["latest"]
    for r in dep.get("resources") or []:
        for k, v in (r.get("propertyDependencies") or {}).items():
            if v is None:
                r["propertyDependencies"][k] = []
    return out
