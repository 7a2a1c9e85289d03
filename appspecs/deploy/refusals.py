"""The engine's refusals to delete or replace a protected resource, read from its error lines.

A preview fails on them as an update does (pulumi/pulumi `pkg/resource/deploy/step.go` checks
`protect` in `DeleteStep.Apply` before its dry-run branch; `step_generator.go` refuses a protected
replace while generating steps), so they are the engine's word on what `pulumi up` would refuse.
The engine's wording, which these patterns follow:

- delete (`deleteProtectedError`): `resource "URN" cannot be deleted\\nbecause it is protected. ...`;
  before pulumi 3.52: `unable to delete resource "URN"\\nas it is currently marked for protection`.
  A preview puts `Preview failed: ` in front (`diag.GetPreviewFailedError`).
- replace: `unable to replace resource "URN"\\nas it is currently marked for protection. ...`, and
  for a resource replaced with one it depends on (delete before replace):
  `unable to replace resource "URN" as part of replacing "OTHER" as it is currently marked ...`.
"""

from __future__ import annotations

import re
from typing import Literal

from appspecs.records import record

RefusedOp = Literal["delete", "replace"]

_QUOTED = r'"(?P<urn>(?:[^"\\]|\\.)+)"'
_PATTERNS: tuple[tuple[RefusedOp, re.Pattern[str]], ...] = (
    ("delete", re.compile(rf"resource {_QUOTED}\s+cannot be deleted\s+because it is protected\b")),
    (
        "delete",
        re.compile(
            rf"unable to delete resource {_QUOTED}\s+as it is currently marked for protection\b"
        ),
    ),
    (
        "replace",
        re.compile(
            rf'unable to replace resource {_QUOTED}(?: as part of replacing "(?:[^"\\]|\\.)+")?'
            r"\s+as it is currently marked for protection\b"
        ),
    ),
)
# the preview's prefix; colour directives are there when the events were not asked uncoloured
_PREFIX = re.compile(r"^\s*(?:Preview failed:\s*)?")
_COLOUR = re.compile(r"<\{%[^%]*%\}>")
# The engine's last word on a failed operation, naming nothing: it adds nothing to a refusal
_FAILED = re.compile(r"(?:preview|update|destroy) failed\.?", re.IGNORECASE)


@record
class Refusal:
    """A delete or replace the engine refuses because the resource is protected."""

    op: RefusedOp
    urn: str


def refusal_of(message: str) -> Refusal | None:
    """The refusal an engine error line says, or None when it says something else."""
    text = _PREFIX.sub("", _COLOUR.sub("", message), count=1)
    for op, pattern in _PATTERNS:
        found = pattern.match(text)
        if found:
            return Refusal(op, found.group("urn"))
    return None


def is_failed_trailer(message: str) -> bool:
    """The engine's closing `preview failed` (or `update failed`) line, which names no cause."""
    return _FAILED.fullmatch(_COLOUR.sub("", message).strip()) is not None
