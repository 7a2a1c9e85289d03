"""What changes for one app, one fact a line, in plain words: the text report lists them, and
Markdown's cells reuse the shared ones."""

from __future__ import annotations

import json

from appspecs.plan.deltas import Delta
from appspecs.plan.summary import AppSummary, Review
from appspecs.report.plan_words import PRIVILEGE, approval_text


def delta_facts(what: str, d: Delta, when: str = "") -> list[str]:
    """`when`: " once approved" for a held app, whose changes this update does not make."""
    out = []
    if d.added:
        out.append(f"{what} added{when}: {', '.join(d.added)}")
    if d.removed:
        out.append(f"{what} removed{when}: {', '.join(d.removed)}")
    return out


# The rule's OpenID Connect scopes, said apart from the catalog's: what it may ask for at sign-in.
OIDC = "OpenID Connect scopes"


# The ordered lists (deltas.reordered) in words.
ORDERED_WORDS = {"redirectUris": "redirect URIs", "groups": "groups", "jwks": "keys"}


def reordered_fact(reordered: tuple[str, ...], when: str = "") -> list[str]:
    if not reordered:
        return []
    lists = ", ".join(ORDERED_WORDS[k] for k in reordered)
    return [f"order changed{when}: {lists} (the same values in another order, which Okta keeps)"]


KEPT = "Okta keeps the approved version meanwhile"
SUSPENDED = "partner suspended: deployed INACTIVE (no tokens; its client id is kept)"
# an app this change adds has no client id to keep: it is created inactive
SUSPENDED_NEW = "partner suspended: created INACTIVE (no tokens until the partner returns)"
# A held or removed app that was in Okta, whose resources are protected (an approved partner
# app's): the engine refuses the deletes, so nothing of it stops.
KEPT_PROTECTED = (
    "pulumi up refuses to delete its Okta resources (protected: an approved partner app), so it "
    "keeps running, and every update fails until {until} or it is retired on purpose"
)
ONCE_APPROVED = " once approved"


# an app whose resources change though no field the summary names does
RESOURCES_ONLY = "its resources change in inputs this summary does not name (see Resources)"
# an app whose spec is there, but whose environments leave this stack out
BACK_IN_STACK = "its environments name this stack again"


def kept_protected_fact(app: AppSummary) -> str:
    if app.skipped is not None:
        until = BACK_IN_STACK
    elif app.change == "removed":
        until = "the spec is restored"
    else:
        until = "it is approved again"
    return KEPT_PROTECTED.format(until=until)


def leaves_fact(review: Review) -> str:
    """What approving a change that takes the app out of this stack does."""
    if review.protected:
        then = KEPT_PROTECTED.format(until=BACK_IN_STACK)
    else:
        then = "the update deletes its Okta resources, and its client id stops working"
    return f"leaves this stack (environments: [{', '.join(review.leaves or ())}]): {then}"


def suspended_fact(app: AppSummary) -> str:
    return SUSPENDED_NEW if app.change == "added" else SUSPENDED


def new_held_text(app: AppSummary) -> str:
    """Why a new app is held, and that nothing of it is in Okta: every format's words."""
    return f"{app.held}; not in Okta"


def held_cause(app: AppSummary) -> str | None:
    """Why a held app that was listed before is held now: its spec is new or changed. Not when
    only its approval went (the approval fact says that) or the digests are not known."""
    if app.change == "added":
        return "its spec is new"
    if app.change == "changed" and app.digest is not None:
        return "its spec changed"
    return None


def key_and_setting_facts(
    keys: Delta, settings: tuple[tuple[str, str | None, str | None], ...], when: str = ""
) -> list[str]:
    facts = [f"key added{when}: {kid}" for kid in keys.added]
    facts += [f"key removed{when}: {kid}" for kid in keys.removed]
    facts += [f"{name}{when}: {old or 'unset'} -> {new or 'unset'}" for name, old, new in settings]
    return facts


