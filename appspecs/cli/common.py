"""Pieces every command shares: options, loading specs and stacks, writing output, failing cleanly."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from appspecs.cli import exits
from appspecs.parallel import MIN_ITEMS_PER_WORKER
from appspecs.report.diagnostics import diagnostic_line
from appspecs.spec.catalog import ScopeCatalog
from appspecs.spec.load import CATALOG_FILE, SpecsDirError, SpecSet, load_specs
from appspecs.spec.partners import PARTNERS_FILE, PartnerRegistry
from appspecs.stackconfig import (
    DEFAULT_SPECS_DIR,
    StackConfig,
    StackConfigError,
    discover_stacks,
    load_stack_config,
)
from appspecs.text import printable, problem_line

if TYPE_CHECKING:
    # plan, audit and preview make their refusal; validate never refuses, and need not load it
    from appspecs.report.refused import Refusal

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_SPECS = Path(DEFAULT_SPECS_DIR)
PROJECT_FILE = "Pulumi.yaml"


def project_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (the working folder) that holds Pulumi.yaml,
    as `pulumi` finds its project (and `git` its repository); None when there is none."""
    here = Path.cwd() if start is None else start.absolute()
    return next((f for f in (here, *here.parents) if (f / PROJECT_FILE).is_file()), None)


