"""The words every plan format shares: marks, verbs, approval and notice texts, counts, steps."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence

from appspecs.plan.build import Mode, Plan
from appspecs.plan.diff import OPS, Step
from appspecs.plan.inputs import Change
from appspecs.plan.notices import Notice, NoticeKind, PlanSummary
from appspecs.plan.registry import RegistryChange, RegistryKind
from appspecs.plan.summary import AppStatus, AppSummary
from appspecs.plan.values import ABSENT, display
from appspecs.report.diagnostics import diagnostic_line

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
# What a change to allowed_signers or partners.yaml is, as every format words it.
REGISTRY_TEXT: dict[RegistryKind, str] = {
    "approverAdded": "approver added: {subject} may approve (key {detail})",
    "approverRemoved": "approver removed: {subject} may no longer approve (key {detail})",
    "keyAdded": "key added for approver {subject}: {detail}",
    "keyRemoved": "key removed from approver {subject}: {detail}",
    "signingStarted": "added: {detail}, by a key it lists",
    "signingStopped": "removed: {detail}; anyone who can edit approvals.yaml can approve",
    "partnerAdded": "partner added: {subject} ({detail})",
    "partnerRemoved": "partner removed: {subject}: its apps are refused",
    "partnerStatus": "partner {subject}: {detail}",
    "contractWidened": "contract of partner {subject} widened: its apps may now ask for {detail}",
    "contractNarrowed": "contract of partner {subject} narrowed: no longer covers {detail}",
}
WIDENS = "WIDENS"


def approval_text(app: AppSummary) -> str:
    """An app's approval as the facts say it: who approved, when this change records one."""
    text = APPROVAL_TEXT[app.approval] if app.approval is not None else ""
    if app.approver is not None:
        by, ticket = app.approver
        text += f" (by {by}, ticket {ticket})"
    return text


def registry_text(change: RegistryChange) -> str:
    """`allowed_signers: approver added: ...`, marked when it widens what may be approved."""
    text = REGISTRY_TEXT[change.kind].format(subject=change.subject, detail=change.detail)
    return f"{change.file}: {text}" + (f"  [{WIDENS}]" if change.notable else "")


def registry_counts(changes: Sequence[RegistryChange]) -> str:
    """`2 changes to who may approve or to the partners, 1 widening`: the same in every format."""
    n, widening = len(changes), sum(c.notable for c in changes)
    return (
        f"{n} change{'s' if n != 1 else ''} to who may approve or to the partner registry, "
        f"{widening} widening"
    )


# Each notice as every format words it: a title, then a sentence naming the apps.
NOTICE_TEXT: dict[NoticeKind, tuple[str, str]] = {
    "deleteRefused": (
        "Delete refused",
        "pulumi up refuses to delete the resources of {names}: they are protected (as an "
        "approved partner app's are), so {they} keep{s} running, and every update fails until "
        "what takes {it} out is undone ({its} approval or spec restored, or this stack back in "
        "{its} environments) or {they} {is_} retired on purpose (how: after the apps).",
    ),
    "replaceRefused": (
        "Replace refused",
        "pulumi up refuses to replace resources of {names}: they are protected (as an approved "
        "partner app's are), so the update stops there; to replace them on purpose, unprotect "
        "them first (how: after the apps).",
    ),
    "liveAppDeleted": (
        "Live app deleted",
        "the OAuth app{nouns} of {names} {is_} deleted: {its} client id{nouns} stop{s} working, "
        "and every consumer using {it} fails to get tokens.",
    ),
    "liveAppReplaced": (
        "Live app replaced",
        "Okta makes a new OAuth app for {each_of}{names}: the old client id{nouns} stop{s} "
        "working, and consumers need the new client id{nouns} (and a new client secret where "
        "{they} use{s} one).",
    ),
    "privilegeIncrease": ("Privilege increase", "scopes granted to {names}."),
    "scopesRequested": (
        "Privilege increase",
        "scopes requested by {names}, granted once approved.",
    ),
    "approvalByAddedKey": (
        "Approval by a key this change adds",
        "the approval{nouns} of {names} {is_} signed by {a_key} this change adds to allowed_signers "
        "for {its} approver{nouns}: {they} verif{ies} only because of this change (one change "
        "lets the key approve and approves with it); confirm {each} key is the approver's own "
        "before merging.",
    ),
    "approvalUnverified": (
        "Approval no longer verified",
        "the approval{nouns} of {names} count{s} only because this change removes "
        "allowed_signers: the base verifies approvals, and {they} {is_} not signed by a key the "
        "base lists for {its} approver{nouns}; confirm {each} approval with its approver before "
        "merging.",
    ),
    "changeUnderReview": (
        "Change under review",
        "{names} keep{s} {its} approved version{nouns} in Okta; the change{nouns} take{s} effect once "
        "approved.",
    ),
    "partnerSuspended": (
        "Partner suspended",
        "{names} deployed INACTIVE: no tokens until {its} partner{nouns} return{s}.",
    ),
    "retypedToInternal": (
        "Retyped to internal",
        "{names} go{es} live as {an}internal app{nouns} when merged: no review from now on, no consent "
        "screen, and no partner approval applies.",
    ),
    "approvalInvalidated": (
        "Approval invalidated",
        "{names} changed after approval and {is_} held.",
    ),
    "approvalRemoved": (
        "Approval removed",
        "the approval{nouns} of {names} {is_} removed from approvals.yaml: no version of {it} is "
        "approved any more.",
    ),
}
# Approvals the merge takes away: the app is held, and leaves Okta if it was there.
LOST_APPROVALS = frozenset({"invalidated", "removed"})


