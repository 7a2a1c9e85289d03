"""The desired Okta state of one stack: what the specs say Okta should hold, in Okta's terms."""

from __future__ import annotations

from typing import Literal

from appspecs.records import record

# The profile key that marks an Okta app as managed here, so the audit can trace it to its spec.
MARKER = "appspecs"
EVERYONE = "EVERYONE"


@record
class DesiredScope:
    name: str
    display_name: str
    description: str
    consent: str
    metadata_publish: str
    default: bool = False  # not granted when a request names no scope


@record
class DesiredAuthServer:
    """The API's custom authorization server: created here, or an existing one by id."""

    name: str | None
    audiences: tuple[str, ...]
    description: str
    existing_id: str | None
    scopes: tuple[DesiredScope, ...]
    # Stated, not left to the provider's default: an adopted server with another issuer mode
    # would have its `iss` claim changed by the first update without the plan saying so.
    issuer_mode: str = "ORG_URL"
    credentials_rotation_mode: str = "AUTO"


@record
class DesiredKey:
    """One public key of a private_key_jwt client, as Okta's JWKS holds it (no `crv`: neither
    Okta's OAuth2ClientJsonWebKeyECRequest nor the provider's jwks block has one)."""

    kid: str
    kty: str
    e: str | None = None
    n: str | None = None
    x: str | None = None
    y: str | None = None

    def members(self) -> dict[str, str]:
        """The members that are set, by their JWK names."""
        members = {"kid": self.kid, "kty": self.kty, "e": self.e, "n": self.n}
        members |= {"x": self.x, "y": self.y}
        return {k: v for k, v in members.items() if v is not None}


@record
class DesiredOAuthClient:
    """The OIDC app's settings as Okta names them (`settings.oauthClient`, `credentials`)."""

    label: str
    application_type: Literal["web", "browser", "native", "service"]
    grant_types: tuple[str, ...]
    response_types: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    token_endpoint_auth_method: str
    pkce_required: bool
    consent_method: str
    logo: str | None  # path relative to the program's folder (see render.logo_input)
    status: str
    profile: dict[str, dict[str, str]]
    # Settings no spec chooses (yet), stated so that plan, preview and audit show them: an input
    # left unset takes the provider's schema default on the next update, on an adopted app too,
    # and the plan would not say so. Each default is the provider's (resource_okta_app_oauth.go
    # and app.go), what a created app gets anyway. A spec field that chooses one of these sets it
    # in render.py; the resources and the plan follow.
    hide_ios: bool = True
    hide_web: bool = True
    issuer_mode: str = "ORG_URL"
    login_mode: str = "DISABLED"
    auto_key_rotation: bool = True
    refresh_token_rotation: str = "STATIC"
    refresh_token_leeway: int = 0
    wildcard_redirect: str = "DISABLED"
    auto_submit_toolbar: bool = False
    accessibility_self_service: bool = False
    user_name_template: str = "${source.login}"
    user_name_template_type: str = "BUILT_IN"
    # private_key_jwt: the public keys inline, or where the client publishes them
    jwks: tuple[DesiredKey, ...] = ()
    jwks_uri: str | None = None
    # consent-screen links (the spec's links: home, terms, privacy)
    client_uri: str | None = None
    tos_uri: str | None = None
    policy_uri: str | None = None


@record
class DesiredPolicy:
    """The app's own access policy on the authorization server, naming only its client id."""

    name: str
    description: str
    priority: int


@record
class DesiredRule:
    name: str
    priority: int
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    # group names; EVERYONE when the rule does not narrow by group
    groups: tuple[str, ...]
    # Token lifetimes, stated (resource_okta_auth_server_policy_rule.go defaults): an adopted
    # rule with other lifetimes is reset by the first update, and the plan says so.
    access_token_lifetime_minutes: int = 60
    refresh_token_window_minutes: int = 10080
    refresh_token_lifetime_minutes: int | None = None  # None: Okta's (unlimited), not sent


@record
class DesiredApp:
    name: str
    digest: str
    kind: str
    partner: bool
    scopes: tuple[str, ...]  # the catalog scopes the spec grants
    client: DesiredOAuthClient
    policy: DesiredPolicy
    rule: DesiredRule
    groups: tuple[str, ...]  # group names assigned to the app


SkipReason = Literal["held", "environment"]


@record
class SkippedApp:
    """An app with a valid spec that this stack does not get, and why."""

    name: str
    reason: SkipReason
    detail: str


@record
class DesiredState:
    stack: str
    auth_server: DesiredAuthServer
    apps: tuple[DesiredApp, ...]
    skipped: tuple[SkippedApp, ...]

    @property
    def held(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.skipped if s.reason == "held")
