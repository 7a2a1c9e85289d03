"""A preview as text for people and JSON for tools: the apps as `appspec plan` shows them, then
the engine's own resource operations and its change summary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appspecs.deploy.events import EngineStep, changes_only
from appspecs.plan.build import Plan
from appspecs.plan.urns import nesting
from appspecs.report.plan import apps_lines, notice_lines, plan_json, refused_lines

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


@dataclass(frozen=True, slots=True)
class PreviewReport:
    """The app summary (a plan against the preview's starting state) and the engine's steps."""

    plan: Plan
    engine: EnginePreview


def step_line(step: EngineStep) -> str:
    keys = step.replace_keys if step.op in ("replace", "create-replacement") else step.diffs
    detail = f"{step.op}: {', '.join(keys)}" if keys else step.op
    mark = MARK.get(step.op, "?")
    return f"{mark:<2} {'  ' * nesting(step.urn)}{step.type} {step.name} ({detail})"


def counts_line(summary: dict[str, int]) -> str:
    changes = changes_only(summary)
    order = [op for op in MARK if op in changes] + sorted(op for op in changes if op not in MARK)
    parts = [f"{changes[op]} to {op}" for op in order]
    parts.append(f"{summary.get('same', 0)} unchanged")
    return "Changes: " + ", ".join(parts)


def text_preview(report: PreviewReport) -> str:
    engine = report.engine
    lines = [f"Preview of stack {engine.stack} ({engine.backend} backend)"]
    lines += [f"note: {n}" for n in report.plan.notes]
    lines += notice_lines(report.plan.summary)
    lines.append("")
    lines += apps_lines(report.plan.summary)
    lines += refused_lines(report.plan)
    lines.append("")
    lines.append("Resources (pulumi preview):")
    changing = [s for s in engine.steps if s.op != "same"]
    lines += [f"  {step_line(s)}" for s in changing]
    if not changing:
        lines.append("  no changes")
    lines.append("")
    lines.append(counts_line(engine.change_summary))
    lines += [f"warning: {w}" for w in engine.warnings]
    return "\n".join(lines) + "\n"


def json_preview(report: PreviewReport) -> str:
    engine = report.engine
    planned = plan_json(report.plan)
    summary: dict[str, Any] = planned["summary"]
    summary["changes"] = bool(changes_only(engine.change_summary)) or any(
        a.change != "unchanged" for a in report.plan.apps
    )
    doc = {
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
            }
            for s in engine.steps
        ],
        "changeSummary": engine.change_summary,
        "warnings": list(engine.warnings),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(report: PreviewReport, fmt: str) -> str:
    """The preview in one of `appspec preview`'s formats: text or json."""
    return json_preview(report) if fmt == "json" else text_preview(report)
