"""`pulumi preview` of one stack through the Automation API, with the state it started from.

The stack program is the project's own (Pulumi.yaml's `main`), run by the CLI from the project
folder; the state backend is PULUMI_BACKEND_URL, or the local file backend in the project folder.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from pulumi import automation as auto

from appspecs.deploy.events import EngineStep, EventLog, op_name
from appspecs.deploy.refusals import Refusal, is_failed_trailer
from appspecs.deploy.tool import find_pulumi
from appspecs.deploy.workspace import backend_scheme, workspace_env
from appspecs.plan.state import RecordedState, parse_state
from appspecs.plan.statefile import BACKEND_ENV, StateError
from appspecs.records import record
from appspecs.text import masked_urls


class PreviewError(Exception):
    """The preview could not run: the message is one line, fit to print, never a secret."""


@record
class EnginePreview:
    """What the engine would do to one stack, and the state it would do it to."""

    stack: str
    backend: str  # the backend's scheme only: file, s3, azblob, gs, https
    before: RecordedState
    steps: tuple[EngineStep, ...]
    change_summary: dict[str, int]
    warnings: tuple[str, ...] = ()
    # the deletes and replaces the engine refused (protected resources): the preview failed on
    # them alone, as `pulumi up` would, and showed every other step
    refused: tuple[Refusal, ...] = ()


def _error_line(text: str) -> str | None:
    """The engine's own `error:` line from a command's output, the first that says something."""
    for line in text.splitlines():
        line = line.strip()
        # A CommandError's text labels the streams: " stderr: error: ..." on the first line.
        for label in ("stderr:", "stdout:"):
            line = line.removeprefix(label).strip()
        if line.startswith("error:") and len(line) > len("error:"):
            return line[len("error:") :].strip()
    return None


# An engine message can carry a program's whole traceback; one line of it is enough here.
MAX_REASON = 500


def _why(exc: auto.errors.CommandError, log: EventLog | None, doing: str) -> PreviewError:
    # the first error the engine reported says why; the CLI's own `error:` line comes after it
    # (before the engine's closing `preview failed`, which names no cause)
    errors = sorted(log.errors if log is not None else [], key=is_failed_trailer)
    reason = (errors[0] if errors else None) or _error_line(str(exc))
    one_line = masked_urls(" ".join((reason or "pulumi failed").split()))
    if len(one_line) > MAX_REASON:
        one_line = one_line[: MAX_REASON - 1] + "…"
    return PreviewError(f"{doing}: {one_line}")


def _command(executable: str) -> auto.PulumiCommand:
    """The CLI that find_pulumi found, so the check and the run agree on which one it is."""
    binary = Path(executable)
    root = str(binary.parent.parent) if binary.parent.name == "bin" else None
    try:
        return auto.PulumiCommand(root=root)
    except auto.errors.InvalidVersionError as exc:
        raise PreviewError(f"{executable}: {exc}") from exc
    except (OSError, subprocess.CalledProcessError) as exc:
        raise PreviewError(f"{executable} does not run: {exc}") from exc


class UnknownStack(PreviewError):
    """The backend has no such stack. A preview only ever selects: creating one for a mistyped
    name would make a stack (and write an `encryptionsalt` into a new stack file)."""


def select_stack(
    project_dir: Path, stack: str, env: Mapping[str, str], command: auto.PulumiCommand
) -> auto.Stack:
    """The existing stack `stack` of the project; UnknownStack when the backend has none."""
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(project_dir), env_vars=dict(env), pulumi_command=command
    )
    try:
        return auto.select_stack(stack, work_dir=str(project_dir), opts=opts)
    except auto.errors.StackNotFoundError as exc:
        raise UnknownStack(
            f"stack {stack} does not exist in the {backend_scheme(env[BACKEND_ENV])} backend; "
            f"a preview never creates one: create it once with `pulumi stack init {stack}`"
        ) from exc
    except auto.errors.CommandError as exc:
        raise _why(exc, None, f"selecting stack {stack}") from exc


def _state_before(target: auto.Stack) -> RecordedState:
    try:
        exported = target.export_stack()
    except auto.errors.CommandError as exc:
        raise _why(exc, None, f"reading the state of stack {target.name}") from exc
    doc = {"version": exported.version, "deployment": exported.deployment or {}}
    try:
        return parse_state(doc, f"stack {target.name}")
    except StateError as exc:
        raise PreviewError(str(exc)) from exc


def run_preview(project_dir: Path, stack: str) -> EnginePreview:
    """Select `stack` (never create it), read its state, then preview the program against it.

    Raises PulumiNotInstalled when the CLI is missing and PreviewError when Pulumi fails.
    """
    command = _command(find_pulumi())
    env = workspace_env(project_dir, os.environ)
    target = select_stack(project_dir, stack, env, command)
    before = _state_before(target)
    log = EventLog()
    summary: dict[str, int] | None = None
    try:
        result = target.preview(on_event=log, color="never", suppress_progress=True)
        if result.change_summary:
            summary = {op_name(op): n for op, n in result.change_summary.items()}
    except auto.errors.CommandError as exc:
        # Refused protected steps fail a preview as they fail an update: a report, not an error.
        # Anything else the engine said fails it as before.
        if not log.refusals or not all(is_failed_trailer(e) for e in log.errors):
            raise _why(exc, log, f"previewing stack {stack}") from exc
    return EnginePreview(
        stack=stack,
        backend=backend_scheme(env[BACKEND_ENV]),
        before=before,
        steps=tuple(log.steps),
        change_summary=summary if summary is not None else log.change_summary(),
        warnings=tuple(log.warnings),
        refused=tuple(log.refusals),
    )
