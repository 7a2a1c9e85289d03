"""`appspec plan --stack NAME`: what an update would change, against recorded state or a base."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from appspecs.cli import exits
from appspecs.cli.common import (
    OutputClosed,
    OutputFailed,
    PathArg,
    fail,
    failures_reported,
    format_option,
    given_inputs,
    internal_error,
    out_file_option,
    outside_project,
    refuse_out_over_inputs,
    repeated_path,
    resolve_stacks_dir,
    say,
    specs_option,
    stack_option,
    stacks_option,
    write_output,
    written_by_click,
)
from appspecs.cli.inputs import load_stack, load_valid_specs, require_deployed_specs
from appspecs.cli.optionvalues import value_options
from appspecs.parallel import Alongside, alongside, collector_paused
from appspecs.records import record
from appspecs.report.refused import NOT_MADE, NOTHING_TO_PLAN, Refusal, failure_report
from appspecs.report.rerun import NO_FLAGS, Rerun
from appspecs.spec.load import SpecsDirError, SpecSet, check_specs_dir, load_specs
from appspecs.stackconfig import (
    PROJECT,
    StackConfig,
    StackConfigError,
    discover_stacks,
    load_stack_config,
)

# The plan's stages (appspecs.plan, the desired state, the reports) are imported where they
# are used, not here: a plan against state imports them alongside the spec check (_recorded),
# while the other cores check the specs, not before it.
if TYPE_CHECKING:
    # --base only: reading a ref takes git, a tar stream and a temporary folder (subprocess,
    # tarfile, shutil, tempfile), which a plan against state never needs
    from appspecs.plan.base import BaseTree
    from appspecs.plan.build import Plan, StateSide

DETAILED = "--detailed-exitcode"


class DetailedUsageError(click.UsageError):
    """A usage error under --detailed-exitcode, where exit 2 would read as "changes present"."""

    exit_code = exits.FAILED


class PlanCommand(click.Command):
    """With --detailed-exitcode every error exits 1, bad flags included: 2 means changes there."""

    def asks_detailed(self, args: Sequence[str]) -> bool:
        """Whether this command's `args` ask for --detailed-exitcode: the flag before any `--`
        of its own. Read before parsing, which consumes the list and may fail. After an option
        that takes a value (`--stack --detailed-exitcode`, an empty `$STACK`) it is the flag too:
        an option is refused as a value (`optionvalues`), and that error exits 1, not 2, which
        these codes read as changes present."""
        takes_value = value_options(self.params)
        value_next = False
        for arg in args:
            if value_next:
                value_next = False
                if arg == DETAILED or arg.startswith(f"{DETAILED}="):
                    return True
            elif arg == "--":
                return False
            elif arg == DETAILED or arg.startswith(f"{DETAILED}="):
                return True
            else:
                value_next = arg in takes_value
        return False

    def usage_error(self, args: Sequence[str], exc: click.UsageError) -> click.UsageError:
        """`exc` as it exits for a run with these arguments: 1 with --detailed-exitcode."""
        if self.asks_detailed(args) and not isinstance(exc, DetailedUsageError):
            return DetailedUsageError(exc.format_message(), exc.ctx)
        return exc

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # before parsing, which consumes the list; `--detailed-exitcode=yes` is a usage error
        # of a run that asked for the flag's codes too
        given = list(args)
        detailed = self.asks_detailed(given)
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raised = self.usage_error(given, exc)
            if raised is exc:
                raise
            raise raised from exc
        except click.exceptions.Exit:
            if detailed and sys.stdout is None:
                # --help written nowhere (stdout closed at start): said as main says it, exit 1
                closed = OutputFailed("closed")
                closed.code = exits.FAILED
                raise closed from None
            raise
        except OSError as exc:
            if not detailed:
                raise
            if not written_by_click(exc):
                internal_error(exc, exits.FAILED)  # 2 means changes here
            # --help not written: said as main says it, exit 1
            failed = (
                OutputClosed()
                if isinstance(exc, BrokenPipeError)
                else OutputFailed(exc.strerror or str(exc))
            )
            failed.code = exits.FAILED
            raise failed from exc


@record
class PlanOptions:
    """The flags, typed."""

    stack: str
    specs_dir: Path
    stacks_dir: Path
    state_file: Path | None
    base: str | None
    fmt: str
    out: Path | None
    # the flags that chose the inputs, which a command the report names repeats
    rerun: Rerun = NO_FLAGS


def _from_project(options: PlanOptions) -> str:
    """The specs folder as the stack program names it: logo inputs hold it."""
    from appspecs.deploy.workspace import project_dir, specs_dir_from_project

    return specs_dir_from_project(options.specs_dir, project_dir(options.stacks_dir))


def _recorded(options: PlanOptions) -> StateSide:
    """The stack's recorded state, empty when there is none, and what the plan needs of it
    alone; StateError when it cannot be read, PlanInputError when it is another stack's."""
    from appspecs.deploy.workspace import project_dir
    from appspecs.plan.build import state_side
    from appspecs.plan.state import RecordedState, stack_state

    recorded = stack_state(
        options.state_file, project_dir(options.stacks_dir), PROJECT, options.stack
    )
    return state_side(recorded if recorded is not None else RecordedState(), options.stack)


