"""The shape of an app spec. Types and formats live here; rules that need the catalog, the file
name or other fields live in `checks.py`, so each can report its own diagnostic code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from appspecs.inputfile import path_problem

ClientKind = Literal["web", "spa", "native", "service"]
AppType = Literal["internal", "partner"]
ClientAuth = Literal["client_secret", "private_key_jwt"]
RefreshTokenRotation = Literal["rotate", "static"]
KeyType = Literal["RSA", "EC"]
Curve = Literal["P-256", "P-384", "P-521"]

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
# Okta's advice: browser and mobile apps rotate refresh tokens (a stolen one works only once).
ROTATING_KINDS = frozenset({"spa", "native"})
# JWK members that only a private (or symmetric: k) key has (RFC 7518 section 6).
PRIVATE_KEY_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
# Okta's bounds for an access token's lifetime on an access-policy rule, in minutes, and for
# the refresh token's idle window (refreshTokenWindowMinutes: at most 5 years).
ACCESS_TOKEN_MINUTES = (5, 1440)
REFRESH_TOKEN_MAX_MINUTES = 2_628_000


def empty_list() -> list[Any]:
    """A list field's default, as its `default_factory`. Not the builtin `list`: pydantic reads
    a factory's signature, and a builtin's is parsed from its text with tokenize (4-5 ms of
    every start of the CLI, most of it compiling tokenize's patterns)."""
    return []


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
EMAIL_REGEX = r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
EMAIL_PATTERN = re.compile(EMAIL_REGEX)
Email = Annotated[str, StringConstraints(max_length=254, pattern=EMAIL_REGEX)]
Uri = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
GroupName = Annotated[
    str, StringConstraints(min_length=1, max_length=255), AfterValidator(_printable)
]
StackName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
ScopeValue = Annotated[str, StringConstraints(min_length=1, max_length=255)]


KeyId = Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(_printable)]
# base64url without padding (RFC 7515 section 2), as JWK members are written
Base64Url = Annotated[
    str, StringConstraints(min_length=1, max_length=4096, pattern=r"^[A-Za-z0-9_-]+$")
]


