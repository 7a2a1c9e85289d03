"""Builders of the authorization-server objects: servers, scopes, policies and rules.

Shapes follow the spec's ``AuthorizationServer``, ``OAuth2Scope``, ``AuthorizationServerPolicy``
and ``AuthorizationServerPolicyRule`` schemas and the examples next to them.
"""

from __future__ import annotations

import secrets

from tests.standin.objects import Json, link, now_iso


def auth_server(
    base: str,
    *,
    server_id: str,
    name: str,
    audiences: list[str],
    description: str,
    status: str,
    issuer_mode: str,
) -> Json:
    """An ``AuthorizationServer`` with Okta's links and signing-key metadata."""
    ts = now_iso()
    href = f"{base}/api/v1/authorizationServers/{server_id}"
    meta = f"{base}/oauth2/{server_id}/.well-known"
    return {
        "id": server_id,
        "name": name,
        "description": description,
        "audiences": list(audiences),
        "issuer": f"{base}/oauth2/{server_id}",
        "issuerMode": issuer_mode,
        "status": status,
        "created": ts,
        "lastUpdated": ts,
        "credentials": {
            "signing": {
                "rotationMode": "AUTO",
                "lastRotated": ts,
                "nextRotation": ts,
                "kid": secrets.token_urlsafe(32),
                "use": "sig",
            }
        },
        "_links": {
            "scopes": link(f"{href}/scopes", "GET"),
            "claims": link(f"{href}/claims", "GET"),
            "policies": link(f"{href}/policies", "GET"),
            "self": link(href, "GET", "DELETE", "PUT"),
            "metadata": [
                dict(
                    link(f"{meta}/oauth-authorization-server", "GET"),
                    name="oauth-authorization-server",
                ),
                dict(link(f"{meta}/openid-configuration", "GET"), name="openid-configuration"),
            ],
            "rotateKey": link(f"{href}/credentials/lifecycle/keyRotate", "POST"),
            "deactivate": link(f"{href}/lifecycle/deactivate", "POST"),
        },
    }


def scope(
    base: str,
    *,
    server_id: str,
    scope_id: str,
    name: str,
    display_name: str,
    description: str,
    consent: str,
    metadata_publish: str,
    default: bool = False,
    optional: bool = False,
    system: bool = False,
) -> Json:
    """An ``OAuth2Scope``."""
    href = f"{base}/api/v1/authorizationServers/{server_id}/scopes/{scope_id}"
    return {
        "id": scope_id,
        "name": name,
        "displayName": display_name,
        "description": description,
        "system": system,
        "default": default,
        "optional": optional,
        "consent": consent,
        "metadataPublish": metadata_publish,
        "_links": {"self": link(href, "GET", "PUT", "DELETE")},
    }


def policy(
    base: str,
    *,
    server_id: str,
    policy_id: str,
    name: str,
    description: str,
    client_ids: list[str],
    priority: int,
    status: str,
) -> Json:
    """An ``AuthorizationServerPolicy``: the clients it covers sit in ``conditions``."""
    ts = now_iso()
    href = f"{base}/api/v1/authorizationServers/{server_id}/policies/{policy_id}"
    pol: Json = {
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "id": policy_id,
        "status": status,
        "name": name,
        "description": description,
        "priority": priority,
        "system": False,
        "conditions": {"clients": {"include": list(client_ids)}},
        "created": ts,
        "lastUpdated": ts,
        "_links": {
            "self": link(href, "GET", "PUT", "DELETE"),
            "deactivate": link(f"{href}/lifecycle/deactivate", "POST"),
            "rules": link(f"{href}/rules", "GET"),
        },
    }
    if not description:
        del pol["description"]  # the spec gives it minLength 1: Okta never sends ""
    return pol


def rule(
    base: str,
    *,
    server_id: str,
    policy_id: str,
    rule_id: str,
    name: str,
    grant_types: list[str],
    scopes: list[str],
    group_ids: list[str],
    user_ids: list[str],
    priority: int,
    status: str,
    access_token_lifetime_minutes: int,
    refresh_token_window_minutes: int = 10080,
) -> Json:
    """An ``AuthorizationServerPolicyRule`` of type ``RESOURCE_ACCESS``."""
    ts = now_iso()
    href = f"{base}/api/v1/authorizationServers/{server_id}/policies/{policy_id}/rules/{rule_id}"
    return {
        "type": "RESOURCE_ACCESS",
        "id": rule_id,
        "status": status,
        "name": name,
        "priority": priority,
        "created": ts,
        "lastUpdated": ts,
        "system": False,
        "conditions": {
            "people": {
                "users": {"include": list(user_ids)},
                "groups": {"include": list(group_ids)},
            },
            "grantTypes": {"include": list(grant_types)},
            "scopes": {"include": list(scopes)},
        },
        "actions": {
            "token": {
                "accessTokenLifetimeMinutes": access_token_lifetime_minutes,
                "refreshTokenLifetimeMinutes": 0,
                "refreshTokenWindowMinutes": refresh_token_window_minutes,
            }
        },
        "_links": {
            "self": link(href, "GET", "PUT", "DELETE"),
            "deactivate": link(f"{href}/lifecycle/deactivate", "POST"),
        },
    }
