"""The shape of an app spec. Types and formats live here; rules that need the catalog, the file
name or other fields live in `checks.py`, so each can report its own diagnostic code."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from appspecs.inputfile import path_problem

ClientKind = Literal["web", "spa", "native", "service"]
AppType = Literal["internal", "partner"]

# Grant types each kind may use, the first ones being the default when a spec names none.
GRANTS_BY_KIND: dict[str, tuple[str, ...]] = {
    "web": ("authorization_code", "refresh_token", "client_credentials"),
    "spa": ("authorization_code", "refresh_token"),
    "native": (
        "authorization_code",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
    ),
    "service": ("client_credentials",),
}
# The grant type Okta requires of each kind, on create and update (terraform-provider-okta,
# resource_okta_app_oauth.go, appRequirementsByType: RequiredGrantTypes): a web or native app
# without authorization_code, or a service app without client_credentials, is refused by the
# provider. Browser (spa) apps require none. Every grant in GRANTS_BY_KIND is among the
# provider's ValidGrantTypes for the kind (tests/test_provider_grants.py keeps the two in step).
REQUIRED_GRANT_BY_KIND: dict[str, str | None] = {
    "web": "authorization_code",
    "spa": None,
    "native": "authorization_code",
    "service": "client_credentials",
}
DEFAULT_GRANTS: dict[str, tuple[str, ...]] = {
    "web": ("authorization_code", "refresh_token"),
    "spa": ("authorization_code", "refresh_token"),
    "native": ("authorization_code", "refresh_token"),
    "service": ("client_credentials",),
}
INTERACTIVE_GRANTS = frozenset(
    {"authorization_code", "urn:ietf:params:oauth:grant-type:device_code"}
)
# The OpenID Connect scopes an app may ask for besides its catalog scopes. Okta matches an
# access-policy rule only when the rule lists every scope a request asks for, so a sign-in with
# `scope=openid profile` fails (no_matching_policy) unless the rule lists them.
OIDC_SCOPES: tuple[str, ...] = ("openid", "profile", "email", "offline_access")
OidcScope = Literal["openid", "profile", "email", "offline_access"]
# What an app that signs users in asks for unless its spec says otherwise; offline_access comes
# with the refresh_token grant (render.py). A service app signs in no user: none.
DEFAULT_OIDC_SCOPES: tuple[str, ...] = ("openid", "profile", "email")
# Public clients hold no secret: PKCE is what binds their authorization code to them.
PUBLIC_KINDS = frozenset({"spa", "native"})


def _printable(value: str) -> str:
    if not value.isprintable():
        raise ValueError("must contain only printable characters (no tabs or line breaks)")
    return value


def _file_path(value: str) -> str:
    """A path a file can have: a NUL (or another control character) would reach the operating
    system, which refuses it ("embedded null byte"), long after the spec was read."""
    problem = path_problem(value)
    if problem:
        raise ValueError(f"the path {problem}")
    return value


#: Any field that names a file or folder.
FilePath = Annotated[str, AfterValidator(_file_path)]

# An app's name: 3-40 of a-z, 0-9 and '-', a letter first, no '-' last.
NAME_PATTERN = r"^[a-z][a-z0-9-]*[a-z0-9]$"
NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 40
AppName = Annotated[
    str,
    StringConstraints(min_length=NAME_MIN_LENGTH, max_length=NAME_MAX_LENGTH, pattern=NAME_PATTERN),
]
# A partner's id in the registry (partners.yaml): shaped like an app name.
PartnerId = Annotated[
    str,
    StringConstraints(min_length=NAME_MIN_LENGTH, max_length=NAME_MAX_LENGTH, pattern=NAME_PATTERN),
]
Label = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_printable)]
Email = Annotated[
    str,
    StringConstraints(
        max_length=254, pattern=r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
    ),
]
Uri = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
GroupName = Annotated[
    str, StringConstraints(min_length=1, max_length=255), AfterValidator(_printable)
]
StackName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
ScopeValue = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class Client(BaseModel):
    """How the app signs in: its OAuth client settings."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    kind: ClientKind = Field(
        description="web (server-side, confidential), spa (browser, PKCE), native (mobile or "
        "desktop, PKCE) or service (machine-to-machine, client credentials)."
    )
    redirect_uris: list[Uri] = Field(
        default_factory=list,
        description="Sign-in redirect URIs: https, or http on a loopback host; native apps may use "
        "a private-use scheme like com.acme.app:/cb. At least one unless the kind is service.",
    )
    post_logout_redirect_uris: list[Uri] = Field(
        default_factory=list, description="Where Okta may send users after sign-out."
    )
    grant_types: list[str] | None = Field(
        default=None,
        description="OAuth grant types; defaults per kind. implicit and password are never allowed.",
    )
    pkce: bool | None = Field(
        default=None,
        description="Require PKCE on the authorization code grant. Always on for spa and native "
        "apps; web apps may turn it on; service apps have no authorization code grant.",
    )
    oidc_scopes: list[OidcScope] | None = Field(
        default=None,
        description="OpenID Connect scopes the app may ask for at sign-in, besides its catalog "
        "scopes: openid, profile, email, offline_access. Default for web, spa and native apps: "
        "[openid, profile, email] (offline_access comes with the refresh_token grant); service "
        "apps sign no user in and have none.",
    )

    @property
    def effective_grant_types(self) -> tuple[str, ...]:
        if self.grant_types is None:
            return DEFAULT_GRANTS[self.kind]
        return tuple(self.grant_types)

    @property
    def default_pkce(self) -> bool:
        return self.kind in PUBLIC_KINDS

    @property
    def effective_pkce(self) -> bool:
        return self.default_pkce if self.pkce is None else self.pkce

    @property
    def default_oidc_scopes(self) -> tuple[str, ...]:
        return () if self.kind == "service" else DEFAULT_OIDC_SCOPES

    @property
    def effective_oidc_scopes(self) -> tuple[str, ...]:
        if self.oidc_scopes is None:
            return self.default_oidc_scopes
        return tuple(self.oidc_scopes)


class AppSpec(BaseModel):
    """One OAuth app registered in Okta, granted scopes from the catalog."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="App spec")

    name: AppName = Field(
        description="Unique app name, 3-40 characters of a-z, 0-9 and '-'; equals the file name."
    )
    label: Label = Field(description="The app's label in Okta, 1-100 printable characters.")
    type: AppType = Field(
        description="internal apps deploy once merged; partner apps wait for a recorded approval."
    )
    owner: Email = Field(description="Email address of the person or team answerable for the app.")
    partner: PartnerId | None = Field(
        default=None,
        description="Partner apps: the id of their partner in app-specs/partners.yaml (an "
        "approved partner, whose contract covers the app's scopes). Not on internal apps.",
    )
    description: Annotated[str, StringConstraints(max_length=1024)] | None = Field(
        default=None, description="What the app is for."
    )
    logo: FilePath | None = Field(
        default=None,
        description="Logo file relative to app-specs/: png, jpg, gif or svg, at most 1 MiB.",
    )
    client: Client = Field(description="OAuth client settings.")
    scopes: list[ScopeValue] = Field(
        min_length=1, description="Catalog scopes the app is granted; at least one, no repeats."
    )
    groups: list[GroupName] = Field(
        default_factory=list,
        description="Okta group names assigned to the app; none for service apps.",
    )
    environments: list[StackName] | None = Field(
        default=None, description="Stacks the app is deployed to; all stacks when omitted."
    )

    def goes_to(self, stack: str) -> bool:
        return self.environments is None or stack in self.environments
