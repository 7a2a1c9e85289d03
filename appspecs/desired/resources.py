"""The Pulumi resources that hold a desired state: type, name, parent and inputs of each.

Written once for everyone: the components create exactly these resources, and the plan compares
exactly these inputs with recorded state. Values known only after another resource exists (a
client id, a group id) are placeholders that each side resolves its own way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field
from typing import Any

from appspecs.desired.model import (
    EVERYONE,
    DesiredApp,
    DesiredAuthServer,
    DesiredOAuthClient,
    DesiredState,
)
from appspecs.desired.names import scope_resource_name
from appspecs.jsonenc import compact_encoder
from appspecs.records import record

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

# Inputs (wire names) the provider cannot change in place: its schema marks them
# `willReplaceOnChanges` (ForceNew in terraform-provider-okta), so the engine replaces the
# resource: a new app means a new client id. pulumi_okta ships no schema to read at run time
# (only pulumi-plugin.json), so this is the one table of them, checked against the provider's
# schema (tests/test_provider_schema.py); the plan adds each resource's `replace_on_changes`.
PROVIDER_REPLACES: dict[str, frozenset[str]] = {
    OAUTH_APP: frozenset({"type", "clientId"}),
    GROUP_ASSIGNMENTS: frozenset({"appId"}),
}
# Inputs the provider keeps as they are when the program does not set them: an app's logo stays
# in Okta when a spec drops `logo:`, as do its links, its other settings and its username's push
# status (app.go: their `DiffSuppressFunc` takes an unset value for no change), and the
# Optional+Computed ones keep the live value (resource_okta_app_oauth.go: client_id,
# authentication_policy), which `pulumi import` records among the inputs (the bridge's
# ExtractInputsFromOutputs keeps every input not at its default).
KEPT_WHEN_UNSET: dict[str, frozenset[str]] = {
    OAUTH_APP: frozenset(
        {
            "logo",
            "appLinksJson",
            "appSettingsJson",
            "userNameTemplatePushStatus",
            "clientId",
            "authenticationPolicy",
        }
    )
}
# The other inputs the program may leave unset, each with what the provider's diff takes for it
# then, which the update sends: its `Default`, else its type's zero ("", 0, false, no items;
# None: no block, for the one-block lists the schema gives as objects).
# They are Optional and not Computed in terraform-provider-okta (the schema's outputs do not
# require them), so a value the recorded state holds for one (its outputs, into which a refresh
# reads what the console set: a user excluded from a rule, a note, a login URI) is a change that
# `pulumi up` makes, as the bridge diffs against the recorded outputs. Every such input of our
# resources is here but the KEPT_WHEN_UNSET and the READ_BLOCKS, checked against the schema
# (tests/test_provider_schema.py). Defaults (v6.12.0): resource_okta_app_oauth.go, app.go
# (baseAppSchema, baseAppSwaSchema), policy.go (statusSchema, ACTIVE),
# resource_okta_auth_server.go, resource_okta_auth_server_scope.go and
# resource_okta_auth_server_policy_rule.go.
RESET_WHEN_UNSET: dict[str, Mapping[str, Any]] = {
    OAUTH_APP: {
        "accessibilityErrorRedirectUrl": "",
        "accessibilityLoginRedirectUrl": "",
        "accessibilitySelfService": False,
        "adminNote": "",
        "autoKeyRotation": True,
        "autoSubmitToolbar": False,
        "backchannelCustomAuthenticatorId": "",
        "clientBasicSecret": "",
        "clientBasicSecretWo": "",
        "clientBasicSecretWoVersion": 0,
        "clientUri": "",
        "consentMethod": "TRUSTED",
        "enduserNote": "",
        "frontchannelLogoutSessionRequired": False,
        "frontchannelLogoutUri": "",
        "groupsClaim": None,
        "hideIos": True,
        "hideWeb": True,
        "implicitAssignment": False,
        "issuerMode": "ORG_URL",
        "jwksUri": "",
        "loginMode": "DISABLED",
        "loginScopes": [],
        "loginUri": "",
        "logoUri": "",
        "network": None,
        "omitSecret": False,
        "participateSlo": False,
        "policyUri": "",
        "postLogoutRedirectUris": [],
        "preconfiguredApp": "",
        "profile": "",
        "redirectUris": [],
        "refreshTokenLeeway": 0,
        "refreshTokenRotation": "STATIC",
        "skipAuthenticationPolicy": False,
        "status": "ACTIVE",
        "tokenEndpointAuthMethod": "client_secret_basic",
        "tosUri": "",
        "userNameTemplate": "${source.login}",
        "userNameTemplateSuffix": "",
        "userNameTemplateType": "BUILT_IN",
        "wildcardRedirect": "DISABLED",
    },
    SERVER: {
        "credentialsRotationMode": "AUTO",
        "description": "",
        "issuerMode": "ORG_URL",
        "status": "ACTIVE",
    },
    SCOPE: {
        "consent": "IMPLICIT",
        "default": False,
        "description": "",
        "displayName": "",
        "metadataPublish": "ALL_CLIENTS",
        "optional": False,
    },
    POLICY: {"status": "ACTIVE"},
    RULE: {
        "accessTokenLifetimeMinutes": 60,
        "groupBlacklists": [],
        "groupWhitelists": [],
        "inlineHookId": "",
        "refreshTokenLifetimeMinutes": 0,
        "refreshTokenWindowMinutes": 10080,
        "scopeWhitelists": [],
        "status": "ACTIVE",
        "type": "RESOURCE_ACCESS",
        "userBlacklists": [],
        "userWhitelists": [],
    },
}
# String inputs that hold a JSON document, which the provider compares as JSON, not as text
# (terraform-provider-okta: `StateFunc: NormalizeDataJSON`, `DiffSuppressFunc:
# SuppressJsonDiff`); `[]` stands for any list index. A plan shows what changes inside them.
JSON_INPUTS: dict[str, frozenset[str]] = {
    OAUTH_APP: frozenset({"profile"}),
    GROUP_ASSIGNMENTS: frozenset({"groups[].profile"}),
}

# String inputs whose recorded output is not the value sent but the provider's `StateFunc` of it
# (app.go: `logo`, utils.LocalFileStateFunc, the file's hash): never compared with that output
# as a value; the plan compares a logo's content on its own (plan/logos.py).
HASHED_INPUTS: dict[str, frozenset[str]] = {OAUTH_APP: frozenset({"logo"})}

# Inputs whose change the provider's diff ignores when the program sends 0: a group block's
# priority (resource_okta_app_group_assignments.go: its DiffSuppressFunc compares a top-level
# `priority` the resource does not have, equal on both sides, so any change to "0" is none).
IGNORED_WHEN_ZERO: dict[str, frozenset[str]] = {
    GROUP_ASSIGNMENTS: frozenset({"groups[].priority"}),
}

# Lists of blocks the provider's read fills from Okta, every member Okta holds (those made in the
# console too) and none it no longer does, each block named by the member given here:
# resource_okta_app_group_assignments.go (syncGroups) and resource_okta_app_oauth.go
# (setOAuthClientSettingsV6, the `jwks` keys). The plan compares with those members (design.md).
READ_BLOCKS: dict[str, dict[str, str]] = {
    GROUP_ASSIGNMENTS: {"groups": "id"},
    OAUTH_APP: {"jwks": "kid"},
}

# Inputs the provider holds as sets (`schema.TypeSet` in terraform-provider-okta:
# resource_okta_auth_server_policy_rule.go, resource_okta_app_oauth.go,
# resource_okta_auth_server_policy.go, resource_okta_auth_server.go), which its diff compares as
# sets: listed in another order they are no change. redirect_uris and the group assignments'
# `group` blocks are lists (TypeList): their order is a change.
SET_INPUTS: dict[str, frozenset[str]] = {
    RULE: frozenset(
        {
            "grantTypeWhitelists",
            "scopeWhitelists",
            "groupWhitelists",
            "groupBlacklists",
            "userWhitelists",
            "userBlacklists",
        }
    ),
    OAUTH_APP: frozenset({"grantTypes", "postLogoutRedirectUris", "responseTypes", "loginScopes"}),
    POLICY: frozenset({"clientWhitelists"}),
    SERVER: frozenset({"audiences"}),
}

# The OAuth app's profile as its input holds it: compact JSON, keys sorted. One encoder for
# every app (jsonenc.py says why).
_profile_text = compact_encoder(sort_keys=True, separators=(",", ":"))


# Settings of the desired state sent as inputs of the same (Python) name. They are stated even at
# the provider's default, so the plan shows what an update would reset (see model.py).
STATED_OAUTH = (
    "hide_ios",
    "hide_web",
    "issuer_mode",
    "login_mode",
    "auto_key_rotation",
    "refresh_token_rotation",
    "refresh_token_leeway",
    "wildcard_redirect",
    "auto_submit_toolbar",
    "accessibility_self_service",
    "user_name_template",
    "user_name_template_type",
)
STATED_SERVER = ("issuer_mode", "credentials_rotation_mode")
STATED_SCOPE = ("default",)
STATED_RULE = (
    "access_token_lifetime_minutes",
    "refresh_token_window_minutes",
    "refresh_token_lifetime_minutes",
)


def stated(source: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The named settings of a desired object as inputs; None means "not sent"."""
    values = {name: getattr(source, name) for name in names}
    return {name: value for name, value in values.items() if value is not None}


