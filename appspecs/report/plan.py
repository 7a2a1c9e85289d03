"""A plan as text for people, Markdown for a pull-request comment, and JSON for tools."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from appspecs.plan.build import Plan
from appspecs.plan.diff import OPS, Change, Step
from appspecs.plan.summary import (
    AppStatus,
    AppSummary,
    Delta,
    Notice,
    NoticeKind,
    PlanSummary,
    Review,
)
from appspecs.plan.urns import nesting
from appspecs.plan.values import ABSENT, display, to_json
from appspecs.report import markdown as md

MARK = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": " "}
APP_MARK: dict[AppStatus, str] = {
    "added": "+",
    "adopted": "=",  # Pulumi's mark for an import
    "changed": "~",
    "change under review": "?",
    "removed": "-",
    "held": "!",
    "suspended": "!",
    "not in this stack": " ",
    "unchanged": " ",
}
# Statuses a Markdown cell puts in bold: the app leaves Okta, does not reach it, or is off.
LOUD: frozenset[AppStatus] = frozenset({"removed", "held", "suspended"})
VERB = {
    "create": "to create",
    "update": "to update",
    "replace": "to replace",
    "delete": "to delete",
    "same": "unchanged",
}
APPROVAL_TEXT = {
    "approved": "approved",
    "recorded": "approval recorded",
    "invalidated": "approval invalidated: the spec changed after it was approved",
    "removed": "approval removed from approvals.yaml",
    "pending": "approval pending",
}
PRIVILEGE = "PRIVILEGE INCREASE"
# Each notice as every format words it: a title, then a sentence naming the apps.
NOTICE_TEXT: dict[NoticeKind, tuple[str, str]] = {
    "liveAppDeleted": (
        "Live app deleted",
        "the OAuth app of {names} is deleted: its client id stops working, and every "
        "consumer using it fails to get tokens.",
    ),
    "liveAppReplaced": (
        "Live app replaced",
        "Okta makes a new OAuth app for {names}: the old client id stops working, and "
        "consumers need the new client id and secret.",
    ),
    "privilegeIncrease": ("Privilege increase", "scopes granted to {names}."),
    "scopesRequested": (
        "Privilege increase",
        "scopes requested by {names}, granted once approved.",
    ),
    "changeUnderReview": (
        "Change under review",
        "{names} keep their approved version in Okta; the change deploys once approved.",
    ),
    "partnerSuspended": (
        "Partner suspended",
        "{names} deployed INACTIVE: no tokens until the partner returns.",
    ),
    "retypedToInternal": (
        "Retyped to internal",
        "{names} no longer reviewed, and no consent screen.",
    ),
    "approvalInvalidated": ("Approval invalidated", "{names} changed after approval and is held."),
    "approvalRemoved": ("Approval removed", "{names} lost its recorded approval and is held."),
}
# Approvals the merge takes away: the app is held, and leaves Okta if it was there.
LOST_APPROVALS = frozenset({"invalidated", "removed"})


def notice_text(notice: Notice, name: Callable[[str], str] = str) -> tuple[str, str]:
    """A notice's title and sentence, each app's name put through `name` (a code span, say)."""
    title, body = NOTICE_TEXT[notice.kind]
    details = notice.details or ("",) * len(notice.apps)
    names = [
        name(n) + (f" (client id {name(d)})" if d else "")
        for n, d in zip(notice.apps, details, strict=True)
    ]
    return title, body.format(names=", ".join(names))


def apps_counts(summary: PlanSummary, sep: str = ", ") -> str:
    """Apps per status, the statuses that have any: the same counts in every format."""
    parts = [f"{n} {status}" for status, n in summary.counts.items() if n]
    return sep.join(parts) or "none"


def counts_line(plan: Plan) -> str:
    summary = plan.change_summary
    parts = [f"{summary.get(op, 0)} {VERB[op]}" for op in OPS]
    return "Changes: " + ", ".join(parts)


def change_lines(c: Change) -> str:
    if c.old is ABSENT:
        return f"+ {c.path}: {display(c.new)}"
    if c.new is ABSENT:
        return f"- {c.path}: {display(c.old)}"
    return f"~ {c.path}: {display(c.old)} -> {display(c.new)}"


def step_lines(step: Step, indent: str = "", inputs: bool = False) -> list[str]:
    """A step's head line and, for updates, its changed paths; with `inputs`, a create's inputs."""
    lines = [f"{MARK[step.op]} {indent}{step.type} {step.name} ({step.op})"]
    pad = " " * (len(indent) + 4)
    lines += [pad + change_lines(c) for c in step.diffs]
    if inputs and step.op == "create":
        lines += [f"{pad}+ {k}: {display(v)}" for k, v in step.inputs.items()]
    return lines


def _delta_facts(what: str, d: Delta) -> list[str]:
    out = []
    if d.added:
        out.append(f"{what} added: {', '.join(d.added)}")
    if d.removed:
        out.append(f"{what} removed: {', '.join(d.removed)}")
    return out


KEPT = "Okta keeps the approved version meanwhile"
SUSPENDED = "partner suspended: deployed INACTIVE (no tokens; its client id is kept)"


def _key_and_setting_facts(
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
    facts += _delta_facts("redirect URIs", review.redirect_uris)
    facts += _delta_facts("post-logout redirect URIs", review.post_logout_redirect_uris)
    facts += _delta_facts("grant types", review.grant_types)
    facts += _delta_facts("groups", review.groups)
    facts += _key_and_setting_facts(review.keys, review.settings)
    if review.logo_changed:
        facts.append("logo: a new picture")
    return facts or ["no change of scopes, redirect URIs, grant types, groups or logo"]


def _retyped_fact(retyped: tuple[str, str]) -> str:
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
    facts += _delta_facts("redirect URIs", app.redirect_uris)
    facts += _delta_facts("post-logout redirect URIs", app.post_logout_redirect_uris)
    facts += _delta_facts("grant types", app.grant_types)
    facts += _delta_facts("groups", app.groups)
    if app.label is not None:
        facts.append(f"label: {json.dumps(app.label[0])} -> {json.dumps(app.label[1])}")
    if app.kind is not None:
        facts.append(
            f"kind: {app.kind[0]} -> {app.kind[1]}: Okta replaces the app "
            "(a new client id and secret for its consumers)"
        )
    if app.pkce is not None:
        facts.append(f"PKCE: {_required(app.pkce[0])} -> {_required(app.pkce[1])}")
    facts += _key_and_setting_facts(app.keys, app.settings)
    if app.logo_changed:
        facts.append("logo: a new picture (what users see when they consent)")
    if app.marker_only and app.digest is not None:
        facts.append(
            f"only the profile marker changes: {_digests(app.digest, ' -> ')} ({MARKER_ONLY})"
        )
    if app.retyped is not None:
        facts.append(_retyped_fact(app.retyped))
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


def _digests(digests: tuple[str, str], arrow: str) -> str:
    """Two spec digests, shortened as git shortens commits: enough to tell them apart."""
    return "digest " + arrow.join(d.removeprefix("sha256:")[:12] for d in digests)


def _required(flag: bool) -> str:
    return "required" if flag else "not required"


def _app_title(app: AppSummary) -> str:
    kind = " (partner)" if app.partner else ""
    return f"{app.name}{kind}: {app.status}"


def _unchanged(n: int, other: str = "") -> str:
    return f"{n} {other}app{'s' if n != 1 else ''} unchanged"


def notice_lines(summary: PlanSummary) -> list[str]:
    """The notices as text lines, for the top of a report."""
    return [f"! {t.upper()}: {b}" for t, b in map(notice_text, summary.notices)]


def apps_lines(summary: PlanSummary) -> list[str]:
    """The "Apps:" section: the counts, then each app that is not unchanged with its facts."""
    lines = [f"Apps: {apps_counts(summary)}"]
    for app in summary.listed:
        lines.append(f"  {APP_MARK[app.status]} {_app_title(app)}")
        lines += [f"      {f}" for f in app_facts(app)]
    if summary.counts["unchanged"]:
        lines.append(f"  {_unchanged(summary.counts['unchanged'])}")
    return lines


def text_plan(plan: Plan) -> str:
    """For people: the notices, the app summary, then the resource steps that change something."""
    lines = [f"Plan for stack {plan.stack} against {plan.against}"]
    lines += [f"note: {n}" for n in plan.notes]
    lines += notice_lines(plan.summary)
    lines.append("")
    lines += apps_lines(plan.summary)
    lines.append("")
    lines.append("Resources:")
    changing = [s for s in plan.steps if s.op != "same"]
    for step in changing:
        lines += ["  " + line for line in step_lines(step, "  " * nesting(step.urn))]
    if not changing:
        lines.append("  no changes")
    lines.append("")
    lines.append(counts_line(plan))
    return "\n".join(lines) + "\n"


def _delta_cell(d: Delta) -> str:
    parts = [f"+{md.code(v)}" for v in d.added] + [f"−{md.code(v)}" for v in d.removed]
    return " ".join(parts)


def _scopes_cell(app: AppSummary) -> str:
    cell = _delta_cell(app.scopes)
    if app.review is not None and app.review.scopes:
        requested = _delta_cell(app.review.scopes)
        cell = f"{cell}; once approved: {requested}" if cell else requested
    if not app.privilege_increase:
        return cell
    if app.scopes_requested_only:
        return f"⚠️ **privilege increase**, requested (granted once approved) {cell}"
    return f"⚠️ **privilege increase** {cell}"


def _uris_cell(app: AppSummary) -> str:
    parts = [_delta_cell(app.redirect_uris)]
    if app.post_logout_redirect_uris:
        parts.append("post-logout: " + _delta_cell(app.post_logout_redirect_uris))
    return "<br>".join(p for p in parts if p)


def _change_cell(app: AppSummary) -> str:
    status = app.status
    out = f"**{status}**" if status in LOUD else status
    if app.change == "held":
        return f"{out}: {md.text(app.held or '')}; not in Okta"
    if app.change == "adopted":
        out += f": {md.text(ADOPTED.split(': ', 1)[1])}"
    if app.held is not None:
        out += f": {md.text(app.held)}"
        if app.change in ("added", "changed"):
            out += "; its spec is new" if app.change == "added" else "; its spec changed"
        if app.held_removes:
            out += " (its Okta resources are deleted until approved)"
    if app.skipped is not None:
        why = md.text(app.skipped)
        out += f" ({why})" if status == "not in this stack" else f"; not for this stack ({why})"
    if app.label is not None:
        out += f"; label {md.code(app.label[0])} → {md.code(app.label[1])}"
    if app.kind is not None:
        out += f"; **kind {app.kind[0]} → {app.kind[1]}: replaced, new client id**"
    if app.pkce is not None:
        out += f"; PKCE {_required(app.pkce[0])} → {_required(app.pkce[1])}"
    out += "".join(f"; key added {md.code(kid)}" for kid in app.keys.added)
    out += "".join(f"; key removed {md.code(kid)}" for kid in app.keys.removed)
    out += "".join(
        f"; {name} {md.code(old or 'unset')} → {md.code(new or 'unset')}"
        for name, old, new in app.settings
    )
    if app.logo_changed:
        out += "; a new logo picture"
    if app.marker_only and app.digest is not None:
        out += f"; only the profile marker changes ({md.text(_digests(app.digest, ' → '))})"
    if app.retyped is not None:
        out += f"; **{md.text(_retyped_fact(app.retyped))}**"
    if app.suspended:
        out += f"; **{md.text(SUSPENDED)}**"
    if app.review is not None:
        once = "; ".join(md.text(f) for f in review_facts(app.review))
        out += f" ({KEPT}); once approved: {once}"
    return out


def _approval_cell(app: AppSummary) -> str:
    if app.approval is None:
        return ""
    return f"**{app.approval}**" if app.approval in LOST_APPROVALS else app.approval


def _steps_by_app(steps: Iterable[Step]) -> dict[str | None, list[Step]]:
    out: dict[str | None, list[Step]] = {}
    for s in steps:
        if s.op != "same":
            out.setdefault(s.app, []).append(s)
    return out


def _ops_text(steps: Sequence[Step]) -> str:
    counts = {op: sum(s.op == op for s in steps) for op in OPS}
    return ", ".join(f"{n} {VERB[op]}" for op, n in counts.items() if n)


def markdown_plan(plan: Plan, limit: int = md.REPORT_LIMIT) -> str:
    """A pull-request comment: summary table first, resource details folded, never over `limit`."""
    summary = plan.change_summary
    head = [
        f"### appspec plan: stack {md.code(plan.stack)}",
        "",
        f"Against {md.code(plan.against)}: "
        + " · ".join(
            f"**{summary.get(op, 0)} {VERB[op]}**"
            for op in ("create", "update", "replace", "delete")
        )
        + f" · {summary.get('same', 0)} unchanged",
    ]
    head += [f"> **Note:** {md.text(n)}" for n in plan.notes]
    # What a reviewer must not scroll past, above the table.
    for notice in plan.summary.notices:
        title, body = notice_text(notice, md.code)
        head += ["", f"> ⚠️ **{title}:** {body}"]
    head += ["", f"Apps: {apps_counts(plan.summary, ' · ')}", ""]
    notable = plan.summary.listed
    blocks = ["\n".join(head)]
    if notable:
        rows = [
            [
                md.code(a.name) + (" (partner)" if a.partner else ""),
                _change_cell(a),
                _scopes_cell(a),
                _uris_cell(a),
                _delta_cell(a.grant_types),
                _delta_cell(a.groups),
                _approval_cell(a),
            ]
            for a in notable
        ]
        header = ["App", "Change", "Scopes", "Redirect URIs", "Grant types", "Groups", "Approval"]
        blocks += md.table(header, rows)
    else:
        blocks.append("No app changes.")
    quiet = plan.summary.counts["unchanged"]
    if quiet:
        blocks.append(f"\n{_unchanged(quiet, 'other ' if notable else '')}.")
    blocks.append("")
    for app, steps in sorted(_steps_by_app(plan.steps).items(), key=lambda kv: kv[0] or ""):
        body = "\n".join(line for s in steps for line in step_lines(s, inputs=True))
        title = f"{app or 'authorization server'}: {_ops_text(steps)}"
        blocks.append(md.details(title, md.fence(body, "diff")))
        blocks.append("")

    # The same comparison, whole: against the same base, or the same state.
    again = f"appspec plan --stack {plan.stack}" + (
        " --base <the same base>" if plan.mode == "base" else ""
    )

    def note(omitted: int) -> str:
        return (
            f"> ⚠️ **Truncated:** this comment stops short of GitHub's {md.GITHUB_COMMENT_LIMIT:,}-character limit; "
            f"{omitted} more part{'s' if omitted != 1 else ''} not shown. Run "
            f"`{again}` for the whole plan."
        )

    return md.fit(blocks, note, limit) + "\n"


def _delta_json(d: Delta, added: str = "added", removed: str = "removed") -> dict[str, list[str]]:
    return {added: list(d.added), removed: list(d.removed)}


def app_json(app: AppSummary) -> dict[str, Any]:
    return {
        "name": app.name,
        "status": app.status,
        "change": app.change,
        "partner": app.partner,
        "privilegeIncrease": app.privilege_increase,
        # held: the added scopes are requested, granted once the app is approved
        "scopesRequestedOnly": app.scopes_requested_only,
        "scopes": _delta_json(app.scopes, "granted", "revoked"),
        "redirectUris": _delta_json(app.redirect_uris),
        "postLogoutRedirectUris": _delta_json(app.post_logout_redirect_uris),
        "grantTypes": _delta_json(app.grant_types),
        "groups": _delta_json(app.groups),
        "label": {"old": app.label[0], "new": app.label[1]} if app.label else None,
        "pkceRequired": {"old": app.pkce[0], "new": app.pkce[1]} if app.pkce else None,
        "kind": {"old": app.kind[0], "new": app.kind[1]} if app.kind else None,
        "logoChanged": app.logo_changed,
        "digest": {"old": app.digest[0], "new": app.digest[1]} if app.digest else None,
        "markerOnly": app.marker_only,
        "keys": _delta_json(app.keys),
        "settings": [{"setting": n, "old": o, "new": v} for n, o, v in app.settings],
        "approval": app.approval,
        "held": app.held,
        "heldRemoves": app.held_removes,
        "skipped": app.skipped,
        "review": _review_json(app.review) if app.review else None,
        "suspended": app.suspended,
        "retyped": {"old": app.retyped[0], "new": app.retyped[1]} if app.retyped else None,
    }


def _review_json(review: Review) -> dict[str, Any]:
    return {
        "approvedDigest": review.approved_digest,
        "digest": review.digest,
        "scopes": _delta_json(review.scopes, "requested", "revoked"),
        "redirectUris": _delta_json(review.redirect_uris),
        "postLogoutRedirectUris": _delta_json(review.post_logout_redirect_uris),
        "grantTypes": _delta_json(review.grant_types),
        "groups": _delta_json(review.groups),
        "logoChanged": review.logo_changed,
        "keys": _delta_json(review.keys),
        "settings": [{"setting": n, "old": o, "new": v} for n, o, v in review.settings],
    }


def step_json(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {
        "urn": step.urn,
        "op": step.op,
        "type": step.type,
        "name": step.name,
        "parent": step.parent,
        "app": step.app,
        "diffs": [
            {"path": c.path, "old": to_json(c.old), "new": to_json(c.new)} for c in step.diffs
        ],
    }
    if step.op == "create":
        out["inputs"] = to_json(step.inputs)
    return out


def notice_json(notice: Notice) -> dict[str, Any]:
    title, body = notice_text(notice)
    out: dict[str, Any] = {"kind": notice.kind, "apps": list(notice.apps)}
    if notice.details:
        out["clientIds"] = [d or None for d in notice.details]
    out["text"] = f"{title}: {body}"
    return out


def plan_json(plan: Plan) -> dict[str, Any]:
    summary = plan.summary
    return {
        "summary": {
            "stack": plan.stack,
            "mode": plan.mode,
            "against": plan.against,
            "changes": plan.has_changes,
            "apps": dict(summary.counts),
            "notices": [notice_json(n) for n in summary.notices],
            "privilegeIncreases": [a.name for a in plan.apps if a.privilege_increase],
            "approvalsInvalidated": [a.name for a in plan.apps if a.approval == "invalidated"],
            "approvalsRemoved": [a.name for a in plan.apps if a.approval == "removed"],
            "changesUnderReview": [a.name for a in plan.apps if a.review is not None],
            "suspended": [a.name for a in plan.apps if a.suspended],
            "retypedToInternal": [
                a.name for a in plan.apps if a.retyped == ("partner", "internal")
            ],
            "skipped": [{"name": s.name, "detail": s.detail} for s in plan.skipped],
            "notes": list(plan.notes),
        },
        "apps": [app_json(a) for a in plan.apps],
        "steps": [step_json(s) for s in plan.steps],
        "held": [{"name": h.name, "reason": h.detail} for h in plan.held],
        "changeSummary": plan.change_summary,
    }


def render(plan: Plan, fmt: str) -> str:
    """The plan in one of `appspec plan`'s formats: text, markdown or json."""
    if fmt == "json":
        return json_text(plan)
    if fmt == "markdown":
        return markdown_plan(plan)
    return text_plan(plan)


def json_text(plan: Plan) -> str:
    """One JSON object; each app, step and held app on a line of its own.

    Written by hand around `json.dumps` of each item: the C encoder only runs without `indent`,
    and a plan of thousands of steps would spend most of its time indenting.
    """
    parts = []
    for key, value in plan_json(plan).items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(json.dumps(v, ensure_ascii=False) for v in value)
            body = f"[\n    {items}\n  ]"
        else:
            body = json.dumps(value, ensure_ascii=False)
        parts.append(f"  {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"