def _short_read(options: PlanOptions) -> bool:
    """A state small enough that reading it leaves this process its share of the specs."""
    from appspecs.deploy.workspace import project_dir
    from appspecs.plan.statefile import state_read_is_short

    return state_read_is_short(
        options.state_file, project_dir(options.stacks_dir), PROJECT, options.stack
    )


def _plan_state(
    options: PlanOptions, specs: SpecSet, config: StackConfig, recorded: Alongside[StateSide]
) -> Plan:
    from appspecs.plan.build import PlanInputError, plan_against_state
    from appspecs.plan.statefile import StateError

    try:
        state = recorded.result()
        return plan_against_state(
            specs, config, state, specs_dir_from_project=_from_project(options)
        )
    except (StateError, PlanInputError) as exc:
        fail(str(exc))


def _load_base(tree: BaseTree, stacks_dir: Path) -> SpecSet | None:
    """The base specs, their errors naming the files as the base does; a folder that holds no
    specs tree is a usage error (a wrong path would otherwise plan every app as new and exit 0)."""
    from appspecs.plan.base import BaseError, named_in_base

    if tree.root is None:
        return None
    try:
        base = load_specs(tree.root, stacks_dir=stacks_dir if stacks_dir.is_dir() else None)
    except SpecsDirError as exc:
        raise BaseError(f"--base: {exc}") from exc
    return named_in_base(base, tree)


def _plan_base(options: PlanOptions, specs: SpecSet, config: StackConfig) -> Plan:
    from appspecs.plan.base import BaseError, base_tree
    from appspecs.plan.build import plan_against_base

    assert options.base is not None
    try:
        with base_tree(options.base, options.specs_dir, options.stacks_dir) as tree:
            base_config, notes, base_stacks = _base_stack(tree, options.stack, config)
            # The base's specs are checked against the stacks their settings came from: with
            # the head's settings standing in, against the head's stacks too.
            base = _load_base(tree, base_stacks or options.stacks_dir)
            new = base_config is None
            return plan_against_base(
                specs,
                None if new else base,
                config,
                base_label=tree.label,
                # a folder is said as --specs is, to read the same one pasted elsewhere
                base_again=(
                    repeated_path(Path(tree.again))
                    if tree.again is not None and tree.is_folder
                    else tree.again
                ),
                base_stack=base_config,
                notes=[] if new else notes,
                new_reason=notes[0] if new else None,
                specs_dir_from_project=_from_project(options),
                registry=base,
            )
    except BaseError as exc:
        fail(str(exc))


def _base_stack(
    tree: BaseTree, stack: str, head: StackConfig
) -> tuple[StackConfig | None, list[str], Path | None]:
    """The stack's settings at the base (None when the stack is new since then), notes, and
    the base's stacks folder when its settings are the ones used (else None: the head's).

    Without them the base would be rendered with the head's settings, and a change to a
    setting (the server's audience, say) would plan as no change at all.
    """
    if tree.stacks is None:
        note = f"the base has no stacks folder: its specs are planned with {stack}'s settings"
        return head, [note], None
    try:
        if stack not in discover_stacks(tree.stacks):
            return None, [f"stack {stack} is new since the base: everything is new"], None
        return load_stack_config(tree.stacks, stack), [], tree.stacks
    except StackConfigError as exc:
        # A ref is read into a temporary folder: name the file as the ref holds it.
        shown = tree.named("; ".join(text for text, _, _ in exc.each))
        note = (
            f"the base's settings of stack {stack} cannot be read ({shown}); its specs are "
            "planned with this change's settings"
        )
        return head, [note], None


