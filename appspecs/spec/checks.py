"""Rules beyond types of an app spec: its file name, scopes, redirect URIs, groups and stacks.
Its logo's are in logos.py; grant types, PKCE and OpenID Connect scopes in checks_flows.py;
client authentication, tokens and links in checks_client.py; the catalog's own in catalog.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from appspecs.records import record
from appspecs.spec.catalog import ScopeCatalog
from appspecs.spec.checks_client import check_client_auth, check_links, check_tokens
from appspecs.spec.checks_flows import check_grants, check_oidc_scopes, check_pkce
from appspecs.spec.finding import Finding
from appspecs.spec.logos import check_logo
from appspecs.spec.models import (
    NAME_MAX_LENGTH,
    NAME_MIN_LENGTH,
    NAME_PATTERN,
    AppSpec,
)
from appspecs.spec.partial import Unchecked, broken_fields, under_broken
from appspecs.spec.uris import check_redirect
from appspecs.spec.yamlfile import Path as DataPath
from appspecs.stackconfig import StackSettings

__all__ = ["CheckContext", "Finding", "check_spec"]

if TYPE_CHECKING:
    from appspecs.spec.partners import PartnerRegistry


@record
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
    # the stems of the specs folder's app files: a copied spec's name is another file's, and
    # renaming the copy to it is no fix
    file_stems: frozenset[str] = frozenset()

    @classmethod
    def for_stacks(
        cls,
        specs_root: Path,
        catalog: ScopeCatalog | None,
        stacks: Mapping[str, StackSettings | None],
        partners: PartnerRegistry | None = None,
        file_stems: frozenset[str] = frozenset(),
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
            file_stems=file_stems,
        )


def check_spec(
    spec: AppSpec, stem: str, ctx: CheckContext, *, validated: bool = False
) -> list[Finding]:
    """Every rule one app spec breaks beyond its types.

    ``spec`` may be a partial model of a spec that failed validation (partial.py): each rule
    that reads a broken field is left out, so the rules that can still be checked are.
    ``validated``: the caller has it from validation, so it has no broken field to look for.
    """
    rules: list[Callable[[], list[Finding]]] = [
        lambda: _check_name(spec, stem, ctx.file_stems),
        lambda: _check_scopes(spec, ctx.catalog),
        lambda: _check_partner_scopes(spec, ctx.catalog),
        lambda: check_grants(spec),
        lambda: check_pkce(spec),
        lambda: check_oidc_scopes(spec),
        lambda: _check_redirects(spec, ctx.loopback_allowed),
        lambda: _check_groups(spec),
        lambda: _check_environments(spec, ctx.loopback_allowed),
        lambda: ctx.partners.check_app(spec, ctx.catalog) if ctx.partners is not None else [],
        lambda: check_client_auth(spec),
        lambda: check_tokens(spec, ctx.max_access_token_minutes),
        lambda: check_links(spec, required=ctx.partner_links_required),
        lambda: check_logo(spec, ctx.specs_root),
    ]
    broken = [] if validated else broken_fields(spec)
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
        findings += [f for f in found if not under_broken(f.path, broken)] if broken else found
    return findings


def _check_name(spec: AppSpec, stem: str, stems: frozenset[str]) -> list[Finding]:
    if spec.name == stem:
        return []
    # the file's name is offered as the app's only when it would be a valid one, and the app's
    # as the file's only when no other file has it (a copy of a spec keeps the original's name)
    valid = NAME_MIN_LENGTH <= len(stem) <= NAME_MAX_LENGTH and re.fullmatch(NAME_PATTERN, stem)
    taken = spec.name in stems
    if taken:
        other = f"{spec.name}.yaml is another app's file"
        fix = (
            f"set name: {stem} ({other})"
            if valid
            else f"give this app a name of its own and the file that name ({other})"
        )
    else:
        fix = f"rename the file or set name: {stem}" if valid else f"rename it {spec.name}.yaml"
    return [
        Finding(
            "name-mismatch",
            ("name",),
            f"name '{spec.name}' differs from the file name '{stem}.yaml'; {fix}",
        )
    ]


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
                    other=("scopes", seen[value]),
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
