"""Pieces every command shares: options, loading specs, writing output, failing cleanly."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from appspecs.cli import exits
from appspecs.report.diagnostics import text_report
from appspecs.spec.load import SpecsDirError, SpecSet, load_specs
from appspecs.stackconfig import StackConfig, StackConfigError, load_stack_config

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_SPECS = Path("app-specs")


def fail(message: str, code: int = exits.USAGE) -> NoReturn:
    """One clear line on stderr and the exit code; never a traceback."""
    click.echo(f"appspec: {message}", err=True)
    sys.exit(code)


def specs_option(func: F) -> F:
    return click.option(
        "--specs",
        "specs_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=DEFAULT_SPECS,
        show_default=True,
        help="The specs folder: scope-catalog.yaml, approvals.yaml and apps/.",
    )(func)


def stacks_option(func: F) -> F:
    return click.option(
        "--stacks",
        "stacks_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Folder of Pulumi.<stack>.yaml files [default: stacks/ beside the specs folder].",
    )(func)


def resolve_stacks_dir(specs_dir: Path, stacks_dir: Path | None) -> Path:
    if stacks_dir is not None:
        return stacks_dir
    return specs_dir.parent / "stacks" if specs_dir.parent != specs_dir else Path("stacks")


def load_checked(specs_dir: Path, stacks_dir: Path | None) -> SpecSet:
    """Load specs; I/O problems exit 2 here, diagnostics are left for the caller to report."""
    stacks = resolve_stacks_dir(specs_dir, stacks_dir)
    try:
        specs = load_specs(specs_dir, stacks_dir=stacks if stacks.is_dir() else None)
    except SpecsDirError as exc:
        fail(str(exc))
    for problem in specs.io_errors:
        click.echo(f"appspec: {problem}", err=True)
    return specs


def load_valid_specs(specs_dir: Path, stacks_dir: Path | None, *, then: str) -> SpecSet:
    """Specs fit to render: I/O problems exit 2; spec errors are listed on stderr and exit 1."""
    specs = load_checked(specs_dir, stacks_dir)
    if specs.io_errors:
        sys.exit(exits.USAGE)
    if not specs.ok:
        errors = [d for d in specs.diagnostics if d.is_error]
        click.echo(text_report(errors, specs.files, []), err=True)
        fail(f"the specs have errors; {then}", exits.FAILED)
    return specs


def load_stack(specs_dir: Path, stacks_dir: Path | None, stack: str) -> StackConfig:
    """The stack's settings; an unknown stack or bad settings exit 2, naming the known stacks."""
    try:
        return load_stack_config(resolve_stacks_dir(specs_dir, stacks_dir), stack)
    except StackConfigError as exc:
        fail(str(exc))


def write_output(text: str, out: Path | None) -> None:
    """Print, or write to --out; a failed write is an I/O error (exit 2)."""
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")


def debug_enabled() -> bool:
    return os.environ.get("APPSPECS_DEBUG", "") not in ("", "0")
