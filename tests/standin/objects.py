"""Builders of Okta-shaped JSON objects, field for field as the official OpenAPI spec names them.

Only fields the spec's schemas declare are emitted (the contract test checks this), and no field
is ``null`` where the schema says ``string``: the spec's own examples do that, real clients
should not be taught to expect it from us.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from datetime import UTC, datetime
from typing import Any

_ALNUM = string.ascii_letters + string.digits
_ORG_ID = "00o1standin0rg00000"  # appears in each app's ORN; any stable value would do

# Id prefixes Okta uses, one per object type.
PREFIX = {
    "app": "0oa",
    "group": "00g",
    "auth_server": "aus",
    "scope": "scp",
    "policy": "00p",
    "rule": "0pr",
    "secret": "ocs",
    "jwk": "pks",
}

Json = dict[str, Any]


def new_id(prefix: str) -> str:
    """An Okta-style id: a 3-character type prefix and 17 random alphanumerics (20 in all)."""
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(17))


def now_iso() -> str:
    """A timestamp as Okta writes them: ``2024-05-01T12:34:56.000Z``."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def link(href: str, *allow: str) -> Json:
    link: Json = {"href": href}
    if allow:
        link["hints"] = {"allow": list(allow)}
    return link


def oidc_app(
    base: str,
    *,
    app_id: str,
    label: str,
    client_id: str,
    status: str,
    application_type: str,
    grant_types: list[str],
    response_types: list[str],
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
    token_endpoint_auth_method: str,
    pkce_required: bool,
    consent_method: str = "TRUSTED",
    profile: Json | None = None,
    implicit_assignment: bool = False,
    jwks: Json | None = None,
    issuer_mode: str = "DYNAMIC",
    jwks_uri: str | None = None,
    refresh_token: Json | None = None,
    client_uri: str | None = None,
    tos_uri: str | None = None,
    policy_uri: str | None = None,
) -> Json:
    """An ``OpenIdConnectApplication`` as ``GET /api/v1/apps/{id}`` returns it.

    ``refresh_token`` is ``{rotation_type, leeway}``; ``jwks`` ``{"keys": [<public JWK>]}``,
    each key answered as Okta does (``OAuth2ClientJsonSigningKeyResponse``: with its id,
    status and times)."""
    ts = now_iso()
    settings_client: Json = {
        "application_type": application_type,
        "consent_method": consent_method,
        "grant_types": list(grant_types),
        "response_types": list(response_types),
        "redirect_uris": list(redirect_uris),
        "post_logout_redirect_uris": list(post_logout_redirect_uris),
        "issuer_mode": issuer_mode,
        "idp_initiated_login": {"mode": "DISABLED", "default_scope": []},
        "wildcard_redirect": "DISABLED",
        "dpop_bound_access_tokens": False,
    }
    if jwks is not None:
        settings_client["jwks"] = {"keys": [signing_key(k) for k in jwks.get("keys", [])]}
    if refresh_token is None and "refresh_token" in grant_types:
        # Okta's defaults when a client names none (OpenIdConnectRefreshTokenRotationType)
        rotation = "ROTATE" if application_type == "browser" else "STATIC"
        refresh_token = {"rotation_type": rotation, "leeway": 30}
    optional = {
        "jwks_uri": jwks_uri,
        "refresh_token": refresh_token,
        "client_uri": client_uri,
        "tos_uri": tos_uri,
        "policy_uri": policy_uri,
    }
    settings_client.update({k: v for k, v in optional.items() if v is not None})
    app: Json = {
        "id": app_id,
        "orn": f"orn:okta:idp:{_ORG_ID}:apps:oidc_client:{app_id}",
        "name": "oidc_client",
        "label": label,
        "status": status,
        "created": ts,
        "lastUpdated": ts,
        "accessibility": {"selfService": False},
        "visibility": {
            "autoLaunch": False,
            "autoSubmitToolbar": False,
            "hide": {"iOS": True, "web": True},
            "appLinks": {"oidc_client_link": True},
        },
        "features": [],
        "signOnMode": "OPENID_CONNECT",
        "credentials": {
            "userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"},
            "signing": {"kid": secrets.token_urlsafe(32)},
            "oauthClient": {
                "autoKeyRotation": True,
                "client_id": client_id,
                "token_endpoint_auth_method": token_endpoint_auth_method,
                "pkce_required": pkce_required,
            },
        },
        "settings": {
            "implicitAssignment": implicit_assignment,
            "notifications": {"vpn": {"network": {"connection": "DISABLED"}}},
            "notes": {},
            "emOptInStatus": "DISABLED",
            "oauthClient": settings_client,
        },
        "profile": dict(profile or {}),
    }
    app["_links"] = app_links(base, app_id, status)
    return app


