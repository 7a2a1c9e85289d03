"""The stand-in's responses validate against Okta's official OpenAPI description.

For each operation the Okta reader relies on, a real response from the stand-in is checked
against the operation's response schema in the spec (``$ref``s resolved, ``nullable`` and
``discriminator`` handled), and for fields that no schema declares. The spec is read from
``$APPSPECS_OKTA_SPEC`` or ``<repo>/../shared/reference/okta/management-minimal.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.standin import Fault, StandinOkta
from tests.standin.openapi import Contract, load_spec, spec_path, to_json_schema

SSWS = {"Authorization": "SSWS test-token"}
SRV = "/api/v1/authorizationServers/{authServerId}"
POL = SRV + "/policies/{policyId}"
SECRETS = "/api/v1/apps/{appId}/credentials/secrets"


@pytest.fixture(scope="module")
def contract() -> Contract:
    path = spec_path()
    if not path.is_file():
        pytest.skip(f"Okta OpenAPI spec not found at {path} (set APPSPECS_OKTA_SPEC to its path)")
    return Contract(load_spec(str(path)))


@pytest.fixture(scope="module")
def org() -> Iterator[tuple[StandinOkta, dict[str, str]]]:
    with StandinOkta() as okta:
        grp = okta.add_group("sales-ops", description="Sales operations")
        srv = okta.add_auth_server(
            "appspecs-api", audiences=["api://appspecs"], description="API", system_scopes=True
        )
        scp = okta.add_scope(
            srv["id"],
            "api:data:company",
            display_name="Company data",
            description="Read company data",
            consent="IMPLICIT",
            metadata_publish="ALL_CLIENTS",
        )
        app = okta.add_oidc_app(
            label="CRM Sync",
            grant_types=["authorization_code", "refresh_token"],
            redirect_uris=["https://crm.example.com/cb"],
            post_logout_redirect_uris=["https://crm.example.com/bye"],
            profile={"owner": "sales"},
        )
        okta.add_oidc_app(
            label="Batch",
            application_type="service",
            grant_types=["client_credentials"],
            response_types=["token"],
            status="INACTIVE",
        )
        okta.assign_group(app["id"], grp["id"], priority=0, profile={"role": "user"})
        client_id = app["credentials"]["oauthClient"]["client_id"]
        pol = okta.add_policy(
            srv["id"], "crm-sync", description="CRM", client_ids=[client_id], priority=1
        )
        rul = okta.add_rule(
            srv["id"],
            pol["id"],
            "crm-sync",
            grant_types=["authorization_code"],
            scopes=["api:data:company"],
            group_ids=[grp["id"]],
        )
        secret = okta.add_secret(app["id"])
        okta.add_secret(app["id"], status="INACTIVE")
        ids = {
            "appId": app["id"],
            "groupId": grp["id"],
            "authServerId": srv["id"],
            "policyId": pol["id"],
            "ruleId": rul["id"],
            "scopeId": scp["id"],
            "secretId": secret["id"],
        }
        yield okta, ids


def _get(okta: StandinOkta, template: str, ids: dict[str, str], **kw: Any) -> httpx.Response:
    return httpx.request(kw.pop("method", "GET"), okta.url + template.format(**ids), **kw)


def _check(contract: Contract, body: Any, path: str, method: str, status: int) -> None:
    schema = contract.response_schema(path, method, status)
    assert contract.errors(body, schema) == []
    assert contract.unknown_fields(body, schema) == []


READS = [
    "/api/v1/apps",
    "/api/v1/apps/{appId}",
    "/api/v1/apps/{appId}/groups",
    "/api/v1/apps/{appId}/groups/{groupId}",
    "/api/v1/groups",
    "/api/v1/groups/{groupId}",
    "/api/v1/groups/{groupId}/apps",
    "/api/v1/authorizationServers",
    SRV,
    SRV + "/scopes",
    SRV + "/scopes/{scopeId}",
    SRV + "/policies",
    POL,
    POL + "/rules",
    POL + "/rules/{ruleId}",
    SECRETS,
    SECRETS + "/{secretId}",
]


@pytest.mark.parametrize("path", READS)
def test_get_responses_match_the_spec(contract, org, path):
    okta, ids = org
    r = _get(okta, path, ids, headers=SSWS)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body, "an empty answer would validate trivially"
    _check(contract, body, path, "get", 200)


def test_created_secret_and_lifecycle_match_the_spec(contract):
    with StandinOkta() as okta:
        app = okta.add_oidc_app(label="Rotating", redirect_uris=["https://r.example/cb"])
        ids = {"appId": app["id"]}
        created = _get(okta, SECRETS, ids, method="POST", json={}, headers=SSWS)
        assert created.status_code == 201
        _check(contract, created.json(), SECRETS, "post", 201)
        first = created.json()["id"]
        second = _get(okta, SECRETS, ids, method="POST", json={}, headers=SSWS).json()["id"]
        off = _get(
            okta, SECRETS + f"/{first}/lifecycle/deactivate", ids, method="POST", headers=SSWS
        )
        _check(contract, off.json(), SECRETS + "/{secretId}/lifecycle/deactivate", "post", 200)
        too_many = _get(okta, SECRETS, ids, method="POST", json={}, headers=SSWS)
        assert too_many.status_code == 400
        _check(contract, too_many.json(), SECRETS, "post", 400)
        active = _get(okta, SECRETS + f"/{second}", ids, method="DELETE", headers=SSWS)
        assert active.status_code == 400
        _check(contract, active.json(), SECRETS + "/{secretId}", "delete", 400)


def test_created_app_matches_the_spec(contract):
    body = {
        "name": "oidc_client",
        "label": "Made over HTTP",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {
            "oauthClient": {
                "grant_types": ["authorization_code"],
                "redirect_uris": ["https://m.example/cb"],
                "application_type": "web",
            }
        },
    }
    with StandinOkta() as okta:
        r = httpx.post(f"{okta.url}/api/v1/apps", json=body, headers=SSWS)
        assert r.status_code == 200
        _check(contract, r.json(), "/api/v1/apps", "post", 200)


def test_error_bodies_match_the_spec(contract, org):
    okta, ids = org
    missing = httpx.get(f"{okta.url}/api/v1/apps/0oaMissing", headers=SSWS)
    assert missing.status_code == 404
    _check(contract, missing.json(), "/api/v1/apps/{appId}", "get", 404)
    unauthorized = _get(okta, SECRETS, ids)
    assert unauthorized.status_code == 401
    _check(contract, unauthorized.json(), SECRETS, "get", 401)
    okta.faults.add(Fault(kind="status", status=429, path=r"^/api/v1/groups$"))
    limited = httpx.get(f"{okta.url}/api/v1/groups", headers=SSWS)
    assert limited.status_code == 429
    _check(contract, limited.json(), "/api/v1/groups", "get", 429)


def test_rate_limiter_429_and_403_match_the_spec(contract):
    with StandinOkta(limits={"app": 0}, deny_all=True) as okta:
        app = okta.add_oidc_app(label="x", redirect_uris=["https://x/cb"])
        limited = httpx.get(f"{okta.url}/api/v1/apps/{app['id']}", headers=SSWS)
        assert limited.status_code == 429
        _check(contract, limited.json(), "/api/v1/apps/{appId}", "get", 429)
        denied = httpx.get(f"{okta.url}/api/v1/apps", headers=SSWS)
        assert denied.status_code == 403
        _check(contract, denied.json(), "/api/v1/apps", "get", 403)


# --- the checker itself must be able to fail -----------------------------------------------


def test_checker_catches_wrong_types_and_unknown_fields(contract, org):
    okta, ids = org
    rule = _get(okta, POL + "/rules/{ruleId}", ids, headers=SSWS).json()
    schema = contract.response_schema(POL + "/rules/{ruleId}", "get", 200)
    assert contract.errors(dict(rule, priority="first"), schema)
    assert contract.unknown_fields(dict(rule, prority=1), schema) == ["$.prority"]
    app = _get(okta, "/api/v1/apps/{appId}", ids, headers=SSWS).json()
    app_schema = contract.response_schema("/api/v1/apps/{appId}", "get", 200)
    broken = dict(app, settings={"oauthClient": {"grant_types": "authorization_code"}})
    # Only the discriminator-mapped OpenIdConnectApplication declares settings.oauthClient.
    assert any(
        e.startswith("[OpenIdConnectApplication]") for e in contract.errors(broken, app_schema)
    )
    assert contract.unknown_fields(
        dict(app, credentials={"oauthClient": {"clientId": "x"}}), app_schema
    )


def test_nullable_becomes_json_schema():
    assert to_json_schema({"type": "string", "nullable": True}) == {"type": ["string", "null"]}
    assert to_json_schema({"$ref": "#/x", "nullable": True}) == {
        "anyOf": [{"$ref": "#/x"}, {"type": "null"}]
    }
    # A property named like a keyword stays a property.
    kept = to_json_schema({"properties": {"nullable": {"type": "boolean"}}})
    assert kept == {"properties": {"nullable": {"type": "boolean"}}}
