"""The domain summary per app: what a reviewer must see before the resource steps.

Both sides are reduced to an `AppView` (scopes, URIs, grant types, groups, digest): from specs
through the shared render, or from the resources a previous update recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, get_args

from appspecs.desired.model import EVERYONE, MARKER, DesiredApp, DesiredState
from appspecs.desired.render import KIND_OF, render_app
from appspecs.desired.resources import APP_COMPONENT, GROUP_ASSIGNMENTS, OAUTH_APP, RULE
from appspecs.plan.diff import Op, Step
from appspecs.plan.state import RecordedResource, RecordedState
from appspecs.spec.load import SpecSet
from appspecs.spec.models import OIDC_SCOPES
from appspecs.spec.release import release_of

# "held": a held spec with nothing in Okta before or after (state view only; against a base,
# a held app new in the head is "added": the pull request adds it)
T = TypeVar("T")

# "change under review": Okta keeps the approved version (its resources do not change) while a
# newer version of the spec waits for review.
# "adopted": recorded by `pulumi import` (Okta's own app, without our marker yet) and taken over
# by this update, which changes only what its diff lists.
AppChange = Literal[
    "added", "adopted", "removed", "changed", "unchanged", "held", "change under review"
]
Approval = Literal["approved", "recorded", "invalidated", "removed", "pending"]

# What a reviewer reads an app as: exactly one status per app, which every format names and
# counts (text, markdown, json). STATUSES is the order the counts are listed in.
AppStatus = Literal[
    "added",
    "adopted",
    "changed",
    "change under review",
    "removed",
    "held",
    "suspended",
    "not in this stack",
    "unchanged",
]
STATUSES: tuple[AppStatus, ...] = get_args(AppStatus)


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Delta:
    """Values added and removed between two sides."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def delta(old: tuple[str, ...], new: tuple[str, ...]) -> Delta:
    return Delta(tuple(v for v in new if v not in old), tuple(v for v in old if v not in new))


@dataclass(frozen=True, slots=True)
class Review:
    """What would change once a partner app's waiting change is approved: from the version Okta
    keeps to the current spec."""

    approved_digest: str
    digest: str
    scopes: Delta
    redirect_uris: Delta
    post_logout_redirect_uris: Delta
    grant_types: Delta
    groups: Delta
    logo_changed: bool
    keys: Delta = Delta()  # public keys (kids) added and removed once approved
    settings: tuple[tuple[str, str | None, str | None], ...] = ()  # client settings that change


@dataclass(frozen=True, slots=True)
class AppSummary:
    """What changes for one app, in the domain's terms."""

    name: str
    change: AppChange
    partner: bool
    scopes: Delta
    redirect_uris: Delta
    post_logout_redirect_uris: Delta
    grant_types: Delta
    groups: Delta
    label: tuple[str, str] | None = None  # (old, new) when the label changes
    pkce: tuple[bool, bool] | None = None  # (old, new) when whether PKCE is required changes
    # (old, new) when the kind changes: Okta replaces the app (a new client id and secret)
    kind: tuple[str, str] | None = None
    logo_changed: bool = False  # the logo file's picture changed (compared by base plans only)
    # (old, new) spec digest, as the app's profile marker holds it, when both are known and differ
    digest: tuple[str, str] | None = None
    approval: Approval | None = None  # partner apps only
    held: str | None = None  # why the app is held, when it is
    # held now but in Okta before: the update deletes its resources until it is approved
    held_removes: bool = False
    skipped: str | None = None  # not for this stack (environments)
    review: Review | None = None  # a change waiting for review while Okta keeps the approved one
    suspended: bool = False  # deployed INACTIVE: its partner is suspended
    # (old, new) app type when it changes: partner -> internal drops review and consent
    retyped: tuple[str, str] | None = None
    keys: Delta = Delta()  # kids of public keys added and removed (a new key under a kid: both)
    # (setting, old, new) per client setting that changes; None where unset
    settings: tuple[tuple[str, str | None, str | None], ...] = ()

    @property
    def status(self) -> AppStatus:
        """The one status the app is listed and counted under. Leaving Okta outweighs the rest;
        a held app is held whatever its spec did; an app of another stack is that; a suspended
        partner's app is deployed INACTIVE, whatever else changes."""
        if self.change == "removed":
            return "removed"
        if self.change == "held" or self.held is not None:
            return "held"
        if self.skipped is not None:
            return "not in this stack"
        if self.suspended:
            return "suspended"
        return self.change

    @property
    def marker_only(self) -> bool:
        """Only the profile marker changes in Okta: the spec changed in what Okta does not hold
        (its description, owner, ...), so the new digest is all the update writes."""
        return (
            self.change == "changed"
            and self.digest is not None
            and not (
                self.scopes
                or self.redirect_uris
                or self.post_logout_redirect_uris
                or self.grant_types
                or self.groups
            )
            and self.label is None
            and self.pkce is None
            and self.kind is None
            and not self.logo_changed
            and self.retyped is None
            and not self.keys
            and not self.settings
        )

    @property
    def privilege_increase(self) -> bool:
        """Scopes gained (a new app's included) raise what the app may do. For a held app, or a
        change under review, they are requested, to be granted once approved: still what a
        reviewer must weigh."""
        requested = self.review is not None and bool(self.review.scopes.added)
        return (bool(self.scopes.added) and self.change != "held") or requested

    @property
    def scopes_requested_only(self) -> bool:
        """Every scope gained waits for an approval: none is granted by this update."""
        return self.privilege_increase and (self.held is not None or not self.scopes.added)


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