def signing_key(key: Json) -> Json:
    """A public JWK as Okta lists it in an app's JWKS: its members, plus id, status, times."""
    ts = now_iso()
    return {
        "id": key.get("id") or new_id(PREFIX["jwk"]),
        "status": key.get("status", "ACTIVE"),
        "created": key.get("created", ts),
        "lastUpdated": key.get("lastUpdated", ts),
        **{k: v for k, v in key.items() if k in ("kid", "kty", "e", "n", "x", "y", "use")},
    }


def app_links(base: str, app_id: str, status: str) -> Json:
    """An app's ``_links``; the lifecycle link offered depends on its status."""
    href = f"{base}/api/v1/apps/{app_id}"
    links: Json = {
        "self": link(href, "GET", "PUT", "DELETE"),
        "appLinks": [
            {
                "name": "oidc_client_link",
                "href": f"{base}/home/oidc_client/{app_id}/aln{app_id[3:]}",
                "type": "text/html",
            }
        ],
        "groups": {"href": f"{href}/groups"},
        "logo": [
            {"name": "medium", "href": f"{base}/assets/img/logos/default.png", "type": "image/png"}
        ],
        "users": {"href": f"{href}/users"},
    }
    if status == "ACTIVE":
        links["deactivate"] = {"href": f"{href}/lifecycle/deactivate"}
    else:
        links["activate"] = {"href": f"{href}/lifecycle/activate"}
    return links


def group(base: str, *, group_id: str, name: str, description: str, type_: str) -> Json:
    """A ``Group`` (an ``OKTA_GROUP`` unless told otherwise)."""
    ts = now_iso()
    href = f"{base}/api/v1/groups/{group_id}"
    return {
        "id": group_id,
        "created": ts,
        "lastUpdated": ts,
        "lastMembershipUpdated": ts,
        "objectClass": ["okta:user_group"],
        "type": type_,
        "profile": {"name": name, "description": description},
        "_links": {
            "logo": [
                {
                    "name": "medium",
                    "href": f"{base}/img/logos/groups/okta-medium.png",
                    "type": "image/png",
                },
                {
                    "name": "large",
                    "href": f"{base}/img/logos/groups/okta-large.png",
                    "type": "image/png",
                },
            ],
            "users": {"href": f"{href}/users"},
            "apps": {"href": f"{href}/apps"},
        },
    }


def assignment(base: str, *, app_id: str, group_id: str, priority: int, profile: Json) -> Json:
    """An ``ApplicationGroupAssignment``: its ``id`` is the group's id."""
    return {
        "id": group_id,
        "lastUpdated": now_iso(),
        "priority": priority,
        "profile": dict(profile),
        "_links": {
            "app": {"href": f"{base}/api/v1/apps/{app_id}"},
            "self": {"href": f"{base}/api/v1/apps/{app_id}/groups/{group_id}"},
            "group": {"href": f"{base}/api/v1/groups/{group_id}"},
        },
    }


def new_client_secret() -> str:
    """A generated client secret: 64 URL-safe characters, like Okta's."""
    return secrets.token_urlsafe(48)


def client_secret(base: str, *, app_id: str, secret_id: str, value: str, status: str) -> Json:
    """An ``OAuth2ClientSecret``; ``_links`` follows its status (see :func:`secret_links`)."""
    ts = now_iso()
    digest = hashlib.sha256(value.encode()).digest()[:16]
    return {
        "id": secret_id,
        "status": status,
        "client_secret": value,
        "secret_hash": base64.urlsafe_b64encode(digest).decode().rstrip("="),
        "created": ts,
        "lastUpdated": ts,
        "_links": secret_links(base, app_id, secret_id, status),
    }


def secret_links(base: str, app_id: str, secret_id: str, status: str) -> Json:
    """An active secret offers ``deactivate``; an inactive one ``activate`` and ``delete``."""
    href = f"{base}/api/v1/apps/{app_id}/credentials/secrets/{secret_id}"
    if status == "ACTIVE":
        return {"deactivate": link(f"{href}/lifecycle/deactivate", "POST")}
    return {
        "activate": link(f"{href}/lifecycle/activate", "POST"),
        "delete": link(href, "DELETE"),
    }
