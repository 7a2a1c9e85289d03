"""The desired Okta state of one stack: what the specs say Okta should hold, in Okta's terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The profile key that marks an Okta app as managed here, so the audit can trace it to its spec.
MARKER = "appspecs"
EVERYONE = "EVERYONE"


@dataclass(frozen=True, slots=True)
class DesiredScope:
    name: str
    display_name: str
    description: str
    consent: str
    metadata_publish: str


@dataclass(frozen=True, slots=True)
class DesiredAuthServer:
    """The API's custom authorization server: created here, or an existing one by id."""

    name: str | None
    audiences: tuple[str, ...]
    description: str
    existing_id: str | None
    scopes: tuple[DesiredScope, ...]


@dataclass(frozen=True, slots=True)
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
    logo: str | None  # path relative to the project root
    status: str
    profile: dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class DesiredPolicy:
    """The app's own access policy on the authorization server, naming only its client id."""

    name: str
    description: str
    priority: int


@dataclass(frozen=True, slots=True)
class DesiredRule:
    name: str
    priority: int
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    # group names; EVERYONE when the rule does not narrow by group
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class SkippedApp:
    """An app with a valid spec that this stack does not get, and why."""

    name: str
    reason: SkipReason
    detail: str


@dataclass(frozen=True, slots=True)
class DesiredState:
    stack: str
    auth_server: DesiredAuthServer
    apps: tuple[DesiredApp, ...]
    skipped: tuple[SkippedApp, ...]

    @property
    def held(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.skipped if s.reason == "held")