def _key_id(members: Mapping[str, Any]) -> tuple[str, str]:
    return str(members.get("kid")), json.dumps(dict(members), sort_keys=True)


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


def _settings_change(old: AppView, new: AppView) -> tuple[tuple[str, str | None, str | None], ...]:
    before, after = dict(old.settings), dict(new.settings)
    return tuple(
        (name, before.get(name), after.get(name))
        for name, _, _ in SETTINGS
        if before.get(name) != after.get(name)
    )


def _key_delta(old: AppView, new: AppView) -> Delta:
    return Delta(
        tuple(kid for kid, key in new.keys if (kid, key) not in old.keys),
        tuple(kid for kid, key in old.keys if (kid, key) not in new.keys),
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


def _digest(profile: Any) -> str | None:
    if not isinstance(profile, str):
        return None
    try:
        data = json.loads(profile)
    except ValueError:
        return None
    marker = data.get(MARKER) if isinstance(data, dict) else None
    digest = marker.get("digest") if isinstance(marker, dict) else None
    return digest if isinstance(digest, str) else None


def _unmarked(profile: Any) -> bool:
    """The recorded profile is known to hold no appspecs marker: unset (import leaves out an
    empty one) or a JSON object without it. A secret or an unreadable one is not known."""
    if profile is None:
        return True
    try:
        data = json.loads(profile) if isinstance(profile, str) else None
    except ValueError:
        return False
    return isinstance(data, dict) and MARKER not in data


def views_from_state(state: RecordedState) -> dict[str, AppView]:
    """Each app as the recorded resources of its OidcApp component show it.

    Scopes come from the rule (less the OpenID Connect scopes, offline_access included), URIs
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
        oauth = kids[OAUTH_APP].inputs if OAUTH_APP in kids else {}
        rule = kids[RULE].inputs if RULE in kids else {}
        if GROUP_ASSIGNMENTS in kids:
            entries = kids[GROUP_ASSIGNMENTS].inputs.get("groups")
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
        out[comp.name] = AppView(
            name=comp.name,
            digest=_digest(oauth.get("profile")),
            scopes=tuple(s for s in _strings(rule.get("scopeWhitelists")) if s not in OIDC_SCOPES),
            redirect_uris=_strings(oauth.get("redirectUris")),
            post_logout_redirect_uris=_strings(oauth.get("postLogoutRedirectUris")),
            grant_types=_strings(oauth.get("grantTypes")),
            groups=tuple(names[i] for i in ids if i in names),
            unnamed_groups=tuple(i for i in ids if i not in names),
            label=label if isinstance(label, str) else None,
            partner=consent == "REQUIRED" if isinstance(consent, str) else None,
            pkce=pkce if isinstance(pkce, bool) else None,
            kind=KIND_OF.get(app_type) if isinstance(app_type, str) else None,
            status=status if isinstance(status, str) else None,
            keys=tuple(
                _key_id(k)
                for k in (jwks if isinstance(jwks, list) else ())
                if isinstance(k, Mapping)
            ),
            settings=tuple(
                (name, _setting_text(inputs[typ].get(wire)))
                for name, typ, wire in SETTINGS
                if isinstance(inputs[typ].get(wire), str | int | float)
            ),
            adopted=OAUTH_APP in kids and _unmarked(oauth.get("profile")),
        )
    return out


def _setting_text(value: Any) -> str:
    """A recorded input as render gives it (integers arrive as floats from some states)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _known_change(old: T | None, new: T | None) -> tuple[T, T] | None:
    """(old, new) when both sides know the value and it differs. A side may not know it: state
    recorded no such input, or holds it as a secret."""
    if old is None or new is None or old == new:
        return None
    return (old, new)


def _group_delta(old: AppView, new: AppView, named: frozenset[str]) -> Delta:
    """Groups added and removed. A recorded id no export names and a group whose id is not known
    yet may be the same group: when both occur, neither is reported."""
    unknown_new = tuple(g for g in new.groups if g not in old.groups and g not in named)
    added = tuple(g for g in new.groups if g not in old.groups and g in named)
    removed = tuple(g for g in old.groups if g not in new.groups)
    if old.unnamed_groups and unknown_new:
        return Delta(added, removed)
    return Delta(added + unknown_new, removed + tuple(f"id {i}" for i in old.unnamed_groups))


def _approval(
    name: str, specs: SpecSet, before: AppView | None, was_approved: Callable[[str], bool]
) -> Approval | None:
    loaded = specs.apps.get(name)
    if loaded is None:
        return None
    if loaded.spec.type != "partner":
        # retyped to internal: the approval it had is gone with its review
        was_partner = before is not None and before.partner is True
        return "removed" if was_partner and was_approved(name) else None
    release = release_of(specs, name)
    if release.deployed is None:
        # No approved version now: one that existed before was removed (the app leaves Okta),
        # or the one recorded keeps no version to deploy.
        if was_approved(name):
            return "removed" if release.approval is None else "invalidated"
        return "pending"
    unchanged = before is not None and before.digest == release.deployed.digest
    return "approved" if unchanged and was_approved(name) else "recorded"


def review_of(specs: SpecSet, name: str) -> Review | None:
    """What an app's waiting change would change once approved, when Okta keeps an approved
    version of it meanwhile."""
    release = release_of(specs, name)
    deployed, current = release.deployed, release.current
    if deployed is None or deployed.digest == current.digest:
        return None
    old, new = view_of(render_app(deployed)), view_of(render_app(current))
    logo = (deployed.spec.logo, deployed.logo_sha256) != (current.spec.logo, current.logo_sha256)
    return Review(
        approved_digest=deployed.digest,
        digest=current.digest,
        scopes=delta(old.scopes, new.scopes),
        redirect_uris=delta(old.redirect_uris, new.redirect_uris),
        post_logout_redirect_uris=delta(
            old.post_logout_redirect_uris, new.post_logout_redirect_uris
        ),
        grant_types=delta(old.grant_types, new.grant_types),
        groups=delta(old.groups, new.groups),
        logo_changed=logo,
        keys=_key_delta(old, new),
        settings=_settings_change(old, new),
    )


def summarize(
    specs: SpecSet,
    desired: DesiredState,
    before: Mapping[str, AppView],
    after: Mapping[str, AppView],
    was_approved: Callable[[str], bool],
    *,
    include_held: bool,
    named_groups: frozenset[str] = frozenset(),
) -> list[AppSummary]:
    """One summary per app on either side, held and skipped apps included, sorted by name.

    `include_held`: `before` lists held specs too (a base tree), not only what is in Okta.
    `named_groups`: groups whose ids the recorded `groupIds` export holds.
    """
    held = {s.name: s.detail for s in desired.skipped if s.reason == "held"}
    skipped = {s.name: s.detail for s in desired.skipped if s.reason == "environment"}
    deployed_names = {a.name for a in desired.apps}
    out = []
    for name in sorted({*before, *after, *skipped}):
        old, new = before.get(name), after.get(name)
        empty = AppView(name, None, (), (), (), (), ())
        o, n = old or empty, new or empty
        if old is None and new is None:
            change: AppChange = "unchanged"
        elif old is None:
            change = "added" if n.deployed or include_held else "held"
        elif new is None:
            change = "removed"
        elif not o.deployed and n.deployed:
            # Held before, approved now: Okta gains the app and every scope of it.
            change, o = "added", empty
        elif o.adopted and n.deployed:
            # Imported from Okta: its recorded inputs are the live app's, so the deltas below
            # are exactly what the update changes (a scope it gains is still one granted).
            change = "adopted"
        else:
            same = (
                o.digest == n.digest
                and o.scopes == n.scopes
                and o.redirect_uris == n.redirect_uris
                and o.post_logout_redirect_uris == n.post_logout_redirect_uris
                and o.grant_types == n.grant_types
                and not _group_delta(o, n, named_groups)
                and _known_change(o.label, n.label) is None
                and _known_change(o.pkce, n.pkce) is None
                and _known_change(o.kind, n.kind) is None
                and _known_change(o.status, n.status) is None
                and not _key_delta(o, n)
                and not _settings_change(o, n)
                and o.deployed == n.deployed
            )
            change = "unchanged" if same else "changed"
        loaded = specs.apps.get(name)
        deployed_here = name in deployed_names
        review = review_of(specs, name) if loaded is not None and deployed_here else None
        if review is not None and change == "unchanged":
            change = "change under review"
        partner_now = loaded.spec.type == "partner" if loaded else None
        retyped = (
            ("partner", "internal")
            if o.partner is True and partner_now is False and old is not None
            else ("internal", "partner")
            if o.partner is False and partner_now is True and old is not None
            else None
        )
        label = _known_change(o.label, n.label) if old and new else None
        pkce = _known_change(o.pkce, n.pkce) if old and new and change != "added" else None
        kind = _known_change(o.kind, n.kind) if old and new and change != "added" else None
        digest = _known_change(o.digest, n.digest) if old and new and change != "added" else None
        out.append(
            AppSummary(
                name=name,
                change=change,
                partner=loaded.spec.type == "partner" if loaded else bool(o.partner),
                scopes=delta(o.scopes, n.scopes),
                redirect_uris=delta(o.redirect_uris, n.redirect_uris),
                post_logout_redirect_uris=delta(
                    o.post_logout_redirect_uris, n.post_logout_redirect_uris
                ),
                grant_types=delta(o.grant_types, n.grant_types),
                groups=_group_delta(o, n, named_groups),
                label=label,
                pkce=pkce,
                kind=kind,
                digest=digest,
                approval=_approval(name, specs, old, was_approved),
                held=held.get(name),
                held_removes=name in held and old is not None and o.deployed,
                skipped=skipped.get(name),
                review=review,
                suspended=deployed_here and name in specs.suspended,
                retyped=retyped,
                keys=_key_delta(o, n),
                settings=_settings_change(o, n) if old and new and change != "added" else (),
            )
        )
    return out


# What a reviewer must not scroll past, most severe first: every format leads with these.
NoticeKind = Literal[
    "liveAppDeleted",
    "liveAppReplaced",
    "privilegeIncrease",
    "scopesRequested",
    "changeUnderReview",
    "partnerSuspended",
    "retypedToInternal",
    "approvalInvalidated",
    "approvalRemoved",
]
NOTICES: tuple[tuple[NoticeKind, Callable[[AppSummary], bool]], ...] = (
    ("privilegeIncrease", lambda a: a.privilege_increase and not a.scopes_requested_only),
    # held, or a change under review: the scopes are requested, granted once approved
    ("scopesRequested", lambda a: a.scopes_requested_only),
    ("changeUnderReview", lambda a: a.review is not None),
    ("partnerSuspended", lambda a: a.suspended),
    ("retypedToInternal", lambda a: a.retyped == ("partner", "internal")),
    ("approvalInvalidated", lambda a: a.approval == "invalidated"),
    ("approvalRemoved", lambda a: a.approval == "removed"),
)


@dataclass(frozen=True, slots=True)
class Notice:
    """One warning a plan leads with, and the apps it is about (in name order)."""

    kind: NoticeKind
    apps: tuple[str, ...]
    # per app, what identifies it to its consumers when known (a client id), else ""
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """The plan's summary, computed once: every format renders this and nothing else of the
    apps, so their counts and names cannot disagree."""

    apps: tuple[AppSummary, ...]
    counts: Mapping[AppStatus, int]  # every status, zeros included; each app counted once
    notices: tuple[Notice, ...]  # only the kinds that name an app, in NOTICES order

    @property
    def listed(self) -> tuple[AppSummary, ...]:
        """The apps a format names one by one: all but the unchanged ones."""
        return tuple(a for a in self.apps if a.status != "unchanged")

    def named(self, status: AppStatus) -> tuple[str, ...]:
        return tuple(a.name for a in self.apps if a.status == status)


# A live OAuth app deleted, or replaced (a new app): the client id its consumers hold stops
# working. Read from the steps, so nothing that deletes or replaces one goes unsaid.
ENDING: tuple[tuple[NoticeKind, Op], ...] = (
    ("liveAppDeleted", "delete"),
    ("liveAppReplaced", "replace"),
)


def plan_summary(apps: Sequence[AppSummary], steps: Sequence[Step] = ()) -> PlanSummary:
    counts = dict.fromkeys(STATUSES, 0)
    for app in apps:
        counts[app.status] += 1
    notices = []
    for kind, op in ENDING:
        ending = sorted(
            (s.app or s.name, s.client_id or "")
            for s in steps
            if s.type == OAUTH_APP and s.op == op
        )
        if ending:
            names, ids = zip(*ending, strict=True)
            notices.append(Notice(kind, names, ids))
    for kind, applies in NOTICES:
        names = tuple(a.name for a in apps if applies(a))
        if names:
            notices.append(Notice(kind, names))
    return PlanSummary(tuple(apps), counts, tuple(notices))