@record
class Ref:
    """An output of another resource in the graph, e.g. the OAuth app's `client_id`."""

    key: str
    output: str


@record
class GroupId:
    """The id of the Okta group with this name, looked up with okta.group.get_group."""

    name: str


@record
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
    # Inputs (Python names) whose change must replace the resource although the provider would
    # update it in place: the provider PUTs a moved policy to the new server with its old id.
    replace_on_changes: tuple[str, ...] = ()
    # Keys of resources to create first, beyond those its inputs refer to (Refs).
    depends_on: tuple[str, ...] = ()
    # The key of a resource of the same kind that must be created (or found) before this one
    # is registered at all: see `policy_chain`. Not a dependency the engine records.
    created_after: str | None = None
    # Registered with Pulumi's `protect`: the engine refuses to delete or replace it, also once
    # the program stops registering it (the flag stays in state). See `app_resources`.
    protect: bool = False


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
                    **stated(server, STATED_SERVER),
                },
            )
        )
    for scope in server.scopes:
        out.append(
            ResourceSpec(
                scope_key(scope.name),
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
                    **stated(scope, STATED_SCOPE),
                },
                replace_on_changes=ON_ANOTHER_SERVER,
            )
        )
    return out


# A scope, policy or rule belongs to one server (and a rule to one policy): the provider would
# update it in place with its old id under the new parent, which Okta refuses or, worse, applies
# to another object. Only a new one on the new parent is right.
ON_ANOTHER_SERVER = ("auth_server_id",)
ON_ANOTHER_POLICY = ("auth_server_id", "policy_id")


