"""`appspec status --stack NAME`: the developer portal's list of apps, with their states."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from appspecs.cli import exits
from appspecs.cli.common import (
    PathArg,
    fail,
    failures_reported,
    format_option,
    given_inputs,
    out_file_option,
    outside_project,
    refuse_out_over_inputs,
    resolve_stacks_dir,
    specs_option,
    stack_option,
    stacks_option,
    write_output,
)
from appspecs.cli.inputs import load_readable_specs, load_stack, require_deployed_specs
from appspecs.deploy.workspace import project_dir
from appspecs.parallel import alongside
from appspecs.plan.build import PlanInputError, require_state_of
from appspecs.plan.state import RecordedState, stack_state
from appspecs.plan.statefile import StateError, state_read_is_short
from appspecs.plan.status import app_status
from appspecs.records import record
from appspecs.report.refused import failure_report
from appspecs.report.rerun import NO_FLAGS, Rerun
from appspecs.report.status import render_status
from appspecs.spec.load import SpecsDirError, check_specs_dir
from appspecs.stackconfig import PROJECT


@record
class StatusOptions:
    """The flags, typed."""

    stack: str
    specs_dir: Path
    stacks_dir: Path
    state_file: Path | None
    fmt: str
    out: Path | None
    # the flags that chose the inputs, which a command the report names repeats
    rerun: Rerun = NO_FLAGS


def _recorded(options: StatusOptions) -> RecordedState | None:
    """The stack's recorded state, found as `plan` finds it; None when there is none.
    StateError when it cannot be read, PlanInputError when it is another stack's."""
    state = stack_state(options.state_file, project_dir(options.stacks_dir), PROJECT, options.stack)
    if state is not None:
        require_state_of(state, options.stack)
    return state


def run(options: StatusOptions) -> None:
    """List and print; usage and I/O errors exit 2 through `fail`."""
    try:
        # before the stack: run from the wrong folder, both are missing and this is the cause
        check_specs_dir(options.specs_dir)
    except SpecsDirError as exc:
        fail(outside_project(str(exc), options.specs_dir))
    config = load_stack(options.specs_dir, options.stacks_dir, options.stack)
    require_deployed_specs(options.specs_dir, options.stacks_dir, config)
    # the state is read while the other cores check the specs (as plan reads it)
    short = state_read_is_short(
        options.state_file, project_dir(options.stacks_dir), PROJECT, options.stack
    )
    with alongside(partial(_recorded, options), short=short) as reading:
        specs = load_readable_specs(options.specs_dir, options.stacks_dir)
    try:
        recorded = reading.result()
    except (StateError, PlanInputError) as exc:
        fail(str(exc))
    report = app_status(specs, config.name, recorded)
    write_output(render_status(report, options.fmt, options.rerun), options.out)


@click.command(
    epilog=exits.codes_help(
        "when listed (apps denied included)",
        "is not used: an app whose spec has errors is listed as denied",
        "for usage or I/O problems",
    )
)
@stack_option("The stack to list the apps of, e.g. dev (settings in stacks/Pulumi.dev.yaml).")
@specs_option
@stacks_option
@click.option(
    "--state",
    "state_file",
    type=PathArg(dir_okay=False),
    default=None,
    help="Recorded state to read which apps are live and their client ids from: a "
    "`pulumi stack export` document or a "
    "file-backend checkpoint (.json or .json.gz) [default: the local backend's checkpoint of "
    "the stack, if any].",
)
@format_option(
    ["text", "markdown", "json"],
    "text for people, markdown for a pull request or a wiki page, json for tools.",
)
@out_file_option("Write the list to this file instead of printing it.")
def status(
    stack: str,
    specs_dir: Path,
    stacks_dir: Path | None,
    state_file: Path | None,
    fmt: str,
    out: Path | None,
) -> None:
    """List every app of the project for a stack, as the developer portal does: its type,
    partner, state (live, not deployed yet, under review, change under review, suspended,
    denied, not in this stack), approval and client id. Whether an app is live comes from the
    recorded state: without one, an app that deploys reads approved. Reads no Okta and needs
    no credentials."""
    options = StatusOptions(
        stack=stack,
        specs_dir=specs_dir,
        stacks_dir=resolve_stacks_dir(specs_dir, stacks_dir),
        state_file=state_file,
        fmt=fmt,
        out=out,
        rerun=given_inputs("state_file"),
    )
    # before any report is owed to --out: a failure's would replace the file too
    refuse_out_over_inputs(
        options.out, reads=(options.state_file,), folders=(options.specs_dir, options.stacks_dir)
    )
    with failures_reported(
        failure_report("status", "listed", stack, fmt, to_file=out is not None, listing=True), out
    ):
        run(options)
    raise SystemExit(exits.OK)