# What tells each app of a notice apart, after its name: its client id, unless said here.
DETAIL_TEXT: dict[NoticeKind, str] = {
    "approvalByAddedKey": "key {1} for {0}",
    "approvalUnverified": "approved by {0}",
}
CLIENT_ID = "client id {0}"


def notice_text(notice: Notice, name: Callable[[str], str] = str) -> tuple[str, str]:
    """A notice's title and sentence, each app's name and details put through `name` (a code
    span, say)."""
    title, body = NOTICE_TEXT[notice.kind]
    details = notice.details or ((),) * len(notice.apps)
    shown = DETAIL_TEXT.get(notice.kind, CLIENT_ID)
    names = [
        name(n) + (f" ({shown.format(*map(name, d))})" if d else "")
        for n, d in zip(notice.apps, details, strict=True)
    ]
    return title, body.format(names=", ".join(names), **agreeing(len(names)))


def agreeing(n: int) -> dict[str, str]:
    """The words that agree with `n` apps named: "acme keeps its", "acme, orbit keep their"
    (`s`, `es`, `ies`: a verb's ending; `nouns`: a noun's, "client ids"; `each`, `each_of`:
    "the key" or "each key", "a new app for each of")."""
    one = n == 1
    return {
        "s": "s" if one else "",
        "es": "es" if one else "",
        "nouns": "" if one else "s",
        "is_": "is" if one else "are",
        "its": "its" if one else "their",
        "it": "it" if one else "them",
        "they": "it" if one else "they",
        "an": "an " if one else "",
        "each": "the" if one else "each",
        "each_of": "" if one else "each of ",
        "ies": "ies" if one else "y",
        "a_key": "a key" if one else "keys",
    }


def apps_counts(summary: PlanSummary, sep: str = ", ") -> str:
    """Apps per status, the statuses that have any: the same counts in every format."""
    parts = [f"{n} {status}" for status, n in summary.counts.items() if n]
    return sep.join(parts) or "none"


def counts_line(plan: Plan) -> str:
    summary = plan.change_summary
    parts = [f"{summary.get(op, 0)} {VERB[op]}" + refused_text(plan, op) for op in OPS]
    return "Changes: " + ", ".join(parts)


def refused_text(plan: Plan, op: str) -> str:
    """` (2 refused: protected)` after a count of deletes or replaces pulumi up refuses."""
    n = sum(s.op == op and s.refused for s in plan.steps)
    return f" ({n} refused: protected)" if n else ""


def refused_ops(ops: Sequence[str]) -> str:
    """`5 deletes and 1 replace`: the refused steps counted by op, one entry of `ops` each."""
    counts = [
        f"{n} {op}{'s' if n > 1 else ''}" for op in ("delete", "replace") if (n := ops.count(op))
    ]
    return " and ".join(counts)