def review_facts(review: Review, *, scopes: bool = True) -> list[str]:
    """What a change under review would change once approved, one fact a line. `scopes` False:
    the scopes are said apart (markdown's Scopes column), and only the rest is listed."""
    if review.leaves is not None:
        # what else it changes is not this stack's
        return [leaves_fact(review)]
    facts = []
    for what, d in (("scopes", review.scopes), (OIDC, review.oidc_scopes)):
        if scopes and d.added:
            facts.append(f"{what} requested: {', '.join(d.added)}  [{PRIVILEGE} once approved]")
        if scopes and d.removed:
            facts.append(f"{what} to revoke: {', '.join(d.removed)}")
    facts += delta_facts("redirect URIs", review.redirect_uris)
    facts += delta_facts("post-logout redirect URIs", review.post_logout_redirect_uris)
    facts += delta_facts("grant types", review.grant_types)
    facts += delta_facts("groups", review.groups)
    facts += reordered_fact(review.reordered)
    facts += key_and_setting_facts(review.keys, review.settings)
    if review.logo_changed:
        facts.append("logo: a new picture")
    if facts or ((review.scopes or review.oidc_scopes) and not scopes):
        return facts
    # the spec changed only in what Okta is not given, or in how a value is written (scopes in
    # another order, a set to the provider): its digest, and so its review, changed all the same
    if review.fields:
        return [
            f"{', '.join(review.fields)} changed in the spec, not in what Okta is given (no change "
            "of scopes, redirect URIs, grant types, groups or logo)"
        ]
    return ["no change of scopes, redirect URIs, grant types, groups or logo"]


def key_added_fact(signer: tuple[str, str]) -> str:
    """The approval and the change to allowed_signers it rests on, said together."""
    by, key = signer
    return (
        f"approval signed by key {key}, which this change adds to allowed_signers for {by}: "
        "it verifies only because of this change"
    )


def unverified_fact(approver: str) -> str:
    """The approval and the removal of allowed_signers it rests on, said together."""
    return (
        f"approval by {approver} counts only because this change removes allowed_signers: "
        "the base's keys do not verify it"
    )


# A held app the stack runs: what merging it as it is does. Approved before an update, it is
# updated in place (the plan fails on the delete and the deploy workflow stops on it); only an
# update that runs anyway makes an approval bring it back as a new app.
HELD_REMOVES = (
    "merged as it is, the update deletes its Okta resources (approved only after such an update, "
    "it is a new app with a new client id)"
)


def retyped_fact(app: AppSummary) -> str:
    """What a change of type does to the app; `app.retyped` is set."""
    if app.retyped == ("partner", "internal"):
        # release_of: an internal app goes live when merged, as every internal app does
        consent = "" if app.service else ", and users see no consent screen"
        return (
            "type: partner -> internal: live as an internal app once merged; no review from now "
            f"on{consent}"
        )
    # a service app signs in no user (client credentials): Okta shows no one a consent screen
    if app.held is not None:
        consent = "" if app.service else ", and users see a consent screen"
        return f"type: internal -> partner: it needs an approval{consent}"
    # approved: the OAuth app's consent method changes in place, unless its kind replaces it
    kept = (
        ", updated in place: its client id stays"
        if app.change == "changed" and not app.kind
        else ""
    )
    return (
        f"type: internal -> partner: approved, so it deploys as a partner app{kept}; "
        + ("" if app.service else "users now see a consent screen, and ")
        + "each later change needs an approval"
    )


