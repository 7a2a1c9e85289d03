"""An audit as text for people, JSON for tools (one object), and Markdown for a ticket.

Every value that came from the org (labels, names, ids) goes through ``printable`` or the
Markdown escapes: a hostile label must not drive a terminal or break a table. Nothing here
ever sees a token; secrets are represented by id and age only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from appspecs.audit.coverage import PARTS
from appspecs.audit.findings import SEVERITIES, Finding
from appspecs.audit.run import AuditResult
from appspecs.live.model import FailedRead
from appspecs.okta.fixes import FIXES
from appspecs.report import markdown as md
from appspecs.report.diagnostics import diagnostic_line
from appspecs.report.rerun import NO_FLAGS, Rerun
from appspecs.text import printable

FORMATS = ("text", "json", "markdown")

_ASSIGNMENTS = {
    "groups": "per group (/api/v1/groups/{id}/apps): cheaper than per app here",
    "apps": "per app (/api/v1/apps/{id}/groups): cheaper than per group here",
}


def status_word(result: AuditResult) -> str:
    if not result.complete:
        return "INCOMPLETE"
    return "in sync" if result.in_sync else "drift found"


def counts_text(result: AuditResult) -> str:
    n = len(result.findings)
    parts = [f"{c} {s}" for s, c in result.counts.items() if c]
    head = f"{n} finding{'s' if n != 1 else ''}"
    if not result.complete:
        head += " in what was read"
    return f"{head} ({', '.join(parts)})" if parts else head


def failed_text(result: AuditResult) -> str:
    """How many reads failed, of how many: "3 of 3 reads failed"."""
    return f"{len(result.failed)} of {result.attempted_reads} reads failed"


def coverage_text(result: AuditResult) -> tuple[str, str]:
    """What was read in full, and what was not: the only parts a partial report speaks of."""
    read = [PARTS[p] for p, ok in result.reads.items() if ok]
    unread = [PARTS[p] for p, ok in result.reads.items() if not ok]
    return ", ".join(read) or "nothing", ", ".join(unread) or "nothing"


def calls_text(result: AuditResult) -> str:
    used = [f"{b} {n}" for b, n in result.calls.items() if n]
    stats = result.client_stats
    extra = f"{stats.get('retries', 0)} retries, {stats.get('rate_limited', 0)} rate-limited"
    return f"{result.total_calls} calls ({', '.join(used) or 'none'}; {extra})"


def reads_notes(result: AuditResult) -> list[str]:
    """How the reader read the org: assignment source and whether secrets were read."""
    notes = []
    source = result.snapshot.assignment_source
    if source is not None and result.reads.get("assignments"):
        notes.append(f"group assignments read {_ASSIGNMENTS[source]}")
    if result.max_secret_age_days is None:
        notes.append("client secret ages not checked (the stack sets no maxSecretAgeDays)")
    elif result.secrets_checked:
        notes.append(
            f"client secrets checked against appspecs:maxSecretAgeDays "
            f"{result.max_secret_age_days} (one apps-bucket call per app with a client secret)"
        )
    else:
        notes.append("client secret ages not checked: not every client secret could be read")
    return notes


def what_to_fix(failed: Sequence[FailedRead]) -> str | None:
    """What to change when Okta refused the credentials or could not be reached; else None."""
    return next((FIXES[f.cause] for f in failed if f.cause in FIXES), None)


def incomplete_message(failed: Sequence[FailedRead]) -> str:
    """The one line a CLI prints when reads failed: the first failure with a known fix (and the
    fix), else the first failure; then how many failed."""
    n = len(failed)
    reads = f"{n} read{'s' if n != 1 else ''} failed"
    fix = what_to_fix(failed)
    if fix is not None:
        first = next(f for f in failed if f.cause in FIXES)
        shown = printable(f"{first.what}: {first.error}")
        return (
            f"audit incomplete: {first.cause}: {fix} ({shown}); {reads}, the findings are partial"
        )
    shown = f"{failed[0].what}: {failed[0].error}" if failed else ""
    more = f"; and {n - 1} more in the report" if n > 1 else ""
    return f"audit incomplete: {reads} ({printable(shown)}{more}); the findings are partial"


# --- text --------------------------------------------------------------------------------


def _finding_line(f: Finding) -> str:
    where = printable(f.app) if f.app else "(org)"  # the server, or apps no spec names
    field = f" {printable(f.field)}:" if f.field else ""
    return f"{f.severity.upper():8} {f.code} {where}{field} {printable(f.message)}"


def text_report(result: AuditResult) -> str:
    lines = [
        f"appspec audit of stack {printable(result.stack)} at {printable(result.org_url)}: "
        f"{status_word(result)}"
    ]
    if not result.complete:
        # Why it stopped leads, and what was read: the findings cover only that.
        lines.append(f"INCOMPLETE: {failed_text(result)}; only what was read is checked:")
        lines += [f"  - {printable(f.what)}: {printable(f.error)}" for f in result.failed]
        fix = what_to_fix(result.failed)
        if fix is not None:
            lines.append(f"To fix: {fix}.")
        read, unread = coverage_text(result)
        lines.append(f"Read: {read}.")
        lines.append(f"Not read: {unread}.")
    lines += [diagnostic_line(d) for d in result.warnings]
    lines += [_finding_line(f) for f in result.findings]
    summary = f"{counts_text(result)}; {result.declared_apps} apps declared"
    if result.held:
        summary += f", {len(result.held)} held ({', '.join(result.held)})"
    lines.append(summary)
    lines.append("Okta calls: " + calls_text(result))
    lines += [f"note: {n}" for n in reads_notes(result)]
    return "\n".join(lines)


# --- json --------------------------------------------------------------------------------


def json_object(result: AuditResult) -> dict[str, Any]:
    stats = result.client_stats
    return {
        # as the failure report has them (`audited: false`); `ok` as the exit code: read in
        # full and in sync
        "ok": result.complete and result.in_sync,
        "audited": True,
        "stack": result.stack,
        "org_url": result.org_url,
        "complete": result.complete,
        "partial": not result.complete,
        "in_sync": result.in_sync,
        "findings": [f.to_json() for f in result.findings],
        "counts": result.counts,
        "calls": result.calls,
        "total_calls": result.total_calls,
        "retries": stats.get("retries", 0),
        "rate_limited": stats.get("rate_limited", 0),
        "wait_seconds": stats.get("wait_seconds", 0.0),
        "duration_seconds": round(result.duration_seconds, 3),
        # true only for what was read in full; assignments: how they were read, null if not
        "reads": {
            **{p: ok for p, ok in result.reads.items() if p not in ("assignments", "secrets")},
            "assignments": result.snapshot.assignment_source
            if result.reads.get("assignments")
            else None,
            "secrets": result.secrets_checked,
            "max_secret_age_days": result.max_secret_age_days,
        },
        "attempted_reads": result.attempted_reads,
        "failed_reads": [
            {"what": f.what, "error": f.error, "cause": f.cause} for f in result.failed
        ],
        "declared_apps": result.declared_apps,
        "held": list(result.held),
        # the specs' warnings, as `appspec validate --format json` lists them
        "warnings": len(result.warnings),
        "diagnostics": [d.to_json() for d in result.warnings],
    }


def json_report(result: AuditResult) -> str:
    """Exactly one JSON object."""
    return json.dumps(json_object(result), indent=2)


# --- markdown ----------------------------------------------------------------------------


def _cell(value: str | None) -> str:
    return md.code(value) if value else "—"


def markdown_report(result: AuditResult, rerun: Rerun = NO_FLAGS) -> str:
    blocks: list[md.Block] = [
        f"## Okta audit: stack {md.code(result.stack)}: {status_word(result)}",
        "",
        f"Org {md.code(result.org_url)}. {md.text(counts_text(result))}. "
        f"{result.declared_apps} apps declared"
        + (f", held: {', '.join(md.code(h) for h in result.held)}" if result.held else "")
        + ".",
        "",
    ]
    if not result.complete:
        # Why it stopped leads, and what was read: the findings cover only that.
        read, unread = coverage_text(result)
        fix = what_to_fix(result.failed)
        blocks += [
            f"> **Incomplete:** {failed_text(result)}; only what was read is checked.",
            *([f"> To fix: {md.text(fix)}."] if fix is not None else []),
            "",
            "Reads that failed:",
            "",
            *[f"- {md.text(f.what)}: {md.code(f.error)}" for f in result.failed],
            "",
            f"Read: {md.text(read)}. Not read: {md.text(unread)}.",
            "",
        ]
    if result.warnings:
        blocks += ["\n".join(md.quoted_warnings(result.warnings, rerun)), ""]
    if result.findings:
        rows = [
            [
                f"**{f.severity}**",
                md.code(f.code),
                _cell(f.app),
                _cell(f.field),
                md.text(f.message),
            ]
            for f in result.findings
        ]
        table = md.table(["Severity", "Code", "App", "Field", "Finding"], rows)
        blocks += table[:2]  # one row per finding, each counted when the comment is cut short
        blocks += [md.Counted(row, ("{n} finding", "{n} findings")) for row in table[2:]]
        blocks.append("")
    counts = [[str(s), str(result.counts[str(s)])] for s in SEVERITIES]
    per_severity = "\n".join(md.table(["Severity", "Findings"], counts))
    blocks += [md.Counted(per_severity, ("the findings per severity", "")), ""]
    calls = [[md.code(b), str(n)] for b, n in result.calls.items()]
    calls.append(["total", str(result.total_calls)])
    per_bucket = "\n".join(md.table(["Okta bucket", "Calls"], calls))
    blocks += [md.Counted(per_bucket, ("the Okta calls per bucket", "")), ""]
    on_reads = ("{n} note on the reads", "{n} notes on the reads")
    blocks += [md.Counted(f"- {md.text(n)}", on_reads) for n in reads_notes(result)]
    whole = md.code(rerun.command("audit", "--stack", result.stack, "--format", "json"))
    whole += " gives it all."
    return md.fit(blocks, whole)


def render(result: AuditResult, fmt: str, rerun: Rerun = NO_FLAGS) -> str:
    """The report in one of `appspec audit`'s formats. ``rerun``: the flags that chose its
    inputs, which a command the Markdown names repeats."""
    if fmt == "json":
        return json_report(result)
    if fmt == "markdown":
        return markdown_report(result, rerun)
    return text_report(result)
