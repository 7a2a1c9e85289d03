"""A preview as text for people and JSON for tools: the apps as `appspec plan` shows them, then
the engine's own resource operations and its change summary."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from appspecs.deploy.events import EngineStep, changes_only
from appspecs.deploy.refusals import Refusal
from appspecs.plan.build import Plan
from appspecs.plan.urns import nesting, parse_urn
from appspecs.records import record
from appspecs.report.diagnostics import diagnostic_line
from appspecs.report.plan import apps_lines, notice_lines, plan_json, refused_lines, retire_lines
from appspecs.report.plan_words import (
    held_delete_error,
    held_delete_text,
    refused_error,
    refused_ops,
    unprotect_command,
)

if TYPE_CHECKING:
    # only for the annotations: appspecs.deploy.preview imports pulumi's SDK (~0.2 s)
    from appspecs.deploy.preview import EnginePreview

# Pulumi's own marks for its operations, in the order the change summary lists them
MARK = {
    "create": "+",
    "update": "~",
    "replace": "+-",
    "create-replacement": "++",
    "delete-replaced": "--",
    "delete": "-",
    "read": ">",
    "read-replacement": ">>",
    "refresh": "~",
    "import": "=",
    "import-replacement": "=>",
    "discard": "<",
    "discard-replaced": "<<",
    "remove-pending-replace": "-",
    "same": " ",
}


@record
class PreviewReport:
    """The app summary (a plan against the preview's starting state) and the engine's steps."""

    plan: Plan
    engine: EnginePreview


def refused_by_app(report: PreviewReport) -> tuple[tuple[str, tuple[Refusal, ...]], ...]:
    """The engine's refusals per app (in name order): the app the plan gives the resource, else
    the resource's own name."""
    app_of = {s.urn: s.app or s.name for s in report.plan.steps}
    groups: dict[str, list[Refusal]] = {}
    for refusal in report.engine.refused:
        parsed = parse_urn(refusal.urn)
        app = app_of.get(refusal.urn) or (parsed.name if parsed is not None else refusal.urn)
        groups.setdefault(app, []).append(refusal)
    return tuple((app, tuple(groups[app])) for app in sorted(groups))


# Said first when the engine refused steps: the preview failed on them, as pulumi up would.
REFUSED_HEAD = (
    "! PREVIEW FAILED: the engine refuses {what} of protected resources of {apps}, as pulumi up "
    "would: the update would fail, so the stack would not be as declared. Each is marked "
    "refused below."
)


def refused_head(report: PreviewReport) -> str:
    groups = refused_by_app(report)
    what = refused_ops([r.op for r in report.engine.refused])
    return REFUSED_HEAD.format(what=what, apps=", ".join(a for a, _ in groups))


def preview_fails(report: PreviewReport) -> bool:
    """Whether the preview exits 1 after its report: the engine refused steps, as pulumi up
    would, or the update deletes a running app held for review (the plan's word on it)."""
    return bool(report.engine.refused) or bool(report.plan.held_deletes)


def preview_errors(report: PreviewReport) -> list[str]:
    """The lines on stderr of a preview that exits 1 (`preview_fails`)."""
    lines = [preview_refused_error(report)] if report.engine.refused else []
    if report.plan.held_deletes:
        lines.append(held_delete_error(report.engine.stack, report.plan.held_deletes, "preview"))
    return lines


def preview_refused_error(report: PreviewReport) -> str:
    """The one line on stderr when the preview failed on refused steps, as a plan's says it."""
    apps = [app for app, _ in refused_by_app(report)]
    ops = [r.op for r in report.engine.refused]
    return refused_error(report.engine.stack, ops, apps, "preview")


def step_line(step: EngineStep, refused: bool = False) -> str:
    keys = step.replace_keys if step.op in ("replace", "create-replacement") else step.diffs
    detail = f"{step.op}: {', '.join(keys)}" if keys else step.op
    if step.protect is not None:
        before, after = (str(flag).lower() for flag in step.protect)
        detail += f", protect: {before} -> {after}"
    if refused:
        detail += ", refused: protected"
    mark = MARK.get(step.op, "?")
    return f"{mark:<2} {'  ' * nesting(step.urn)}{step.type} {step.name} ({detail})"


def counts_line(summary: dict[str, int], refused: int = 0) -> str:
    changes = changes_only(summary)
    order = [op for op in MARK if op in changes] + sorted(op for op in changes if op not in MARK)
    parts = [f"{changes[op]} to {op}" for op in order]
    parts.append(f"{summary.get('same', 0)} unchanged")
    if refused:
        # the engine counts none of them: it never did them
        parts.append(f"{refused} refused: protected")
    return "Changes: " + ", ".join(parts)


def _refused_urns(report: PreviewReport) -> set[tuple[str, str]]:
    return {(r.op, r.urn) for r in report.engine.refused}


def text_preview(report: PreviewReport) -> str:
    engine = report.engine
    lines = [f"Preview of stack {engine.stack} ({engine.backend} backend)"]
    lines += [f"note: {n}" for n in report.plan.notes]
    # the specs' warnings, where the plan says them: summary.warnings counts them in JSON too
    lines += [diagnostic_line(d) for d in report.plan.warnings]
    lines += [refused_head(report)] if engine.refused else []
    held_delete = held_delete_text(report.plan)
    lines += [f"! {held_delete[0].upper()}: {held_delete[1]}"] if held_delete else []
    lines += notice_lines(report.plan.summary)
    lines.append("")
    lines += apps_lines(report.plan.summary)
    if engine.refused:
        # the engine's word on what it refuses, over what the plan reads in the recorded state
        groups = refused_by_app(report)
        lines += retire_lines(engine.stack, [(a, [r.urn for r in rs]) for a, rs in groups])
    else:
        lines += refused_lines(report.plan)
    lines.append("")
    lines.append("Resources (pulumi preview):")
    refused = _refused_urns(report)
    # a same step changing `protect` is shown, as pulumi's own display shows it
    changing = [s for s in engine.steps if s.op != "same" or s.protect is not None]
    lines += [f"  {step_line(s, (s.op, s.urn) in refused)}" for s in changing]
    if not changing:
        lines.append("  no changes")
    lines.append("")
    lines.append(counts_line(engine.change_summary, len(engine.refused)))
    lines += [f"warning: {w}" for w in engine.warnings]
    return "\n".join(lines) + "\n"


def json_preview(report: PreviewReport) -> str:
    engine = report.engine
    planned = plan_json(report.plan)
    summary: dict[str, Any] = planned["summary"]
    summary["changes"] = bool(changes_only(engine.change_summary)) or any(
        a.change != "unchanged" for a in report.plan.apps
    )
    # the engine's word, as the exit code gives it, over what the plan reads in the state
    summary["updateRefused"] = bool(engine.refused)
    refused = _refused_urns(report)
    doc = {
        # as the failure report has them (`previewed: false`); `ok` false: the engine refused
        # steps, or the update deletes a running app held for review (exit 1)
        "ok": not preview_fails(report),
        "previewed": True,
        "stack": engine.stack,
        "backend": engine.backend,
        "summary": summary,
        "apps": planned["apps"],
        "held": planned["held"],
        "steps": [
            {
                "urn": s.urn,
                "op": s.op,
                "type": s.type,
                "name": s.name,
                "diffs": list(s.diffs),
                "replaceKeys": list(s.replace_keys),
                **({"refused": True} if (s.op, s.urn) in refused else {}),
                **(
                    {"protect": {"old": s.protect[0], "new": s.protect[1]}}
                    if s.protect is not None
                    else {}
                ),
            }
            for s in engine.steps
        ],
        "changeSummary": engine.change_summary,
        # what the engine refused (protected resources), per app: the preview failed on these
        "refused": [
            {
                "app": app,
                "steps": [{"op": r.op, "urn": r.urn} for r in rs],
                "unprotect": unprotect_command(engine.stack, [r.urn for r in rs]),
            }
            for app, rs in refused_by_app(report)
        ],
        "warnings": list(engine.warnings),  # the engine's
        # the specs' warnings, which summary.warnings counts, as the plan lists them
        "diagnostics": planned["diagnostics"],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(report: PreviewReport, fmt: str) -> str:
    """The preview in one of `appspec preview`'s formats: text or json."""
    return json_preview(report) if fmt == "json" else text_preview(report)
