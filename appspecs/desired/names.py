"""Names of Pulumi resources that the spec checks need too, apart from the resource graph: the
checks run on every `appspec validate`, which need not load the desired-state model."""

from __future__ import annotations


def scope_resource_name(value: str) -> str:
    """The Pulumi resource name of a catalog scope: two values alike here would be one URN."""
    return "scope-" + value.removeprefix("api:").replace(":", "-")
