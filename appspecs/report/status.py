"""The portal's list of apps as a text table, a Markdown table and JSON.

The three share the counts line, each row's cells and each row's notes (`row_notes`), so they
say the same of the same apps. Text from specs is escaped where it is shown: `printable` in
text, `markdown.text`/`cell` in Markdown.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from appspecs.plan.status import AppRow, StatusReport
from appspecs.report import markdown as md
from appspecs.report.diagnostics import diagnostic_line
from appspecs.report.plan_facts import BACK_IN_STACK, SUSPENDED
from appspecs.report.rerun import NO_FLAGS, Rerun
from appspecs.spec.load import APPROVALS_FILE
from appspecs.spec.review import approve_words
from appspecs.text import printable

HEADER = ("app", "type", "partner", "state", "approved", "current", "approved by", "ticket")
CLIENT_ID = "client id"
NONE = "-"
LEAVES_OKTA = (
    "recorded in the stack's state: the next update deletes it from Okta (its client id stops "
    "working)"
)
NOT_DEPLOYED_YET = (
    "the recorded state does not hold it: the next update creates it in Okta, with its client id"
)
KEPT_PROTECTED = (
    "recorded in the stack's state, protected: pulumi up refuses to delete it, so it keeps "
    "running, and every update fails until {until} or it is retired on purpose ({how})"
)


def short(digest: str | None) -> str:
    """A spec digest shortened as git shortens commits: enough to tell two apart."""
    return digest.removeprefix("sha256:")[:12] if digest else NONE


def counts_text(report: StatusReport, sep: str = ", ") -> str:
    """`6 apps: 4 live, 1 not deployed yet, ...`: every state the list can tell, zeros included."""
    total = len(report.rows)
    counts = sep.join(f"{report.counts[s]} {s}" for s in report.states)
    return f"{total} app{'s' if total != 1 else ''}: {counts}"


def _as_is(words: str) -> str:
    return words


def _backticked(command: str) -> str:
    return f"`{command}`"


def against_text(
    report: StatusReport,
    text: Callable[[str], str] = _as_is,
    code: Callable[[str], str] = _backticked,
) -> str:
    """Where the states come from; `text` and `code` format the words and the command (markdown
    escapes the one and makes a code span of the other)."""
    if not report.with_state:
        return (
            text(
                "no recorded state: which apps are live is unknown, and no client ids "
                "(--state FILE reads a"
            )
            + " "
            + code("pulumi stack export")
            + text(")")
        )
    return text(f"live apps and client ids from {report.against or 'the recorded state'}")


def row_cells(row: AppRow, with_client_id: bool) -> list[str]:
    cells = [
        row.name,
        row.type or NONE,
        row.partner or NONE,
        row.state,
        short(row.approved_digest),
        short(row.current_digest),
        row.approved_by or NONE,
        row.ticket or NONE,
    ]
    return [*cells, row.client_id or NONE] if with_client_id else cells


def plan_command(report: StatusReport, rerun: Rerun = NO_FLAGS) -> str:
    """The plan of the list's stack from the same inputs: it says what an update does, and how
    to retire an app on purpose."""
    return rerun.command("plan", "--stack", report.stack)


def says_how(report: StatusReport, rerun: Rerun = NO_FLAGS) -> str:
    """Where retiring an app on purpose is explained: the plan, which plans nothing while the
    specs have errors (the notes are of the specs once fixed)."""
    once = ", once the specs have no errors" if report.errors else ""
    return f"{plan_command(report, rerun)} says how{once}"


def row_notes(row: AppRow, report: StatusReport, rerun: Rerun = NO_FLAGS) -> list[str]:
    """Why a row is in its state and what it waits for, one line each: its errors first. The
    commands they name repeat ``rerun``'s flags."""
    # approve reads the specs and stacks only: not a status's --state
    approve = Rerun(rerun.specs).command(*approve_words(row.name, row.signed))
    plan = plan_command(report, rerun)
    how = says_how(report, rerun)
    notes = [diagnostic_line(d) for d in row.errors]
    if row.state == "denied":
        return notes
    if row.state == "under review" and row.kept_protected:
        # the recorded app keeps running: "an update deploys nothing of it" would hide that
        return [*notes, _kept_under_review(row, approve, how)]
    if row.state == "under review" and row.running_while_held:
        return [*notes, _running_while_held(row, approve, plan)]
    notes += [LEAVES_OKTA] if row.leaves_okta else []
    if row.kept_protected:
        # taken out by its environments, it is approved: what brings it back is the stack
        until = BACK_IN_STACK if row.state == "not in this stack" else "it is approved again"
        notes.append(KEPT_PROTECTED.format(until=until, how=how))
    if row.state == "under review":
        # what an update does, which holds whether or not Okta has the app now
        if row.approved_digest is not None:
            what = (
                "no approved version of it is for this stack, so an update deploys nothing of it; "
                f"the change waits for {approve}"
            )
        else:
            what = f"an update deploys nothing of it until it is approved: {approve}"
        return [what, *notes]
    if row.state == "not deployed yet":
        notes.append(NOT_DEPLOYED_YET)
    if row.state == "suspended":
        notes.append(_suspended(row))
    if row.change_pending:
        notes.append(f"{_approved_version(row)}; the change waits for {approve}")
    return notes


