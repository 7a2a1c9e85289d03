"""Each app as one side of the plan sees it: an `AppView` (scopes, URIs, grant types, groups,
digest), from specs through the shared render, or from the resources a previous update recorded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from appspecs.desired.model import EVERYONE, MARKER, DesiredApp, DesiredState
from appspecs.desired.render import KIND_OF, render_app
from appspecs.desired.resources import APP_COMPONENT, GROUP_ASSIGNMENTS, OAUTH_APP, RULE
from appspecs.plan.hidden import open_inputs
from appspecs.plan.state import RecordedResource, RecordedState, Secret
from appspecs.records import record
from appspecs.spec.load import SpecSet
from appspecs.spec.models import OIDC_SCOPES


@record
class AppView:
    """One app as one side of the plan sees it."""

    name: str
    digest: str | None
    scopes: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    groups: tuple[str, ...]
    label: str | None = None
    partner: bool | None = None
    pkce: bool | None = None  # None: not known (state recorded no bool)
    kind: str | None = None  # web, spa, native, service; None: not known
    # whether this side has the app in Okta (a held app's spec exists but is not deployed)
    deployed: bool = True
    # recorded group ids the stack's `groupIds` export does not name
    unnamed_groups: tuple[str, ...] = ()
    status: str | None = None  # the app's Okta status (ACTIVE, INACTIVE); None: not known
    # the client's public keys: (kid, the key's members as JSON), in the order listed
    keys: tuple[tuple[str, str], ...] = ()
    # client settings by their plan name, only those set: authentication, rotation, lifetimes,
    # consent links (see SETTINGS)
    settings: tuple[tuple[str, str], ...] = ()
    # recorded by `pulumi import`: an app made by hand, whose profile has no appspecs marker
    # (this program always writes one), adopted by the next update
    adopted: bool = False
    # its resources are protected (an approved partner app's): `pulumi up` refuses to delete them
    protected: bool = False
    # the OpenID Connect scopes its rule lists (offline_access included): what it may ask for at
    # sign-in besides its catalog scopes; profile and email release the user's claims, and
    # offline_access refresh tokens
    oidc_scopes: tuple[str, ...] = ()
    # fields (and settings, by plan name) read from inputs state holds as secrets: compared,
    # never printed (`secret`); or not known here, ciphertext (`unread`): see plan.hidden
    secret: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()


# Plan name of each client setting, with its OAuth app (or rule) input's wire name.
SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("client authentication", OAUTH_APP, "tokenEndpointAuthMethod"),
    ("key set URL", OAUTH_APP, "jwksUri"),
    ("refresh tokens", OAUTH_APP, "refreshTokenRotation"),
    ("access-token minutes", RULE, "accessTokenLifetimeMinutes"),
    ("refresh-token minutes", RULE, "refreshTokenWindowMinutes"),
    ("home page", OAUTH_APP, "clientUri"),
    ("terms", OAUTH_APP, "tosUri"),
    ("privacy policy", OAUTH_APP, "policyUri"),
)


# How a key Okta holds without a kid is named (the provider records it as "")
NO_KID = "(no kid)"


def _key_id(members: Mapping[str, Any]) -> tuple[str, str]:
    kid = members.get("kid")
    name = kid if isinstance(kid, str) and kid else NO_KID
    return name, json.dumps(dict(members), sort_keys=True)


def _desired_settings(app: DesiredApp) -> tuple[tuple[str, str], ...]:
    c, r = app.client, app.rule
    values = (
        c.token_endpoint_auth_method,
        c.jwks_uri,
        c.refresh_token_rotation,
        r.access_token_lifetime_minutes,
        r.refresh_token_window_minutes,
        c.client_uri,
        c.tos_uri,
        c.policy_uri,
    )
    return tuple(
        (name, str(v)) for (name, _, _), v in zip(SETTINGS, values, strict=True) if v is not None
    )


def view_of(app: DesiredApp, *, deployed: bool = True) -> AppView:
    return AppView(
        name=app.name,
        digest=app.digest,
        scopes=app.scopes,
        redirect_uris=app.client.redirect_uris,
        post_logout_redirect_uris=app.client.post_logout_redirect_uris,
        grant_types=app.client.grant_types,
        groups=app.groups,
        label=app.client.label,
        partner=app.partner,
        pkce=app.client.pkce_required,
        kind=app.kind,
        deployed=deployed,
        status=app.client.status,
        keys=tuple(_key_id(k.members()) for k in app.client.jwks),
        settings=_desired_settings(app),
        protected=app.partner,  # as app_resources registers them
        oidc_scopes=tuple(s for s in app.rule.scopes if s in OIDC_SCOPES),
    )


def views_from_specs(specs: SpecSet, desired: DesiredState) -> dict[str, AppView]:
    """Every app for this stack, held ones included (marked not deployed), through render_app."""
    held = set(desired.held)
    skipped = {s.name for s in desired.skipped if s.reason == "environment"}
    deployed = {a.name: a for a in desired.apps}
    out: dict[str, AppView] = {}
    for name, loaded in sorted(specs.apps.items()):
        if name in skipped:
            continue
        app = deployed.get(name) or render_app(loaded)
        out[name] = view_of(app, deployed=name not in held)
    return out


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


# A recorded profile that holds no JSON document: a secret, or text that is not JSON.
_UNREADABLE = object()


def _document(profile: Any) -> Any:
    """The recorded profile's JSON document, parsed once for the digest and the marker."""
    if not isinstance(profile, str):
        return _UNREADABLE
    try:
        return json.loads(profile)
    except ValueError:
        return _UNREADABLE


