"""Resource steps: what the engine would do to each resource, and which inputs change.

The desired side is the resource graph (`appspecs.desired.resources`), never a mapping of our
own; the recorded side is state (or, for `--base`, the graph of the base specs). Inputs are
compared in wire names, as the engine does, after placeholders are resolved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, Literal

from appspecs.desired.model import EVERYONE
from appspecs.desired.resources import (
    APP_COMPONENT,
    IGNORED_WHEN_ZERO,
    JSON_INPUTS,
    KEPT_WHEN_UNSET,
    PROVIDER_REPLACES,
    RESET_WHEN_UNSET,
    SET_INPUTS,
    GroupId,
    Ref,
    ResourceSpec,
)
from appspecs.plan.inputs import Change, diff_inputs
from appspecs.plan.state import RecordedResource, RecordedState, Secret, client_id
from appspecs.plan.urns import graph_urns, is_engine_resource, parse_urn, root_stack_urn
from appspecs.plan.values import Unknown
from appspecs.plan.wire import Resolver, wire_inputs, wire_name
from appspecs.records import record

Op = Literal["create", "update", "replace", "delete", "same"]
OPS: tuple[Op, ...] = ("create", "update", "replace", "delete", "same")
_NO_RESETS: Mapping[str, Any] = {}


@record
class Step:
    """What happens to one resource. `inputs` are the new inputs, or the old ones for a delete."""

    urn: str
    op: Op
    type: str
    name: str
    custom: bool
    parent: str | None
    inputs: Mapping[str, Any]
    diffs: tuple[Change, ...] = ()
    app: str | None = None  # the app the resource belongs to; None for the auth server
    # an OAuth app's recorded client id (what its consumers hold); None when not recorded
    client_id: str | None = None
    # `pulumi up` refuses this delete or replace: the recorded resource is protected (and, for a
    # replace, the program still protects it), as pkg/resource/deploy/step.go and
    # step_generator.go do; the resource stays as it is in Okta
    refused: bool = False


@record
class PlannedResource:
    """A graph resource with the URN the engine would give it. Its inputs are the spec's, in
    wire names once resolved (`wire_inputs(spec.inputs, resolver)`)."""

    spec: ResourceSpec
    urn: str
    parent_urn: str  # the root stack's for top-level resources, as in state
    ignore_changes: tuple[str, ...]
    app: str | None
    # wire names of the inputs whose change replaces it: the provider's and the program's own
    replace_fields: frozenset[str] = frozenset()


def replace_fields(spec: ResourceSpec) -> frozenset[str]:
    """The inputs (wire names) whose change makes the engine replace the resource: those the
    provider's schema marks `willReplaceOnChanges`, and the resource's `replace_on_changes`."""
    return _replace_fields(spec.type, spec.replace_on_changes)


@cache  # a handful of (type, fields) pairs among thousands of resources
def _replace_fields(type_: str, replace_on_changes: tuple[str, ...]) -> frozenset[str]:
    own = frozenset(wire_name(p) for p in replace_on_changes)
    return PROVIDER_REPLACES.get(type_, frozenset()) | own


def planned_resources(
    graph: Sequence[ResourceSpec], stack: str, project: str
) -> list[PlannedResource]:
    """The graph with URNs, parents before children."""
    urns = graph_urns(graph, stack, project)
    root = root_stack_urn(stack, project)
    by_key = {r.key: r for r in graph}
    out = []
    for r in graph:
        top = r
        while top.parent is not None:
            top = by_key[top.parent]
        out.append(
            PlannedResource(
                spec=r,
                urn=urns[r.key],
                parent_urn=urns[r.parent] if r.parent is not None else root,
                ignore_changes=tuple(map(wire_name, r.ignore_changes)),
                app=top.name if top.type == APP_COMPONENT else None,
                replace_fields=replace_fields(r),
            )
        )
    return out


# What a group's id never is: the rule's word for every group (the provider's group_whitelist
# takes "Group ID or EVERYONE"), which a rule records where its spec names no group.
NO_GROUP_ID = frozenset({EVERYONE})


def state_resolver(
    urns: Mapping[str, str], recorded: Mapping[str, RecordedResource], group_ids: Any
) -> Resolver:
    """Placeholders resolved against recorded state.

    A Ref to a resource that exists in state takes that resource's recorded output (resources
    are updated in place, so ids stay); to one that will be created, it is a fresh Unknown,
    which cannot equal any recorded value. A GroupId takes the id the stack exported in
    `groupIds`; a group not exported there is unknown, but known not to be any exported group.
    """
    ids: Mapping[str, Any] = group_ids if isinstance(group_ids, Mapping) else {}
    known_ids = NO_GROUP_ID | frozenset(v for v in ids.values() if isinstance(v, str))

    def resolver(placeholder: Ref | GroupId) -> Any:
        if isinstance(placeholder, GroupId):
            value = ids.get(placeholder.name)
            if isinstance(value, str):
                return value
            return Unknown(placeholder, excludes=known_ids)
        urn = urns[placeholder.key]
        output = wire_name(placeholder.output)
        rec = recorded.get(urn)
        if rec is None or rec.delete:  # only a leftover of a replacement: it is created anew
            return Unknown(placeholder, urn, output, fresh=True)
        value = rec.outputs.get(output)
        if value is None and output == "id":
            value = rec.id
        if value is None or isinstance(value, Secret):
            return Unknown(placeholder, urn, output)
        return value

    return resolver


def symbolic_resolver(urns: Mapping[str, str], existing: Iterable[str] | None = None) -> Resolver:
    """Placeholders kept symbolic, for comparing two spec trees without state.

    With `existing` (the URNs of the base side), a Ref to a resource that is not there is fresh.
    """
    before = frozenset(existing) if existing is not None else None

    def resolver(placeholder: Ref | GroupId) -> Any:
        if isinstance(placeholder, GroupId):
            return Unknown(placeholder, excludes=NO_GROUP_ID)
        urn = urns[placeholder.key]
        fresh = before is not None and urn not in before
        return Unknown(placeholder, urn, wire_name(placeholder.output), fresh=fresh)

    return resolver


def _app_of(rec: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> str | None:
    seen = 0
    node: RecordedResource | None = rec
    while node is not None and seen < 64:
        if node.type == APP_COMPONENT:
            return node.name
        node = by_urn.get(node.parent) if node.parent else None
        seen += 1
    return None


def _replaces(fields: frozenset[str], diffs: Sequence[Change]) -> bool:
    return any(_root(c.path) in fields for c in diffs)


def _root(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def plan_steps(
    desired: Sequence[PlannedResource], before: RecordedState, resolver: Resolver
) -> list[Step]:
    """Creates, updates, replaces and sames in program order, then deletes, children first.

    A replaced resource gets new outputs (a new app, a new client id): references to it are
    fresh for the resources after it, which may be replaced or updated in turn.
    """
    steps: list[Step] = []
    recorded = before.by_urn
    urn_of = {d.spec.key: d.urn for d in desired}
    replaced: set[str] = set()

    def resolve_ref(placeholder: Ref | GroupId) -> Any:
        if isinstance(placeholder, Ref) and placeholder.key in replaced:
            urn = urn_of[placeholder.key]
            return Unknown(placeholder, urn, wire_name(placeholder.output), fresh=True)
        return resolver(placeholder)

    for d in desired:
        spec = d.spec
        inputs = wire_inputs(spec.inputs, resolve_ref)
        rec = recorded.get(d.urn)
        if rec is None or rec.delete:
            steps.append(
                Step(
                    urn=d.urn,
                    op="create",
                    type=spec.type,
                    name=spec.name,
                    custom=spec.custom,
                    parent=d.parent_urn,
                    inputs=inputs,
                    app=d.app,
                )
            )
            continue
        kept = KEPT_WHEN_UNSET.get(spec.type, frozenset())
        json_paths = JSON_INPUTS.get(spec.type, frozenset())
        sets = SET_INPUTS.get(spec.type, frozenset())
        zero = IGNORED_WHEN_ZERO.get(spec.type, frozenset())
        unset = RESET_WHEN_UNSET.get(spec.type, _NO_RESETS)
        diffs = tuple(
            diff_inputs(
                inputs,
                rec.compared,
                d.ignore_changes,
                kept,
                json_paths,
                rec.outputs,
                sets,
                zero,
                unset,
            )
        )
        op: Op = "same"
        if diffs:
            op = "replace" if _replaces(d.replace_fields, diffs) else "update"
        if op == "replace":
            replaced.add(spec.key)
        steps.append(
            Step(
                urn=d.urn,
                op=op,
                type=spec.type,
                name=spec.name,
                custom=spec.custom,
                parent=d.parent_urn,
                inputs=inputs,
                diffs=diffs,
                app=d.app,
                client_id=client_id(rec),
                refused=op == "replace" and rec.protect and spec.protect,
            )
        )
    wanted = {d.urn for d in desired}
    for rec in reversed(before.resources):
        if (rec.urn in wanted and not rec.delete) or is_engine_resource(rec.type):
            continue
        parsed = parse_urn(rec.urn)
        steps.append(
            Step(
                urn=rec.urn,
                op="delete",
                type=rec.type,
                name=parsed.name if parsed else rec.urn,
                custom=rec.custom,
                parent=rec.parent,
                inputs=rec.inputs,
                app=_app_of(rec, recorded),
                client_id=client_id(rec),
                # a leftover of a replacement is deleted as part of it, never refused
                # (step_generator.go: NewDeleteReplacementStep, replacing)
                refused=rec.protect and not rec.delete,
            )
        )
    return steps


def change_summary(steps: Iterable[Step]) -> dict[str, int]:
    """Steps per op, as `pulumi preview --json` counts them (ops with none left out)."""
    counts = dict.fromkeys(OPS, 0)
    for s in steps:
        counts[s.op] += 1
    return {op: n for op, n in counts.items() if n}
