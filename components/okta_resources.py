"""Turn one `ResourceSpec` of the desired resource graph into the matching pulumi_okta resource.

The graph (`appspecs.desired.resources`) already says every type, name, parent and input; this
module only resolves its placeholders to Outputs and calls the right constructor, so what the
components register is exactly what the planner predicts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_okta as okta

from appspecs.desired.resources import (
    GROUP_ASSIGNMENTS,
    OAUTH_APP,
    POLICY,
    RULE,
    SCOPE,
    SERVER,
    GroupId,
    Ref,
    ResourceSpec,
)


class GraphError(Exception):
    """The resource graph asks for something these components cannot build (a bug, not input)."""


class GroupLookup:
    """Okta group ids by name, each looked up once per program run and shared by every app."""

    def __init__(self) -> None:
        self._ids: dict[str, pulumi.Output[str]] = {}

    def id_of(self, name: str) -> pulumi.Output[str]:
        """The id of the group with this name (okta.group.get_group), looked up on first use."""
        found = self._ids.get(name)
        if found is None:
            # Looked up now, not as an Output: a wrong group stops the program before any
            # resource is registered with it.
            group = okta.group.get_group(name=name)
            found = pulumi.Output.from_input(_exactly_named(name, group.name, group.id))
            self._ids[name] = found
        return found

    @property
    def ids(self) -> dict[str, pulumi.Output[str]]:
        """Every group looked up so far, by name, in the order first asked for."""
        return dict(self._ids)


class GroupNotFound(pulumi.RunError):
    """No Okta group has the exact name a spec gives: the provider's lookup fell back to another."""


def _exactly_named(wanted: str, found: str | None, group_id: str) -> str:
    # The provider's lookup by name is Okta's prefix search: when no group has the exact name and
    # one starts with it, it returns that one with only a warning (data_source_okta_group.go), so
    # a spec naming `sales` would assign and grant `sales-ops`.
    if found != wanted:
        raise GroupNotFound(
            f"no Okta group is named '{wanted}' exactly: the lookup found '{found}', which only "
            f"starts with it; create the group '{wanted}' or name the group as it is in the spec"
        )
    return group_id


def resolve(value: Any, created: Mapping[str, pulumi.Resource], groups: GroupLookup) -> Any:
    """An input value with each Ref and GroupId replaced by the Output it stands for."""
    if isinstance(value, Ref):
        resource = created.get(value.key)
        if resource is None:
            raise GraphError(f"Ref to '{value.key}', which is not created before it in the graph")
        return getattr(resource, value.output)
    if isinstance(value, GroupId):
        return groups.id_of(value.name)
    if isinstance(value, Mapping):
        return {k: resolve(v, created, groups) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(v, created, groups) for v in value]
    return value


def _group_assignments(
    name: str, opts: pulumi.ResourceOptions, **inputs: Any
) -> okta.AppGroupAssignments:
    # The graph gives each group as a plain mapping; the constructor wants its args class.
    groups = [okta.AppGroupAssignmentsGroupArgs(**g) for g in inputs.pop("groups")]
    return okta.AppGroupAssignments(name, opts=opts, groups=groups, **inputs)


Constructor = Callable[..., pulumi.CustomResource]

CONSTRUCTORS: Mapping[str, Constructor] = {
    SERVER: okta.auth.Server,
    SCOPE: okta.auth.ServerScope,
    OAUTH_APP: okta.app.OAuth,
    POLICY: okta.auth.ServerPolicy,
    RULE: okta.auth.ServerPolicyRule,
    GROUP_ASSIGNMENTS: _group_assignments,
}

# The provider marks these secret already; saying so here keeps them secret should it ever stop.
SECRET_OUTPUTS: Mapping[str, tuple[str, ...]] = {OAUTH_APP: ("client_secret",)}


