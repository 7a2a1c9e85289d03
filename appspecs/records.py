"""Value records: the project's dataclasses, immutable as the type checker sees them.

A record is a dataclass with slots, compared and hashed by its fields as a frozen one is, but
frozen for mypy (`mypy --strict`, which CI runs, refuses an assignment to a field) rather than
at run time. Python 3.11's frozen dataclass sets each field through `object.__setattr__` in its
`__init__`, three times the cost of a plain one (0.9 against 0.27 us for six fields), and
compiles two more methods per class at import: a plan of 1,000 apps makes some 50,000 records
(steps, resources, views, deltas), and those costs were about 7% of its time.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar, dataclass_transform

T = TypeVar("T")


# frozen_default is 3.12's parameter; 3.11's dataclass_transform takes it as one of its
# **kwargs, which is where type checkers read it from
@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: type[T]) -> type[T]:
    """`@dataclass(frozen=True, slots=True)`, frozen for the type checker only."""
    return dataclasses.dataclass(slots=True, unsafe_hash=True)(cls)
