"""Rules for a client's OAuth flows: its grant types for its kind, PKCE, and the OpenID Connect
scopes it may ask for at sign-in. Each rule has its own diagnostic code."""

from __future__ import annotations

from appspecs.diagnostics import Severity
from appspecs.spec.finding import Finding
from appspecs.spec.models import (
    GRANTS_BY_KIND,
    INTERACTIVE_GRANTS,
    PUBLIC_KINDS,
    REQUIRED_GRANT_BY_KIND,
    AppSpec,
)
from appspecs.spec.yamlfile import Path as DataPath

REFUSED_GRANTS = {
    "implicit": "implicit is never allowed: tokens in the redirect URL leak through browser "
    "history and referrers; use authorization_code (spa and native apps use PKCE)",
    "password": "password is never allowed: the app would handle users' Okta passwords; "
    "use authorization_code",
}


def check_grants(spec: AppSpec) -> list[Finding]:
    kind = spec.client.kind
    allowed = GRANTS_BY_KIND[kind]
    grants = spec.client.effective_grant_types
    findings: list[Finding] = []
    if spec.client.grant_types is not None and not grants:
        return [
            Finding(
                "grant-type",
                ("client", "grant_types"),
                f"at least one grant type is needed; accepted for {kind}: {', '.join(allowed)}",
            )
        ]
    seen: set[str] = set()
    for i, grant in enumerate(grants):
        path: DataPath = ("client", "grant_types", i)
        if grant in seen:
            findings.append(Finding("grant-type", path, f"grant type '{grant}' is listed twice"))
        seen.add(grant)
        if grant in REFUSED_GRANTS:
            findings.append(Finding("grant-type", path, REFUSED_GRANTS[grant]))
        elif grant not in allowed:
            findings.append(
                Finding(
                    "grant-type",
                    path,
                    f"grant type '{grant}' is not allowed for a {kind} app; "
                    f"accepted: {', '.join(allowed)}",
                )
            )
    required = REQUIRED_GRANT_BY_KIND[kind]
    if required is not None and required not in seen:
        findings.append(
            Finding(
                "grant-type",
                ("client", "grant_types"),
                f"a {kind} app must include {required}: Okta refuses a {kind} app without it"
                f"{_REQUIRED_GRANT_HINT.get(kind, '')}",
            )
        )
    if "refresh_token" in seen and not seen & INTERACTIVE_GRANTS:
        index = grants.index("refresh_token")
        findings.append(
            Finding(
                "grant-type",
                ("client", "grant_types", index),
                "refresh_token needs an interactive grant (authorization_code or device_code) "
                "to issue the first token",
            )
        )
    return findings


_REQUIRED_GRANT_HINT = {
    "web": "; for client_credentials alone use kind: service",
    "native": " (a device-flow app lists authorization_code beside device_code, with a "
    "redirect URI)",
}


def check_oidc_scopes(spec: AppSpec) -> list[Finding]:
    client = spec.client
    if client.oidc_scopes is None:
        return []
    path: DataPath = ("client", "oidc_scopes")
    if client.kind == "service" and client.oidc_scopes:
        return [
            Finding(
                "oidc-scope",
                path,
                "a service app signs no user in: OpenID Connect scopes do not apply; "
                "remove oidc_scopes",
            )
        ]
    findings: list[Finding] = []
    seen: set[str] = set()
    for i, scope in enumerate(client.oidc_scopes):
        at: DataPath = (*path, i)
        if scope in seen:
            findings.append(Finding("oidc-scope", at, f"'{scope}' is listed twice"))
        seen.add(scope)
        if scope in ("profile", "email") and "openid" not in client.oidc_scopes:
            findings.append(
                Finding(
                    "oidc-scope",
                    at,
                    f"'{scope}' is an OpenID Connect claim scope: it needs openid in the list",
                )
            )
        if scope != "offline_access":
            continue
        if "refresh_token" not in client.effective_grant_types:
            findings.append(
                Finding(
                    "oidc-scope",
                    at,
                    "offline_access asks for a refresh token: it needs the refresh_token grant",
                )
            )
        else:
            # render.rule_scope_list: the grant puts it in the rule; listing it or not is the
            # same rule, but another spec (its digest: a partner app's change under review)
            findings.append(
                Finding(
                    "oidc-scope",
                    at,
                    "offline_access comes with the refresh_token grant: the rule lists it "
                    "whether or not oidc_scopes does, so listing it changes nothing in Okta; "
                    "leave it out (removing it changes the spec's digest: an approved partner "
                    "app waits for review again)",
                    severity=Severity.WARNING,
                )
            )
    return findings


def check_pkce(spec: AppSpec) -> list[Finding]:
    client = spec.client
    path: DataPath = ("client", "pkce")
    if client.pkce is False and client.kind in PUBLIC_KINDS:
        return [
            Finding(
                "pkce",
                path,
                f"a {client.kind} app is a public client: PKCE is always required; "
                "remove pkce or set it to true",
            )
        ]
    if client.pkce is True and "authorization_code" not in client.effective_grant_types:
        return [
            Finding(
                "pkce",
                path,
                "PKCE applies to the authorization_code grant, which this app does not use; "
                "remove pkce",
            )
        ]
    return []


# The fields written with no value that say what their default is (check_written_empty).
_SAID_EMPTY: frozenset[DataPath] = frozenset(
    {("environments",), ("client", "oidc_scopes"), ("client", "grant_types")}
)


def _written_empty(data: object, path: DataPath = ()) -> list[DataPath]:
    """The paths of the mapping fields in `data`, at any depth, written with no value."""
    if not isinstance(data, dict):
        return []
    out: list[DataPath] = []
    for key, value in data.items():
        here = (*path, key)
        if value is None:
            out.append(here)
        else:
            out += _written_empty(value, here)
    return out


def check_written_empty(spec: AppSpec, data: object) -> list[Finding]:
    """A field written with no value (`oidc_scopes:`), which YAML reads as null and the spec as
    not given: its default applies, where its writer may have meant none, or deleted the value
    by a slip (`access_token_minutes:` then takes Okta's 60). Said of every such field, the three
    whose default surprises most with that default."""
    out = [
        Finding(
            "invalid-value",
            path,
            "written with no value, which YAML reads as not given: its default applies; write "
            "a value, or leave the field out",
            severity=Severity.WARNING,
        )
        for path in _written_empty(data)
        if path not in _SAID_EMPTY
    ]
    if isinstance(data, dict) and "environments" in data and data["environments"] is None:
        out.append(
            Finding(
                "invalid-value",
                ("environments",),
                "written with no value, which YAML reads as not given: the app goes to every "
                "stack, prod included; list the stacks, or leave the field out",
                severity=Severity.WARNING,
            )
        )
    client = data.get("client") if isinstance(data, dict) else None
    if not isinstance(client, dict):
        return out
    for key, code, default, none in (
        ("oidc_scopes", "oidc-scope", spec.client.effective_oidc_scopes, "[] for none, "),
        ("grant_types", "grant-type", spec.client.effective_grant_types, ""),
    ):
        if key in client and client[key] is None:
            shown = ", ".join(default)
            out.append(
                Finding(
                    code,
                    ("client", key),
                    f"written with no value, which YAML reads as not given: the {spec.client.kind} "
                    f"app's default applies, [{shown}]; write the list, {none}or leave the "
                    "field out",
                    severity=Severity.WARNING,
                )
            )
    return out