# The one line on stderr, after the report, of a plan or preview that exits 1 on refused steps.
REFUSED_ERROR = (
    "the update of stack {stack} would fail: pulumi up refuses {what} of protected resources of "
    "{apps} (each marked refused in the {report}); to retire an app on purpose, see "
    "docs/commands.md, retiring a partner app"
)


def refused_error(stack: str, ops: Sequence[str], apps: Sequence[str], report: str) -> str:
    """REFUSED_ERROR for these refused steps (one op each) of these apps."""
    return REFUSED_ERROR.format(
        stack=stack, what=refused_ops(ops), apps=", ".join(apps), report=report
    )


def plan_refused_error(plan: Plan) -> str:
    return refused_error(
        plan.stack,
        [s.op for s in plan.steps if s.refused],
        [app for app, _ in plan.summary.refused],
        "plan",
    )


# What a plan concludes of its refused steps, leading every format: against state the update
# fails for certain (the plan exits 1); against a base it depends on state the plan cannot read.
VERDICT: dict[Mode, tuple[str, str]] = {
    "state": (
        "Update refused",
        "pulumi up would refuse {what} of protected resources of {names} (the state records them "
        "protected), so the update would fail: this plan exits 1. Each is marked refused below; "
        "retiring an app on purpose: after the apps (docs/commands.md, retiring a partner app).",
    ),
    "base": (
        "Update refused while protected",
        "pulumi up refuses {what} of resources of {names} for as long as the stack's state "
        "records them protected, as the base protects an approved partner app's: the update then "
        "fails. A plan against a base reads no state, so it does not fail on them (against the "
        "state, appspec plan and appspec preview exit 1); retiring an app on purpose merges this first, then "
        "lifts the protection (docs/commands.md, retiring a partner app).",
    ),
}


# What a plan concludes of the running internal apps retyped to partner that the update would
# delete while they wait for approval: the same in both modes, as internal apps are not protected.
HELD_DELETE = (
    "Running app deleted while held",
    "{names} {is_} {where} as {apps} and now held for partner review: merged as "
    "it is, the update deletes {its} Okta resources and {its} client id{nouns} stop{s} "
    "working. A review may hold a change but must never take a running app down, so this plan "
    "exits 1. Either approve {it} in this change (appspec approve {name} --by EMAIL --ticket ID "
    "--key PATH): {they} then stay{s} live, as {apps_}{kept}; or leave {its} type internal in this change (only a partner app can be approved, "
    "so the retype and its approval land in one change); or remove {its} spec{nouns} in a change "
    "of {its} own to retire {it} on purpose.",
)
# The one line on stderr of a plan or preview that exits 1 on them.
HELD_DELETE_ERROR = (
    "the update of stack {stack} would delete {apps}, {where} as internal, while held "
    "for partner review (said in the {report}): approve {it} in this change, leave {it} "
    "internal, or remove {its} spec{nouns} in a change of {its} own"
)


def held_delete_text(plan: Plan, name: Callable[[str], str] = str) -> tuple[str, str] | None:
    """The plan's verdict on `Plan.held_deletes`; None when there are none."""
    apps = plan.held_deletes
    if not apps:
        return None
    one = len(apps) == 1
    title, body = HELD_DELETE
    return title, body.format(
        names=", ".join(map(name, apps)),
        where=_where(plan.mode),
        apps="an internal app" if one else "internal apps",
        apps_="a partner app" if one else "partner apps",
        name=apps[0] if one else "NAME",
        kept=_kept_client_ids(plan, apps, name),
        **agreeing(len(apps)),
    )


def _kept_client_ids(plan: Plan, apps: Sequence[str], name: Callable[[str], str]) -> str:
    """What approving the held apps keeps of their client ids: all of them, but for those whose
    change of kind replaces the OAuth app (a new client id) whatever their type."""
    kinds = {a.name: a.kind for a in plan.apps if a.name in apps and a.kind}
    if not kinds:
        return " with the same client id{nouns}".format(**agreeing(len(apps)))
    keep = [n for n in apps if n not in kinds]
    words = agreeing(len(kinds))
    changes = ", ".join(f"{old} -> {new}" for old, new in kinds.values())
    ids = "a new client id" if len(kinds) == 1 else "new client ids"
    whose = (
        f"{words['its']} change{words['nouns']} of kind"
        if not keep
        else f"the change{words['nouns']} of kind of {', '.join(map(name, kinds))}"
    )
    kept = (
        f", {', '.join(map(name, keep))} with the same client id{agreeing(len(keep))['nouns']}"
        if keep
        else ""
    )
    return (
        f"{kept}, but {whose} ({changes}) replace{words['s']} {words['it']} whatever "
        f"{words['its']} type: {ids}"
    )


