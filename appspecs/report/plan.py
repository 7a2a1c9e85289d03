"""A plan as text for people, Markdown for a pull-request comment, and JSON for tools.

Each format is a module of its own (`plan_text`, `plan_markdown`, `plan_json`), over the words
they share (`plan_words`, `plan_facts`); this is where callers pick one.
"""

from __future__ import annotations

from appspecs.plan.build import Plan
from appspecs.report.plan_facts import app_facts, review_facts
from appspecs.report.plan_json import app_json, json_text, notice_json, plan_json, step_json
from appspecs.report.plan_markdown import markdown_plan
from appspecs.report.plan_text import (
    apps_lines,
    notice_lines,
    refused_lines,
    retire_lines,
    text_plan,
)
from appspecs.report.plan_words import NOTICE_TEXT, notice_text, step_lines
from appspecs.report.rerun import NO_FLAGS, Rerun

__all__ = [
    "NOTICE_TEXT",
    "app_facts",
    "app_json",
    "apps_lines",
    "json_text",
    "markdown_plan",
    "notice_json",
    "notice_lines",
    "notice_text",
    "plan_json",
    "refused_lines",
    "render",
    "retire_lines",
    "review_facts",
    "step_json",
    "step_lines",
    "text_plan",
]


def render(plan: Plan, fmt: str, rerun: Rerun = NO_FLAGS) -> str:
    """The plan in one of `appspec plan`'s formats: text, markdown or json. ``rerun``: the flags
    that chose its inputs, which a command the Markdown names repeats."""
    if fmt == "json":
        return json_text(plan)
    if fmt == "markdown":
        return markdown_plan(plan, rerun=rerun)
    return text_plan(plan)