def run(options: PlanOptions) -> Plan:
    """Plan and print; errors exit through `fail` (2) or with the spec diagnostics (1). A plan
    whose update would be refused, or would delete a running app held for review, is printed and
    returned: the caller exits 1 on it (`Plan.fails`)."""
    if options.state_file is not None and options.base is not None:
        fail("--state and --base cannot be combined: --base compares two spec trees without state")
    try:
        # before the stack: run from the wrong folder, both are missing and this is the cause
        check_specs_dir(options.specs_dir)
    except SpecsDirError as exc:
        fail(outside_project(str(exc), options.specs_dir))
    config = load_stack(options.specs_dir, options.stacks_dir, options.stack)
    require_deployed_specs(options.specs_dir, options.stacks_dir, config)
    # The state is read here while the other cores check the specs; its error, if any, is
    # reported after theirs, as if it were read after them.
    reading = (
        alongside(partial(_recorded, options), short=_short_read(options))
        if options.base is None
        else nullcontext()
    )
    # A plan allocates many small objects and frees almost none before it exits.
    with collector_paused(), reading as recorded:
        # with errors, every format still says what it promises: one JSON object, a comment
        # saying why
        specs = load_valid_specs(
            options.specs_dir,
            options.stacks_dir,
            then=NOTHING_TO_PLAN,
            refusal=Refusal("plan", "planned", config.name, NOT_MADE, options.rerun),
            fmt=options.fmt,
            out=options.out,
        )
        if recorded is None:  # `--base ''` is refused there, never taken for no base
            result = _plan_base(options, specs, config)
        else:
            result = _plan_state(options, specs, config, recorded)
        from appspecs.report.plan import render

        write_output(render(result, options.fmt, options.rerun), options.out)
    return result


@click.command(
    cls=PlanCommand,
    epilog=exits.codes_help(
        "when done",
        "when the specs are invalid; against recorded state, when pulumi up would refuse a "
        "delete or replace of a protected resource (an approved partner app's: the update "
        "would fail); in either mode, when the update deletes a running app held for review "
        "(an internal app retyped to partner); the plan is printed whole first",
        "for usage or I/O problems",
        more="With --detailed-exitcode: 0 no changes, 1 any error (a refused update included), "
        "2 changes present. Against --base, which reads no state, refused steps are said but "
        "fail nothing.",
    ),
)
@stack_option("The stack to plan, e.g. dev (settings in stacks/Pulumi.dev.yaml).")
@specs_option
@stacks_option
@click.option(
    "--state",
    "state_file",
    type=PathArg(dir_okay=False),
    default=None,
    help="Recorded state: a `pulumi stack export` document or a file-backend checkpoint "
    "(.json or .json.gz) [default: the local backend's checkpoint of the stack, if any].",
)
@click.option(
    "--base",
    default=None,
    metavar="REF_OR_DIR",
    help="Compare with these specs instead of state: a specs folder, or a git ref (needs no "
    "credentials; the review for pull requests from forks).",
)
@format_option(
    ["text", "markdown", "json"],
    "text for people, markdown for a pull-request comment, json for tools.",
)
@click.option(
    DETAILED,
    "detailed",
    is_flag=True,
    help="Exit 0 when nothing changes, 2 when something does, 1 on any error, an update "
    "pulumi up would refuse included (as Terraform).",
)
@out_file_option("Write the plan to this file instead of printing it.")
def plan(
    stack: str,
    specs_dir: Path,
    stacks_dir: Path | None,
    state_file: Path | None,
    base: str | None,
    fmt: str,
    detailed: bool,
    out: Path | None,
) -> None:
    """Show what an update of a stack would change, app by app, then resource by resource."""
    options = PlanOptions(
        stack=stack,
        specs_dir=specs_dir,
        stacks_dir=resolve_stacks_dir(specs_dir, stacks_dir),
        state_file=state_file,
        base=base,
        fmt=fmt,
        out=out,
        rerun=given_inputs("state_file"),
    )
    try:
        # before any report is owed to --out: a failure's would replace the file too
        refuse_out_over_inputs(
            out, reads=(state_file,), folders=(options.specs_dir, options.stacks_dir)
        )
        with failures_reported(
            failure_report("plan", "planned", stack, fmt, to_file=out is not None), out
        ):
            result = run(options)
    except SystemExit as exc:
        if detailed and exc.code == exits.USAGE:
            raise SystemExit(exits.FAILED) from None
        raise
    except OutputFailed as exc:
        # main says it in one line, as without the flag; exit 1, as every error here
        if detailed:
            exc.code = exits.FAILED
        raise
    except BrokenPipeError as exc:  # a closed pipe: said as the command group says it
        closed = OutputClosed()
        if detailed:
            closed.code = exits.FAILED
        raise closed from exc
    except Exception as exc:
        if not detailed:
            raise
        internal_error(exc, exits.FAILED)  # main() would exit 2, which means "changes" here
    if result.fails:
        # printed whole above; the update it shows would fail, or delete a running app held for
        # review, so the plan does (with --detailed-exitcode too: 1 is its error). Refused steps
        # against a base it cannot know: said, exit 0.
        from appspecs.report.plan_words import plan_errors

        for line in plan_errors(result):
            say(line)
        raise SystemExit(exits.FAILED)
    if detailed:
        raise SystemExit(2 if result.has_changes else exits.OK)
    raise SystemExit(exits.OK)
