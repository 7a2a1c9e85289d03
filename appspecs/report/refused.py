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

from appspecs.diagnostics import Diagnostic, Severity
from appspecs.records import record
from appspecs.report.diagnostics import diagnostic_line, text_report
from appspecs.report.rerun import NO_FLAGS, Rerun
from appspecs.text import problem_line

NOTHING_TO_PLAN = "nothing to plan"


def not_made(then: str) -> str:
    """Why a command made nothing when the specs have errors: every format's words."""
    return f"the specs have errors; {then}"


NOT_MADE = not_made(NOTHING_TO_PLAN)
_ERROR = ("{n} error", "{n} errors")
_WARNING = ("{n} warning", "{n} warnings")
_HELD = ("{n} held app", "{n} held apps")


@record
class Refusal:
    """How a command says it made nothing: `appspec COMMAND`, its JSON's `DONE: false`, and why."""

    command: str  # plan, audit, preview
    done: str  # planned, audited, previewed
    stack: str
    why: str
    # the flags that chose the specs: the `appspec validate` it names repeats them
    rerun: Rerun = NO_FLAGS


def refused_report(
    refusal: Refusal,
    diagnostics: Sequence[Diagnostic],
    files: int,
    fmt: str,
    problems: Sequence[str] = (),
    held: Sequence[str] = (),
) -> str:
    """The errors that stop the command, and the warnings beside them, in its format, counted
    as `appspec validate` counts them (`held`: the apps it names as held); in JSON also the
    usage or I/O `problems` that stopped it (`failure_report`'s). Infos are left out: the held
    apps they are about are counted."""
    shown = _shown(diagnostics)
    errors = [d for d in shown if d.is_error]
    warnings = [d for d in shown if not d.is_error]
    if fmt == "json":
        data = {
            "ok": False,
            "stack": refusal.stack,
            refusal.done: False,
            "error": refusal.why,
            "apps": files,  # checked, as validate's JSON and the text's counts line say
            "errors": len(errors),
            "warnings": len(warnings),
            "held": list(held),  # as validate's JSON names them, and the text's counts line
            "diagnostics": [d.to_json() for d in shown],
            "problems": list(problems),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        # here: every plan passes a Refusal, and only a refused Markdown one needs the module
        from appspecs.report import markdown as md

        n = len(errors)
        head = [
            f"### appspec {refusal.command}: stack {md.code(refusal.stack)}",
            "",
            f"**No {refusal.command}: the specs have {n} error{'s' if n != 1 else ''}** "
            f"({files} app{'s' if files != 1 else ''} checked). Nothing can be deployed until "
            f"they are fixed ({md.code(refusal.rerun.validate())} lists them):",
            "",
        ]
        blocks: list[md.Block] = [
            "\n".join(head),
            *(md.Counted(f"- {md.text(diagnostic_line(d))}", _ERROR) for d in errors),
        ]
        if warnings:
            blocks += ["", f"Warnings ({len(warnings)}):", ""]
            blocks += [md.Counted(f"- {md.text(diagnostic_line(d))}", _WARNING) for d in warnings]
        if held:
            # as the text's counts line says them: the infos that name them are left out
            names = ", ".join(md.code(h) for h in held)
            blocks += ["", md.Counted(f"Held ({len(held)}): {names}", _HELD, len(held))]
        return md.fit(blocks, f"{md.code(refusal.rerun.validate())} lists them all.") + "\n"
    return spec_problems_text(shown, files, held) + "\n"


def _shown(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error or d.severity is Severity.WARNING]


def spec_problems_text(diagnostics: Sequence[Diagnostic], files: int, held: Sequence[str]) -> str:
    """The errors and warnings of specs that stop a command, as text: their lines and the
    counts `appspec validate` gives (its info lines are left out: the held apps are counted)."""
    return text_report(_shown(diagnostics), files, held)


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
            from appspecs.report import markdown as md

            head = f"### appspec {command}: stack {md.code(stack)}\n\n**No {command}:**"
            if len(problems) == 1:
                return f"{head} {md.text(problems[0])}\n"
            return head + "\n\n" + "\n".join(f"- {md.text(p)}" for p in problems) + "\n"
        return "".join(f"{problem_line(p)}\n" for p in problems)

    return report
