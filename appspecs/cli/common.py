"""Pieces every command shares: options, project folders, writing output, failing cleanly (the
specs and stack a command runs on: inputs.py)."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from appspecs.cli import exits
from appspecs.parallel import MIN_ITEMS_PER_WORKER
from appspecs.report.rerun import Rerun
from appspecs.stackconfig import (
    DEFAULT_SPECS_DIR,
    StackConfigError,
    discover_stacks,
)
from appspecs.text import masked_urls, printable, problem_line

if TYPE_CHECKING:
    # plan, audit and preview make their refusal; validate never refuses, and need not load it
    pass

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_SPECS = Path(DEFAULT_SPECS_DIR)
PROJECT_FILE = "Pulumi.yaml"


def working_folder() -> Path:
    """The folder the command runs in; a usage error when it is gone (deleted or moved since
    the shell entered it), which every default folder is found from."""
    try:
        return Path.cwd()
    except OSError as exc:
        raise click.UsageError(
            f"the folder this command runs in cannot be read ({exc.strerror or exc}): it was "
            "deleted or moved since the shell entered it; cd into the project again"
        ) from None


def project_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (the working folder) that holds Pulumi.yaml,
    as `pulumi` finds its project (and `git` its repository); None when there is none."""
    here = working_folder() if start is None else start.absolute()
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
    return Path(os.path.relpath(root / DEFAULT_SPECS_DIR, working_folder()))


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
    """``appspec: MESSAGE`` on stderr, on one line (`problem_line`), with any URL in it masked
    (as every diagnostic's): a value quoted from a flag, a file or another tool may hold a
    credential."""
    echo_err(problem_line(masked_urls(message)))


def echo_err(text: str) -> None:
    """`text` on stderr. A stderr that cannot be written (a full disk, a closed pipe) is no
    error of its own: there is nowhere to say it, and the exit code still says what happened
    (a plan's spec errors exit 1, not 2, and never 2 under --detailed-exitcode)."""
    with contextlib.suppress(OSError):
        click.echo(text, err=True)


def internal_error(exc: Exception, code: int = exits.USAGE) -> NoReturn:
    """An error we did not expect (a bug, or a cause no check names yet): said in one line, the
    traceback only under APPSPECS_DEBUG; exit 2, or the `code` a command's flag asks for (plan
    --detailed-exitcode's 1)."""
    hint = " (set APPSPECS_DEBUG=1 for the traceback)"
    if debug_enabled():
        import traceback  # here: only a failing run under APPSPECS_DEBUG prints one

        traceback.print_exc()
        hint = ""
    say(f"internal error: {type(exc).__name__}: {exc}{hint}")
    raise SystemExit(code) from None


def fail(message: str, code: int = exits.USAGE) -> NoReturn:
    """One clear line on stderr and the exit code; never a traceback. Inside `failures_reported`
    the command's format gets its report too, unless one was written already."""
    fail_each([message], code)


def fail_each(messages: Sequence[str], code: int = exits.USAGE) -> NoReturn:
    """`fail` with several problems, a line each (every bad setting of a stack file)."""
    for message in messages:
        say(message)
    report_failure([masked_urls(m) for m in messages])  # as `say` prints them
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


def report_failure(problems: Sequence[str]) -> None:
    """The command's format's report of the problems that stop it, once (`failures_reported`)."""
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


def refuse_out_over_inputs(
    out: Path | None, *, reads: Iterable[Path | None] = (), folders: Iterable[Path] = ()
) -> None:
    """Fail (exit 2) before any work when `--out` names a file the command reads: one of `reads`
    (the state file a plan reads), the project's Pulumi.yaml (beside the last of `folders`, the
    stacks folder), or a file already in one of `folders` (a spec, approvals.yaml, a stack's
    settings), which its report would replace. A new file there is let be."""
    if out is None:
        return
    target = out.resolve()
    folders = tuple(folders)
    # the project's own file, beside the stacks folder (cli/ never imports deploy/ for it)
    project = [f.resolve().parent / "Pulumi.yaml" for f in folders[-1:]]
    for path in (*reads, *project):
        if path is not None and path.resolve() == target:
            fail(f"--out {out} is the file this command reads ({path}); write the report elsewhere")
    if not target.is_file():
        return
    for folder in folders:
        if target.is_relative_to(folder.resolve()):
            fail(
                f"--out {out} would replace a file of {folder}, which this command reads; "
                "write the report elsewhere"
            )


def _checked_out_file(
    ctx: click.Context, param: click.Parameter, value: Path | None
) -> Path | None:
    if value is not None and (problem := folder_problem(value.parent)) is not None:
        # click prints it as given: kept to one line as `say`'s are
        raise click.BadParameter(printable(f"cannot write {value}: {problem}"), ctx, param)
    return value


# -- loading ----------------------------------------------------------------------------------