def _digest(document: Any) -> str | None:
    marker = document.get(MARKER) if isinstance(document, dict) else None
    digest = marker.get("digest") if isinstance(marker, dict) else None
    return digest if isinstance(digest, str) else None


def _unmarked(profile: Any, document: Any) -> bool:
    """The recorded profile is known to hold no appspecs marker: unset (import leaves out an
    empty one) or a JSON object without it. A secret or an unreadable one is not known."""
    return profile is None or (isinstance(document, dict) and MARKER not in document)


def _adopted(rec: RecordedResource, profile: Any, document: Any) -> bool:
    """Recorded by `pulumi import`: the profile the program last sent holds no marker. One the
    outputs alone hold otherwise (a marker Okta lost since) is drift, not an import."""
    sent = rec.inputs.get("profile")
    if sent is not profile and not isinstance(sent, Secret):
        return _unmarked(sent, _document(sent))
    return _unmarked(profile, document)


# The view fields each recorded input feeds, by resource type and wire name; a setting feeds
# its own plan name.
_FEEDS: dict[tuple[str, str], tuple[str, ...]] = {
    (OAUTH_APP, "redirectUris"): ("redirect_uris",),
    (OAUTH_APP, "postLogoutRedirectUris"): ("post_logout_redirect_uris",),
    (OAUTH_APP, "grantTypes"): ("grant_types",),
    (OAUTH_APP, "jwks"): ("keys",),
    (OAUTH_APP, "label"): ("label",),
    (OAUTH_APP, "consentMethod"): ("partner",),
    (OAUTH_APP, "type"): ("kind",),
    (OAUTH_APP, "status"): ("status",),
    (OAUTH_APP, "profile"): ("digest",),
    (OAUTH_APP, "pkceRequired"): ("pkce",),
    (RULE, "scopeWhitelists"): ("scopes", "oidc_scopes"),
    (RULE, "groupWhitelists"): ("groups",),
    (GROUP_ASSIGNMENTS, "groups"): ("groups",),
    **{(typ, wire): (name,) for name, typ, wire in SETTINGS},
}


# Fields not read from a readable secret either: whether the app was a partner one feeds what
# the plan derives and prints in words (retyped, its approval removed), which would say the
# consent method the secret holds.
_NOT_READ = frozenset({"partner"})

# The inputs the view reads, by resource type.
_READ: dict[str, tuple[str, ...]] = {
    typ: tuple(w for t, w in _FEEDS if t == typ) for typ in (OAUTH_APP, RULE, GROUP_ASSIGNMENTS)
}


