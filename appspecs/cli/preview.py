"""`appspec preview --stack NAME`: `pulumi preview` through the Automation API, told app by app.

The apps come first, exactly as `appspec plan` shows them (computed against the state the
preview starts from), then the engine's own resource operations and its change summary.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from appspecs.cli import exits
from appspecs.cli.common import (
    fail,
    load_stack,
    load_valid_specs,
    resolve_stacks_dir,
    specs_option,
    stacks_option,
)
from appspecs.deploy.events import EngineStep, changes_only
from appspecs.deploy.tool import PulumiNotInstalled, find_pulumi
from appspecs.deploy.workspace import ProjectNotFound, project_dir_of
from appspecs.plan.build import Plan, PlanInputError, plan_against_state
from appspecs.report.plan import plan_json, text_plan

if TYPE_CHECKING:
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
class PreviewOptions:
    """The flags, typed."""

    stack: str
    specs_dir: Path
    stacks_dir: Path
    fmt: str


@dataclass(frozen=True, slots=True)
class PreviewReport:
    """The app summary (a plan against the preview's starting state) and the engine's steps."""

    plan: Plan
    engine: EnginePreview


# --- text and JSON --------------------------------------------------------------------------------


def apps_lines(plan: Plan) -> list[str]:
    """The "Apps:" section of `appspec plan`'s text, taken from its own renderer so both match."""
    lines = text_plan(dataclasses.replace(plan, steps=())).splitlines()
    start = lines.index("Apps:")
    end = lines.index("Resources:", start)
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _depth(urn: str) -> int:
    parts = urn.split("::")
    return parts[2].count("$") if len(parts) >= 4 else 0


def step_line(step: EngineStep) -> str:
    keys = step.replace_keys if step.op in ("replace", "create-replacement") else step.diffs
    detail = f"{step.op}: {', '.join(keys)}" if keys else step.op
    mark = MARK.get(step.op, "?")
    return f"{mark:<2} {'  ' * _depth(step.urn)}{step.type} {step.name} ({detail})"


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
    lines.append("")
    lines += apps_lines(report.plan)
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


# --- the command ----------------------------------------------------------------------------------


def run(options: PreviewOptions) -> PreviewReport:
    """Check what can be checked without Pulumi, then preview; failures exit through `fail`."""
    # Imported here: pulumi's SDK takes ~0.2 s to import, which only this command should pay.
    from appspecs.deploy.preview import PreviewError, run_preview

    try:
        find_pulumi()
        project = project_dir_of(options.stacks_dir)
    except (PulumiNotInstalled, ProjectNotFound) as exc:
        fail(str(exc))
    stack = load_stack(options.specs_dir, options.stacks_dir, options.stack)
    specs = load_valid_specs(options.specs_dir, options.stacks_dir, then="nothing to preview")
    try:
        engine = run_preview(project, options.stack)
    except (PulumiNotInstalled, PreviewError) as exc:
        fail(str(exc))
    from_project = Path(os.path.relpath(options.specs_dir.resolve(), project)).as_posix()
    try:
        plan = plan_against_state(specs, stack, engine.before, specs_dir_from_project=from_project)
    except PlanInputError as exc:
        fail(str(exc))
    return PreviewReport(plan=plan, engine=engine)


@click.command()
@click.option(
    "--stack", required=True, help="The stack to preview, e.g. dev (stacks/Pulumi.dev.yaml)."
)
@specs_option
@stacks_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for tools.",
)
def preview(stack: str, specs_dir: Path, stacks_dir: Path | None, fmt: str) -> None:
    """Run `pulumi preview` of stack STACK and show what it would change, app by app.

    Needs the Pulumi CLI. The state backend is PULUMI_BACKEND_URL, else the local file backend
    in the project folder. Exit 0 when the preview ran, 1 when the specs are invalid, 2 for
    usage, I/O or Pulumi errors.
    """
    options = PreviewOptions(
        stack=stack,
        specs_dir=specs_dir,
        stacks_dir=resolve_stacks_dir(specs_dir, stacks_dir),
        fmt=fmt,
    )
    report = run(options)
    click.echo(json_preview(report) if fmt == "json" else text_preview(report), nl=False)
    raise SystemExit(exits.OK)