class PublicJwk(BaseModel):
    """One public key of the client, as a JSON Web Key (RFC 7517): RSA (kty, e, n) or EC (kty,
    crv, x, y). Only public members: the private key never leaves the client."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="Public JWK",
        json_schema_extra={
            "not": {"anyOf": [{"required": [m]} for m in PRIVATE_KEY_MEMBERS]},
        },
    )
    # Members refused with their own diagnostic: a private key pasted into a spec is a leak.
    refused_fields: ClassVar[Mapping[str, tuple[str, str]]] = {
        m: (
            "private-key",
            f"'{m}' is a private key member: only public keys belong in a spec (RSA: kty, e, n; "
            "EC: kty, crv, x, y); remove it, and replace the key, as it has been shared",
        )
        for m in PRIVATE_KEY_MEMBERS
    }

    kid: KeyId = Field(
        description="Key id, unique within the app; the client's assertions name it."
    )
    kty: KeyType = Field(description="Key type: RSA (at least 2048 bits) or EC.")
    crv: Curve | None = Field(
        default=None, description="EC keys: the curve, P-256, P-384 or P-521."
    )
    e: Base64Url | None = Field(default=None, description="RSA keys: the public exponent.")
    n: Base64Url | None = Field(default=None, description="RSA keys: the modulus, base64url.")
    x: Base64Url | None = Field(default=None, description="EC keys: the x coordinate, base64url.")
    y: Base64Url | None = Field(default=None, description="EC keys: the y coordinate, base64url.")


class Client(BaseModel):
    """How the app signs in: its OAuth client settings."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    kind: ClientKind = Field(
        description="web (server-side, confidential), spa (browser, PKCE), native (mobile or "
        "desktop, PKCE) or service (machine-to-machine, client credentials)."
    )
    redirect_uris: list[Uri] = Field(
        default_factory=empty_list,
        description="Sign-in redirect URIs: https, or http on a loopback host; native apps may use "
        "a private-use scheme like com.acme.app:/cb. At least one unless the kind is service.",
    )
    post_logout_redirect_uris: list[Uri] = Field(
        default_factory=empty_list, description="Where Okta may send users after sign-out."
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
    auth: ClientAuth | None = Field(
        default=None,
        description="How a confidential client (web, service) authenticates at the token endpoint: "
        "client_secret (the default: a shared secret, rotated with appspec secret) or "
        "private_key_jwt (it signs an assertion with a private key; Okta holds only the public "
        "keys in jwks or jwks_uri, and no secret exists).",
    )
    jwks: list[PublicJwk] | None = Field(
        default=None,
        description="private_key_jwt: the client's public keys, inline. Two may be listed at once "
        "to rotate without downtime. Instead of jwks_uri.",
    )
    jwks_uri: Uri | None = Field(
        default=None,
        description="private_key_jwt: an https URL where the client publishes its public keys. "
        "Instead of jwks.",
    )
    refresh_token_rotation: RefreshTokenRotation | None = Field(
        default=None,
        description="With the refresh_token grant: rotate (each refresh returns a new refresh "
        "token; the default for spa and native apps) or static (the default for web apps).",
    )

    @property
    def default_auth(self) -> ClientAuth | None:
        return None if self.kind in PUBLIC_KINDS else "client_secret"

    @property
    def effective_auth(self) -> ClientAuth | None:
        """None for public clients (no client authentication at all)."""
        return self.auth if self.auth is not None else self.default_auth

    @property
    def default_refresh_token_rotation(self) -> RefreshTokenRotation:
        return "rotate" if self.kind in ROTATING_KINDS else "static"

    @property
    def effective_refresh_token_rotation(self) -> RefreshTokenRotation:
        if self.refresh_token_rotation is not None:
            return self.refresh_token_rotation
        return self.default_refresh_token_rotation

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


class Tokens(BaseModel):
    """Token lifetimes on the app's access-policy rule; Okta's defaults when omitted."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    access_token_minutes: int | None = Field(
        default=None,
        description="Access-token lifetime in minutes: 5 to 1440, and at most the stack's "
        "appspecs:maxAccessTokenMinutes. Okta's default is 60.",
        json_schema_extra={"minimum": ACCESS_TOKEN_MINUTES[0], "maximum": ACCESS_TOKEN_MINUTES[1]},
    )
    refresh_token_minutes: int | None = Field(
        default=None,
        description="With the refresh_token grant: a refresh token expires when unused for this "
        "many minutes (Okta's refresh token window), from the access-token lifetime up to "
        "2628000 (5 years). Okta's default is 10080 (7 days).",
        json_schema_extra={
            "minimum": ACCESS_TOKEN_MINUTES[0],
            "maximum": REFRESH_TOKEN_MAX_MINUTES,
        },
    )


class Links(BaseModel):
    """Pages Okta links from the consent screen and the app's profile; all https."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    home: Uri | None = Field(default=None, description="The app's home page (Okta: client_uri).")
    terms: Uri | None = Field(
        default=None, description="Terms of service (Okta: tos_uri); required on partner apps."
    )
    privacy: Uri | None = Field(
        default=None, description="Privacy policy (Okta: policy_uri); required on partner apps."
    )


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
        default_factory=empty_list,
        description="Okta group names assigned to the app; none for service apps.",
    )
    environments: list[StackName] | None = Field(
        default=None, description="Stacks the app is deployed to; all stacks when omitted."
    )
    tokens: Tokens | None = Field(
        default=None, description="Token lifetimes; Okta's defaults when omitted."
    )
    links: Links | None = Field(
        default=None,
        description="Pages shown on Okta's consent screen: terms and privacy are required on "
        "partner apps.",
    )

    def goes_to(self, stack: str) -> bool:
        return self.environments is None or stack in self.environments
