"""The Pulumi resources that hold a desired state: type, name, parent and inputs of each.

Written once for everyone: the components create exactly these resources, and the plan compares
exactly these inputs with recorded state. Values known only after another resource exists (a
client id, a group id) are placeholders that each side resolves its own way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from appspecs.desired.model import EVERYONE, DesiredApp, DesiredAuthServer, DesiredState
from appspecs.desired.names import scope_resource_name

AUTH_SERVER_COMPONENT = "appspecs:index:ApiAuthServer"
APP_COMPONENT = "appspecs:index:OidcApp"
SERVER = "okta:auth/server:Server"
SCOPE = "okta:auth/serverScope:ServerScope"
OAUTH_APP = "okta:app/oAuth:OAuth"
POLICY = "okta:auth/serverPolicy:ServerPolicy"
RULE = "okta:auth/serverPolicyRule:ServerPolicyRule"
GROUP_ASSIGNMENTS = "okta:index/appGroupAssignments:AppGroupAssignments"
GET_GROUP = "okta:group/getGroup:getGroup"

AUTH_SERVER_NAME = "api"

# Inputs (wire names) whose change makes the provider replace the resource rather than update
# it (terraform-provider-okta: ForceNew): a new app means a new client id and secret.
FORCE_NEW: dict[str, frozenset[str]] = {
    OAUTH_APP: frozenset({"type", "clientId"}),
    GROUP_ASSIGNMENTS: frozenset({"appId"}),
    POLICY: frozenset({"authServerId"}),
    RULE: frozenset({"authServerId", "policyId"}),
    SCOPE: frozenset({"authServerId"}),
}
# Inputs the provider keeps as they are when the program stops setting them (it suppresses the
# diff): an app's logo stays in Okta when a spec drops `logo:`.
KEPT_WHEN_UNSET: dict[str, frozenset[str]] = {OAUTH_APP: frozenset({"logo"})}
# String inputs that hold a JSON document, which the provider compares as JSON, not as text
# (terraform-provider-okta: `StateFunc: NormalizeDataJSON`, `DiffSuppressFunc:
# SuppressJsonDiff`); `[]` stands for any list index. A plan shows what changes inside them.
JSON_INPUTS: dict[str, frozenset[str]] = {
    OAUTH_APP: frozenset({"profile"}),
    GROUP_ASSIGNMENTS: frozenset({"groups[].profile"}),
}


@dataclass(frozen=True, slots=True)
class Ref:
    """An output of another resource in the graph, e.g. the OAuth app's `client_id`."""

    key: str
    output: str


@dataclass(frozen=True, slots=True)
class GroupId:
    """The id of the Okta group with this name, looked up with okta.group.get_group."""

    name: str


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    key: str  # unique within the graph; how Refs name a resource
    type: str
    name: str
    parent: str | None  # the key of the component this resource belongs to
    inputs: Mapping[str, Any] = field(default_factory=dict)  # pulumi_okta's Python names
    custom: bool = True
    # Okta renumbers policy priorities to stay contiguous, so a declared priority would show a
    # diff whenever another app's policy comes or goes: the engine must ignore it after create.
    ignore_changes: tuple[str, ...] = ()


def auth_server_resources(server: DesiredAuthServer) -> list[ResourceSpec]:
    component = ResourceSpec("auth", AUTH_SERVER_COMPONENT, AUTH_SERVER_NAME, None, custom=False)
    out = [component]
    server_id = auth_server_id(server)
    if server.existing_id is None:
        out.append(
            ResourceSpec(
                "auth/server",
                SERVER,
                AUTH_SERVER_NAME,
                "auth",
                {
                    "name": server.name,
                    "audiences": list(server.audiences),
                    "description": server.description,
                    "status": "ACTIVE",
                },
            )
        )
    for scope in server.scopes:
        out.append(
            ResourceSpec(
                f"auth/scope/{scope.name}",
                SCOPE,
                scope_resource_name(scope.name),
                "auth",
                {
                    "auth_server_id": server_id,
                    "name": scope.name,
                    "display_name": scope.display_name,
                    "description": scope.description,
                    "consent": scope.consent,
                    "metadata_publish": scope.metadata_publish,
                },
            )
        )
    return out


def auth_server_id(server: DesiredAuthServer) -> Any:
    """The configured server's id, or a Ref to the one the graph creates."""
    return server.existing_id if server.existing_id is not None else Ref("auth/server", "id")


def app_resources(app: DesiredApp, server_id: Any) -> list[ResourceSpec]:
    key = f"app/{app.name}"
    c = app.client
    oauth: dict[str, Any] = {
        "label": c.label,
        "type": c.application_type,
        "grant_types": list(c.grant_types),
        "response_types": list(c.response_types),
        "token_endpoint_auth_method": c.token_endpoint_auth_method,
        "pkce_required": c.pkce_required,
        "consent_method": c.consent_method,
        "status": c.status,
        # Secrets are issued and rotated through Okta's API (appspec secret), never kept in state.
        "omit_secret": True,
        "profile": json.dumps(c.profile, sort_keys=True, separators=(",", ":")),
    }
    # Empty lists are left out: the provider reads an unset list back as absent, not [].
    if c.redirect_uris:
        oauth["redirect_uris"] = list(c.redirect_uris)
    if c.post_logout_redirect_uris:
        oauth["post_logout_redirect_uris"] = list(c.post_logout_redirect_uris)
    if c.logo:
        oauth["logo"] = c.logo
    out = [
        ResourceSpec(key, APP_COMPONENT, app.name, None, custom=False),
        ResourceSpec(f"{key}/oauth", OAUTH_APP, app.name, key, oauth),
        ResourceSpec(
            f"{key}/policy",
            POLICY,
            f"{app.name}-policy",
            key,
            {
                "auth_server_id": server_id,
                "name": app.policy.name,
                "description": app.policy.description,
                "priority": app.policy.priority,
                "status": "ACTIVE",
                "client_whitelists": [Ref(f"{key}/oauth", "client_id")],
            },
            ignore_changes=("priority",),
        ),
        ResourceSpec(
            f"{key}/rule",
            RULE,
            f"{app.name}-rule",
            key,
            {
                "auth_server_id": server_id,
                "policy_id": Ref(f"{key}/policy", "id"),
                "name": app.rule.name,
                "priority": app.rule.priority,
                "status": "ACTIVE",
                "grant_type_whitelists": list(app.rule.grant_types),
                "scope_whitelists": list(app.rule.scopes),
                "group_whitelists": [g if g == EVERYONE else GroupId(g) for g in app.rule.groups],
            },
        ),
    ]
    if app.groups:
        out.append(
            ResourceSpec(
                f"{key}/groups",
                GROUP_ASSIGNMENTS,
                f"{app.name}-groups",
                key,
                {
                    "app_id": Ref(f"{key}/oauth", "id"),
                    "groups": [
                        {"id": GroupId(g), "priority": i, "profile": "{}"}
                        for i, g in enumerate(app.groups)
                    ],
                },
            )
        )
    return out


def resource_graph(state: DesiredState) -> list[ResourceSpec]:
    """Every resource of the stack, parents before children."""
    out = auth_server_resources(state.auth_server)
    server_id = auth_server_id(state.auth_server)
    for app in state.apps:
        out += app_resources(app, server_id)
    return out


def placeholders(value: Any) -> Iterator[Ref | GroupId]:
    """Every Ref and GroupId inside an input value."""
    if isinstance(value, Ref | GroupId):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from placeholders(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from placeholders(v)