def _suspended(row: AppRow) -> str:
    """What Okta has of a suspended partner's app: only the recorded state knows it is there."""
    if row.recorded is True:
        return SUSPENDED
    if row.recorded is False:
        return (
            "partner suspended: not deployed yet; the next update creates it INACTIVE (no tokens)"
        )
    return (
        "partner suspended: it deploys INACTIVE (no tokens; if Okta has it, its client id is kept)"
    )


def _approved_version(row: AppRow) -> str:
    """Which version Okta has while a change waits: the approved one, if it has the app at all."""
    version = f"the version approved by {row.approved_by} ({row.ticket})"
    if row.recorded is True:
        return f"Okta keeps {version}"
    if row.recorded is False:
        return f"not deployed yet: the next update creates {version}"
    return f"{version} is the one that deploys"


def _kept_under_review(row: AppRow, approve: str, how: str) -> str:
    if row.errors:
        why = f"its approval in {APPROVALS_FILE} is not valid (the error above)"
    elif row.approved_digest is None:
        why = f"it has no approval in {APPROVALS_FILE}"
    else:
        why = "its approved version is not for this stack"
    return (
        f"no version of it is approved for this stack: {why}; the app recorded in the stack's "
        "state is protected: pulumi up refuses to delete it, so it keeps running as recorded, "
        f"and every update fails until it is approved again ({approve}) or retired on purpose "
        f"({how})"
    )


def _running_while_held(row: AppRow, approve: str, plan: str) -> str:
    # a change of kind replaces the OAuth app whatever its type: approving keeps it running,
    # not its client id
    replaced = row.kind_replaces
    kept = (
        f"as a partner app (its change of kind, {replaced[0]} -> {replaced[1]}, replaces it "
        "whatever its type: a new client id)"
        if replaced
        else "as a partner app with the same client id"
    )
    return (
        "running in Okta as the internal app the stack's state records, and held now for partner "
        "review: an update would delete it (its client id would stop working), so "
        f"{plan} fails on it and the deploy workflow does not update this stack. Either approve "
        f"it ({approve}) to keep it live {kept}; or set its type back to internal; or retire it "
        "on purpose by removing its spec in a change of its own"
    )


def problems_notes(report: StatusReport, rerun: Rerun = NO_FLAGS) -> list[str]:
    """What holds for the whole list: errors in the specs stop the stack program; apps recorded
    without a spec leave Okta. ``rerun``: the flags the `appspec validate` it names repeats."""
    notes = []
    if report.errors:
        n = report.errors
        notes.append(
            f"the specs have {n} error{'s' if n != 1 else ''}: the stack program deploys nothing "
            f"until they are fixed ({rerun.validate()} lists them); the states are what the specs "
            "give once they are fixed"
        )
        notes += [diagnostic_line(d) for d in report.problems]
    deleted = [a for a in report.recorded_only if a not in report.recorded_only_protected]
    if deleted:
        notes.append(
            "recorded in the state but with no spec file (not listed): the next update deletes "
            f"them from Okta and their client ids stop working: {', '.join(deleted)}"
        )
    if report.recorded_only_protected:
        notes.append(
            "recorded in the state, protected, but with no spec file (not listed): pulumi up "
            "refuses to delete them, so they keep running, and every update fails until their "
            f"specs are restored or they are retired on purpose ({says_how(report, rerun)}): "
            + ", ".join(report.recorded_only_protected)
        )
    return notes


def _with_client_id(report: StatusReport) -> bool:
    return report.with_state


