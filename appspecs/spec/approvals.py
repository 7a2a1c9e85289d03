"""Partner approvals: who reviewed which exact spec (by digest), and when."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from appspecs.inputfile import InputFileError, read_input
from appspecs.outputfile import folder_locked, replace_file
from appspecs.spec.models import AppName, Email, _printable, empty_list
from appspecs.spec.specset import LIST_LIMIT


def _iso_datetime(value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 date and time, e.g. 2026-11-28T17:00:00Z") from None
    if parsed.tzinfo is None:
        raise ValueError("must include a time zone, e.g. 2026-11-28T17:00:00Z")
    return value


class Approval(BaseModel):
    """A recorded review of one partner app's spec."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    app: AppName = Field(description="The partner app's name.")
    digest: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")] = Field(
        description="Digest of the spec that was reviewed (appspec digest NAME)."
    )
    approved_by: Email = Field(description="Who approved.")
    # printable: it is repeated in one-line diagnostics and GitHub annotations
    ticket: Annotated[
        str, StringConstraints(min_length=1, max_length=200), AfterValidator(_printable)
    ] = Field(description="The review ticket.")
    approved_at: Annotated[str, AfterValidator(_iso_datetime)] = Field(
        description="When, ISO 8601 with a time zone."
    )
    signature: Annotated[str, StringConstraints(min_length=1, max_length=16 * 1024)] | None = Field(
        default=None,
        description="The approver's SSH signature (ssh-keygen -Y sign -n appspecs-approval, "
        "armored) of app, digest, ticket, approved_by and approved_at; written by appspec "
        "approve --key. With app-specs/allowed_signers, an approval counts only when it is "
        "signed by a key listed there for approved_by.",
    )
    # The version that was reviewed, as the digest reads it: kept so that a later change to the
    # spec waits for review while Okta keeps this version, and so a pull request shows both.
    spec: dict[str, Any] | None = Field(
        default=None,
        description="The approved version of the spec (its canonical data, with the logo "
        "file's SHA-256 as logo_sha256): what the digest is taken of; written by appspec approve.",
    )


class ApprovalsFile(BaseModel):
    """`app-specs/approvals.yaml`: the partner apps' approvals, written by appspec approve."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="Approvals")

    approvals: list[Approval] = Field(
        default_factory=empty_list,
        description="One entry per approved partner app: the approved version, bound to its "
        "digest, with who approved it, the ticket and the approver's signature.",
    )


HEADER = (
    "# yaml-language-server: $schema=approvals.schema.json\n"
    "# Partner approvals: each entry binds one reviewed spec, by digest, to its reviewer, and\n"
    "# keeps that version (spec:), signed by the approver (signature:). Written by\n"
    "# `appspec approve NAME --by EMAIL --ticket ID --key PATH`.\n"
    "# A later change to the app's spec waits for review; Okta keeps the version kept here.\n"
)


class _Dumper(yaml.SafeDumper):
    """Writes a value of several lines (a signature) as a block, as ssh-keygen printed it."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def write_approvals(path: Path, approvals: list[Approval]) -> None:
    entries = [
        {k: v for k, v in a.model_dump().items() if v is not None}
        for a in sorted(approvals, key=lambda a: a.app)
    ]
    body = yaml.dump({"approvals": entries}, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    replace_file(path, HEADER + body)


class ApprovalsChanged(Exception):
    """The approvals file is not what was read of it: another writer came in between."""


def approvals_as_read(path: Path) -> bytes | None:
    """What the approvals file holds now; None when there is none (or it cannot be read, which
    the loader then says as an error of its own)."""
    try:
        return read_input(path, LIST_LIMIT)
    except InputFileError:
        return None


def rewrite_approvals(path: Path, approvals: list[Approval], as_read: bytes | None) -> None:
    """`write_approvals`, unless the file changed since it was read as ``as_read``: two
    approvals made at once would each rewrite the file from the same reading, and only one of
    them would be kept (``ApprovalsChanged``; nothing is written)."""
    with folder_locked(path.parent):
        if approvals_as_read(path) != as_read:
            raise ApprovalsChanged(str(path))
        write_approvals(path, approvals)