def _hidden(
    held: Mapping[tuple[str, str], bool], grouped: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The view fields fed by secrets: (read, not known)."""
    secret: dict[str, None] = {}
    unread: dict[str, None] = {}
    for (typ, wire), readable in held.items():
        if (typ, wire) == (RULE, "groupWhitelists") and grouped:
            continue  # the assignments name the groups
        for name in _FEEDS.get((typ, wire), ()):
            (secret if readable and name not in _NOT_READ else unread)[name] = None
    return tuple(n for n in secret if n not in unread), tuple(unread)


def views_from_state(state: RecordedState) -> dict[str, AppView]:
    """Each app as the recorded resources of its OidcApp component show it.

    Scopes come from the rule (the OpenID Connect ones, offline_access included, apart), URIs
    and grant types from the OAuth app, groups from the assignments (or the rule) named through
    the stack's `groupIds` export, the digest from the app's profile marker.
    """
    group_ids = state.stack_outputs.get("groupIds")
    names = (
        {v: k for k, v in group_ids.items() if isinstance(v, str)}
        if isinstance(group_ids, Mapping)
        else {}
    )
    children: dict[str, list[RecordedResource]] = {}
    for r in state.resources:
        if r.parent is not None and not r.delete:
            children.setdefault(r.parent, []).append(r)
    out: dict[str, AppView] = {}
    for comp in state.resources:
        if comp.type != APP_COMPONENT or comp.delete:
            continue
        kids = {r.type: r for r in children.get(comp.urn, [])}
        held: dict[tuple[str, str], bool] = {}
        opened = {typ: kids[typ].compared if typ in kids else {} for typ in _READ}
        for typ, wires in _READ.items():
            if typ not in kids or not kids[typ].secret_inputs:
                continue
            opened[typ], secrets = open_inputs(opened[typ], wires)
            held.update(((typ, wire), readable) for wire, readable in secrets.items())
        oauth, rule = opened[OAUTH_APP], opened[RULE]
        secret, unread = _hidden(held, GROUP_ASSIGNMENTS in kids) if held else ((), ())
        if GROUP_ASSIGNMENTS in kids:
            entries = opened[GROUP_ASSIGNMENTS].get("groups")
            ids = (
                _strings([g.get("id") for g in entries if isinstance(g, Mapping)])
                if isinstance(entries, list)
                else ()
            )
        else:
            ids = tuple(g for g in _strings(rule.get("groupWhitelists")) if g != EVERYONE)
        inputs = {OAUTH_APP: oauth, RULE: rule}
        jwks = oauth.get("jwks")
        label = oauth.get("label")
        consent = oauth.get("consentMethod")
        pkce = oauth.get("pkceRequired")
        app_type = oauth.get("type")
        status = oauth.get("status")
        profile = oauth.get("profile")
        document = _document(profile)
        listed = _strings(rule.get("scopeWhitelists"))
        out[comp.name] = AppView(
            name=comp.name,
            digest=_digest(document),
            scopes=tuple(s for s in listed if s not in OIDC_SCOPES),
            oidc_scopes=tuple(s for s in listed if s in OIDC_SCOPES),
            redirect_uris=_strings(oauth.get("redirectUris")),
            post_logout_redirect_uris=_strings(oauth.get("postLogoutRedirectUris")),
            grant_types=_strings(oauth.get("grantTypes")),
            groups=tuple(names[i] for i in ids if i in names),
            unnamed_groups=tuple(i for i in ids if i not in names),
            label=label if isinstance(label, str) else None,
            partner=consent == "REQUIRED"
            if isinstance(consent, str) and "partner" not in unread
            else None,
            pkce=pkce if isinstance(pkce, bool) else None,
            kind=KIND_OF.get(app_type) if isinstance(app_type, str) else None,
            status=status if isinstance(status, str) else None,
            keys=()
            if "keys" in unread  # a member that cannot be read: taken from the other side
            else tuple(
                _key_id(k)
                for k in (jwks if isinstance(jwks, list) else ())
                if isinstance(k, Mapping)
            ),
            settings=tuple(
                (name, _setting_text(inputs[typ].get(wire)))
                for name, typ, wire in SETTINGS
                if isinstance(inputs[typ].get(wire), str | int | float)
            ),
            # by the inputs the program sent: a marker Okta lost since is drift, not an import
            adopted=OAUTH_APP in kids and _adopted(kids[OAUTH_APP], profile, document),
            protected=OAUTH_APP in kids and kids[OAUTH_APP].protect,
            secret=secret,
            unread=unread,
        )
    return out


def _setting_text(value: Any) -> str:
    """A recorded input as render gives it (integers arrive as floats from some states)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
