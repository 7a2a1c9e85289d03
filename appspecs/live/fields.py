"""What the snapshot reader relies on in each Okta operation: query parameters and fields.

A contract test checks every entry against Okta's official OpenAPI description, and feeds the
parsers an object holding exactly these fields to show they need no others. A field added to a
parser without an entry here fails that test.
"""

from __future__ import annotations

from appspecs.records import record


@record
class Operation:
    """One GET the reader makes; ``fields`` are dotted paths in each item (or the object)."""

    path: str  # as the spec writes it
    params: tuple[str, ...]
    fields: tuple[str, ...]
    #: The schema a discriminator leads to for the items read (OIDC apps).
    variant: str | None = None


_OIDC_APP_FIELDS = (
    "id",
    "label",
    "status",
    "profile",
    "settings.oauthClient.application_type",
    "settings.oauthClient.grant_types",
    "settings.oauthClient.response_types",
    "settings.oauthClient.redirect_uris",
    "settings.oauthClient.post_logout_redirect_uris",
    "settings.oauthClient.consent_method",
    "settings.oauthClient.issuer_mode",
    "visibility.hide.iOS",
    "visibility.hide.web",
    "credentials.oauthClient.client_id",
    "credentials.oauthClient.token_endpoint_auth_method",
    "credentials.oauthClient.pkce_required",
    "settings.oauthClient.jwks.keys",
    "settings.oauthClient.jwks_uri",
    "settings.oauthClient.refresh_token.rotation_type",
    "settings.oauthClient.refresh_token.leeway",
    "settings.oauthClient.client_uri",
    "settings.oauthClient.tos_uri",
    "settings.oauthClient.policy_uri",
)
_SERVER_FIELDS = ("id", "name", "audiences", "status", "issuerMode")
_SERVERS = "/api/v1/authorizationServers"

APPS = Operation(
    "/api/v1/apps", ("filter", "limit", "after"), _OIDC_APP_FIELDS, "OpenIdConnectApplication"
)
APP_GROUPS = Operation("/api/v1/apps/{appId}/groups", ("limit", "after"), ("id",))
GROUPS = Operation("/api/v1/groups", ("limit", "after"), ("id", "profile.name"))
GROUP_APPS = Operation("/api/v1/groups/{groupId}/apps", ("limit", "after"), ("id",))
SERVERS = Operation(_SERVERS, ("q", "limit", "after"), _SERVER_FIELDS)
SERVER = Operation(_SERVERS + "/{authServerId}", (), _SERVER_FIELDS)
SCOPES = Operation(
    _SERVERS + "/{authServerId}/scopes",
    ("limit", "after"),
    ("id", "name", "displayName", "description", "consent", "metadataPublish", "system"),
)
POLICIES = Operation(
    _SERVERS + "/{authServerId}/policies",
    (),
    ("id", "name", "description", "status", "conditions.clients.include"),
)
RULES = Operation(
    _SERVERS + "/{authServerId}/policies/{policyId}/rules",
    (),
    (
        "id",
        "name",
        "status",
        "conditions.grantTypes.include",
        "conditions.scopes.include",
        "conditions.people.groups.include",
        "conditions.people.users.include",
        "actions.token.accessTokenLifetimeMinutes",
        "actions.token.refreshTokenWindowMinutes",
    ),
)
# Read by appspecs.live.secrets.list_secrets, for the audit and `appspec secret`.
SECRETS = Operation("/api/v1/apps/{appId}/credentials/secrets", (), ("id", "status", "created"))

OPERATIONS: tuple[Operation, ...] = (
    APPS,
    APP_GROUPS,
    GROUPS,
    GROUP_APPS,
    SERVERS,
    SERVER,
    SCOPES,
    POLICIES,
    RULES,
    SECRETS,
)
