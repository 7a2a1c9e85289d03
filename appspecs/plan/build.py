"""Build a plan: desired state from the specs against recorded state, or against base specs."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Literal

from appspecs.desired.model import DesiredState, SkippedApp
from appspecs.desired.render import render
from appspecs.desired.resources import resource_graph
from appspecs.diagnostics import Diagnostic, IoProblem
from appspecs.lifetime import keep
from appspecs.plan.diff import (
    PlannedResource,
    Step,
    change_summary,
    plan_steps,
    planned_resources,
    state_resolver,
    symbolic_resolver,
)
from appspecs.plan.logos import deployed, from_base, from_state, new_pictures, with_logo_content
from appspecs.plan.notices import PlanSummary, plan_summary
from appspecs.plan.registry import (
    RegistryChange,
    approvals_by_added_keys,
    approvals_by_stopped_signing,
    registry_changes,
)
from appspecs.plan.state import RecordedResource, RecordedState
from appspecs.plan.summary import AppSummary, summarize
from appspecs.plan.views import AppView, views_from_specs, views_from_state
from appspecs.plan.wire import wire_inputs
from appspecs.records import record
from appspecs.spec.load import SpecSet
from appspecs.stackconfig import PROJECT, StackConfig

Mode = Literal["state", "base"]


class PlanInputError(Exception):
    """The inputs do not belong together, e.g. a state file of another stack (a usage error)."""


@record
class Plan:
    """Everything `appspec plan` reports."""

    stack: str
    mode: Mode
    against: str  # the state file, "no recorded state", or the base folder or ref
    steps: tuple[Step, ...]
    apps: tuple[AppSummary, ...]
    held: tuple[SkippedApp, ...]
    skipped: tuple[SkippedApp, ...]  # not for this stack (environments)
    notes: tuple[str, ...] = ()
    # what the change does to allowed_signers and partners.yaml (plans against a base only)
    registry: tuple[RegistryChange, ...] = ()
    # the specs' warnings, as `appspec validate` gives them: an unsigned approval, an ignored
    # file, a logo deployed without its picture are the reviewer's to see beside the plan
    warnings: tuple[Diagnostic, ...] = ()
    # why apps of the base were compared as new (plans against a base only): its errors and the
    # files it could not read, naming the files as the base does (REF:path for a git ref)
    base_errors: tuple[Diagnostic, ...] = ()
    base_problems: tuple[IoProblem, ...] = ()
    # what --base takes to plan against the same base again (its folder, or its ref's commit)
    base: str | None = None
    # computed once from `apps`: what every format says of the apps
    summary: PlanSummary = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", plan_summary(self.apps, self.steps))

    @property
    def change_summary(self) -> dict[str, int]:
        return change_summary(self.steps)

    @property
    def update_refused(self) -> bool | None:
        """Whether `pulumi up` would refuse steps of this update, and so fail: known against
        recorded state, which says what is protected; None against a base, which reads no state
        (the stack may record the base's protected resources unprotected already, or record
        protected ones the base no longer has), whatever `summary.refused` predicts."""
        if self.mode == "base":
            return None
        return bool(self.summary.refused)

    @property
    def held_deletes(self) -> tuple[str, ...]:
        """The running internal apps retyped to partner that this update deletes while they wait
        for their first approval. Internal apps are approved by their merge and not protected,
        so nothing stops the delete; a review may hold a change but never take a running app
        down, so the plan fails on them against a base as against the state. (A partner app's
        resources are protected: its delete is refused, or was let through on purpose by
        lifting the protection.)"""
        return tuple(
            a.name for a in self.apps if a.held_removes and a.retyped == ("internal", "partner")
        )

    @property
    def fails(self) -> bool:
        """Whether the plan exits 1 after its report: an update pulumi up would refuse, or one
        that would delete a running internal app held for its first partner review."""
        return bool(self.update_refused) or bool(self.held_deletes)

    @property
    def has_changes(self) -> bool:
        return any(s.op != "same" for s in self.steps) or any(
            a.change not in ("unchanged", "held", "change under review") for a in self.apps
        )


def require_state_of(state: RecordedState, stack: str) -> None:
    """Raise PlanInputError when the state holds resources of another stack or project."""
    foreign = sorted(f"{s}/{p}" for s, p in state.stacks() if (s, p) != (stack, PROJECT))
    if foreign:
        raise PlanInputError(
            f"state file {state.source} holds resources of {', '.join(foreign)} "
            f"(stack/project), not {stack}/{PROJECT}"
        )


@record
class StateSide:
    """What a plan needs of the recorded state alone, worked out before the specs are known
    (by a process that has a core to spare while the specs are checked)."""

    state: RecordedState
    stack: str  # the stack it was checked to be of
    before: dict[str, AppView]  # the apps as the state records them
    named_groups: frozenset[str]  # the groups the stack's outputs name


def state_side(state: RecordedState, stack: str) -> StateSide:
    """PlanInputError when the state is another stack's or project's."""
    require_state_of(state, stack)
    state.by_urn  # noqa: B018 - computed here, where it costs no wait: it is cached
    return StateSide(state, stack, views_from_state(state), _named_groups(state))


def plan_against_state(
    specs: SpecSet,
    stack: StackConfig,
    recorded: RecordedState | StateSide,
    *,
    specs_dir_from_project: str = "app-specs",
) -> Plan:
    """The steps an update of `stack` would take from the recorded state, and the app summary."""
    side = recorded if isinstance(recorded, StateSide) else state_side(recorded, stack.name)
    if side.stack != stack.name:  # worked out for another stack: checked again for this one
        side = state_side(side.state, stack.name)
    state, before = side.state, side.before
    desired = render(specs, stack, specs_dir_from_project=specs_dir_from_project)
    planned = planned_resources(resource_graph(desired), stack.name, PROJECT)
    urns = {p.spec.key: p.urn for p in planned}
    resolver = state_resolver(urns, state.by_urn, state.stack_outputs.get("groupIds"))
    steps = with_logo_content(plan_steps(planned, state, resolver), specs, from_state(state))
    apps = summarize(
        specs,
        desired,
        before,
        views_from_specs(specs, desired),
        before.__contains__,
        include_held=False,
        named_groups=side.named_groups,
    )
    apps = with_step_changes(apps, steps)
    notes = [] if state.source else ["no recorded state: every resource is a create"]
    notes += protection_notes(planned, state)
    # what the plan was made from, held to the process's end rather than freed at this return
    keep(specs, side, desired, planned)
    return Plan(
        stack=stack.name,
        mode="state",
        against=state.source or "no recorded state",
        steps=tuple(steps),
        apps=tuple(apps),
        held=_skipped(desired, "held"),
        skipped=_skipped(desired, "environment"),
        notes=tuple(notes),
        warnings=specs.warnings,
    )


def with_step_changes(apps: Sequence[AppSummary], steps: Sequence[Step]) -> list[AppSummary]:
    """The apps with what only the steps know: a logo's new picture (logos.py), and that an app
    said unchanged is changed when the update changes its resources (no format may call an app
    unchanged that the update touches; `resources_only` when no fact of the summary says why)."""
    new_logos = new_pictures(steps)
    touched = {s.app for s in steps if s.op != "same" and s.app}
    out = []
    for a in apps:
        if a.name in new_logos:
            a = dataclasses.replace(a, logo_changed=True)
        if a.change == "unchanged" and a.name in touched:
            a = dataclasses.replace(a, change="changed", resources_only=not a.logo_changed)
        out.append(a)
    return out


def protection_notes(planned: Sequence[PlannedResource], recorded: RecordedState) -> list[str]:
    """What the update changes of `protect` on resources it keeps, yet it decides whether a later
    update may delete them. The plan's steps compare inputs only, so a resource whose flag
    alone changes is a `same` step here; the engine sends it as a `same` step too, with the old
    and new `protect` in its states (pulumi's display shows it; `appspec preview` lists it)."""
    gains: set[str] = set()
    loses: set[str] = set()
    for p in planned:
        rec = recorded.by_urn.get(p.urn)
        if rec is None or rec.delete or rec.protect == p.spec.protect:
            continue
        (gains if p.spec.protect else loses).add(p.app or p.spec.name)
    notes = []
    if gains:
        notes.append(
            f"the update protects the resources of {', '.join(sorted(gains))} "
            f"({'an approved partner app' if len(gains) == 1 else 'approved partner apps'}): "
            "from then on pulumi up refuses to delete or replace them"
        )
    if loses:
        notes.append(
            f"the update lifts the protection of the resources of {', '.join(sorted(loses))} "
            "(only approved partner apps are protected; pulumi import protects what it imports): "
            "a later update may delete them"
        )
    return notes


def _named_groups(state: RecordedState) -> frozenset[str]:
    ids = state.stack_outputs.get("groupIds")
    return (
        frozenset(k for k, v in ids.items() if isinstance(v, str))
        if isinstance(ids, Mapping)
        else frozenset()
    )


def _skipped(desired: DesiredState, reason: str) -> tuple[SkippedApp, ...]:
    return tuple(s for s in desired.skipped if s.reason == reason)


def _as_recorded(planned: list[PlannedResource], source: str) -> RecordedState:
    """The base graph as if an update had recorded it, placeholders kept symbolic."""
    resolver = symbolic_resolver({p.spec.key: p.urn for p in planned})
    return RecordedState(
        source,
        tuple(
            RecordedResource(
                urn=p.urn,
                type=p.spec.type,
                custom=p.spec.custom,
                inputs=wire_inputs(p.spec.inputs, resolver),
                parent=p.parent_urn,
                protect=p.spec.protect,
            )
            for p in planned
        ),
    )


def settings_changes(base: StackConfig, head: StackConfig) -> list[str]:
    """One note per stack setting that differs, by the name the stack file uses."""
    old = _flat(base.settings.model_dump(mode="json", by_alias=True))
    new = _flat(head.settings.model_dump(mode="json", by_alias=True))
    return [
        f"stack setting {PROJECT}:{key} changes: {json.dumps(old.get(key))} -> "
        f"{json.dumps(new.get(key))}"
        for key in sorted({*old, *new})
        if old.get(key) != new.get(key)
    ]


def _flat(values: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """`authServer.audience`-style keys for the leaves of nested settings."""
    out: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def plan_against_base(
    specs: SpecSet,
    base: SpecSet | None,
    stack: StackConfig,
    *,
    base_label: str,
    base_again: str | None = None,
    base_stack: StackConfig | None = None,
    notes: Sequence[str] = (),
    new_reason: str | None = None,
    specs_dir_from_project: str = "app-specs",
    registry: SpecSet | None = None,
) -> Plan:
    """The steps from the base specs' resources to the head specs' ones, without any state.

    The base is rendered with ``base_stack``, the stack's settings at the base (the head's when
    not given), so a changed setting shows as the resource changes it makes. A base with errors
    is used for the apps that did load (with a note); a base without specs (`None`) makes
    everything new, for ``new_reason`` (by default: the base has no specs folder).

    ``registry``: the base's specs whose allowed_signers and partners.yaml the change is
    checked against, when they deploy nothing to the stack (`base` None: a stack new since
    then); by default `base`. A new stack changes what is created, not who may approve.
    """
    notes = list(notes)
    registry = registry if registry is not None else base
    base_stack = base_stack or stack
    notes += settings_changes(base_stack, stack)
    desired = render(specs, stack, specs_dir_from_project=specs_dir_from_project)
    planned = planned_resources(resource_graph(desired), stack.name, PROJECT)
    before_views: Mapping[str, AppView] = {}
    base_planned: list[PlannedResource] = []
    base_errors: tuple[Diagnostic, ...] = ()
    base_problems: tuple[IoProblem, ...] = ()
    if base is None:
        notes.append(new_reason or f"the base {base_label} has no specs folder: everything is new")
    else:
        if not base.ok:
            base_errors = tuple(d for d in base.diagnostics if d.is_error)
            base_problems = tuple(base.io_errors)
            base = dataclasses.replace(
                base, diagnostics=[], io_errors=[], catalog=base.catalog or specs.catalog
            )
        base_desired = render(base, base_stack, specs_dir_from_project=specs_dir_from_project)
        base_planned = planned_resources(resource_graph(base_desired), stack.name, PROJECT)
        before_views = views_from_specs(base, base_desired)
    recorded = _as_recorded(base_planned, base_label)
    resolver = symbolic_resolver({p.spec.key: p.urn for p in planned}, recorded.by_urn)
    steps = plan_steps(planned, recorded, resolver)
    notes += protection_notes(planned, recorded)
    if base_errors or base_problems:
        # last, so that the reports list the errors right below it
        errors = len(base_errors) + len(base_problems)
        notes.append(
            f"the base specs have {errors} error{'s' if errors != 1 else ''}: apps whose base "
            "spec did not load are compared as new"
        )
    if base is not None:
        steps = with_logo_content(steps, specs, from_base(base))

    def was_approved(name: str) -> bool:
        """The base deploys a partner app at an approved version."""
        before = deployed(base, name) if base is not None else None
        return before is not None and before.spec.type == "partner"

    apps = summarize(
        specs,
        desired,
        before_views,
        views_from_specs(specs, desired),
        was_approved,
        include_held=True,
    )
    added_keys = approvals_by_added_keys(registry, specs)
    unverified = approvals_by_stopped_signing(registry, specs)
    apps = [
        dataclasses.replace(
            a,
            approval_key_added=added_keys.get(a.name),
            approval_unverified=unverified.get(a.name),
        )
        for a in apps
    ]
    apps = with_step_changes(apps, steps)
    keep(specs, base, desired, planned, base_planned, recorded)  # as plan_against_state does
    return Plan(
        stack=stack.name,
        mode="base",
        against=base_label,
        base=base_again,
        steps=tuple(steps),
        apps=tuple(apps),
        held=_skipped(desired, "held"),
        skipped=_skipped(desired, "environment"),
        notes=tuple(notes),
        registry=registry_changes(registry, specs),
        warnings=specs.warnings,
        base_errors=base_errors,
        base_problems=base_problems,
    )
