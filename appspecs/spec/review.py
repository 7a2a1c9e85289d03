"""Where a partner app stands in review, and the command that approves it: what validate says
of every partner app, whether or not there is an approvals.yaml (whose models, approvals.py,
are loaded only to read or write one)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appspecs.spec.approvals import Approval


class ApprovalStatus(StrEnum):
    NOT_NEEDED = "not-needed"  # internal apps are approved by being merged
    APPROVED = "approved"
    PENDING = "pending"  # a partner app no one has approved yet
    STALE = "stale"  # approved, but the spec changed since (the approved version may deploy)


def approval_status(app_type: str, digest: str, approval: Approval | None) -> ApprovalStatus:
    if app_type != "partner":
        return ApprovalStatus.NOT_NEEDED
    if approval is None:
        return ApprovalStatus.PENDING
    return ApprovalStatus.APPROVED if approval.digest == digest else ApprovalStatus.STALE


def approve_words(name: str, signed: bool) -> tuple[str, ...]:
    """The words of `appspec approve` for `name`, as every hint says it; `signed`: the project
    has allowed_signers, so an approval needs the approver's key."""
    return (
        "approve",
        name,
        "--by",
        "EMAIL",
        "--ticket",
        "ID",
        *(("--key", "PATH") if signed else ()),
    )


def approve_command(name: str, signed: bool) -> str:
    """How to approve `name` with the default folders (a report that knows the flags its command
    was given repeats them: report/rerun.py)."""
    return command_line(approve_words(name, signed))


def command_line(words: tuple[str, ...]) -> str:
    """`appspec WORDS...`, quoted for a shell, as report/rerun.py writes every command."""
    import shlex  # here: a run that names no command never needs it

    return shlex.join(("appspec", *words))
