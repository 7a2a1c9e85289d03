"""Rules beyond types: the catalog, the file name, grant types, redirect URIs, logos, stacks."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from appspecs.desired.names import scope_resource_name
from appspecs.inputfile import NotAFile, SizeLimit, TooLarge, Unreadable, may_exist, read_input
from appspecs.spec.catalog import SCOPE_VALUE, CatalogFile, ScopeCatalog
from appspecs.spec.checks_client import check_client_auth, check_links, check_tokens
from appspecs.spec.finding import Finding
from appspecs.spec.models import (
    GRANTS_BY_KIND,
    INTERACTIVE_GRANTS,
    PUBLIC_KINDS,
    REQUIRED_GRANT_BY_KIND,
    AppSpec,
)
from appspecs.spec.partial import Unchecked, broken_fields, under_broken
from appspecs.spec.uris import check_redirect
from appspecs.spec.yamlfile import Path as DataPath
from appspecs.stackconfig import StackSettings

__all__ = ["CheckContext", "Finding", "check_catalog", "check_spec", "logo_problem"]

if TYPE_CHECKING:
    from appspecs.spec.partners import PartnerRegistry

LOGO_TYPES: Mapping[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".svg": (),
}
MAX_LOGO_BYTES = 1024 * 1024
LOGO_LIMIT = SizeLimit(MAX_LOGO_BYTES, "an app's logo is a few KiB")

REFUSED_GRANTS = {
    "implicit": "implicit is never allowed: tokens in the redirect URL leak through browser "
    "history and referrers; use authorization_code (spa and native apps use PKCE)",
    "password": "password is never allowed: the app would handle users' Okta passwords; "
    "use authorization_code",
}


@dataclass(frozen=True, slots=True)
class CheckContext:
    specs_root: Path
    catalog: ScopeCatalog | None
    # stack name -> whether loopback redirects are allowed there; empty when no stacks are known
    # stack -> whether it allows loopback redirects; None: its file is unreadable (reported
    # apart, exit 2), so the stack exists but its rule is not known
    loopback_allowed: Mapping[str, bool | None]
    # the partner registry; None when it could not be read (its own errors say why)
    partners: PartnerRegistry | None = None
    # stack -> its appspecs:maxAccessTokenMinutes (None: no cap, or its file is unreadable)
    max_access_token_minutes: Mapping[str, int | None] = field(default_factory=dict)
    # import writes a partner app the org shows no terms or privacy page for: it says so, and
    # validate asks for them
    partner_links_required: bool = True

    @classmethod
    def for_stacks(
        cls,
        specs_root: Path,
        catalog: ScopeCatalog | None,
        stacks: Mapping[str, StackSettings | None],
        partners: PartnerRegistry | None = None,
    ) -> CheckContext:
        """The context of every stack's settings (None: the stack's file is unreadable)."""
        return cls(
            specs_root,
            catalog,
            {n: (s.allow_loopback_redirects if s else None) for n, s in stacks.items()},
            max_access_token_minutes={
                n: (s.max_access_token_minutes if s else None) for n, s in stacks.items()
            },
            partners=partners,
        )


def check_catalog(catalog: CatalogFile) -> list[Finding]:
    """Scope values well formed and unique, and no blank text: a catalog with any finding is
    not used, as every spec is checked against it."""
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    resource_names: dict[str, tuple[int, str]] = {}
    for i, scope in enumerate(catalog.scopes):
        where: DataPath = ("scopes", i, "value")
        if not SCOPE_VALUE.match(scope.value):
            findings.append(
                Finding(
                    "catalog",
                    where,
                    f"scope value '{scope.value}' is not 'api:' followed by colon-separated "
                    "segments of lowercase letters, digits and hyphens (e.g. api:data:company)",
                )
            )
        if scope.value in seen:
            findings.append(
                Finding(
                    "catalog",
                    where,
                    f"scope value '{scope.value}' repeats scopes[{seen[scope.value]}]",
                )
            )
        seen.setdefault(scope.value, i)
        # Each scope becomes a Pulumi resource named from its value; two names alike would be
        # one URN twice, which the engine refuses at deploy time.
        name = scope_resource_name(scope.value)
        if name in resource_names and scope.value != resource_names[name][1]:
            first, other = resource_names[name]
            findings.append(
                Finding(
                    "catalog",
                    where,
                    f"scope value '{scope.value}' and scopes[{first}] '{other}' would both be "
                    f"the Pulumi resource '{name}'; rename one",
                )
            )
        resource_names.setdefault(name, (i, scope.value))
        for attr in ("display_name", "description", "category"):
            if not getattr(scope, attr).strip():
                findings.append(
                    Finding("catalog", ("scopes", i, attr), f"{attr} must not be blank")
                )
    return findings


def check_spec(spec: AppSpec, stem: str, ctx: CheckContext) -> list[Finding]:
    """Every rule one app spec breaks beyond its types.

    ``spec`` may be a partial model of a spec that failed validation (partial.py): each rule
    that reads a broken field is left out, so the rules that can still be checked are.
    """
    rules: list[Callable[[], list[Finding]]] = [
        lambda: _check_name(spec, stem),
        lambda: _check_scopes(spec, ctx.catalog),
        lambda: _check_partner_scopes(spec, ctx.catalog),
        lambda: _check_grants(spec),
        lambda: _check_pkce(spec),
        lambda: _check_oidc_scopes(spec),
        lambda: _check_redirects(spec, ctx.loopback_allowed),
        lambda: _check_groups(spec),
        lambda: _check_environments(spec, ctx.loopback_allowed),
        lambda: ctx.partners.check_app(spec, ctx.catalog) if ctx.partners is not None else [],
        lambda: check_client_auth(spec),
        lambda: check_tokens(spec, ctx.max_access_token_minutes),
        lambda: check_links(spec, required=ctx.partner_links_required),
        lambda: _check_logo(spec, ctx.specs_root),
    ]
    broken = broken_fields(spec)
    findings: list[Finding] = []
    for rule in rules:
        try:
            found = rule()
        except Unchecked:
            continue  # it needs a field that failed validation: that error says it
        except Exception:
            # A broken field met where no operation of ours refuses it (a C parser given a
            # stand-in for a string raises TypeError): the rule needed it all the same.
            if broken:
                continue
            raise
        findings += [f for f in found if not under_broken(f.path, broken)]
    return findings


def _check_name(spec: AppSpec, stem: str) -> list[Finding]:
    if spec.name == stem:
        return []
    return [
        Finding(
            "name-mismatch",
            ("name",),
            f"name '{spec.name}' differs from the file name '{stem}.yaml'; "
            f"rename the file or set name: {stem}",
        )
    ]


def _check_logo(spec: AppSpec, specs_root: Path) -> list[Finding]:
    if spec.logo is None:
        return []
    checked = _logo_check(spec.logo, specs_root)
    if checked is None:
        return []
    return [Finding("logo", ("logo",), checked[0], unreadable=checked[1])]


def _check_scopes(spec: AppSpec, catalog: ScopeCatalog | None) -> list[Finding]:
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(spec.scopes):
        path: DataPath = ("scopes", i)
        if value in seen:
            findings.append(
                Finding(
                    "duplicate-scope",
                    path,
                    f"scope '{value}' is listed twice (also at [{seen[value]}])",
                )
            )
            continue
        seen[value] = i
        if catalog is None:
            continue  # the broken catalog is reported on its own
        if catalog.get(value) is None:
            hint = catalog.nearest(value)
            did_you_mean = f"did you mean '{hint}'? " if hint else ""
            findings.append(
                Finding(
                    "unknown-scope",
                    path,
                    f"scope '{value}' is not in the scope catalog; {did_you_mean}"
                    f"accepted: {', '.join(catalog.values)}",
                )
            )
    return findings


def _check_partner_scopes(spec: AppSpec, catalog: ScopeCatalog | None) -> list[Finding]:
    if catalog is None or spec.type != "partner":
        return []
    allowed = [s.value for s in catalog.scopes if s.partner_allowed]
    findings: list[Finding] = []
    seen: set[str] = set()
    for i, value in enumerate(spec.scopes):
        entry = catalog.get(value)
        if value not in seen and entry is not None and not entry.partner_allowed:
            findings.append(
                Finding(
                    "partner-scope",
                    ("scopes", i),
                    f"scope '{value}' is not available to partner apps (partner_allowed: false "
                    f"in the catalog); partner apps may use: {', '.join(allowed)}",
                )
            )
        seen.add(value)
    return findings


def _check_grants(spec: AppSpec) -> list[Finding]:
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


def _check_oidc_scopes(spec: AppSpec) -> list[Finding]:
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
        if scope == "offline_access" and "refresh_token" not in client.effective_grant_types:
            findings.append(
                Finding(
                    "oidc-scope",
                    at,
                    "offline_access asks for a refresh token: it needs the refresh_token grant",
                )
            )
    return findings


def _check_pkce(spec: AppSpec) -> list[Finding]:
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


def _check_redirects(spec: AppSpec, loopback_allowed: Mapping[str, bool | None]) -> list[Finding]:
    client = spec.client
    findings: list[Finding] = []
    if client.kind == "service":
        for field in ("redirect_uris", "post_logout_redirect_uris"):
            if getattr(client, field):
                findings.append(
                    Finding(
                        "redirect-uri",
                        ("client", field),
                        "service apps sign no users in and take no redirect URIs; remove them",
                    )
                )
        return findings
    if "authorization_code" in client.effective_grant_types and not client.redirect_uris:
        findings.append(
            Finding(
                "redirect-uri",
                ("client", "redirect_uris"),
                f"a {client.kind} app using authorization_code needs at least one sign-in "
                "redirect URI",
            )
        )
    strict_stacks = sorted(
        stack
        for stack, allowed in loopback_allowed.items()
        if allowed is False and spec.goes_to(stack)
    )
    for field in ("redirect_uris", "post_logout_redirect_uris"):
        seen: set[str] = set()
        for i, uri in enumerate(getattr(client, field)):
            path: DataPath = ("client", field, i)
            checked = check_redirect(uri, native=client.kind == "native")
            problem = checked.problem
            if problem is None and uri in seen:
                problem = f"'{uri}' is listed twice"
            if problem is None and strict_stacks and checked.loopback:
                problem = (
                    f"'{uri}' is a loopback redirect, not allowed in stack "
                    f"{', '.join(repr(s) for s in strict_stacks)} (appspecs:allowLoopbackRedirects "
                    "is false there); limit the app with environments, or remove the URI"
                )
            seen.add(uri)
            if problem:
                findings.append(Finding("redirect-uri", path, problem))
    return findings


def _check_groups(spec: AppSpec) -> list[Finding]:
    if spec.client.kind == "service" and spec.groups:
        return [
            Finding(
                "invalid-value",
                ("groups",),
                "service apps act as themselves, not for users: they take no groups; remove them",
            )
        ]
    findings: list[Finding] = []
    seen: set[str] = set()
    for i, group in enumerate(spec.groups):
        if group in seen:
            findings.append(
                Finding("invalid-value", ("groups", i), f"group '{group}' is listed twice")
            )
        seen.add(group)
    return findings


def _check_environments(spec: AppSpec, known: Mapping[str, bool | None]) -> list[Finding]:
    if spec.environments is None:
        return []
    findings: list[Finding] = []
    if not spec.environments:
        findings.append(
            Finding(
                "invalid-value",
                ("environments",),
                "an empty list deploys the app nowhere; omit environments to deploy everywhere",
            )
        )
    seen: set[str] = set()
    for i, env in enumerate(spec.environments):
        if env in seen:
            findings.append(
                Finding("invalid-value", ("environments", i), f"'{env}' is listed twice")
            )
        elif known and env not in known:
            findings.append(
                Finding(
                    "invalid-value",
                    ("environments", i),
                    f"no stack named '{env}'; accepted: {', '.join(sorted(known))}",
                )
            )
        seen.add(env)
    return findings


def logo_problem(logo: str, specs_root: Path) -> str | None:
    """Why `logo` cannot be used, or None; the file must sit inside app-specs/."""
    checked = _logo_check(logo, specs_root)
    return checked[0] if checked is not None else None


def _logo_check(logo: str, specs_root: Path) -> tuple[str, bool] | None:
    """Why `logo` cannot be used, and whether that is because it could not be read (an I/O
    error: a logos folder or file that is there but unreadable is never taken for absent)."""
    problem = _logo_problem(logo, specs_root)
    if isinstance(problem, Unreadable):
        return f"logo '{logo}' cannot be read: {problem.why}", True
    return (problem, False) if problem is not None else None


def _logo_problem(logo: str, specs_root: Path) -> str | Unreadable | None:
    rel = PurePosixPath(logo)
    suffix = rel.suffix.lower()
    if rel.is_absolute() or ".." in rel.parts or "\\" in logo:
        return f"logo '{logo}' must be a relative path inside app-specs/, such as logos/app.png"
    if suffix not in LOGO_TYPES:
        return f"logo '{logo}' has type '{suffix or 'none'}'; accepted: png, jpg, gif, svg"
    path = specs_root / rel
    try:
        # Resolved, a symlink (of the file or of a folder on the way) must stay in app-specs/:
        # Pulumi uploads whatever the path leads to as the app's logo.
        if path.exists() and not path.resolve().is_relative_to(specs_root.resolve()):
            return f"logo '{logo}' leads outside app-specs/ (a symlink); keep the file inside it"
    except OSError as exc:
        return Unreadable(logo, exc.strerror or type(exc).__name__)
    if not may_exist(path):
        return f"logo '{logo}' does not exist under {specs_root}"
    try:
        head = read_input(path, LOGO_LIMIT)[:16]
    except TooLarge:
        with contextlib.suppress(OSError):
            size = path.stat().st_size
            return (
                f"logo '{logo}' is {size} bytes; at most 1 MiB ({MAX_LOGO_BYTES} bytes) is accepted"
            )
        return f"logo '{logo}' is over 1 MiB ({MAX_LOGO_BYTES} bytes), the most accepted"
    except NotAFile as exc:
        return f"logo '{logo}' is not a file ({exc.kind})"
    except Unreadable as exc:
        return exc
    magics = LOGO_TYPES[suffix]
    if magics and not any(head.startswith(m) for m in magics):
        return f"logo '{logo}' does not hold {suffix[1:].upper()} data"
    if suffix == ".svg" and b"<" not in head:
        return f"logo '{logo}' does not look like SVG"
    return None