def scope_key(value: str) -> str:
    return f"auth/scope/{value}"


def policy_key(app: str) -> str:
    return f"app/{app}/policy"


def auth_server_id(server: DesiredAuthServer) -> Any:
    """The configured server's id, or a Ref to the one the graph creates."""
    return server.existing_id if server.existing_id is not None else Ref("auth/server", "id")


def app_resources(app: DesiredApp, server_id: Any, after: str | None = None) -> list[ResourceSpec]:
    """The app's resources. ``after`` is the app whose policy is created just before this one's
    on the same server (see `resource_graph`).

    A partner app is deployed only at an approved version, so every resource of one is
    protected: a review may hold a change, but removing its approval or its spec must never
    delete (or replace) the partner's running integration. Retiring one is a deliberate step
    (docs/commands.md, "Retiring a partner app")."""
    key = f"app/{app.name}"
    protect = app.partner
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
        "profile": _profile_text(c.profile),
        **stated(c, STATED_OAUTH),
    }
    # Empty lists are left out: the provider reads an unset list back as absent, not [].
    if c.redirect_uris:
        oauth["redirect_uris"] = list(c.redirect_uris)
    if c.post_logout_redirect_uris:
        oauth["post_logout_redirect_uris"] = list(c.post_logout_redirect_uris)
    if c.logo:
        oauth["logo"] = c.logo
    oauth.update(key_inputs(c))
    oauth.update(
        {
            name: value
            for name, value in (
                ("client_uri", c.client_uri),
                ("tos_uri", c.tos_uri),
                ("policy_uri", c.policy_uri),
            )
            if value is not None
        }
    )
    out = [
        ResourceSpec(key, APP_COMPONENT, app.name, None, custom=False, protect=protect),
        ResourceSpec(f"{key}/oauth", OAUTH_APP, app.name, key, oauth, protect=protect),
        ResourceSpec(
            policy_key(app.name),
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
            replace_on_changes=ON_ANOTHER_SERVER,
            created_after=policy_key(after) if after is not None else None,
            protect=protect,
        ),
        ResourceSpec(
            f"{key}/rule",
            RULE,
            f"{app.name}-rule",
            key,
            {
                "auth_server_id": server_id,
                "policy_id": Ref(policy_key(app.name), "id"),
                "name": app.rule.name,
                "priority": app.rule.priority,
                "status": "ACTIVE",
                "grant_type_whitelists": list(app.rule.grant_types),
                "scope_whitelists": list(app.rule.scopes),
                "group_whitelists": [g if g == EVERYONE else GroupId(g) for g in app.rule.groups],
                **stated(app.rule, STATED_RULE),
            },
            replace_on_changes=ON_ANOTHER_POLICY,
            # The rule names its scopes as text: without this the engine may create it before
            # the scopes exist, and Okta refuses a rule naming an unknown scope.
            depends_on=tuple(scope_key(s) for s in app.scopes),
            protect=protect,
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
                protect=protect,
            )
        )
    return out


