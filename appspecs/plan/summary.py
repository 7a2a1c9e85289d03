"""The domain summary per app: what a reviewer must see before the resource steps.

Both sides are reduced to an `AppView` (`appspecs.plan.views`); this compares them, app by app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, get_args

from appspecs.desired.model import DesiredState
from appspecs.desired.render import auth_method, render_app
from appspecs.plan.deltas import (
    Delta,
    delta,
    group_delta,
    key_delta,
    known_change,
    known_from,
    masked,
    reordered,
    settings_change,
)
from appspecs.plan.views import AppView, view_of
from appspecs.records import record
from appspecs.spec.load import LoadedSpec, SpecSet
from appspecs.spec.release import release_of
from appspecs.spec.versions import stored_version

# "held": a held spec with nothing in Okta before or after (state view only; against a base,
# a held app new in the head is "added": the pull request adds it)

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


@record
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
    fields: tuple[str, ...] = ()  # the spec's top-level fields that differ (description, ...)
    oidc_scopes: Delta = Delta()  # OpenID Connect scopes requested and revoked once approved
    reordered: tuple[
        str, ...
    ] = ()  # ordered lists (deltas.reordered) in another order once approved
    # once approved, the app is not for this stack (the environments it names then leave it
    # out): the update deletes it, or, its resources protected, refuses to and fails; every
    # other delta is empty, as nothing of the change comes to this stack
    leaves: tuple[str, ...] | None = None
    protected: bool = False  # the running version's resources are protected


@record
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
    # (old, new) when the kind changes: Okta replaces the app (a new client id)
    kind: tuple[str, str] | None = None
    # the logo file's picture changed (logos.py: against a base, its picture; against state,
    # the hash the provider recorded)
    logo_changed: bool = False
    # (old, new) spec digest, as the app's profile marker holds it, when both are known and differ
    digest: tuple[str, str] | None = None
    approval: Approval | None = None  # partner apps only
    # (approved_by, ticket) of the approval this change records (approval "recorded")
    approver: tuple[str, str] | None = None
    # (approver, key fingerprint) when the app's approval counts only because this change lists
    # its key for its approver in allowed_signers (plans against a base only)
    approval_key_added: tuple[str, str] | None = None
    # the approver when the app's approval counts only because this change removes
    # allowed_signers, and the base's keys do not verify it (plans against a base only)
    approval_unverified: str | None = None
    held: str | None = None  # why the app is held, when it is
    # held now but in Okta before: the update deletes its resources until it is approved
    held_removes: bool = False
    # leaves Okta by this change (held now, or removed), but its resources are protected (an
    # approved partner app's): `pulumi up` refuses to delete them and the app keeps running
    kept_protected: bool = False
    skipped: str | None = None  # not for this stack (environments)
    review: Review | None = None  # a change waiting for review while Okta keeps the approved one
    suspended: bool = False  # deployed INACTIVE: its partner is suspended
    # (old, new) app type when it changes: partner -> internal drops review and consent
    retyped: tuple[str, str] | None = None
    # a service app (client credentials) signs in no user: no consent screen, whatever its type
    service: bool = False
    # the app as this change leaves it authenticates with a client secret (not a public client,
    # nor private_key_jwt): a new OAuth app means a new secret for its consumers too
    secret: bool = False
    keys: Delta = Delta()  # kids of public keys added and removed (a new key under a kid: both)
    # (setting, old, new) per client setting that changes; None where unset
    settings: tuple[tuple[str, str | None, str | None], ...] = ()
    # OpenID Connect scopes its rule gains and loses: a claim released (profile, email) or
    # refresh tokens (offline_access) is as much a privilege as a catalog scope
    oidc_scopes: Delta = Delta()
    # the ordered lists (deltas.reordered: redirect URIs, groups) listed in another order, which
    # the update rewrites: a change that no delta shows
    reordered: tuple[str, ...] = ()
    # its resources change though nothing this summary names does (an input Okta holds
    # otherwise, say): changed, the resources saying what (`build.with_step_changes`)
    resources_only: bool = False

    @property
    def gains_scopes(self) -> bool:
        """Its rule gains a scope, from the catalog or OpenID Connect."""
        return bool(self.scopes.added or self.oidc_scopes.added)

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
    def pending(self) -> bool:
        """Held: what it lists waits for an approval; this update makes none of it."""
        return self.held is not None

    @property
    def marker_only(self) -> bool:
        """Only the profile marker changes in Okta: the spec changed in what Okta does not hold
        (its description, owner, ...), so the new digest is all the update writes."""
        return (
            self.change == "changed"
            and self.digest is not None
            and not (
                self.scopes
                or self.oidc_scopes
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
            and not self.reordered
        )

    @property
    def privilege_increase(self) -> bool:
        """Scopes gained (a new app's included) raise what the app may do. For a held app, or a
        change under review, they are requested, to be granted once approved: still what a
        reviewer must weigh."""
        review = self.review
        requested = review is not None and bool(review.scopes.added or review.oidc_scopes.added)
        return (self.gains_scopes and self.change != "held") or requested

    @property
    def scopes_requested_only(self) -> bool:
        """Every scope gained waits for an approval: none is granted by this update."""
        return self.privilege_increase and (self.held is not None or not self.gains_scopes)


def _approval(
    name: str, specs: SpecSet, before: AppView | None, was_approved: Callable[[str], bool]
) -> Approval | None:
    loaded = specs.apps.get(name)
    was_partner = before is not None and before.partner is True
    if loaded is None:
        # its spec deleted: an approved partner app's approval goes with it (approvals.yaml may
        # not name an app that has no spec)
        gone = was_partner and was_approved(name) and name not in specs.approvals
        return "removed" if gone else None
    if loaded.spec.type != "partner":
        # retyped to internal: the approval it had is gone with its review
        return "removed" if was_partner and was_approved(name) else None
    release = release_of(specs, name)
    if release.deployed is None:
        # No approved version now: one that existed before was removed (the app leaves Okta),
        # or the one recorded keeps no version to deploy. An app known to have been internal
        # had none to lose, though the state holds it: retyped to partner, it waits for its
        # first approval.
        if was_approved(name) and (before is None or before.partner is not False):
            return "removed" if release.approval is None else "invalidated"
        return "pending"
    unchanged = before is not None and before.digest == release.deployed.digest
    return "approved" if unchanged and was_approved(name) else "recorded"


def _approver(specs: SpecSet, name: str) -> tuple[str, str] | None:
    approval = specs.approvals.get(name)
    return (approval.approved_by, approval.ticket) if approval is not None else None


def _changed_fields(old: LoadedSpec, new: LoadedSpec) -> tuple[str, ...]:
    """The top-level fields whose canonical data (what the digest is taken of) differ."""
    a = stored_version(old.spec, old.logo_sha256)
    b = stored_version(new.spec, new.logo_sha256)
    return tuple(k for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k))


def review_of(specs: SpecSet, name: str, stack: str, protected: bool) -> Review | None:
    """What an app's waiting change would change once approved, when Okta keeps an approved
    version of it meanwhile in `stack` (whose recorded resources are `protected` or not)."""
    release = release_of(specs, name)
    deployed, current = release.deployed, release.current
    if deployed is None or deployed.digest == current.digest:
        return None
    if not current.spec.goes_to(stack):
        # approved, it is not this stack's: nothing of the change comes to it
        empty = Delta()
        return Review(
            deployed.digest, current.digest, empty, empty, empty, empty, empty, False,
            leaves=tuple(current.spec.environments or ()), protected=protected,
        )  # fmt: skip
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
        keys=key_delta(old, new),
        settings=settings_change(old, new),
        fields=_changed_fields(deployed, current),
        oidc_scopes=delta(old.oidc_scopes, new.oidc_scopes),
        reordered=reordered(old, new),
        protected=protected,
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
        if old is not None and new is not None:
            old = known_from(old, new)
        o, n = old or empty, new or empty
        # the deltas an app that is in both sides is compared by, kept for its summary
        groups: Delta | None = None
        keys: Delta | None = None
        settings: tuple[tuple[str, str | None, str | None], ...] | None = None
        order: tuple[str, ...] | None = None
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
            groups, keys = group_delta(o, n, named_groups), key_delta(o, n)
            settings, order = settings_change(o, n), reordered(o, n)
            same = (
                o.digest == n.digest
                # sets to the provider (SET_INPUTS), compared as sets
                and set(o.scopes) == set(n.scopes)
                and set(o.oidc_scopes) == set(n.oidc_scopes)
                and o.redirect_uris == n.redirect_uris
                and set(o.post_logout_redirect_uris) == set(n.post_logout_redirect_uris)
                and set(o.grant_types) == set(n.grant_types)
                and not groups
                and not order
                and known_change(o.label, n.label) is None
                and known_change(o.pkce, n.pkce) is None
                and known_change(o.kind, n.kind) is None
                and known_change(o.status, n.status) is None
                and not keys
                and not settings
                and o.deployed == n.deployed
            )
            change = "unchanged" if same else "changed"
        loaded = specs.apps.get(name)
        deployed_here = name in deployed_names
        review = (
            review_of(specs, name, desired.stack, o.protected)
            if loaded is not None and deployed_here
            else None
        )
        if review is not None and change == "unchanged":
            change = "change under review"
        partner_now = loaded.spec.type == "partner" if loaded else None
        # the base side as it was: a held app that is approved now compares its deltas with
        # nothing (`o` is empty above), but its type before is still the base spec's
        partner_before = old.partner if old is not None else None
        retyped = (
            ("partner", "internal")
            if partner_before is True and partner_now is False
            else ("internal", "partner")
            if partner_before is False and partner_now is True
            else None
        )
        # in Okta before, not after: the update deletes it, unless its resources are protected
        leaving = old is not None and o.deployed and (new is None or not n.deployed)
        label = known_change(o.label, n.label) if old and new else None
        pkce = known_change(o.pkce, n.pkce) if old and new and change != "added" else None
        kind = known_change(o.kind, n.kind) if old and new and change != "added" else None
        digest = known_change(o.digest, n.digest) if old and new and change != "added" else None
        kept = leaving and o.protected
        if kept and new is None:
            # removed, but pulumi up refuses the deletes: nothing of it changes in Okta
            n = o
        approval = _approval(name, specs, old, was_approved)
        summary = AppSummary(
            name=name,
            change=change,
            partner=loaded.spec.type == "partner" if loaded else bool(o.partner),
            scopes=delta(o.scopes, n.scopes),
            redirect_uris=delta(o.redirect_uris, n.redirect_uris),
            post_logout_redirect_uris=delta(
                o.post_logout_redirect_uris, n.post_logout_redirect_uris
            ),
            grant_types=delta(o.grant_types, n.grant_types),
            groups=group_delta(o, n, named_groups) if groups is None else groups,
            label=label,
            pkce=pkce,
            kind=kind,
            digest=digest,
            approval=approval,
            approver=_approver(specs, name) if approval == "recorded" else None,
            held=held.get(name),
            held_removes=name in held and leaving and not o.protected,
            kept_protected=kept,
            skipped=skipped.get(name),
            review=review,
            suspended=deployed_here and name in specs.suspended,
            retyped=retyped,
            service=(loaded.spec.client.kind if loaded else o.kind) == "service",
            secret=loaded is not None and auth_method(loaded.spec) == "client_secret_basic",
            keys=key_delta(o, n) if keys is None else keys,
            settings=settings
            if settings is not None
            else settings_change(o, n)
            if old and new and change != "added"
            else (),
            oidc_scopes=delta(o.oidc_scopes, n.oidc_scopes),
            reordered=order
            if order is not None
            else reordered(o, n)
            if old and new and change != "added"
            else (),
        )
        out.append(masked(summary, o.secret) if old is not None else summary)
    return out