def resource_options(
    spec: ResourceSpec, parent: pulumi.Resource, created: Mapping[str, pulumi.Resource]
) -> pulumi.ResourceOptions:
    """The options one child of a component gets: its parent and what its ResourceSpec asks."""
    return pulumi.ResourceOptions(
        parent=parent,
        ignore_changes=list(spec.ignore_changes) or None,
        replace_on_changes=list(spec.replace_on_changes) or None,
        depends_on=[_created(key, spec, created) for key in spec.depends_on] or None,
        additional_secret_outputs=list(SECRET_OUTPUTS.get(spec.type, ())) or None,
        # None, not False: an unprotected child inherits its parent's (or the caller's) flag
        protect=True if spec.protect else None,
    )


def _created(
    key: str, spec: ResourceSpec, created: Mapping[str, pulumi.Resource]
) -> pulumi.Resource:
    resource = created.get(key)
    if resource is None:
        raise GraphError(f"'{spec.key}' depends on '{key}', which is not created before it")
    return resource


def create_resource(
    spec: ResourceSpec,
    created: Mapping[str, pulumi.Resource],
    groups: GroupLookup,
    opts: pulumi.ResourceOptions,
) -> pulumi.CustomResource:
    """Register the pulumi_okta resource one ResourceSpec describes."""
    constructor = CONSTRUCTORS.get(spec.type)
    if constructor is None or not spec.custom:
        raise GraphError(f"no pulumi_okta resource for '{spec.key}' of type '{spec.type}'")
    inputs = {k: resolve(v, created, groups) for k, v in spec.inputs.items()}
    if spec.created_after is not None:
        before = _created(spec.created_after, spec, created)
        inputs = {k: _once_created(before, v) for k, v in inputs.items()}
    return constructor(spec.name, opts=opts, **inputs)


def _once_created(before: pulumi.Resource, value: Any) -> Any:
    """A plain input value that resolves only once `before` exists, so the SDK registers the
    resource after it (in an update, a resource's outputs resolve when the engine has created
    it). No dependency is recorded: the chain of them would be checked for cycles recursively
    (see `appspecs.desired.resources.policy_chain`). Outputs are left as they are, with theirs."""
    if isinstance(value, pulumi.Output) or not isinstance(before, pulumi.CustomResource):
        return value
    ready = before.id.future()

    async def after() -> Any:
        # A failed create is reported with that resource; the next one goes on.
        with contextlib.suppress(Exception):
            await ready
        return value

    async def known() -> bool:
        return True

    return pulumi.Output(set(), asyncio.ensure_future(after()), asyncio.ensure_future(known()))


def child_options(
    component: pulumi.ComponentResource, caller: pulumi.ResourceOptions | None
) -> pulumi.ResourceOptions:
    """The caller's options for the component, passed on to its children under `parent`."""
    merged = pulumi.ResourceOptions.merge(caller, pulumi.ResourceOptions(parent=component))
    # These name the component itself; on a child they would point at the wrong resource.
    merged.aliases = None
    merged.id = None
    merged.import_ = None
    merged.urn = None
    # Children inherit these through their parent already; repeating them would apply them twice.
    merged.transformations = None
    merged.transforms = None
    return merged


def create_children(
    component: pulumi.ComponentResource,
    component_spec: ResourceSpec,
    children: Sequence[ResourceSpec],
    groups: GroupLookup,
    caller: pulumi.ResourceOptions | None,
    registered: dict[str, pulumi.Resource] | None = None,
) -> dict[str, pulumi.CustomResource]:
    """Create a component's resources in graph order; returns them by graph key.

    ``registered`` holds the resources of the whole program run by graph key (shared by every
    component), so a resource may refer to or depend on one of another component; this
    component's resources are added to it.
    """
    base = child_options(component, caller)
    everything = registered if registered is not None else {}
    created: dict[str, pulumi.CustomResource] = {}
    for spec in children:
        if spec.parent != component_spec.key:
            raise GraphError(
                f"'{spec.key}' belongs to '{spec.parent}', not to component '{component_spec.key}'"
            )
        opts = pulumi.ResourceOptions.merge(base, resource_options(spec, component, everything))
        created[spec.key] = create_resource(spec, everything, groups, opts)
        everything[spec.key] = created[spec.key]
    return created
