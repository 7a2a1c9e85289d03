"""Handlers under ``/api/v1/apps``: apps, their group assignments and client secrets."""

from __future__ import annotations

from typing import Any

from tests.standin import filters
from tests.standin.errors import validation_failed
from tests.standin.messages import Reply, Request, Route
from tests.standin.objects import Json, now_iso, signing_key
from tests.standin.pages import PageSpec, paged, unpaged
from tests.standin.state import OktaState
from tests.standin.table import Table

APPS_PAGE = PageSpec(default=20, maximum=200)
APP_GROUPS_PAGE = PageSpec(default=20, maximum=200, minimum=20)  # the spec's 20..200

_APP_FILTER_ATTRS = {"id", "status", "name", "credentials.signing.kid", "settings.slo.enabled"}
_APP_TYPES = {"web", "browser", "native", "service"}
_AUTH_METHODS = {
    "client_secret_basic",
    "client_secret_post",
    "client_secret_jwt",
    "private_key_jwt",
    "none",
}
_SECRET_METHODS = {"client_secret_basic", "client_secret_post", "client_secret_jwt"}


def list_apps(state: OktaState, req: Request) -> Reply:
    """``GET /api/v1/apps`` with ``q`` (name or label prefix), ``filter``, ``after``, ``limit``."""
    preds = []
    if flt := req.arg("filter"):
        preds.append(filters.parse(flt, _APP_FILTER_ATTRS.__contains__))
    if q := req.arg("q"):
        prefix = q.lower()
        preds.append(
            lambda a: (
                str(a.get("label", "")).lower().startswith(prefix)
                or str(a.get("name", "")).lower().startswith(prefix)
            )
        )
    match = (lambda a: all(p(a) for p in preds)) if preds else None
    return paged(req, state.apps, APPS_PAGE, match)


def get_app(state: OktaState, req: Request, app_id: str) -> Reply:
    """``GET /api/v1/apps/{appId}``."""
    return Reply(200, state.app(app_id))


def _oidc_fields(body: Json) -> dict[str, Any]:
    """The stand-in's app fields from an Okta-shaped OIDC app body (400 on what Okta refuses)."""
    if (
        body.get("signOnMode") != "OPENID_CONNECT"
        or body.get("name", "oidc_client") != "oidc_client"
    ):
        raise validation_failed("signOnMode", "signOnMode: The stand-in only serves OIDC apps.")
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise validation_failed("label", "label: The field cannot be left blank.")
    settings = (body.get("settings") or {}).get("oauthClient") or {}
    creds = (body.get("credentials") or {}).get("oauthClient") or {}
    grants = settings.get("grant_types")
    if not isinstance(grants, list) or not grants:
        raise validation_failed("settings", "grant_types: The field cannot be left blank.")
    app_type = settings.get("application_type", "web")
    if app_type not in _APP_TYPES:
        raise validation_failed("settings", f"application_type: Invalid value {app_type!r}.")
    method = creds.get("token_endpoint_auth_method", "client_secret_basic")
    if method not in _AUTH_METHODS:
        raise validation_failed(
            "credentials", f"token_endpoint_auth_method: Invalid value {method!r}."
        )
    if "authorization_code" in grants and not settings.get("redirect_uris"):
        raise validation_failed("settings", "redirect_uris: The field cannot be left blank.")
    fields: dict[str, Any] = {
        "label": label,
        "application_type": app_type,
        "grant_types": grants,
        "response_types": settings.get("response_types") or ["code"],
        "redirect_uris": settings.get("redirect_uris") or [],
        "post_logout_redirect_uris": settings.get("post_logout_redirect_uris") or [],
        "token_endpoint_auth_method": method,
        "pkce_required": bool(creds.get("pkce_required", method == "none")),
        "consent_method": settings.get("consent_method", "TRUSTED"),
        "profile": body.get("profile") or {},
        "implicit_assignment": bool((body.get("settings") or {}).get("implicitAssignment", False)),
    }
    for key in ("jwks", *_OPTIONAL_SETTINGS):
        if settings.get(key) is not None:
            fields[key] = settings[key]
    return fields


# settings.oauthClient members kept as sent when given (Okta's OpenIdConnectApplicationSettingsClient)
_OPTIONAL_SETTINGS = ("jwks_uri", "refresh_token", "client_uri", "tos_uri", "policy_uri")


def create_app(state: OktaState, req: Request) -> Reply:
    """``POST /api/v1/apps``: an OIDC app; a confidential client gets a secret, as at Okta."""
    body = req.json({})
    fields = _oidc_fields(body)
    status = "INACTIVE" if req.arg("activate") == "false" else "ACTIVE"
    client_id = ((body.get("credentials") or {}).get("oauthClient") or {}).get("client_id")
    app = state.add_app(client_id=client_id, status=status, **fields)
    if fields["token_endpoint_auth_method"] in _SECRET_METHODS:
        secret = state.add_secret(app["id"])
        # The secret shows in the create response only; later reads leave it out.
        shown = dict(app, credentials=dict(app["credentials"]))
        shown["credentials"]["oauthClient"] = dict(
            app["credentials"]["oauthClient"], client_secret=secret["client_secret"]
        )
        return Reply(200, shown)
    return Reply(200, app)


