"""Render checked specs into one stack's desired Okta state: the only place specs meet Okta."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Any

from appspecs.desired.model import (
    EVERYONE,
    MARKER,
    DesiredApp,
    DesiredAuthServer,
    DesiredKey,
    DesiredOAuthClient,
    DesiredPolicy,
    DesiredRule,
    DesiredScope,
    DesiredState,
    SkippedApp,
)
from appspecs.spec.catalog import ScopeCatalog
from appspecs.spec.load import APPS_DIR, LoadedSpec, SpecSet
from appspecs.spec.models import PUBLIC_KINDS, AppSpec
from appspecs.spec.release import release_of
from appspecs.stackconfig import StackConfig

APPLICATION_TYPE = {"web": "web", "spa": "browser", "native": "native", "service": "service"}
# Okta's application type -> the spec's kind: the same mapping, read backwards.
KIND_OF = {okta: kind for kind, okta in APPLICATION_TYPE.items()}
# Refresh tokens come from Okta only when the rule also grants offline_access.
OFFLINE_ACCESS = "offline_access"
# refresh_token is an app grant type, not a condition an access-policy rule can name.
RULE_GRANT_EXCLUDED = frozenset({"refresh_token"})
# Seconds a rotated refresh token stays valid, so a retried refresh does not lock the client out:
# Okta's default (OpenIdConnectApplicationSettingsRefreshToken.leeway), which the provider
# would otherwise replace with 0.
ROTATION_LEEWAY_SECONDS = 30


def rule_scope_list(
    catalog_scopes: Sequence[str], oidc_scopes: Sequence[str], grants: Sequence[str]
) -> tuple[str, ...]:
    """What the app's rule lists: its catalog scopes, then the OpenID Connect scopes it may ask
    for at sign-in, then offline_access when it has the refresh_token grant."""
    oidc = [s for s in oidc_scopes if s != OFFLINE_ACCESS]
    offline = [OFFLINE_ACCESS] if "refresh_token" in grants or OFFLINE_ACCESS in oidc_scopes else []
    return (*catalog_scopes, *oidc, *offline)


class RenderError(Exception):
    """The specs are not fit to render (they have errors); callers check before rendering."""


def render(
    specs: SpecSet, stack: StackConfig, *, specs_dir_from_project: str = "app-specs"
) -> DesiredState:
    if specs.catalog is None or not specs.ok:
        raise RenderError("the specs have errors; run appspec validate")
    apps: list[DesiredApp] = []
    skipped: list[SkippedApp] = []
    for name in sorted(specs.apps):
        loaded = specs.apps[name]
        release = release_of(specs, name)
        if release.deployed is not None and release.deploys_to(stack.name):
            apps.append(render_app(release.deployed, specs_dir_from_project, release.active))
            continue
        if not release.in_stack(stack.name):
            envs = ", ".join(loaded.spec.environments or ())
            skipped.append(SkippedApp(name, "environment", f"environments: [{envs}]"))
            continue
        detail = (
            "awaiting approval"
            if release.approval is None
            else "approval is for an older version of the spec"
        )
        skipped.append(SkippedApp(name, "held", detail))
    return DesiredState(
        stack=stack.name,
        auth_server=render_auth_server(specs.catalog, stack),
        apps=tuple(apps),
        skipped=tuple(skipped),
    )


def render_auth_server(catalog: ScopeCatalog, stack: StackConfig) -> DesiredAuthServer:
    config = stack.auth_server
    scopes = tuple(
        DesiredScope(
            name=s.value,
            display_name=s.display_name,
            description=s.description,
            # REQUIRED scopes prompt only apps whose consent_method is REQUIRED (partners).
            consent="REQUIRED",
            metadata_publish="ALL_CLIENTS",
        )
        for s in catalog.scopes
    )
    return DesiredAuthServer(
        name=config.name,
        audiences=(config.audience,) if config.audience else (),
        description=config.description,
        existing_id=config.id,
        scopes=scopes,
    )


# Pulumi runs a program whose `main` is a folder in that folder, and starts the providers there
# too (Pulumi.yaml: `main: stacks/`): the Okta provider opens the logo file relative to it.
PROGRAM_DIR = "stacks"


def logo_input(specs_dir_from_project: str, logo: str) -> str:
    """The logo's path as the provider must be given it: relative to the program's folder."""
    path = posixpath.join(specs_dir_from_project, logo)
    if posixpath.isabs(path):
        return path
    return posixpath.relpath(path, PROGRAM_DIR)


def render_app(
    loaded: LoadedSpec, specs_dir_from_project: str = "app-specs", active: bool = True
) -> DesiredApp:
    """One app's desired state; `active` False (a suspended partner's app): Okta keeps it, with
    its client id, but issues it no tokens."""
    spec = loaded.spec
    kind = spec.client.kind
    grants = spec.client.effective_grant_types
    interactive = kind != "service"
    # the stated defaults (STATIC, leeway 0) unless it rotates its refresh tokens
    rotation: dict[str, Any] = (
        {"refresh_token_rotation": "ROTATE", "refresh_token_leeway": ROTATION_LEEWAY_SECONDS}
        if refreshes_rotating(spec)
        else {}
    )
    client = DesiredOAuthClient(
        label=spec.label,
        application_type=APPLICATION_TYPE[kind],  # type: ignore[arg-type]
        grant_types=grants,
        response_types=("code",) if interactive else ("token",),
        redirect_uris=tuple(spec.client.redirect_uris),
        post_logout_redirect_uris=tuple(spec.client.post_logout_redirect_uris),
        token_endpoint_auth_method=auth_method(spec),
        pkce_required=spec.client.effective_pkce,
        consent_method="REQUIRED" if spec.type == "partner" else "TRUSTED",
        logo=logo_input(specs_dir_from_project, spec.logo) if spec.logo else None,
        status="ACTIVE" if active else "INACTIVE",
        profile={MARKER: {"name": spec.name, "digest": loaded.digest}},
        jwks=desired_keys(spec),
        jwks_uri=spec.client.jwks_uri if spec.client.auth == "private_key_jwt" else None,
        client_uri=spec.links.home if spec.links else None,
        tos_uri=spec.links.terms if spec.links else None,
        policy_uri=spec.links.privacy if spec.links else None,
        **rotation,
    )
    rule_scopes = rule_scope_list(spec.scopes, spec.client.effective_oidc_scopes, grants)
    groups = tuple(spec.groups) if interactive else ()
    return DesiredApp(
        name=spec.name,
        digest=loaded.digest,
        kind=kind,
        partner=spec.type == "partner",
        scopes=tuple(spec.scopes),
        client=client,
        policy=DesiredPolicy(
            name=spec.name,
            description=f"Access for {spec.label}, managed by appspecs ({APPS_DIR}/{spec.name}.yaml)",
            priority=1,
        ),
        rule=DesiredRule(
            name=spec.name,
            priority=1,
            grant_types=tuple(g for g in grants if g not in RULE_GRANT_EXCLUDED),
            scopes=rule_scopes,
            groups=groups or (EVERYONE,),
            **declared_lifetimes(spec),
        ),
        groups=groups,
    )


def auth_method(spec: AppSpec) -> str:
    """Okta's token_endpoint_auth_method for the spec's kind and auth."""
    if spec.client.kind in PUBLIC_KINDS:
        return "none"
    return "private_key_jwt" if spec.client.auth == "private_key_jwt" else "client_secret_basic"


def desired_keys(spec: AppSpec) -> tuple[DesiredKey, ...]:
    if spec.client.auth != "private_key_jwt":
        return ()
    return tuple(
        DesiredKey(kid=k.kid, kty=k.kty, e=k.e, n=k.n, x=k.x, y=k.y) for k in spec.client.jwks or ()
    )


def refreshes_rotating(spec: AppSpec) -> bool:
    """Whether the app has refresh tokens and rotates them (Okta's rotation_type ROTATE)."""
    grants = spec.client.effective_grant_types
    return "refresh_token" in grants and spec.client.effective_refresh_token_rotation == "rotate"


def declared_lifetimes(spec: AppSpec) -> dict[str, int]:
    """The rule's lifetimes the spec declares; the others stay at their stated defaults."""
    tokens = spec.tokens
    values = {
        "access_token_lifetime_minutes": tokens.access_token_minutes if tokens else None,
        "refresh_token_window_minutes": tokens.refresh_token_minutes if tokens else None,
    }
    return {k: v for k, v in values.items() if v is not None}
