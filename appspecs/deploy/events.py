"""What the engine reports while it previews: one step per resource, errors, the change summary.

Only names are kept from a step (operation, URN, type, the keys that differ), never property
values: a value may be a secret, and the domain summary already says what changes and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from appspecs.deploy.refusals import Refusal, refusal_of
from appspecs.plan.urns import parse_urn
from appspecs.records import record
from appspecs.text import masked_urls

if TYPE_CHECKING:
    # only for the annotation: importing pulumi costs every `appspec` command ~0.2 s
    from pulumi.automation import EngineEvent


@record
class EngineStep:
    """One resource operation the engine would perform."""

    op: str
    urn: str
    type: str
    name: str
    # property keys that differ (update) or force a replacement (replace)
    diffs: tuple[str, ...] = ()
    replace_keys: tuple[str, ...] = ()
    # (old, new) when the step changes the resource's `protect`: the engine sends that as a
    # "same" step when nothing else changes (no input key names it), yet it decides whether a
    # later update may delete the resource
    protect: tuple[bool, bool] | None = None


@dataclass(slots=True)
class EventLog:
    """Collects engine events; pass it as `on_event=` to a stack operation.

    The Automation API calls it from a thread of its own (the event-log reader, or the event
    server newer CLIs stream to) and is done with it when the operation returns.
    """

    steps: list[EngineStep] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # every error but the refusals
    # deletes and replaces refused because the resource is protected, each once, in order
    refusals: list[Refusal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, int] | None = None

    def __call__(self, event: EngineEvent) -> None:
        if event.resource_pre_event is not None:
            meta = event.resource_pre_event.metadata
            parsed = parse_urn(meta.urn)
            self.steps.append(
                EngineStep(
                    op=op_name(meta.op),
                    urn=meta.urn,
                    type=meta.type,
                    name=parsed.name if parsed is not None else meta.urn,
                    diffs=tuple(meta.diffs or ()),
                    replace_keys=tuple(meta.keys or ()),
                    protect=_protect_change(meta.old, meta.new),
                )
            )
        elif event.diagnostic_event is not None:
            diag = event.diagnostic_event
            # the engine's words may quote a URL with its password (a backend, an endpoint)
            message = masked_urls(diag.message.strip())
            if not message or diag.ephemeral:
                return
            if diag.severity == "error":
                refusal = refusal_of(message)
                if refusal is None:
                    self.errors.append(message)
                elif refusal not in self.refusals:
                    self.refusals.append(refusal)
            elif diag.severity == "warning":
                self.warnings.append(message)
        elif event.summary_event is not None:
            self.summary = {
                op_name(op): n for op, n in event.summary_event.resource_changes.items()
            }

    def change_summary(self) -> dict[str, int]:
        """Operations counted: the engine's summary when it sent one, else counted from the steps."""
        return dict(self.summary) if self.summary is not None else count_ops(self.steps)


def _protect_change(old: object, new: object) -> tuple[bool, bool] | None:
    """The step's change of `protect` (left out of the engine's JSON when false), if any."""
    if old is None or new is None:
        return None
    before, after = bool(getattr(old, "protect", False)), bool(getattr(new, "protect", False))
    return (before, after) if before != after else None


def op_name(op: object) -> str:
    """An operation's name, from the SDK's OpType (a str enum) or a plain string."""
    value = getattr(op, "value", op)
    return str(value)


def count_ops(steps: Iterable[EngineStep]) -> dict[str, int]:
    """How many steps of each operation."""
    return dict(Counter(s.op for s in steps))


def changes_only(summary: Mapping[str, int]) -> dict[str, int]:
    """The summary less the resources that stay the same, in a stable order."""
    return {op: n for op, n in sorted(summary.items()) if op != "same" and n}