def replace_app(state: OktaState, req: Request, app_id: str) -> Reply:
    """``PUT /api/v1/apps/{appId}``: label, profile and OAuth settings; id and status stay."""
    app = state.app(app_id)
    fields = _oidc_fields(req.json({}))
    client = app["settings"]["oauthClient"]
    for key in (
        "application_type",
        "grant_types",
        "response_types",
        "redirect_uris",
        "post_logout_redirect_uris",
        "consent_method",
    ):
        client[key] = fields[key]
    if "jwks" in fields:
        client["jwks"] = {"keys": [signing_key(k) for k in fields["jwks"].get("keys", [])]}
    for key in _OPTIONAL_SETTINGS:
        if key in fields:
            client[key] = fields[key]
        else:
            client.pop(key, None)
    app["credentials"]["oauthClient"]["token_endpoint_auth_method"] = fields[
        "token_endpoint_auth_method"
    ]
    app["credentials"]["oauthClient"]["pkce_required"] = fields["pkce_required"]
    app["settings"]["implicitAssignment"] = fields["implicit_assignment"]
    app["label"] = fields["label"]
    app["profile"] = fields["profile"]
    app["lastUpdated"] = now_iso()
    return Reply(200, app)


def delete_app(state: OktaState, req: Request, app_id: str) -> Reply:
    """``DELETE /api/v1/apps/{appId}`` (only once deactivated)."""
    state.delete_app(app_id)
    return Reply(204)


def app_lifecycle(state: OktaState, req: Request, app_id: str, action: str) -> Reply:
    """``POST /api/v1/apps/{appId}/lifecycle/activate|deactivate``: 200 with ``{}``."""
    state.set_app_status(app_id, "ACTIVE" if action == "activate" else "INACTIVE")
    return Reply(200, {})


def list_app_groups(state: OktaState, req: Request, app_id: str) -> Reply:
    """``GET /api/v1/apps/{appId}/groups``: assignments, ``q`` filters on group name prefix."""
    state.app(app_id)
    match = None
    if q := req.arg("q"):
        prefix = q.lower()
        groups = state.groups

        def match(asg: Json) -> bool:
            grp = groups.get(asg["id"])
            return grp is not None and str(grp["profile"].get("name", "")).lower().startswith(
                prefix
            )

    return paged(req, state.app_groups.setdefault(app_id, Table()), APP_GROUPS_PAGE, match)


def get_app_group(state: OktaState, req: Request, app_id: str, group_id: str) -> Reply:
    """``GET /api/v1/apps/{appId}/groups/{groupId}``."""
    return Reply(200, state.assignment(app_id, group_id))


def assign_app_group(state: OktaState, req: Request, app_id: str, group_id: str) -> Reply:
    """``PUT /api/v1/apps/{appId}/groups/{groupId}`` with optional ``priority`` and ``profile``."""
    body = req.json({}) or {}
    priority = body.get("priority")
    if priority is not None and not isinstance(priority, int):
        raise validation_failed("priority", "priority: Must be an integer.")
    return Reply(200, state.assign_group(app_id, group_id, priority, body.get("profile") or {}))


def unassign_app_group(state: OktaState, req: Request, app_id: str, group_id: str) -> Reply:
    """``DELETE /api/v1/apps/{appId}/groups/{groupId}``."""
    state.unassign_group(app_id, group_id)
    return Reply(204)


def list_secrets(state: OktaState, req: Request, app_id: str) -> Reply:
    """``GET /api/v1/apps/{appId}/credentials/secrets`` (never paged: two at most)."""
    state.app(app_id)
    return unpaged(req, list(state.secrets.setdefault(app_id, Table()).values()))


def create_secret(state: OktaState, req: Request, app_id: str) -> Reply:
    """``POST .../credentials/secrets``: ``{}`` generates; ``client_secret``/``status`` optional."""
    body = req.json({}) or {}
    value = body.get("client_secret")
    if value is not None and not isinstance(value, str):
        raise validation_failed("client_secret", "client_secret: Must be a string.")
    return Reply(201, state.add_secret(app_id, value, body.get("status", "ACTIVE")))


def get_secret(state: OktaState, req: Request, app_id: str, secret_id: str) -> Reply:
    """``GET .../credentials/secrets/{secretId}``."""
    return Reply(200, state.secret(app_id, secret_id))


def delete_secret(state: OktaState, req: Request, app_id: str, secret_id: str) -> Reply:
    """``DELETE .../credentials/secrets/{secretId}`` (400 while it is ACTIVE)."""
    state.delete_secret(app_id, secret_id)
    return Reply(204)


def secret_lifecycle(
    state: OktaState, req: Request, app_id: str, secret_id: str, action: str
) -> Reply:
    """``POST .../secrets/{secretId}/lifecycle/activate|deactivate``."""
    status = "ACTIVE" if action == "activate" else "INACTIVE"
    return Reply(200, state.set_secret_status(app_id, secret_id, status))


_APP = r"/api/v1/apps/(?P<app_id>[^/]+)"
_SECRET = _APP + r"/credentials/secrets/(?P<secret_id>[^/]+)"

ROUTES: list[Route] = [
    ("GET", r"/api/v1/apps", list_apps),
    ("POST", r"/api/v1/apps", create_app),
    ("GET", _APP, get_app),
    ("PUT", _APP, replace_app),
    ("DELETE", _APP, delete_app),
    ("POST", _APP + r"/lifecycle/(?P<action>activate|deactivate)", app_lifecycle),
    ("GET", _APP + r"/groups", list_app_groups),
    ("GET", _APP + r"/groups/(?P<group_id>[^/]+)", get_app_group),
    ("PUT", _APP + r"/groups/(?P<group_id>[^/]+)", assign_app_group),
    ("DELETE", _APP + r"/groups/(?P<group_id>[^/]+)", unassign_app_group),
    ("GET", _APP + r"/credentials/secrets", list_secrets),
    ("POST", _APP + r"/credentials/secrets", create_secret),
    ("GET", _SECRET, get_secret),
    ("DELETE", _SECRET, delete_secret),
    ("POST", _SECRET + r"/lifecycle/(?P<action>activate|deactivate)", secret_lifecycle),
]
