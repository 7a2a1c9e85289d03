"""What a command says when it makes nothing: the specs have errors (`plan`, `audit`, `preview`),
or a usage or I/O problem stops it first (those and `status`, `secret list`).

Every format still gives what it promises: JSON one object (the diagnostics as `validate
--format json` lists them, the problems that stopped it), Markdown a comment that says the
report could not be made and why, text the diagnostic lines (a problem is already its line on
stderr). The exit code is the caller's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from appspecs.diagnostics import Diagnostic
from appspecs.records import record
from appspecs.report import markdown as md
from appspecs.report.diagnostics import diagnostic_line, text_report

NOT_MADE = "the specs have errors; nothing to plan"


@record
class Refusal:
    """How a command says it made nothing: `appspec COMMAND`, its JSON's `DONE: false`, and why."""

    command: str  # plan, audit, preview
    done: str  # planned, audited, previewed
    stack: str
    why: str


def refused_report(
    refusal: Refusal,
    errors: Sequence[Diagnostic],
    files: int,
    fmt: str,
    problems: Sequence[str] = (),
) -> str:
    """The errors that stop the command, in its format; in JSON also the usage or I/O
    `problems` that stopped it (`failure_report`'s)."""
    if fmt == "json":
        data = {
            "ok": False,
            "stack": refusal.stack,
            refusal.done: False,
            "error": refusal.why,
            "errors": len(errors),
            "diagnostics": [d.to_json() for d in errors],
            "problems": list(problems),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        n = len(errors)
        head = [
            f"### appspec {refusal.command}: stack {md.code(refusal.stack)}",
            "",
            f"**No {refusal.command}: the specs have {n} error{'s' if n != 1 else ''}.** Nothing "
            "can be deployed until they are fixed (`appspec validate` lists them):",
            "",
        ]
        noun = ("{n} error", "{n} errors")
        blocks: list[md.Block] = [
            "\n".join(head),
            *(md.Counted(f"- {md.text(diagnostic_line(d))}", noun) for d in errors),
        ]
        return md.fit(blocks, "`appspec validate` lists them all.") + "\n"
    return text_report(errors, files, []) + "\n"


def failure_report(
    command: str, done: str, stack: str, fmt: str, *, to_file: bool, listing: bool = False
) -> Callable[[Sequence[str]], str] | None:
    """How `command` says, in `fmt`, that usage or I/O problems stopped it before it made
    anything (`done`: its JSON's flag, as in a Refusal). Text has its lines on stderr already,
    so it is written only `to_file` (--out: the file says why, as every format's does).

    `listing` (status, secret list): their JSON uses `errors` and `problems` for the specs'
    diagnostics, so the problems that stopped them are `failures` there, beside `error`."""
    if fmt not in ("json", "markdown") and not to_file:
        return None

    def report(problems: Sequence[str]) -> str:
        why = "; ".join(problems)
        if fmt == "json" and not listing:
            return refused_report(Refusal(command, done, stack, why), [], 0, fmt, problems)
        if fmt == "json":
            listed = {"ok": False, "stack": stack, done: False, "error": why, "failures": problems}
            return json.dumps(listed, indent=2, ensure_ascii=False) + "\n"
        if fmt == "markdown":
            head = f"### appspec {command}: stack {md.code(stack)}\n\n**No {command}:**"
            if len(problems) == 1:
                return f"{head} {md.text(problems[0])}\n"
            return head + "\n\n" + "\n".join(f"- {md.text(p)}" for p in problems) + "\n"
        return "".join(f"appspec: {p}\n" for p in problems)

    return report