def key_inputs(client: DesiredOAuthClient) -> dict[str, Any]:
    """A key-based client's keys (the provider's jwks block, OAuthJwk) or key set URL."""
    out: dict[str, Any] = {}
    if client.jwks:
        out["jwks"] = [key.members() for key in client.jwks]
    if client.jwks_uri is not None:
        out["jwks_uri"] = client.jwks_uri
    return out


def resource_graph(state: DesiredState) -> list[ResourceSpec]:
    """Every resource of the stack, parents before children."""
    out = auth_server_resources(state.auth_server)
    server_id = auth_server_id(state.auth_server)
    for app, after in policy_chain(state.apps):
        out += app_resources(app, server_id, after)
    return out


def policy_chain(apps: Iterable[DesiredApp]) -> Iterator[tuple[DesiredApp, str | None]]:
    """Each app with the app whose policy is created just before its own (None for the first).

    One chain of policies per server: Okta answers 500 when several policies are created on one
    server at once (the provider takes no lock on create: resource_okta_auth_server_policy.go;
    terraform-provider-okta issue #1198), so each app's policy is registered only once the one
    before it exists (`created_after`). The provider already serialises every rule create behind
    one lock (resource_okta_auth_server_policy_rule.go), so a chain of policies beside that chain
    of rules leaves a deployment about as long as it was.

    Not `depends_on`: the Python SDK checks every new dependency for cycles by walking the whole
    chain recursively (pulumi/runtime/resource_cycle_breaker.py), which fails with a
    RecursionError past some 950 apps and costs time growing with the cube of their number.
    """
    after: str | None = None
    for app in apps:
        yield app, after
        after = app.name


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