def given_flags(*names: str) -> tuple[str, ...]:
    """The options among ``names`` (parameter names) given on the command line, as `--flag
    VALUE` in the order the command declares them: what a command that a report names repeats.
    A default or a variable of the environment is left out: the reader's own applies. So is a
    folder given that is the default one, and a path is written so that it reads the same file
    pasted elsewhere (`repeated_path`)."""
    ctx = click.get_current_context()
    flags: list[str] = []
    for param in ctx.command.params:
        name = param.name
        if name in names and typed(name):
            value = ctx.params[name]
            if isinstance(value, Path):
                if _default_folder(name, value, ctx.params):
                    continue
                flags += [param.opts[0], repeated_path(value)]
            else:
                flags += [param.opts[0], str(value)]
    return tuple(flags)


def typed(name: str | None) -> bool:
    """Whether the running command's option ``name`` (a parameter name) was given on the
    command line, not left to its default or the environment."""
    from click.core import ParameterSource

    ctx = click.get_current_context(silent=True)
    return (
        ctx is not None
        and name is not None
        and ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE
    )


def _default_folder(name: str | None, value: Path, params: Mapping[str, Any]) -> bool:
    """Whether --specs or --stacks names the folder the command reads without it: anywhere in
    the project, the reader's default is that folder too (`appspec` finds the project upward)."""
    if name == "specs_dir":
        default = default_specs_dir()
    elif name == "stacks_dir" and isinstance(params.get("specs_dir"), Path):
        default = resolve_stacks_dir(params["specs_dir"], None)
    else:
        return False
    return os.path.abspath(value) == os.path.abspath(default)


def repeated_path(value: Path) -> str:
    """A path given on the command line, as a command a report names repeats it: as typed when
    the command ran at the project's root (or outside any project), where a reader of a CI
    job's report runs it in their own clone; absolute when it ran in a folder below the root,
    where `--specs ..` pasted at the root (or anywhere else) would read another folder."""
    root = project_root()
    if root is None or root == working_folder():
        return str(value)
    return os.path.abspath(value)


def given_inputs(*names: str) -> Rerun:
    """The --specs and --stacks given on the command line, and the command's own options among
    ``names`` (parameter names): what the commands its report names repeat."""
    return Rerun(given_flags("specs_dir", "stacks_dir"), given_flags(*names))


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


# -- output -----------------------------------------------------------------------------------


class OutputFailed(Exception):
    """A write to stdout failed for another reason than a closed pipe (a full disk, /dev/full):
    an I/O error, which `main` says in one line (exit 2), not an internal one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = exits.USAGE  # plan --detailed-exitcode makes it 1: 2 means changes there
        self.done: str | None = None  # the change made before the report (`reporting_done`)


class OutputClosed(Exception):
    """The reader of stdout went away (`| head`, a closed pipe): an I/O error, said by `main`
    in one line (exit 2; 1 under plan --detailed-exitcode, as `OutputFailed`)."""

    def __init__(self) -> None:
        super().__init__("its reader closed the output (broken pipe)")
        self.code = exits.USAGE
        self.done: str | None = None


@contextlib.contextmanager
def reporting_done(report: str) -> Iterator[None]:
    """Around the writing of ``report``, the report of a change already made (a secret made in
    Okta, a file written): if it cannot be written, the failure says the change was made all
    the same, and what the report said, so that nobody makes it again (exit 2 still)."""
    done = report.replace("\n", "; ")
    try:
        yield
    except (OutputFailed, OutputClosed) as exc:
        exc.done = done
        raise
    except BrokenPipeError as exc:
        closed = OutputClosed()
        closed.done = done
        raise closed from exc


def written_by_click(exc: OSError) -> bool:
    """Whether `exc` was raised writing click's own output to stdout (--help, --version:
    `click.echo` in click/utils.py, to stdout), the one output that does not go through `echo`."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    frame = tb.tb_frame
    return frame.f_globals.get("__name__") == "click.utils" and frame.f_locals.get("err") is False


def write_stdout(text: str, *, nl: bool = True) -> None:
    """`click.echo` to stdout, raising OSError when it cannot be written: closed when the
    process started too (`>&-`), where Python has no sys.stdout and click.echo writes nothing.
    For what must not be lost in silence: a report, a secret shown once."""
    if sys.stdout is None:
        raise OSError(errno.EBADF, "closed")
    click.echo(text, nl=nl)


def echo(text: str, *, nl: bool = True) -> None:
    """`write_stdout`, whose failure is said as one (`OutputFailed`); a closed pipe is left to
    the command group, which says that."""
    try:
        write_stdout(text, nl=nl)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputFailed(exc.strerror or str(exc)) from exc


def write_output(text: str, out: Path | None) -> None:
    """Print, or write to --out; a failed write is an I/O error (exit 2). The command's report
    is then written: a failure after it owes none."""
    global _owed
    _owed = None
    if out is None:
        echo(text, nl=not text.endswith("\n"))
        return
    try:
        # as stdout writes it (cli/entry.py): a lone surrogate as its escape
        out.write_text(
            text if text.endswith("\n") else text + "\n",
            encoding="utf-8",
            errors="backslashreplace",
        )
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")


def debug_enabled() -> bool:
    return os.environ.get("APPSPECS_DEBUG", "") not in ("", "0")
