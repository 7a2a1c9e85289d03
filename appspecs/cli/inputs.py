"""The specs and the stack a command runs on: loaded, checked, and refused in one line (or in
the command's format) when they cannot be used."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from appspecs.cli import exits
from appspecs.cli.common import (
    UsageError,
    checked_stacks_dir,
    echo,
    echo_err,
    fail,
    fail_each,
    given_flags,
    outside_project,
    report_failure,
    resolve_stacks_dir,
    say,
    typed,
    write_output,
)
from appspecs.report.diagnostics import diagnostic_line
from appspecs.report.rerun import Rerun
from appspecs.spec.catalog import ScopeCatalog
from appspecs.spec.load import CATALOG_FILE, SpecsDirError, SpecSet, load_specs
from appspecs.spec.partners import PARTNERS_FILE, PartnerRegistry
from appspecs.stackconfig import StackConfig, StackConfigError, load_stack_config

if TYPE_CHECKING:
    # plan, audit and preview make their refusal; validate never refuses, and need not load it
    from appspecs.report.refused import Refusal


def load_checked(
    specs_dir: Path,
    stacks_dir: Path | None,
    *,
    note_unchecked: bool = False,
    usage_error: UsageError = fail,
    jobs: int | None = None,
) -> SpecSet:
    """Load specs; each I/O problem is printed, and they are left for the caller to act on.

    ``note_unchecked``: say on stderr when no stacks were found (validate's verdict is then a
    narrower one). ``usage_error`` ends the command when the folders are wrong.
    """
    stacks = checked_stacks_dir(specs_dir, stacks_dir, usage_error)
    try:
        specs = load_specs(specs_dir, stacks_dir=stacks, jobs=jobs)
    except SpecsDirError as exc:
        usage_error(outside_project(str(exc), specs_dir, stacks_dir))
    # the commands the messages name (approve NAME ...) read the folders this one was given
    named = Rerun(given_flags("specs_dir", "stacks_dir"))
    specs.diagnostics = [named.named_in(d) for d in specs.diagnostics]
    if stacks is None and note_unchecked:
        say(
            f"note: no stacks in {resolve_stacks_dir(specs_dir, None)}; per-stack rules "
            "(environments, loopback redirects) are not checked (give --stacks)"
        )
    for problem in specs.io_errors:
        say(str(problem))
    return specs


def load_readable_specs(specs_dir: Path, stacks_dir: Path | None) -> SpecSet:
    """Load specs; I/O problems exit 2, diagnostics are left for the caller to report."""
    specs = load_checked(specs_dir, stacks_dir)
    if specs.io_errors:
        report_failure([str(p) for p in specs.io_errors])
        sys.exit(exits.USAGE)
    return specs


def load_valid_specs(
    specs_dir: Path,
    stacks_dir: Path | None,
    *,
    then: str,
    refusal: Refusal | None = None,
    fmt: str = "text",
    out: Path | None = None,
) -> SpecSet:
    """Specs fit to render: I/O problems exit 2; spec errors exit 1, listed on stderr, or, for
    a command's json or markdown (`refusal` says which), as the one report that format
    promises, on stdout or in --out."""
    specs = load_readable_specs(specs_dir, stacks_dir)
    if not specs.ok:
        from appspecs.report.refused import not_made, refused_report, spec_problems_text

        # text goes with the other errors on stderr, unless --out asks for the report in a
        # file: then, as in every format, the file says why there is none
        if refusal is None or (fmt == "text" and out is None):
            echo_err(spec_problems_text(specs.diagnostics, specs.files, specs.held))
        else:
            report = refused_report(refusal, specs.diagnostics, specs.files, fmt, held=specs.held)
            write_output(report, out)
        fail(not_made(then), exits.FAILED)
    return specs


def require_catalog(specs: SpecSet) -> ScopeCatalog:
    """The checked catalog. A broken one fails the command (exit 1) with its diagnostics:
    without it no scope can be checked, so nothing can be approved, described or imported."""
    if specs.catalog is not None:
        return specs.catalog
    _fail_on_file(specs, CATALOG_FILE, "the scope catalog has errors")


def require_partners(specs: SpecSet, why: str) -> PartnerRegistry:
    """The checked partner registry (an empty one without partners.yaml). A broken file fails
    the command (exit 1) with its diagnostics, saying `why` the command needs it."""
    if specs.partners is not None:
        return specs.partners
    _fail_on_file(specs, PARTNERS_FILE, f"{PARTNERS_FILE} has errors: {why}")


def _fail_on_file(specs: SpecSet, name: str, message: str) -> NoReturn:
    shown = str(specs.root / name)
    # the file's lines alone: a summary would count the apps, none of which was the problem
    echo("\n".join(diagnostic_line(d) for d in specs.diagnostics if d.file == shown))
    fail(message, exits.FAILED)


def load_stack(specs_dir: Path, stacks_dir: Path | None, stack: str) -> StackConfig:
    """The stack's settings; an unknown stack or bad settings exit 2, naming the known stacks.
    A --stacks typed that names no stacks folder is said so, in validate's words (the commands
    pass the folder they read, typed or not: one not typed is not named as a flag)."""
    given_stacks = stacks_dir if typed("stacks_dir") else None
    checked_stacks_dir(specs_dir, given_stacks)
    try:
        return load_stack_config(resolve_stacks_dir(specs_dir, stacks_dir), stack)
    except StackConfigError as exc:
        if typed("specs_dir"):  # the hint says to give --specs: it was given
            fail_each([text for text, _, _ in exc.each])
        fail_each([outside_project(text, specs_dir, given_stacks) for text, _, _ in exc.each])


def require_deployed_specs(
    specs_dir: Path,
    stacks_dir: Path | None,
    config: StackConfig,
    *,
    default: str | None = None,
) -> None:
    """Exit 2 when the stack deploys another specs folder (`appspecs:specsDir`) than this one.

    A plan or preview of one folder while the Pulumi program deploys another would show
    changes that never happen, and hide the ones that do. ``default``: the folder the program
    deploys when the stack sets none (preview, which runs the program); without it an unset
    setting checks nothing.
    """
    declared = config.settings.specs_dir or default
    if declared is None:
        return
    project = resolve_stacks_dir(specs_dir, stacks_dir).resolve().parent
    deployed = (project / declared).resolve()
    given = specs_dir.resolve()
    if deployed != given:
        why = "appspecs:specsDir" if config.settings.specs_dir else "unset appspecs:specsDir"
        # both from the project, as the setting is written: `--specs .` run in app-specs/ is
        # app-specs, not "."
        shown = given.relative_to(project).as_posix() if given.is_relative_to(project) else given
        fail(
            f"stack '{config.name}' deploys the specs in {declared} ({why}, relative to the "
            f"project), not {shown}: give --specs {shlex.quote(str(deployed))}"
        )
