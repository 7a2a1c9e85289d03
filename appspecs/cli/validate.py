"""`appspec validate`: check the catalog, every app spec and the approvals.

Its own module, apart from approve and schema: the pre-commit hook runs it on every commit,
and it needs neither the approvals' writer, the signing, nor the JSON Schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from appspecs.cli import exits
from appspecs.cli.common import (
    echo,
    fail,
    format_option,
    jobs_option,
    repository_path,
    specs_option,
    stacks_option,
)
from appspecs.cli.inputs import load_checked
from appspecs.diagnostics import IoProblem, files_not_read
from appspecs.report.diagnostics import github_report, json_report, summary_line, text_report


@click.command(
    epilog=exits.codes_help(
        "when there is no error (warnings and held apps allowed)",
        "when there is one",
        "for usage or I/O problems (a folder missing, a file that cannot be read)",
    )
)
@specs_option
@stacks_option
@format_option(
    ["text", "json", "github"], "text for people, json for tools, github for workflow annotations."
)
@jobs_option
def validate(specs_dir: Path, stacks_dir: Path | None, fmt: str, jobs: int | None) -> None:
    """Check the scope catalog, every app spec and the approvals."""

    def usage_error(message: str) -> NoReturn:
        # Tools reading stdout get their one report even then (exit 2, with the problem).
        if fmt == "json":
            echo(json_report([], 0, [], False, [IoProblem(message)]))
        elif fmt == "github":
            echo(github_report([], [IoProblem(message)]))
        fail(message)

    specs = load_checked(
        specs_dir, stacks_dir, note_unchecked=True, usage_error=usage_error, jobs=jobs
    )
    if fmt == "json":
        echo(json_report(specs.diagnostics, specs.files, specs.held, specs.ok, specs.io_errors))
    elif fmt == "github":
        summary = summary_line(
            specs.diagnostics, specs.files, specs.held, files_not_read(specs.io_errors)
        )
        echo(github_report(specs.diagnostics, specs.io_errors, repository_path, summary))
    else:
        echo(
            text_report(specs.diagnostics, specs.files, specs.held, files_not_read(specs.io_errors))
        )
    if specs.io_errors:
        raise SystemExit(exits.USAGE)
    raise SystemExit(exits.OK if specs.ok else exits.FAILED)
