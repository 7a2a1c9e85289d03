"""Rules for how a client authenticates (private_key_jwt and its keys), its refresh tokens,
token lifetimes and consent-screen links. Each rule has its own diagnostic code."""

from __future__ import annotations

from collections.abc import Mapping

from appspecs.spec.finding import Finding
from appspecs.spec.keys import key_problem
from appspecs.spec.models import (
    ACCESS_TOKEN_MINUTES,
    PUBLIC_KINDS,
    REFRESH_TOKEN_MAX_MINUTES,
    AppSpec,
)
from appspecs.spec.uris import https_problem
from appspecs.spec.yamlfile import Path as DataPath

# Okta's access-token lifetime when a rule names none (the provider's schema default too).
OKTA_ACCESS_TOKEN_MINUTES = 60
# Okta's refresh-token window when a rule names none (the provider's schema default too).
OKTA_REFRESH_TOKEN_MINUTES = 10080


def check_client_auth(spec: AppSpec) -> list[Finding]:
    client = spec.client
    findings: list[Finding] = []
    key_based = client.auth == "private_key_jwt"
    auth_refused = client.auth is not None and client.kind in PUBLIC_KINDS
    if auth_refused:
        findings.append(
            Finding(
                "client-auth",
                ("client", "auth"),
                f"a {client.kind} app is a public client: it holds no secret and no private key, "
                "and authenticates with PKCE; remove auth (client_secret and private_key_jwt "
                "are for web and service apps)",
            )
        )
    if client.jwks is not None and client.jwks_uri is not None:
        findings.append(
            Finding(
                "jwks",
                ("client", "jwks_uri"),
                "give the public keys either inline (jwks) or by URL (jwks_uri), not both",
            )
        )
    if key_based and not auth_refused and client.jwks is None and client.jwks_uri is None:
        findings.append(
            Finding(
                "jwks",
                ("client", "auth"),
                "private_key_jwt needs the client's public keys: add jwks (inline) or jwks_uri",
            )
        )
    if not key_based and not auth_refused:
        for field in ("jwks", "jwks_uri"):
            if getattr(client, field) is not None:
                findings.append(
                    Finding(
                        "jwks",
                        ("client", field),
                        f"{field} is used only with auth: private_key_jwt; set auth, or remove "
                        f"{field}",
                    )
                )
    if client.jwks is not None and not client.jwks:
        findings.append(Finding("jwks", ("client", "jwks"), "jwks lists no key; list at least one"))
    if client.jwks_uri is not None:
        problem = https_problem(client.jwks_uri)
        if problem:
            findings.append(Finding("jwks", ("client", "jwks_uri"), problem))
    findings += _check_keys(spec)
    findings += _check_rotation(spec)
    return findings


def _check_keys(spec: AppSpec) -> list[Finding]:
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for i, key in enumerate(spec.client.jwks or ()):
        where: DataPath = ("client", "jwks", i)
        if key.kid in seen:
            findings.append(
                Finding(
                    "duplicate-kid",
                    (*where, "kid"),
                    f"kid '{key.kid}' is also the kid of jwks[{seen[key.kid]}]; each key needs "
                    "its own kid (the client's assertions name the key by it)",
                    other=("client", "jwks", seen[key.kid], "kid"),
                )
            )
        seen.setdefault(key.kid, i)
        problem = key_problem(key)
        if problem:
            member, reason = problem
            findings.append(Finding("jwk", (*where, member), f"key '{key.kid}': {reason}"))
    return findings


def _check_rotation(spec: AppSpec) -> list[Finding]:
    client = spec.client
    if client.refresh_token_rotation is None:
        return []
    if "refresh_token" in client.effective_grant_types:
        return []
    return [
        Finding(
            "refresh-token",
            ("client", "refresh_token_rotation"),
            "refresh_token_rotation applies to the refresh_token grant, which this app does "
            "not use; remove it, or add refresh_token to grant_types",
        )
    ]


def check_tokens(spec: AppSpec, max_access: Mapping[str, int | None]) -> list[Finding]:
    tokens = spec.tokens
    findings: list[Finding] = []
    low, high = ACCESS_TOKEN_MINUTES
    access = tokens.access_token_minutes if tokens else None
    effective = OKTA_ACCESS_TOKEN_MINUTES if access is None else access
    if access is not None and not low <= access <= high:
        findings.append(
            Finding(
                "token-lifetime",
                ("tokens", "access_token_minutes"),
                f"{access} minutes is outside Okta's bounds for an access token: {low} to {high}",
            )
        )
    capped = sorted(
        (stack, cap)
        for stack, cap in max_access.items()
        if cap is not None and effective > cap and spec.goes_to(stack)
    )
    if capped and (access is None or low <= access <= high):
        stacks = ", ".join(f"'{s}' ({cap})" for s, cap in capped)
        if access is None:
            findings.append(
                Finding(
                    "token-lifetime",
                    ("name",),
                    f"Okta's default access-token lifetime ({effective} minutes) is above "
                    f"appspecs:maxAccessTokenMinutes of stack {stacks}; declare "
                    "tokens.access_token_minutes within it, or limit the app with environments",
                )
            )
        else:
            findings.append(
                Finding(
                    "token-lifetime",
                    ("tokens", "access_token_minutes"),
                    f"{access} minutes is above appspecs:maxAccessTokenMinutes of stack {stacks}; "
                    "shorten it, or limit the app with environments",
                )
            )
    refresh = tokens.refresh_token_minutes if tokens else None
    if refresh is None:
        return findings
    where: DataPath = ("tokens", "refresh_token_minutes")
    if "refresh_token" not in spec.client.effective_grant_types:
        findings.append(
            Finding(
                "refresh-token",
                where,
                "refresh_token_minutes applies to the refresh_token grant, which this app does "
                "not use; remove it, or add refresh_token to grant_types",
            )
        )
    elif not effective <= refresh <= REFRESH_TOKEN_MAX_MINUTES:
        findings.append(
            Finding(
                "token-lifetime",
                where,
                f"{refresh} minutes is outside Okta's bounds for the refresh token window: from "
                f"the access-token lifetime ({effective}) to {REFRESH_TOKEN_MAX_MINUTES} (5 years)",
            )
        )
    return findings


LINKS = {"home": "client_uri", "terms": "tos_uri", "privacy": "policy_uri"}
PARTNER_LINKS = ("terms", "privacy")


def missing_partner_links(spec: AppSpec) -> list[str]:
    """The links a partner app must have and has not (none for internal apps)."""
    if spec.type != "partner":
        return []
    return [k for k in PARTNER_LINKS if spec.links is None or getattr(spec.links, k) is None]


def check_links(spec: AppSpec, *, required: bool = True) -> list[Finding]:
    findings: list[Finding] = []
    links = spec.links
    if required:
        missing = missing_partner_links(spec)
        if missing:
            findings.append(
                Finding(
                    "links",
                    ("links",) if links is not None else ("type",),
                    "a partner app shows its terms and privacy policy on Okta's consent screen: "
                    f"add links with {', '.join(missing)} (https URLs)",
                )
            )
    for key in LINKS:
        value = getattr(links, key) if links else None
        if value is not None:
            problem = https_problem(value)
            if problem:
                findings.append(Finding("links", ("links", key), problem))
    return findings
