"""Seed a stand-in org from a ``DesiredState`` exactly as ``pulumi up`` would leave it.

The authorization server with Okta's system scopes and the catalog's, and per app: the OIDC
app with the ``appspecs`` profile marker, its access policy naming only its client id, the
policy's rule, and its group assignments. Confidential clients get one client secret, as Okta
makes one on create (``omit_secret`` only keeps it out of Pulumi's state).

Everything is written straight into the stand-in's state (no HTTP, no rate limit); the ids
come back so a test can alter the org the way a person in the admin console would.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from appspecs.desired.model import EVERYONE, DesiredApp, DesiredState
from tests.standin.standin import StandinOkta

Json = dict[str, Any]

_SECRET_METHODS = frozenset({"client_secret_basic", "client_secret_post", "client_secret_jwt"})


@dataclass
class SeededApp:
    """One app's objects in the stand-in."""

    app: Json
    policy: Json
    rule: Json

    @property
    def id(self) -> str:
        return str(self.app["id"])

    @property
    def client_id(self) -> str:
        return str(self.app["credentials"]["oauthClient"]["client_id"])


@dataclass
class SeededOrg:
    """Ids of everything seeded: the server, scopes and groups by name, apps by spec name."""

    server: Json
    scopes: dict[str, Json] = field(default_factory=dict)
    groups: dict[str, Json] = field(default_factory=dict)
    apps: dict[str, SeededApp] = field(default_factory=dict)

    @property
    def server_id(self) -> str:
        return str(self.server["id"])


def group_names(desired: DesiredState) -> list[str]:
    """Every group a desired state names (assignments and rules), sorted."""
    names = {g for a in desired.apps for g in (*a.groups, *a.rule.groups) if g != EVERYONE}
    return sorted(names)


def seed_org(
    okta: StandinOkta,
    desired: DesiredState,
    *,
    extra_groups: Iterable[str] = (),
) -> SeededOrg:
    """Create the groups (they exist before the stack), the server and every app."""
    groups = {name: okta.add_group(name) for name in [*group_names(desired), *extra_groups]}
    spec = desired.auth_server
    server = okta.add_auth_server(
        spec.name or "api",
        audiences=list(spec.audiences),
        description=spec.description,
        system_scopes=True,
    )
    org = SeededOrg(server=server, groups=groups)
    for scope in spec.scopes:
        org.scopes[scope.name] = okta.add_scope(
            server["id"],
            scope.name,
            display_name=scope.display_name,
            description=scope.description,
            consent=scope.consent,
            metadata_publish=scope.metadata_publish,
        )
    for app in desired.apps:
        org.apps[app.name] = seed_app(okta, org, app)
    return org


def seed_app(okta: StandinOkta, org: SeededOrg, app: DesiredApp) -> SeededApp:
    """One app as its component creates it: app, policy, rule, group assignments."""
    c = app.client
    live = okta.add_oidc_app(
        label=c.label,
        application_type=c.application_type,
        grant_types=list(c.grant_types),
        response_types=list(c.response_types),
        redirect_uris=list(c.redirect_uris),
        post_logout_redirect_uris=list(c.post_logout_redirect_uris),
        token_endpoint_auth_method=c.token_endpoint_auth_method,
        pkce_required=c.pkce_required,
        profile={k: dict(v) for k, v in c.profile.items()},
        status=c.status,
        consent_method=c.consent_method,
        secret=c.token_endpoint_auth_method in _SECRET_METHODS,
        issuer_mode=c.issuer_mode,
        **oauth_settings(app),
    )
    client_id = live["credentials"]["oauthClient"]["client_id"]
    policy = okta.add_policy(
        org.server_id,
        app.policy.name,
        description=app.policy.description,
        client_ids=[client_id],
        priority=len(org.apps) + 1,  # Okta keeps priorities contiguous across policies
    )
    rule = okta.add_rule(
        org.server_id,
        policy["id"],
        app.rule.name,
        grant_types=list(app.rule.grant_types),
        scopes=list(app.rule.scopes),
        group_ids=[g if g == EVERYONE else org.groups[g]["id"] for g in app.rule.groups],
        priority=app.rule.priority,
        **rule_lifetimes(app),
    )
    for priority, name in enumerate(app.groups):
        okta.assign_group(live["id"], org.groups[name]["id"], priority=priority)
    return SeededApp(app=live, policy=policy, rule=rule)


def oauth_settings(app: DesiredApp) -> Json:
    """The app's keys, refresh-token rotation and links as the provider sends them to Okta."""
    c = app.client
    out: Json = {}
    if c.jwks:
        out["jwks"] = {"keys": [k.members() for k in c.jwks]}
    if c.refresh_token_rotation is not None:
        # the provider sends the leeway with every rotation setting, 0 unless given
        out["refresh_token"] = {
            "rotation_type": c.refresh_token_rotation,
            "leeway": c.refresh_token_leeway or 0,
        }
    for key in ("jwks_uri", "client_uri", "tos_uri", "policy_uri"):
        if getattr(c, key) is not None:
            out[key] = getattr(c, key)
    return out


def rule_lifetimes(app: DesiredApp) -> Json:
    """Declared lifetimes; Okta's defaults (the stand-in's too) otherwise."""
    out: Json = {}
    if app.rule.access_token_lifetime_minutes is not None:
        out["access_token_lifetime_minutes"] = app.rule.access_token_lifetime_minutes
    if app.rule.refresh_token_window_minutes is not None:
        out["refresh_token_window_minutes"] = app.rule.refresh_token_window_minutes
    return out
