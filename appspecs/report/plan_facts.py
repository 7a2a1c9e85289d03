"""What changes for one app, one fact a line, in plain words: the text report lists them, and
Markdown's cells reuse the shared ones."""

from __future__ import annotations

import json

from appspecs.plan.summary import AppSummary, Delta, Review
from appspecs.report.plan_words import APPROVAL_TEXT, PRIVILEGE


def delta_facts(what: str, d: Delta) -> list[str]:
    out = []
    if d.added:
        out.append(f"{what} added: {', '.join(d.added)}")
    if d.removed:
        out.append(f"{what} removed: {', '.join(d.removed)}")
    return out


KEPT = "Okta keeps the approved version meanwhile"
SUSPENDED = "partner suspended: deployed INACTIVE (no tokens; its client id is kept)"


def key_and_setting_facts(
    keys: Delta, settings: tuple[tuple[str, str | None, str | None], ...]
) -> list[str]:
    facts = [f"key added: {kid}" for kid in keys.added]
    facts += [f"key removed: {kid}" for kid in keys.removed]
    facts += [f"{name}: {old or 'unset'} -> {new or 'unset'}" for name, old, new in settings]
    return facts


def review_facts(review: Review) -> list[str]:
    """What a change under review would change once approved, one fact a line."""
    facts = []
    if review.scopes.added:
        facts.append(
            f"scopes requested: {', '.join(review.scopes.added)}  [{PRIVILEGE} once approved]"
        )
    if review.scopes.removed:
        facts.append(f"scopes to revoke: {', '.join(review.scopes.removed)}")
    facts += delta_facts("redirect URIs", review.redirect_uris)
    facts += delta_facts("post-logout redirect URIs", review.post_logout_redirect_uris)
    facts += delta_facts("grant types", review.grant_types)
    facts += delta_facts("groups", review.groups)
    facts += key_and_setting_facts(review.keys, review.settings)
    if review.logo_changed:
        facts.append("logo: a new picture")
    return facts or ["no change of scopes, redirect URIs, grant types, groups or logo"]


def retyped_fact(retyped: tuple[str, str]) -> str:
    if retyped == ("partner", "internal"):
        return "type: partner -> internal: no review from now on, and users see no consent screen"
    return "type: internal -> partner: it needs an approval, and users see a consent screen"


def app_facts(app: AppSummary) -> list[str]:
    """What changes for one app, one fact a line, in plain words."""
    if app.change == "held":
        return [
            f"requests scopes: {', '.join(app.scopes.added)} (granted once approved)",
            f"held: {app.held}",
        ]
    facts = []
    if app.change == "adopted":
        facts.append(ADOPTED)
    if app.status == "held" and app.change in ("added", "changed"):
        facts.append("its spec is new" if app.change == "added" else "its spec changed")
    if app.scopes.added and app.held is not None:
        # Nothing is granted while it is held (its resources may even be deleted): requested.
        facts.append(
            f"scopes requested: {', '.join(app.scopes.added)}  [{PRIVILEGE}, granted once approved]"
        )
    elif app.scopes.added:
        facts.append(f"scopes granted: {', '.join(app.scopes.added)}  [{PRIVILEGE}]")
    if app.scopes.removed:
        facts.append(f"scopes revoked: {', '.join(app.scopes.removed)}")
    facts += delta_facts("redirect URIs", app.redirect_uris)
    facts += delta_facts("post-logout redirect URIs", app.post_logout_redirect_uris)
    facts += delta_facts("grant types", app.grant_types)
    facts += delta_facts("groups", app.groups)
    if app.label is not None:
        facts.append(f"label: {json.dumps(app.label[0])} -> {json.dumps(app.label[1])}")
    if app.kind is not None:
        facts.append(
            f"kind: {app.kind[0]} -> {app.kind[1]}: Okta replaces the app "
            "(a new client id and secret for its consumers)"
        )
    if app.pkce is not None:
        facts.append(f"PKCE: {required_text(app.pkce[0])} -> {required_text(app.pkce[1])}")
    facts += key_and_setting_facts(app.keys, app.settings)
    if app.logo_changed:
        facts.append("logo: a new picture (what users see when they consent)")
    if app.marker_only and app.digest is not None:
        facts.append(
            f"only the profile marker changes: {digests_text(app.digest, ' -> ')} ({MARKER_ONLY})"
        )
    if app.retyped is not None:
        facts.append(retyped_fact(app.retyped))
    if app.approval is not None and app.approval != "approved":
        facts.append(APPROVAL_TEXT[app.approval])
    if app.suspended:
        facts.append(SUSPENDED)
    if app.review is not None:
        facts.append(
            f"change under review ({app.review.digest}; {KEPT}, {app.review.approved_digest}); "
            "once approved:"
        )
        facts += [f"  {f}" for f in review_facts(app.review)]
    if app.held is not None:
        held = f"held: {app.held}"
        if app.held_removes:
            held += "; its Okta resources are deleted until it is approved"
        facts.append(held)
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
