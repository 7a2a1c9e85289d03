"""Diagnostics as text for people, JSON for tools, and GitHub Actions workflow commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from appspecs.diagnostics import Diagnostic, IoProblem, Severity, files_not_read
from appspecs.text import printable


def _where(d: Diagnostic) -> str:
    if d.line is None:
        return printable(d.file)
    return f"{printable(d.file)}:{d.line}:{d.column}"


def diagnostic_line(d: Diagnostic) -> str:
    """`file:line:col: severity[code] path: message`, on one line whatever the spec holds."""
    path = f" {printable(d.path)}:" if d.path else ""
    return f"{_where(d)}: {d.severity}[{d.code}]{path} {printable(d.message)}"


def summary_line(
    diagnostics: Sequence[Diagnostic],
    apps: int,
    held: Sequence[str],
    unreadable: tuple[int, int] = (0, 0),
) -> str:
    """The counts every format gives: apps, errors, warnings, held apps, the files not read
    and the stack files with errors (`files_not_read`)."""
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    summary = (
        f"{apps} app{'s' if apps != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}"
    )
    summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
    if held:
        summary += f", {len(held)} held ({', '.join(held)})"
    unread, settings = unreadable
    if unread:
        summary += f", {unread} file{'s' if unread != 1 else ''} not read (I/O errors)"
    if settings:
        summary += f", {settings} stack file{'s' if settings != 1 else ''} with errors"
    return summary


def text_report(
    diagnostics: Sequence[Diagnostic],
    apps: int,
    held: Sequence[str],
    unreadable: tuple[int, int] = (0, 0),
) -> str:
    """One line per diagnostic (see ``diagnostic_line``) and a summary."""
    lines = [diagnostic_line(d) for d in diagnostics]
    lines.append(summary_line(diagnostics, apps, held, unreadable))
    return "\n".join(lines)


def json_report(
    diagnostics: Sequence[Diagnostic],
    apps: int,
    held: Sequence[str],
    ok: bool,
    problems: Sequence[IoProblem] = (),
) -> str:
    """Exactly one JSON object: ok, apps, the errors and warnings counted as the other formats
    count them, held, the diagnostics, and the problems that are not about a place in a spec
    (an unreadable file, a broken stack file), which exit 2, with the files they are about
    counted as the text's summary counts them."""
    unread, settings = files_not_read(problems)
    return json.dumps(
        {
            "ok": ok and not problems,
            "apps": apps,
            "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
            "warnings": sum(d.severity is Severity.WARNING for d in diagnostics),
            "held": list(held),
            "diagnostics": [d.to_json() for d in diagnostics],
            "problems": [p.message for p in problems],
            "filesNotRead": unread,
            "stackFilesWithErrors": settings,
        },
        indent=2,
    )


def _escape_data(value: str) -> str:
    escaped = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _github_place(
    file: str, line: int | None, column: int | None, file_name: Callable[[str], str]
) -> list[str]:
    """The properties that put an annotation on a file (and a line of it, when known)."""
    props = [f"file={_escape_property(file_name(file))}"]
    if line is not None:
        props.append(f"line={line}")
        props.append(f"col={column}")
    return props


def github_report(
    diagnostics: Sequence[Diagnostic],
    problems: Sequence[IoProblem] = (),
    file_name: Callable[[str], str] = str,
    summary: str | None = None,
) -> str:
    """Workflow commands, so the messages show as annotations on the spec lines of a PR, and
    the problems on the file they are about (on the run, for the few that have none: a
    folder that cannot be listed). ``file_name``: a file as GitHub names it (relative to the
    repository's root). ``summary``: the counts, as a last notice on the run (GitHub shows only
    the first annotations of a step, so the totals are said apart)."""
    lines = []
    for p in problems:
        place = _github_place(p.file, p.line, p.column, file_name) if p.file else []
        # the line starts with its file as the working folder names it ("../../stacks/...");
        # on a pull request it is named as file= names it
        message = p.message
        if p.file and message.startswith(p.file):
            message = file_name(p.file) + message[len(p.file) :]
        lines.append(f"::error {','.join([*place, 'title=appspec'])}::{_escape_data(message)}")
    for d in diagnostics:
        props = _github_place(d.file, d.line, d.column, file_name)
        props.append(f"title={_escape_property(f'appspec {d.code}')}")
        message = f"{d.path}: {d.message}" if d.path else d.message
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{_escape_data(message)}")
    if summary is not None:
        lines.append(f"::notice title=appspec validate::{_escape_data(summary)}")
    return "\n".join(lines)
