"""Diagnostics: every problem the tool finds, as data. Reporters turn them into text at the edge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, field
from enum import StrEnum
from typing import Any

from appspecs.records import record
from appspecs.text import masked_urls


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# Every code the spec checks can emit; docs/commands.md lists the same set.
CODES: tuple[str, ...] = (
    "yaml-syntax",
    "duplicate-key",
    "yaml-alias",
    "too-large",
    "missing-field",
    "unknown-field",
    "invalid-value",
    "name-mismatch",
    "unknown-scope",
    "duplicate-scope",
    "partner-scope",
    "redirect-uri",
    "grant-type",
    "pkce",
    "oidc-scope",
    "client-auth",
    "jwks",
    "private-key",
    "duplicate-kid",
    "jwk",
    "refresh-token",
    "token-lifetime",
    "links",
    "logo",
    "catalog",
    "approval",
    "signature",
    "allowed-signers",
    "partner",
    "held",
    "stack-credential",
    "no-apps",
)


@record
class Diagnostic:
    """One finding about one place in one file."""

    severity: Severity
    code: str
    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    # The words (after `appspec`) of the command the message names, written in it with the
    # default folders: a command given other folders names them in it too (cli/inputs.py).
    command: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        # A value a message quotes may be a URL that holds a credential (a password in its user
        # info, a presigned URL's signature in its query), typed into any field: masked here,
        # where every finding becomes data, rather than by each check that quotes a value.
        object.__setattr__(self, "message", masked_urls(self.message))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        del data["command"]  # said in the message
        return data

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@record
class IoProblem:
    """An input that could not be used (exit 2): an unreadable file, a broken stack file.

    ``message`` is the whole line every format prints, the path first; ``file`` is the file to
    blame as shown ("" when there is none: a folder that cannot be listed), and ``line`` and
    ``column`` where in it, when known, so that an annotation lands on that file.
    """

    message: str
    file: str = ""
    line: int | None = None
    column: int | None = None
    # a stack file read whose settings are wrong (a YAML error, an unknown or bad setting), not
    # one that could not be read: the counts say which
    settings: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", masked_urls(self.message))  # as Diagnostic's

    def __str__(self) -> str:
        return self.message


def files_not_read(problems: Iterable[IoProblem]) -> tuple[int, int]:
    """How many files the problems are about: those not read, and the stack files read whose
    settings are wrong (one with two bad settings is one); a problem with no file (a folder
    that cannot be listed) counts alone, as not read."""
    problems = list(problems)
    settings = {p.file for p in problems if p.file and p.settings}
    unread = {p.file for p in problems if p.file and not p.settings} - settings
    return len(unread) + sum(not p.file for p in problems), len(settings)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.file, d.line or 0, d.column or 0, d.code)


def format_path(parts: tuple[str | int, ...]) -> str:
    """`('client', 'redirect_uris', 1)` -> `client.redirect_uris[1]`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
