"""`appspec preview --stack NAME`: `pulumi preview` through the Automation API, told app by app.

The apps come first, exactly as `appspec plan` shows them (computed against the state the
preview starts from), then the engine's own resource operations and its change summary.
"""

from __future__ import annotations

from pathlib import Path

import click

from appspecs.cli import exits
from appspecs.cli.common import (
    echo,
    fail,
    failures_reported,
    format_option,
    resolve_stacks_dir,
    say,
    specs_option,
    stack_option,
    stacks_option,
)
from appspecs.cli.inputs import load_stack, load_valid_specs, require_deployed_specs
from appspecs.deploy.tool import PulumiNotInstalled, find_pulumi
from appspecs.deploy.workspace import ProjectNotFound, require_project, specs_dir_from_project
from appspecs.plan.build import PlanInputError, plan_against_state
from appspecs.records import record
from appspecs.report.preview import PreviewReport, preview_errors, preview_fails, render
from appspecs.report.refused import Refusal, failure_report, not_made
from appspecs.stackconfig import DEFAULT_SPECS_DIR


@record
class PreviewOptions:
    """The flags, typed."""

    stack: str
    specs_dir: Path
    stacks_dir: Path
    fmt: str = "text"


def run(options: PreviewOptions) -> PreviewReport:
    """Check what can be checked without Pulumi, then preview; failures exit through `fail`."""
    # Imported here: pulumi's SDK takes ~0.2 s to import, which only this command should pay.
    from appspecs.deploy.preview import PreviewError, run_preview

    try:
        find_pulumi()
        project = require_project(options.stacks_dir)
    except (PulumiNotInstalled, ProjectNotFound) as exc:
        fail(str(exc))
    config = load_stack(options.specs_dir, options.stacks_dir, options.stack)
    # The program it runs deploys appspecs:specsDir, or Pulumi.yaml's default when unset.
    require_deployed_specs(options.specs_dir, options.stacks_dir, config, default=DEFAULT_SPECS_DIR)
    then = "nothing to preview"
    refusal = Refusal("preview", "previewed", config.name, not_made(then))
    specs = load_valid_specs(
        options.specs_dir, options.stacks_dir, then=then, refusal=refusal, fmt=options.fmt
    )
    try:
        engine = run_preview(project, options.stack)
    except (PulumiNotInstalled, PreviewError) as exc:
        fail(str(exc))
    from_project = specs_dir_from_project(options.specs_dir, project)
    try:
        plan = plan_against_state(specs, config, engine.before, specs_dir_from_project=from_project)
    except PlanInputError as exc:
        fail(str(exc))
    return PreviewReport(plan=plan, engine=engine)


@click.command(
    epilog=exits.codes_help(
        "when the preview ran",
        "when the specs are invalid, the engine refuses to delete or replace protected "
        "resources (the update would fail; they are listed per app), or the update deletes a "
        "running app held for review",
        "for usage, I/O or other Pulumi errors",
    )
)
@stack_option("The stack to preview, e.g. dev (stacks/Pulumi.dev.yaml).")
@specs_option
@stacks_option
@format_option(["text", "json"], "text for people, json for tools.")
def preview(stack: str, specs_dir: Path, stacks_dir: Path | None, fmt: str) -> None:
    """Run `pulumi preview` of the stack and show what it would change, app by app.

    Needs the Pulumi CLI. The state backend is PULUMI_BACKEND_URL, else the local file backend
    in the project folder."""
    options = PreviewOptions(
        stack=stack,
        specs_dir=specs_dir,
        stacks_dir=resolve_stacks_dir(specs_dir, stacks_dir),
        fmt=fmt,
    )
    with failures_reported(failure_report("preview", "previewed", stack, fmt, to_file=False)):
        report = run(options)
    echo(render(report, fmt), nl=False)
    if preview_fails(report):
        # pulumi up would fail on them, so the stack would not be as declared, or it would
        # delete a running app held for review
        for line in preview_errors(report):
            say(line)
        raise SystemExit(exits.FAILED)
    raise SystemExit(exits.OK)
