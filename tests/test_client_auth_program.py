"""Key-based clients, refresh-token rotation, token lifetimes and consent links, as the stack
program registers them under Pulumi's mocks, checked against the provider's own schema
(``../shared/reference/pulumi-okta/schema-subset.json``; skipped when absent)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from appspecs.desired.resources import OAUTH_APP, RULE
from tests.pulumi_harness import ROOT, ProgramRun, run_stack_program

SCHEMA = Path(
    os.environ.get(
        "APPSPECS_PULUMI_OKTA_SCHEMA",
        ROOT.parent / "shared" / "reference" / "pulumi-okta" / "schema-subset.json",
    )
)
# The inputs this feature sets; each is checked against the schema wherever it is registered.
NEW_INPUTS = {
    OAUTH_APP: (
        "tokenEndpointAuthMethod",
        "jwks",
        "jwksUri",
        "omitSecret",
        "refreshTokenRotation",
        "refreshTokenLeeway",
        "clientUri",
        "tosUri",
        "policyUri",
    ),
    RULE: ("accessTokenLifetimeMinutes", "refreshTokenWindowMinutes"),
}
JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "boolean": bool,
    "integer": (int, float),  # mocks deliver integers as floats
    "array": list,
    "object": dict,
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    if not SCHEMA.is_file():
        pytest.skip(f"the provider schema is not at {SCHEMA} (see FACTS.md)")
    data: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def runs() -> dict[str, ProgramRun]:
    return {name: run_stack_program(name) for name in ("dev", "prod")}


def _check(value: Any, prop: dict[str, Any], schema: dict[str, Any], where: str) -> None:
    """`value` has the type the schema property says, down into arrays of object types."""
    if "$ref" in prop:
        ref = schema["types"][prop["$ref"].removeprefix("#/types/")]
        assert isinstance(value, dict), where
        assert set(value) <= set(ref["properties"]), (where, sorted(value))
        assert set(ref.get("required", ())) <= set(value), (where, sorted(value))
        for name, member in value.items():
            _check(member, ref["properties"][name], schema, f"{where}.{name}")
        return
    assert isinstance(value, JSON_TYPES[prop["type"]]), (where, value)
    if prop["type"] == "integer":
        assert float(value).is_integer(), (where, value)
    if prop["type"] == "array":
        for i, item in enumerate(value):
            _check(item, prop["items"], schema, f"{where}[{i}]")


def test_every_new_input_is_one_the_provider_takes(
    runs: dict[str, ProgramRun], schema: dict[str, Any]
) -> None:
    seen: set[str] = set()
    for run in runs.values():
        for type_, names in NEW_INPUTS.items():
            inputs = schema["resources"][type_]["inputProperties"]
            for reg in run.of_type(type_):
                for name in names:
                    if name in reg.inputs:
                        assert name in inputs, (type_, name)
                        _check(reg.inputs[name], inputs[name], schema, f"{reg.name}.{name}")
                        seen.add(name)
    # the bundled examples use all but one (the last test registers it)
    assert seen == {n for names in NEW_INPUTS.values() for n in names} - {"jwksUri"}


def test_the_service_app_signs_with_its_inline_public_key_and_has_no_secret(
    runs: dict[str, ProgramRun],
) -> None:
    for run in runs.values():
        worker = run.find(OAUTH_APP, "enrichment-worker").inputs
        assert worker["tokenEndpointAuthMethod"] == "private_key_jwt"
        assert worker["omitSecret"] is True
        (key,) = worker["jwks"]
        assert (key["kid"], key["kty"], key["e"]) == ("svc-2026-11", "RSA", "AQAB")
        assert len(key["n"]) > 300 and "d" not in key and "x" not in key
        assert "clientBasicSecret" not in worker and "jwksUri" not in worker


def test_the_spa_rotates_refresh_tokens_with_okta_s_leeway(runs: dict[str, ProgramRun]) -> None:
    spa = runs["dev"].find(OAUTH_APP, "audience-studio").inputs
    assert (spa["refreshTokenRotation"], spa["refreshTokenLeeway"]) == ("ROTATE", 30)
    # a web app keeps static refresh tokens (the provider's default, stated)
    web = runs["dev"].find(OAUTH_APP, "crm-sync").inputs
    assert (web["refreshTokenRotation"], web["refreshTokenLeeway"]) == ("STATIC", 0)


def test_a_declared_access_token_lifetime_is_on_the_rule(runs: dict[str, ProgramRun]) -> None:
    for run in runs.values():
        rule = run.find(RULE, "enrichment-worker-rule").inputs
        assert rule["accessTokenLifetimeMinutes"] == 30
        assert rule["refreshTokenWindowMinutes"] == 10080  # undeclared: the stated default
        # undeclared: Okta's default, stated
        assert run.find(RULE, "crm-sync-rule").inputs["accessTokenLifetimeMinutes"] == 60


def test_the_partner_app_shows_its_pages_on_the_consent_screen(
    runs: dict[str, ProgramRun],
) -> None:
    acme = runs["prod"].find(OAUTH_APP, "acme-analytics").inputs
    assert (acme["clientUri"], acme["tosUri"], acme["policyUri"]) == (
        "https://acme-analytics.example",
        "https://acme-analytics.example/terms",
        "https://acme-analytics.example/privacy",
    )
    assert "tosUri" not in runs["prod"].find(OAUTH_APP, "crm-sync").inputs


def test_a_key_set_url_and_ec_keys_register_too(tmp_path: Path, schema: dict[str, Any]) -> None:
    import shutil

    specs = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    case = ROOT / "tests" / "cases" / "validate" / "valid-keys-tokens-links" / "app-specs" / "apps"
    for path in case.glob("*.yaml"):
        shutil.copyfile(path, specs / "apps" / path.name)
    run = run_stack_program("dev", specs_dir=specs)
    web = run.find(OAUTH_APP, "key-web").inputs
    assert web["jwksUri"] == "https://key-web.acme.example/.well-known/jwks.json"
    assert web["tokenEndpointAuthMethod"] == "private_key_jwt" and "jwks" not in web
    assert web["refreshTokenRotation"] == "ROTATE"
    rule = run.find(RULE, "key-web-rule").inputs
    assert (rule["accessTokenLifetimeMinutes"], rule["refreshTokenWindowMinutes"]) == (30, 43200)
    rsa, ec = run.find(OAUTH_APP, "key-service").inputs["jwks"]
    assert (rsa["kid"], ec["kid"], ec["kty"]) == ("svc-2026-11", "svc-2027-05", "EC")
    assert set(ec) == {"kid", "kty", "x", "y"}  # no crv: neither Okta nor the provider takes one
    inputs = schema["resources"][OAUTH_APP]["inputProperties"]
    for name in ("jwks", "jwksUri"):
        for reg in run.of_type(OAUTH_APP):
            if name in reg.inputs:
                _check(reg.inputs[name], inputs[name], schema, f"{reg.name}.{name}")
    static = run.find(OAUTH_APP, "static-spa").inputs
    assert static["refreshTokenRotation"] == "STATIC"
