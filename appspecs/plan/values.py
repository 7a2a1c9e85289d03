"""Values the plan compares and prints: unknowns, absent values, and how each is shown."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from appspecs.desired.resources import GroupId, Ref
from appspecs.plan.state import Secret
from appspecs.records import record


class _Absent:
    """An input that is not set on one side of a comparison."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Final = _Absent()

UNKNOWN_TEXT = "output<string>"
SECRET_TEXT = "[secret]"


@record
class Unknown:
    """A value known only after apply, like Pulumi's `output<string>`.

    `fresh`: it comes from a resource that does not exist yet, so it cannot equal any recorded
    value. `excludes`: values it is known not to be (the ids of other groups).
    """

    placeholder: Ref | GroupId
    urn: str | None = None  # the resource a Ref points to
    output: str | None = None  # the wire name of that resource's output
    fresh: bool = False
    excludes: frozenset[str] = frozenset()


def display(value: Any) -> str:
    """A value for people: JSON-like, secrets as [secret], unknowns as output<string>."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, Secret):
        return SECRET_TEXT
    if isinstance(value, Unknown):
        if isinstance(value.placeholder, GroupId):
            return f"{UNKNOWN_TEXT} (id of group {json.dumps(value.placeholder.name)})"
        return UNKNOWN_TEXT
    if isinstance(value, Mapping):
        inner = ", ".join(f"{json.dumps(k)}: {display(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(display(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def to_json(value: Any) -> Any:
    """A value for the JSON report: secrets as "[secret]", unknowns as an object saying whence."""
    if value is ABSENT:
        return None
    if isinstance(value, Secret):
        return SECRET_TEXT
    if isinstance(value, Unknown):
        placeholder = value.placeholder
        if isinstance(placeholder, GroupId):
            return {"unknown": UNKNOWN_TEXT, "group": placeholder.name}
        return {"unknown": UNKNOWN_TEXT, "urn": value.urn, "output": value.output}
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value
