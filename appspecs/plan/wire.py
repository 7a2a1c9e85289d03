"""Python names to wire names: what recorded state and `pulumi preview` call our inputs.

pulumi_okta's Args classes map `redirect_uris` to `redirectUris` and so on; every name we use
follows the plain snake_case to camelCase rule, which a test checks against those classes. The
plan does not import pulumi_okta itself: the import alone takes longer than a whole plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from appspecs.desired.resources import GroupId, Ref

# Resolves a placeholder to a value: a recorded output, or an Unknown.
Resolver = Callable[[Ref | GroupId], Any]

# Values every walk over inputs keeps as they are, and the diff compares with `==` when both
# sides have the same one of these types; checked by exact type: one set lookup instead of a
# call per value (most values are strings, numbers and booleans).
SCALARS = frozenset({str, bool, int, float, type(None)})


def same_scalar(new: Any, old: Any) -> bool:
    """Equal as the engine's diff finds two scalars: a boolean is no number, and numbers whole
    or not are alike (state and mocks hold numbers as floats: 60 as 60.0)."""
    if isinstance(new, bool) or isinstance(old, bool):
        return type(new) is type(old) and new == old
    if isinstance(new, int | float) and isinstance(old, int | float):
        return new == old
    return type(new) is type(old) and bool(new == old)


@cache
def wire_name(name: str) -> str:
    """`client_whitelists` -> `clientWhitelists`; names without underscores stay as they are."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wire_inputs(value: Any, resolver: Resolver | None = None) -> Any:
    """An input value with every mapping key in wire names, nested mappings included, and with
    a `resolver`, every placeholder resolved: what the engine compares. One walk does both (the
    plan's inputs are walked once, not once per step).

    Nested keys are translated too, as the SDK does for input types (e.g. the group entries of
    AppGroupAssignments); other values, and placeholders without a resolver, are kept as they
    are.
    """
    kind = type(value)
    if resolver is not None and (kind is Ref or kind is GroupId):
        return resolver(value)
    # dict and list first: `isinstance(x, Mapping)` is an ABC check, slow on the hot path
    if kind is dict or (kind is not list and isinstance(value, Mapping)):
        return {
            wire_name(k): v if type(v) in SCALARS else wire_inputs(v, resolver)
            for k, v in value.items()
        }
    if kind is list or kind is tuple:
        return [v if type(v) in SCALARS else wire_inputs(v, resolver) for v in value]
    if isinstance(value, list | tuple):
        return [wire_inputs(v, resolver) for v in value]
    return value
