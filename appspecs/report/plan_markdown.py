"""A plan as Markdown for a pull-request comment: summary table first, resource details folded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from appspecs.plan.build import Plan
from appspecs.plan.deltas import Delta
from appspecs.plan.diff import OPS, Step
from appspecs.plan.summary import AppSummary
from appspecs.report import markdown as md
from appspecs.report.plan_facts import (
    ADOPTED,
    HELD_REMOVES,
    KEPT,
    ONCE_APPROVED,
    ORDERED_WORDS,
    RESOURCES_ONLY,
    digests_text,
    held_cause,
    kept_protected_fact,
    new_held_text,
    required_text,
    retyped_fact,
    review_facts,
    suspended_fact,
)
from appspecs.report.plan_words import (
    LOST_APPROVALS,
    LOUD,
    RETIRE,
    VERB,
    apps_counts,
    base_error_lines,
    held_delete_text,
    notice_text,
    refused_text,
    registry_counts,
    registry_text,
    step_lines,
    unchanged_text,
    unprotect_command,
    verdict_text,
)
from appspecs.report.rerun import NO_FLAGS, Rerun


def _delta_cell(d: Delta) -> str:
    parts = [f"+{md.code(v)}" for v in d.added] + [f"−{md.code(v)}" for v in d.removed]
    return " ".join(parts)


def _app_delta_cell(app: AppSummary, d: Delta) -> str:
    """A delta as this update makes it, or, for a held app, as it would once approved."""
    cell = _delta_cell(d)
    return f"{ONCE_APPROVED.strip()}: {cell}" if cell and app.pending else cell


def _all_scopes(catalog: Delta, oidc: Delta) -> Delta:
    # one column: the OpenID Connect scopes' names (openid, email, ...) say what they are
    return Delta(catalog.added + oidc.added, catalog.removed + oidc.removed)


def _scopes_cell(app: AppSummary) -> str:
    """What this update grants and revokes, then what waits for an approval (a held app's
    scopes, a change under review's), each said as such."""
    now = _all_scopes(app.scopes, app.oidc_scopes)
    review = app.review
    later = _all_scopes(review.scopes, review.oidc_scopes) if review is not None else Delta()
    if app.pending:
        now, later = Delta(), now  # held: this update grants and revokes nothing of it
    parts = [_delta_cell(now)] if now else []
    if later:
        asked = "requested, once approved" if later.added else ONCE_APPROVED.strip()
        parts.append(f"{asked}: {_delta_cell(later)}")
    cell = "; ".join(parts)
    return f"⚠️ **privilege increase** {cell}" if app.privilege_increase else cell


def _uris_cell(app: AppSummary) -> str:
    parts = [_delta_cell(app.redirect_uris)]
    if app.post_logout_redirect_uris:
        parts.append("post-logout: " + _delta_cell(app.post_logout_redirect_uris))
    cell = "<br>".join(p for p in parts if p)
    return f"{ONCE_APPROVED.strip()}: {cell}" if cell and app.pending else cell


def _change_cell(app: AppSummary) -> str:
    status = app.status
    out = f"**{status}**" if status in LOUD else status
    if app.change == "held":
        return f"{out}: {md.text(new_held_text(app))}"
    if app.change == "adopted":
        out += f": {md.text(ADOPTED.split(': ', 1)[1])}"
    if app.held is not None:
        out += f": {md.text(app.held)}"
        cause = held_cause(app)
        if cause is not None:
            out += f"; {cause}"
        if app.held_removes:
            out += f"; {md.text(HELD_REMOVES)}"
    if app.skipped is not None:
        why = md.text(app.skipped)
        out += f" ({why})" if status == "not in this stack" else f"; not for this stack ({why})"
    # before what a held app would change once approved, which it is not part of
    if app.retyped is not None:
        out += f"; **{md.text(retyped_fact(app))}**"
    out += _made_cell(app)
    if app.marker_only and app.digest is not None:
        out += f"; only the profile marker changes ({md.text(digests_text(app.digest, ' → '))})"
    if app.kept_protected:
        out += f"; **{md.text(kept_protected_fact(app))}**"
    if app.suspended:
        out += f"; **{md.text(suspended_fact(app))}**"
    if app.review is not None:
        # its scopes are in the Scopes column ("requested, once approved"): the rest here
        once = "; ".join(md.text(f) for f in review_facts(app.review, scopes=False))
        out += f" ({KEPT})" + (f"; once approved: {once}" if once else "")
    return out


def _made_cell(app: AppSummary) -> str:
    """The changes besides the deltas, each `; ...`; a held app's said as made once approved,
    as the text and JSON say them (none is made by this update)."""
    parts = []
    if app.label is not None:
        parts.append(f"label {md.code(app.label[0])} → {md.code(app.label[1])}")
    if app.kind is not None:
        new = "new client id and secret" if app.secret else "new client id"
        parts.append(f"**kind {app.kind[0]} → {app.kind[1]}: replaced, {new}**")
    if app.pkce is not None:
        parts.append(f"PKCE {required_text(app.pkce[0])} → {required_text(app.pkce[1])}")
    parts += [f"key added {md.code(kid)}" for kid in app.keys.added]
    parts += [f"key removed {md.code(kid)}" for kid in app.keys.removed]
    parts += [
        f"{name} {md.code(old or 'unset')} → {md.code(new or 'unset')}"
        for name, old, new in app.settings
    ]
    parts += [f"order of {ORDERED_WORDS[k]} changed" for k in app.reordered]
    if app.logo_changed:
        parts.append("a new logo picture")
    if app.resources_only:
        parts.append(RESOURCES_ONLY)
    if not parts:
        return ""
    return ("; once approved: " if app.pending else "; ") + "; ".join(parts)


def _approval_cell(app: AppSummary) -> str:
    cell = _approval_state_cell(app)
    if app.approval_key_added is not None:
        by, key = app.approval_key_added
        cell += f"; ⚠️ **signed by a key this change adds** for {md.code(by)} ({md.code(key)})"
    if app.approval_unverified is not None:
        cell += (
            "; ⚠️ **counts only because this change removes allowed_signers** (approved by "
            f"{md.code(app.approval_unverified)})"
        )
    return cell


def _approval_state_cell(app: AppSummary) -> str:
    if app.approval is None:
        return ""
    if app.approval in LOST_APPROVALS:
        return f"**{app.approval}**"
    if app.review is not None:
        # the approval is of the version Okta keeps, not of this change
        return "stale: for an earlier version"
    if app.approver is not None:
        by, ticket = app.approver
        return f"{app.approval} by {md.code(by)} ({md.code(ticket)})"
    return app.approval


def _steps_by_app(steps: Iterable[Step]) -> dict[str | None, list[Step]]:
    out: dict[str | None, list[Step]] = {}
    for s in steps:
        if s.op != "same":
            out.setdefault(s.app, []).append(s)
    return out


def _ops_text(steps: Sequence[Step]) -> str:
    counts = {op: sum(s.op == op for s in steps) for op in OPS}
    return ", ".join(f"{n} {VERB[op]}" for op, n in counts.items() if n)


# What a plan cut short to fit a comment leaves out, as its note says it.
_TABLE_APPS = ("{n} app of the summary table", "{n} apps of the summary table")
_RETIRE_COMMANDS = (
    "the retire commands of {n} protected app",
    "the retire commands of {n} protected apps",
)
_CHANGES = ("{n} resource change", "{n} resource changes")


def markdown_plan(plan: Plan, limit: int = md.REPORT_LIMIT, rerun: Rerun = NO_FLAGS) -> str:
    """A pull-request comment: summary table first, resource details folded, never over `limit`."""
    summary = plan.change_summary
    head = [
        f"### appspec plan: stack {md.code(plan.stack)}",
        "",
        f"Against {md.code(plan.against)}: "
        + " · ".join(
            f"**{summary.get(op, 0)} {VERB[op]}**{refused_text(plan, op)}"
            for op in ("create", "update", "replace", "delete")
        )
        + f" · {summary.get('same', 0)} unchanged",
    ]
    head += [f"> **Note:** {md.text(n)}  " for n in plan.notes]  # a hard break, as warnings
    # the text plan lists them all
    nouns = ("error of the base", "errors of the base")
    said = base_error_lines(plan, files_first=True)
    head += md.quoted_lines(said, nouns, "⛔", again_command(plan, rerun))
    head += md.quoted_warnings(plan.warnings, rerun)
    verdict = verdict_text(plan, md.code)
    if verdict is not None:
        # above the notices: what the plan concludes, a failure when the state protects them
        mark = "⛔" if plan.update_refused else "⚠️"
        head += ["", f"> {mark} **{verdict[0]}:** {verdict[1]}"]
    held_delete = held_delete_text(plan, md.code)
    if held_delete is not None:  # a failure in both modes
        head += ["", f"> ⛔ **{held_delete[0]}:** {held_delete[1]}"]
    # What a reviewer must not scroll past, above the table.
    for notice in plan.summary.notices:
        title, body = notice_text(notice, md.code)
        head += ["", f"> ⚠️ **{title}:** {body}"]
    if plan.registry:
        head += ["", f"**Approvers and partners:** {registry_counts(plan.registry)}", ""]
        head += [f"- {'⚠️ ' if c.notable else ''}{md.text(registry_text(c))}" for c in plan.registry]
    head += ["", f"Apps: {apps_counts(plan.summary, ' · ')}", ""]
    notable = plan.summary.listed
    blocks: list[md.Block] = ["\n".join(head)]
    if notable:
        rows = [
            [
                md.code(a.name) + (" (partner)" if a.partner else ""),
                _change_cell(a),
                _scopes_cell(a),
                _uris_cell(a),
                _app_delta_cell(a, a.grant_types),
                _app_delta_cell(a, a.groups),
                _approval_cell(a),
            ]
            for a in notable
        ]
        header = ["App", "Change", "Scopes", "Redirect URIs", "Grant types", "Groups", "Approval"]
        table = md.table(header, rows)
        blocks += table[:2]  # one row per app, each counted when the comment is cut short
        blocks += [md.Counted(row, _TABLE_APPS) for row in table[2:]]
    else:
        blocks.append("No app changes.")
    quiet = plan.summary.counts["unchanged"]
    if quiet:
        blocks.append(f"\n{unchanged_text(quiet, 'other ' if notable else '')}.")
    blocks.append("")
    for app, urns in plan.summary.refused:
        command = f"{unprotect_command(plan.stack, urns)}\npulumi up --stack {plan.stack}"
        retire = f"{md.text(RETIRE.format(app=app))}\n{md.fence(command, 'sh')}"
        blocks += [md.Counted(retire, _RETIRE_COMMANDS), ""]
    for owner, steps in sorted(_steps_by_app(plan.steps).items(), key=lambda kv: kv[0] or ""):
        body = "\n".join(line for s in steps for line in step_lines(s, inputs=True))
        title = f"{owner or 'authorization server'}: {_ops_text(steps)}"
        blocks.append(md.Counted(md.details(title, md.fence(body, "diff")), _CHANGES, len(steps)))
        blocks.append("")

    whole = f"Run {md.code(again_command(plan, rerun))} for the whole plan."
    return md.fit(blocks, whole, limit) + "\n"


def again_command(plan: Plan, rerun: Rerun = NO_FLAGS) -> str:
    """The same comparison, whole: of the same specs, against the same base (its commit, for a
    ref: the branch may have moved on) or the same state."""
    command = ["plan", "--stack", plan.stack]
    if plan.mode != "base":
        return rerun.command(*command)
    if plan.base is None:
        return f"{rerun.command(*command)} --base <the same base>"
    return rerun.command(*command, last=("--base", plan.base))
