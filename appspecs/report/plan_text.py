"""A plan as text for people: the notices, the app summary, then the resource steps."""

from __future__ import annotations

from collections.abc import Sequence

from appspecs.plan.build import Plan
from appspecs.plan.notices import PlanSummary
from appspecs.plan.summary import AppSummary
from appspecs.plan.urns import nesting
from appspecs.report.diagnostics import diagnostic_line
from appspecs.report.plan_facts import app_facts
from appspecs.report.plan_words import (
    APP_MARK,
    RETIRE,
    apps_counts,
    base_error_lines,
    counts_line,
    held_delete_text,
    notice_text,
    registry_counts,
    registry_text,
    step_lines,
    unchanged_text,
    unprotect_command,
    verdict_text,
)


def _app_title(app: AppSummary) -> str:
    kind = " (partner)" if app.partner else ""
    return f"{app.name}{kind}: {app.status}"


def notice_lines(summary: PlanSummary) -> list[str]:
    """The notices as text lines, for the top of a report."""
    return [f"! {t.upper()}: {b}" for t, b in map(notice_text, summary.notices)]


def apps_lines(summary: PlanSummary) -> list[str]:
    """The "Apps:" section: the counts, then each app that is not unchanged with its facts."""
    lines = [f"Apps: {apps_counts(summary)}"]
    for app in summary.listed:
        lines.append(f"  {APP_MARK[app.status]} {_app_title(app)}")
        lines += [f"      {f}" for f in app_facts(app)]
    if summary.counts["unchanged"]:
        lines.append(f"  {unchanged_text(summary.counts['unchanged'])}")
    return lines


def retire_lines(stack: str, refused: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Per app with refused URNs, the commands that let pulumi up delete or replace them."""
    lines = []
    for app, urns in refused:
        lines += ["", RETIRE.format(app=app)]
        lines += [f"  {unprotect_command(stack, urns)}", f"  pulumi up --stack {stack}"]
    return lines


def registry_lines(plan: Plan) -> list[str]:
    """Changes to who may approve and to the partners, after the notices: never scrolled past."""
    if not plan.registry:
        return []
    lines = ["", f"Approvers and partners: {registry_counts(plan.registry)}"]
    return lines + [f"  {'!' if c.notable else '~'} {registry_text(c)}" for c in plan.registry]


def refused_lines(plan: Plan) -> list[str]:
    """Per app whose deletes or replaces pulumi up refuses, how to let it do them on purpose."""
    return retire_lines(plan.stack, plan.summary.refused)


def verdict_lines(plan: Plan) -> list[str]:
    """What the plan concludes of the steps pulumi up refuses and of the running apps it
    deletes while held, above the notices."""
    verdicts = (verdict_text(plan), held_delete_text(plan))
    return [f"! {v[0].upper()}: {v[1]}" for v in verdicts if v is not None]


def text_plan(plan: Plan) -> str:
    """For people: the notes and the specs' warnings, the notices, the app summary, then the
    resource steps that change something."""
    lines = [f"Plan for stack {plan.stack} against {plan.against}"]
    lines += [f"note: {n}" for n in plan.notes]
    lines += [f"  {line}" for line in base_error_lines(plan)]  # below their note, the last
    lines += [diagnostic_line(d) for d in plan.warnings]
    lines += verdict_lines(plan)
    lines += notice_lines(plan.summary)
    lines += registry_lines(plan)
    lines.append("")
    lines += apps_lines(plan.summary)
    lines += refused_lines(plan)
    lines.append("")
    lines.append("Resources:")
    changing = [s for s in plan.steps if s.op != "same"]
    for step in changing:
        lines += ["  " + line for line in step_lines(step, "  " * nesting(step.urn))]
    if not changing:
        lines.append("  no changes")
    lines.append("")
    lines.append(counts_line(plan))
    return "\n".join(lines) + "\n"
