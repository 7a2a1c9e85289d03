"""URNs as the Pulumi engine writes them in state (not as mocks make them up).

`urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified type is the chain
of parent types joined by `$`, leaving out the root stack's type: mocks put
`pulumi:pulumi:Stack$` in front, real state does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from appspecs.desired.resources import ResourceSpec
from appspecs.records import record

PREFIX = "urn:pulumi:"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"


@record
class Urn:
    """The parts of a URN."""

    stack: str
    project: str
    qualified_type: str
    name: str

    @property
    def type(self) -> str:
        """The resource's own type: the last link of the qualified type."""
        return self.qualified_type.rsplit("$", 1)[-1]


def nesting(urn: str) -> int:
    """How many components a resource sits under: the `$` links of its qualified type."""
    parsed = parse_urn(urn)
    return parsed.qualified_type.count("$") if parsed is not None else 0


def make_urn(stack: str, project: str, types: Sequence[str], name: str) -> str:
    """The URN of a resource whose parent chain (outermost first, root stack left out) is `types`."""
    return f"{PREFIX}{stack}::{project}::{'$'.join(types)}::{name}"


def parse_urn(urn: str) -> Urn | None:
    """The parts of a URN, or None when it is not one. Names may themselves contain `::`."""
    parts = urn_parts(urn)
    return Urn(*parts) if parts is not None else None


def urn_parts(urn: str) -> list[str] | None:
    """Stack, project, qualified type and name of a URN, or None when it is not one: what
    `parse_urn` holds, without an object per URN (state is read thousands of URNs at a time)."""
    if not urn.startswith(PREFIX):
        return None
    parts = urn[len(PREFIX) :].split("::", 3)
    if len(parts) != 4 or not all(parts[:3]):
        return None
    return parts


def root_stack_urn(stack: str, project: str) -> str:
    """The root stack resource, named `<project>-<stack>` by the Python SDK."""
    return make_urn(stack, project, [ROOT_STACK_TYPE], f"{project}-{stack}")


def is_engine_resource(type_: str) -> bool:
    """The root stack and providers: the engine's own, never planned for deletion here."""
    return type_ == ROOT_STACK_TYPE or type_.startswith(PROVIDER_TYPE_PREFIX)


def graph_urns(resources: Sequence[ResourceSpec], stack: str, project: str) -> dict[str, str]:
    """Resource key -> URN, for a graph listed parents before children."""
    chains: dict[str, list[str]] = {}
    urns: dict[str, str] = {}
    by_key: Mapping[str, ResourceSpec] = {r.key: r for r in resources}
    for r in resources:
        if r.parent is not None and r.parent not in chains:
            where = "an unknown" if r.parent not in by_key else "a later"
            raise ValueError(f"resource '{r.key}' names {where} parent '{r.parent}'")
        chain = [*(chains[r.parent] if r.parent is not None else []), r.type]
        chains[r.key] = chain
        urns[r.key] = make_urn(stack, project, chain, r.name)
    return urns