def app_facts(app: AppSummary) -> list[str]:
    """What changes for one app, one fact a line, in plain words."""
    if app.change == "held":
        # new and not approved: nothing of it is in Okta; what it asks for, as JSON's `requested`
        facts = [
            f"requests {what}: {', '.join(d.added)} (granted once approved)"
            for what, d in (("scopes", app.scopes), (OIDC, app.oidc_scopes))
            if d.added
        ]
        facts += delta_facts("redirect URIs", app.redirect_uris, ONCE_APPROVED)
        facts += delta_facts(
            "post-logout redirect URIs", app.post_logout_redirect_uris, ONCE_APPROVED
        )
        facts += delta_facts("grant types", app.grant_types, ONCE_APPROVED)
        facts += delta_facts("groups", app.groups, ONCE_APPROVED)
        return [*facts, f"held: {new_held_text(app)}"]
    facts = []
    if app.change == "adopted":
        facts.append(ADOPTED)
    cause = held_cause(app) if app.status == "held" else None
    if cause is not None:
        facts.append(cause)
    # A held app's changes wait for its approval: none of them is made by this update.
    when = ONCE_APPROVED if app.pending else ""
    for what, d in (("scopes", app.scopes), (OIDC, app.oidc_scopes)):
        if d.added and app.pending:
            # Nothing is granted while it is held (its resources may even be deleted): requested.
            facts.append(
                f"{what} requested: {', '.join(d.added)}  [{PRIVILEGE}, granted once approved]"
            )
        elif d.added:
            facts.append(f"{what} granted: {', '.join(d.added)}  [{PRIVILEGE}]")
        if d.removed:
            facts.append(f"{what} revoked{when}: {', '.join(d.removed)}")
    facts += delta_facts("redirect URIs", app.redirect_uris, when)
    facts += delta_facts("post-logout redirect URIs", app.post_logout_redirect_uris, when)
    facts += delta_facts("grant types", app.grant_types, when)
    facts += delta_facts("groups", app.groups, when)
    facts += reordered_fact(app.reordered, when)
    if app.label is not None:
        facts.append(f"label{when}: {json.dumps(app.label[0])} -> {json.dumps(app.label[1])}")
    if app.kind is not None:
        facts.append(
            f"kind{when}: {app.kind[0]} -> {app.kind[1]}: Okta replaces the app "
            f"(a new client id{' and secret' if app.secret else ''} for its consumers)"
        )
    if app.pkce is not None:
        facts.append(f"PKCE{when}: {required_text(app.pkce[0])} -> {required_text(app.pkce[1])}")
    facts += key_and_setting_facts(app.keys, app.settings, when)
    if app.logo_changed:
        facts.append(f"logo{when}: a new picture (what users see when they consent)")
    if app.resources_only:
        facts.append(RESOURCES_ONLY)
    if app.marker_only and app.digest is not None:
        facts.append(
            f"only the profile marker changes: {digests_text(app.digest, ' -> ')} ({MARKER_ONLY})"
        )
    if app.retyped is not None:
        facts.append(retyped_fact(app))
    if app.approval is not None and app.approval != "approved":
        facts.append(approval_text(app))
    if app.approval_key_added is not None:
        facts.append(key_added_fact(app.approval_key_added))
    if app.approval_unverified is not None:
        facts.append(unverified_fact(app.approval_unverified))
    if app.suspended:
        facts.append(suspended_fact(app))
    if app.review is not None:
        facts.append(
            # the status line already says "change under review": this says which change
            f"waiting for review: {app.review.digest} ({KEPT}, {app.review.approved_digest}); "
            "once approved:"
        )
        facts += [f"  {f}" for f in review_facts(app.review)]
    if app.held is not None:
        held = f"held: {app.held}"
        if app.held_removes:
            held += f"; {HELD_REMOVES}"
        facts.append(held)
    if app.kept_protected:
        facts.append(kept_protected_fact(app))
    if app.skipped is not None:
        facts.append(f"not for this stack ({app.skipped})")
    return facts


# What adopting an app imported from Okta does, beyond the changes listed with it.
ADOPTED = (
    "adopted from Okta (recorded by pulumi import): the same app and client id; the update "
    "writes its appspecs marker and changes only what is listed"
)
# What a marker-only change is: the spec changed where Okta holds nothing of it.
MARKER_ONLY = "the spec changed where Okta holds nothing of it, e.g. its description or owner"


def digests_text(digests: tuple[str, str], arrow: str) -> str:
    """Two spec digests, shortened as git shortens commits: enough to tell them apart."""
    return "digest " + arrow.join(d.removeprefix("sha256:")[:12] for d in digests)


def required_text(flag: bool) -> str:
    return "required" if flag else "not required"
