"""Value records: the project's dataclasses, immutable as the type checker sees them.

A record is a dataclass with slots, compared and hashed by its fields as a frozen one is, but
frozen for mypy (`mypy --strict`, which CI runs, refuses an assignment to a field) rather than
at run time. Python 3.11's frozen dataclass sets each field through `object.__setattr__` in its
`__init__`, three times the cost of a plain one (0.9 against 0.27 us for six fields), and
compiles two more methods per class at import: a plan of 1,000 apps makes some 50,000 records
(steps, resources, views, deltas), and those costs were about 7% of its time.

Only `__init__` is the dataclass's own, compiled for each class (it is what runs 50,000
times). `__eq__`, `__hash__` and `__repr__` are the same few functions for every record, over
an `attrgetter` of its fields: compiling them for each of some 80 classes was half of what
importing the project cost a plan (20 of 60 ms), for methods a run calls rarely or, for
equality and hashing, as fast through the getter.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The named fields of a record, as a tuple (attrgetter returns a lone one bare)."""
    if not names:
        return lambda _: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _methods(cls: type) -> dict[str, Any]:
    """The dataclass's __eq__, __hash__ and __repr__, as `dataclass(unsafe_hash=True)` makes
    them: by the fields with compare (hash, when it is set), repr."""
    fields = dataclasses.fields(cls)
    compared = _getter([f.name for f in fields if f.compare])
    hashed = _getter([f.name for f in fields if (f.compare if f.hash is None else f.hash)])
    shown = [f.name for f in fields if f.repr]

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"

    return {"__eq__": __eq__, "__hash__": __hash__, "__repr__": __repr__}


# frozen_default is 3.12's parameter; 3.11's dataclass_transform takes it as one of its
# **kwargs, which is where type checkers read it from
@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: type[T]) -> type[T]:
    """`@dataclass(frozen=True, slots=True)`, frozen for the type checker only."""
    body = cls.__dict__
    # as dataclass(unsafe_hash=True): a __hash__ of the class's own is refused, and an __eq__
    # or __repr__ of its own kept (a Python-made `__hash__ = None` beside an __eq__ is none)
    if "__hash__" in body and not (body["__hash__"] is None and "__eq__" in body):
        raise TypeError(f"Cannot overwrite attribute __hash__ in class {cls.__name__}")
    own = {name for name in ("__eq__", "__repr__") if name in body}
    made: type[T] = dataclasses.dataclass(slots=True, eq=False, repr=False)(cls)
    for name, method in _methods(made).items():
        if name not in own:
            method.__qualname__ = f"{made.__qualname__}.{name}"
            setattr(made, name, method)
    return made