@functools.lru_cache(maxsize=256)
def _repository_of(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` holding ``.git`` (a folder; a file in a
    worktree), else the project's (Pulumi.yaml)."""
    found = next((f for f in (folder, *folder.parents) if (f / ".git").exists()), None)
    return found or project_root(folder)


def repository_path(file: str) -> str:
    """``file`` relative to its repository, as GitHub resolves an annotation's ``file=`` (against
    the repository's root, whatever folder the command ran in); as given outside any."""
    path = Path(os.path.abspath(file))
    root = _repository_of(path.parent)
    return path.relative_to(root).as_posix() if root is not None else file


def default_specs_dir() -> Path:
    """The project's specs folder, relative to the working folder (as git shows paths): run
    from app-specs/apps it is '..'. Without a project around, app-specs/ here."""
    root = project_root()
    if root is None:
        return DEFAULT_SPECS
    return Path(os.path.relpath(root / DEFAULT_SPECS_DIR, Path.cwd()))


def _specs_default(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    return default_specs_dir() if value is None else value


def outside_project(message: str, specs_dir: Path, stacks_dir: Path | None = None) -> str:
    """``message`` about a missing specs or stacks folder, saying why when it is the default
    one and no project is around (the defaults are the project's folders)."""
    if specs_dir != DEFAULT_SPECS or stacks_dir is not None or project_root() is not None:
        return message
    return (
        f"{message}; there is no {PROJECT_FILE} in this folder or above it: run appspec inside "
        "the project, or give --specs"
    )


def say(message: str) -> None:
    """``appspec: MESSAGE`` on stderr, on one line (`problem_line`)."""
    click.echo(problem_line(message), err=True)


def fail(message: str, code: int = exits.USAGE) -> NoReturn:
    """One clear line on stderr and the exit code; never a traceback. Inside `failures_reported`
    the command's format gets its report too, unless one was written already."""
    fail_each([message], code)


def fail_each(messages: Sequence[str], code: int = exits.USAGE) -> NoReturn:
    """`fail` with several problems, a line each (every bad setting of a stack file)."""
    for message in messages:
        say(message)
    _report_failure(messages)
    sys.exit(code)


# The report a command's format still owes when the command fails before making its own (json:
# one object; markdown: a comment saying why), made from the problems that stop it; set by
# `failures_reported`, None when the line on stderr says it all (text).
_owed: Callable[[Sequence[str]], str] | None = None
_owed_out: Path | None = None


@contextlib.contextmanager
def failures_reported(
    render: Callable[[Sequence[str]], str] | None, out: Path | None = None
) -> Iterator[None]:
    """Inside, a command that fails (`fail`, unreadable specs) before it writes its report still
    writes one, made by `render` from the problems, to stdout or `out`: a CI step that parses
    the json finds one object whatever usage or I/O problem stopped it (as `validate --format
    json` gives). Not nested: one command runs per invocation."""
    global _owed, _owed_out
    _owed, _owed_out = render, out
    try:
        yield
    finally:
        _owed, _owed_out = None, None


def _report_failure(problems: Sequence[str]) -> None:
    global _owed
    render, _owed = _owed, None  # once: writing it may fail in turn (--out), and fail again
    if render is not None:
        write_output(render(problems), _owed_out)


# -- options ----------------------------------------------------------------------------------


class PathArg(click.Path):
    """A path flag's value as a Path. An empty value is refused: click would take '' for '.',
    the working folder, and a `--base "$REF"` or `--out "$FILE"` whose variable is unset would
    then read or write something else than meant."""

    def __init__(self, *, file_okay: bool = True, dir_okay: bool = True, writable: bool = False):
        super().__init__(path_type=Path, file_okay=file_okay, dir_okay=dir_okay, writable=writable)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail(f"{value!r} names no file or folder (is a variable unset?)", param, ctx)
        return super().convert(value, param, ctx)


def specs_option(func: F) -> F:
    return click.option(
        "--specs",
        "specs_dir",
        type=PathArg(file_okay=False),
        default=None,
        callback=_specs_default,
        help="The specs folder: scope-catalog.yaml, approvals.yaml and apps/ [default: "
        f"{DEFAULT_SPECS_DIR}/ of the project, the nearest folder at or above this one that "
        f"holds {PROJECT_FILE}].",
    )(func)


def stacks_option(func: F) -> F:
    return click.option(
        "--stacks",
        "stacks_dir",
        type=PathArg(file_okay=False),
        default=None,
        help="Folder of Pulumi.<stack>.yaml files [default: stacks/ beside the specs folder].",
    )(func)


def jobs_option(func: F) -> F:
    return click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Processes to check the app files with; the report is the same for any number "
        f"[default: one per core, when there are {MIN_ITEMS_PER_WORKER * 2} files or more].",
    )(func)


def stack_option(help: str) -> Callable[[F], F]:
    """``--stack NAME``, required; ``help`` says what the command does with it."""
    return click.option("--stack", required=True, metavar="NAME", help=help)


def format_option(choices: Sequence[str], help: str) -> Callable[[F], F]:
    """``--format``, the first choice being the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


def out_file_option(help: str) -> Callable[[F], F]:
    """``--out FILE``: where the report goes instead of stdout. Its folder is checked before
    the command does its work: a typo there must not cost a plan or an audit of the org."""
    return click.option(
        "--out",
        type=PathArg(dir_okay=False, writable=True),
        default=None,
        callback=_checked_out_file,
        help=help,
    )


def folder_problem(folder: Path) -> str | None:
    """Why files cannot be written in ``folder``, or None."""
    if not folder.exists():
        return f"the folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    return None


def _checked_out_file(
    ctx: click.Context, param: click.Parameter, value: Path | None
) -> Path | None:
    if value is not None and (problem := folder_problem(value.parent)) is not None:
        # click prints it as given: kept to one line as `say`'s are
        raise click.BadParameter(printable(f"cannot write {value}: {problem}"), ctx, param)
    return value


# -- loading ----------------------------------------------------------------------------------


def resolve_stacks_dir(specs_dir: Path, stacks_dir: Path | None) -> Path:
    if stacks_dir is not None:
        return stacks_dir
    if specs_dir.name in ("", ".", ".."):
        # `--specs .` or `--specs ..`: Path('..').parent is '.', not the folder above it
        return specs_dir / ".." / "stacks"
    return specs_dir.parent / "stacks"


#: Ends the command on a usage error (exit 2); `fail` unless a report must carry it too.
UsageError = Callable[[str], NoReturn]


def checked_stacks_dir(
    specs_dir: Path, stacks_dir: Path | None, usage_error: UsageError = fail
) -> Path | None:
    """The stacks folder to check specs against, or None when there is none.

    A ``--stacks`` that names no stacks is a usage error: a typo there would quietly turn off
    the per-stack rules (prod's loopback ban, ``environments``) and let bad specs pass.
    """
    stacks = resolve_stacks_dir(specs_dir, stacks_dir)
    try:
        if discover_stacks(stacks):
            return stacks
    except StackConfigError as exc:
        # there, but unreadable: not the same as no stacks (exit 2, never "no stacks")
        usage_error(str(exc))
    if stacks_dir is not None:
        what = "holds no Pulumi.<stack>.yaml" if stacks.is_dir() else "is not a folder"
        usage_error(f"--stacks {stacks} {what}")
    return None


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
        _report_failure([str(p) for p in specs.io_errors])
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
            click.echo(spec_problems_text(specs.diagnostics, specs.files, specs.held), err=True)
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
    click.echo("\n".join(diagnostic_line(d) for d in specs.diagnostics if d.file == shown))
    fail(message, exits.FAILED)


def load_stack(specs_dir: Path, stacks_dir: Path | None, stack: str) -> StackConfig:
    """The stack's settings; an unknown stack or bad settings exit 2, naming the known stacks."""
    try:
        return load_stack_config(resolve_stacks_dir(specs_dir, stacks_dir), stack)
    except StackConfigError as exc:
        fail_each([outside_project(text, specs_dir, stacks_dir) for text, _, _ in exc.each])


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
    if deployed != specs_dir.resolve():
        why = "appspecs:specsDir" if config.settings.specs_dir else "unset appspecs:specsDir"
        fail(
            f"stack '{config.name}' deploys the specs in {declared} ({why}), not "
            f"{specs_dir}: give --specs {deployed}"
        )


# -- output -----------------------------------------------------------------------------------


def write_output(text: str, out: Path | None) -> None:
    """Print, or write to --out; a failed write is an I/O error (exit 2). The command's report
    is then written: a failure after it owes none."""
    global _owed
    _owed = None
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")


def debug_enabled() -> bool:
    return os.environ.get("APPSPECS_DEBUG", "") not in ("", "0")