def text_status(report: StatusReport, rerun: Rerun = NO_FLAGS) -> str:
    """For people: a table, each row's notes, then the counts."""
    header = [h.upper() for h in HEADER]
    with_id = _with_client_id(report)
    if with_id:
        header.append(CLIENT_ID.upper())
    table = [header] + [[printable(c) for c in row_cells(r, with_id)] for r in report.rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = [f"Apps of stack {report.stack}: {against_text(report)}"]
    lines += [f"note: {printable(n)}" for n in problems_notes(report, rerun)]
    lines += [diagnostic_line(d) for d in report.warnings]
    lines.append("")
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in table
    ]
    noted = [(r, row_notes(r, report, rerun)) for r in report.rows]
    if any(notes for _, notes in noted):
        lines.append("")
    for row, notes in noted:
        lines += [f"{printable(row.name)}: {printable(n)}" for n in notes]
    lines.append("")
    lines.append(counts_text(report))
    return "\n".join(lines) + "\n"


def markdown_status(
    report: StatusReport, limit: int = md.REPORT_LIMIT, rerun: Rerun = NO_FLAGS
) -> str:
    """For a pull-request comment or a wiki page: the counts, a table, each row's notes."""
    with_id = _with_client_id(report)
    header = [h.capitalize() for h in HEADER] + ([CLIENT_ID.capitalize()] if with_id else [])
    rows = []
    for r in report.rows:
        cells = row_cells(r, with_id)
        rows.append([md.text(cells[0]), *(NONE if c == NONE else md.code(c) for c in cells[1:])])
    head = [
        f"### Apps of stack {md.code(report.stack)}",
        "",
        against_text(report, md.text, md.code),
        "",
        f"**{md.text(counts_text(report, ' · '))}**",
    ]
    notes = problems_notes(report, rerun)
    if notes:
        head += ["", *(f"> {md.text(n)}  " for n in notes)]
    if report.warnings:
        head += ["", *md.quoted_warnings(report.warnings, rerun)]
    table = md.table(header, rows)
    blocks: list[md.Block] = ["\n".join(head), "", *table[:2]]
    blocks += [md.Counted(row, ("{n} app", "{n} apps")) for row in table[2:]]
    noted = [(r, n) for r in report.rows if (n := row_notes(r, report, rerun))]
    if noted:
        blocks.append("")
    on_apps = ("{n} note on an app", "{n} notes on apps")
    for row, notes in noted:
        blocks += [md.Counted(f"- {md.code(row.name)}: {md.text(n)}", on_apps) for n in notes]
    whole = md.code(rerun.command("status", "--stack", report.stack, "--format", "json"))
    whole += " lists them all."
    return md.fit(blocks, whole, limit) + "\n"


def row_json(row: AppRow, report: StatusReport, rerun: Rerun = NO_FLAGS) -> dict[str, Any]:
    return {
        "name": row.name,
        "file": row.file,
        "type": row.type,
        "partner": row.partner,
        "state": row.state,
        "approvedDigest": row.approved_digest,
        "currentDigest": row.current_digest,
        "deployedDigest": row.deployed_digest,
        "approvedBy": row.approved_by,
        "ticket": row.ticket,
        "clientId": row.client_id,
        "recorded": row.recorded,
        "keptProtected": row.kept_protected,
        # a running internal app retyped to partner, which an update would delete
        "runningWhileHeld": row.running_while_held,
        "errors": [d.to_json() for d in row.errors],
        "notes": row_notes(row, report, rerun),
    }


def status_json(report: StatusReport, rerun: Rerun = NO_FLAGS) -> dict[str, Any]:
    return {
        "stack": report.stack,
        "against": report.against,
        "withState": report.with_state,
        "total": len(report.rows),
        "counts": dict(report.counts),
        "errors": report.errors,
        "notes": problems_notes(report, rerun),
        "problems": [d.to_json() for d in report.problems],
        "warnings": len(report.warnings),
        # the specs' warnings, as `appspec validate --format json` lists them
        "diagnostics": [d.to_json() for d in report.warnings],
        "recordedOnly": list(report.recorded_only),
        "recordedOnlyProtected": list(report.recorded_only_protected),
        "apps": [row_json(r, report, rerun) for r in report.rows],
    }


def render_status(report: StatusReport, fmt: str, rerun: Rerun = NO_FLAGS) -> str:
    """The list in one of `appspec status`'s formats: text, markdown or json. ``rerun``: the
    flags that chose its inputs, which a command it names repeats."""
    if fmt == "json":
        return json.dumps(status_json(report, rerun), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return markdown_status(report, rerun=rerun)
    return text_status(report, rerun)