def _where(mode: str) -> str:
    """Where a held app runs, as far as the plan knows: a plan against a base reads no state,
    so it knows only that the base deploys it to the stack."""
    return "deployed by the base" if mode == "base" else "running in Okta"


def held_delete_error(stack: str, apps: Sequence[str], report: str, mode: str = "state") -> str:
    return HELD_DELETE_ERROR.format(
        stack=stack, apps=", ".join(apps), report=report, where=_where(mode), **agreeing(len(apps))
    )


def plan_errors(plan: Plan) -> list[str]:
    """The lines on stderr of a plan that exits 1 after its report (`Plan.fails`)."""
    lines = [plan_refused_error(plan)] if plan.update_refused else []
    if plan.held_deletes:
        lines.append(held_delete_error(plan.stack, plan.held_deletes, "plan", plan.mode))
    return lines


def verdict_text(plan: Plan, name: Callable[[str], str] = str) -> tuple[str, str] | None:
    """The plan's verdict on its refused steps, title and sentence; None when there are none."""
    apps = [app for app, _ in plan.summary.refused]
    if not apps:
        return None
    title, body = VERDICT[plan.mode]
    what = refused_ops([s.op for s in plan.steps if s.refused])
    return title, body.format(what=what, names=", ".join(map(name, apps)))


def unprotect_command(stack: str, urns: Sequence[str]) -> str:
    """The command that lifts the protection of these resources (each URN shell-quoted: URNs
    hold `$`), after which pulumi up deletes or replaces them."""
    return f"pulumi state unprotect --stack {shlex.quote(stack)} " + " ".join(
        map(shlex.quote, urns)
    )


# What to do about refused steps, said once after the resources in every format.
RETIRE = (
    "{app}: to let pulumi up do this on purpose (retiring the app stops its partner's "
    "integration; a replace gives it a new client id), lift the protection of these resources, "
    "then run pulumi up (docs/commands.md, retiring a partner app):"
)


def change_lines(c: Change) -> str:
    if c.old is ABSENT:
        return f"+ {c.path}: {display(c.new)}"
    if c.new is ABSENT:
        return f"- {c.path}: {display(c.old)}"
    return f"~ {c.path}: {display(c.old)} -> {display(c.new)}"


def step_lines(step: Step, indent: str = "", inputs: bool = False) -> list[str]:
    """A step's head line and, for updates, its changed paths; with `inputs`, a create's inputs."""
    op = f"{step.op}, refused: protected" if step.refused else step.op
    lines = [f"{MARK[step.op]} {indent}{step.type} {step.name} ({op})"]
    pad = " " * (len(indent) + 4)
    lines += [pad + change_lines(c) for c in step.diffs]
    if inputs and step.op == "create":
        lines += [f"{pad}+ {k}: {display(v)}" for k, v in step.inputs.items()]
    return lines


def unchanged_text(n: int, other: str = "") -> str:
    return f"{n} {other}app{'s' if n != 1 else ''} unchanged"


def base_error_lines(plan: Plan, *, files_first: bool = False) -> list[str]:
    """The base's errors and unread files, a line each as `appspec validate` gives them: why
    the apps they name are compared as new. ``files_first``: each file's first line before any
    file's second, for a list cut short (Markdown's), so that no file's apps are listed as new
    with none of the reasons."""
    said = [(d.file, diagnostic_line(d)) for d in plan.base_errors]
    said += [(p.file, p.message) for p in plan.base_problems]
    if not files_first:
        return [line for _, line in said]
    seen: dict[str, int] = {}
    ranked = []
    for i, (file, line) in enumerate(said):
        seen[file] = seen.get(file, -1) + 1
        ranked.append((seen[file], i, line))
    return [line for _, _, line in sorted(ranked)]
