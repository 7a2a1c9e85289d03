"""A logo's picture, as the provider compares it: by the file's content, not its path.

terraform-provider-okta keeps an app's `logo` through `utils.LocalFileStateFunc` (app.go): the
state holds the sha256 of the file the path names, and its diff compares that hash with the
hash of the file the program names now. So a new picture under the same path is an update (the
provider uploads it), and the same picture under another path is none. The loader took each
file's hash for the spec digests; no file is read again.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence

from appspecs.desired.resources import OAUTH_APP
from appspecs.plan.diff import Step
from appspecs.plan.inputs import Change
from appspecs.plan.state import RecordedState
from appspecs.spec.load import LoadedSpec, SpecSet
from appspecs.spec.release import release_of

LOGO_CONTENT = "logo (file content)"
LOGO = "logo"  # the input: the file's path
# what LocalFileStateFunc records: a hex sha256 (ComputeFileHash), "" for no file
_RECORDED_HASH = re.compile(r"[0-9a-f]{64}")

# The hash of the picture Okta has for a step's app, None when it is not known.
Before = Callable[[Step], str | None]


def deployed(specs: SpecSet, name: str) -> LoadedSpec | None:
    """The version of an app Okta gets from these specs (None: not deployed, or no such app)."""
    return release_of(specs, name).deployed if name in specs.apps else None


def from_base(base: SpecSet) -> Before:
    """The hash of the base's picture of each app, as the base's loader took it."""

    def before(step: Step) -> str | None:
        loaded = deployed(base, step.name)
        return loaded.logo_sha256 if loaded is not None else None

    return before


def from_state(state: RecordedState) -> Before:
    """The hash the state records for each app's logo: the provider's own (an output)."""

    def before(step: Step) -> str | None:
        rec = state.by_urn.get(step.urn)
        value = rec.outputs.get(LOGO) if rec is not None else None
        return value if isinstance(value, str) and _RECORDED_HASH.fullmatch(value) else None

    return before


def with_logo_content(steps: Sequence[Step], specs: SpecSet, before: Before) -> list[Step]:
    """Steps with each app's logo compared by its picture: a new one is an update (a change
    at LOGO_CONTENT), and a path changed to the same picture is no change of the logo."""
    out = []
    for step in steps:
        head = deployed(specs, step.name) if step.type == OAUTH_APP else None
        old = before(step) if head is not None and step.op in ("same", "update") else None
        new = head.logo_sha256 if head is not None and head.spec.logo else None
        if old is not None and new is not None:
            if old != new:
                change = Change(LOGO_CONTENT, f"sha256:{old}", f"sha256:{new}")
                step = dataclasses.replace(step, op="update", diffs=(*step.diffs, change))
            elif any(c.path == LOGO for c in step.diffs):
                diffs = tuple(c for c in step.diffs if c.path != LOGO)
                step = dataclasses.replace(step, op="update" if diffs else "same", diffs=diffs)
        out.append(step)
    return out


def new_pictures(steps: Iterable[Step]) -> set[str]:
    """The apps whose logo gets a new picture."""
    return {s.app for s in steps if s.app and any(c.path == LOGO_CONTENT for c in s.diffs)}
