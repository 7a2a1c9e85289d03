"""What `plan`, `audit` and `preview` say when the specs have errors and nothing can be made.

Every format still gives what it promises: JSON one object (the diagnostics as `validate
--format json` lists them), Markdown a comment that says the report could not be made and why,
text the diagnostic lines. The exit code (1) is the caller's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

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


def refused_report(refusal: Refusal, errors: Sequence[Diagnostic], files: int, fmt: str) -> str:
    """The errors that stop the command, in its format."""
    if fmt == "json":
        data = {
            "ok": False,
            "stack": refusal.stack,
            refusal.done: False,
            "error": refusal.why,
            "errors": len(errors),
            "diagnostics": [d.to_json() for d in errors],
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
