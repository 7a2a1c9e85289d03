"""A record compares, hashes, prints and pickles as `@dataclass(frozen=True, slots=True)` does."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from appspecs.records import record


@record
class Point:
    x: int
    label: str = ""
    tags: tuple[str, ...] = ()
    cache: int = dataclasses.field(default=0, compare=False, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class FrozenPoint:
    x: int
    label: str = ""
    tags: tuple[str, ...] = ()
    cache: int = dataclasses.field(default=0, compare=False, repr=False)


@record
class Nothing:
    pass


@record
class Masked:
    secret: str

    def __repr__(self) -> str:
        return "Masked(***)"


def test_equality_and_hash_follow_the_compared_fields_as_a_frozen_dataclass() -> None:
    pairs = [((1,), (1,)), ((1, "a"), (1, "b")), ((1, "a", ("t",)), (1, "a", ("t",)))]
    for left, right in pairs:
        assert (Point(*left) == Point(*right)) == (FrozenPoint(*left) == FrozenPoint(*right))
    assert Point(1, cache=1) == Point(1, cache=2)  # compare=False is left out
    assert hash(Point(1, cache=1)) == hash(Point(1, cache=2))
    assert len({Point(1, "a"), Point(1, "a"), Point(2, "a")}) == 2
    assert Point(1) != FrozenPoint(1) and Point(1).__eq__(FrozenPoint(1)) is NotImplemented
    assert Nothing() == Nothing() and hash(Nothing()) == hash(Nothing())


def test_repr_is_the_dataclass_s_and_a_class_s_own_is_kept() -> None:
    assert repr(Point(1, "a", ("t",), 9)) == "Point(x=1, label='a', tags=('t',))"
    assert repr(Point(1)).removeprefix("Point") == repr(FrozenPoint(1)).removeprefix("FrozenPoint")
    assert repr(Nothing()) == "Nothing()"
    assert repr(Masked("hunter2")) == "Masked(***)"  # a secret's masking is not replaced


def test_a_record_pickles_and_replaces_as_a_dataclass() -> None:
    point = Point(1, "a", ("t",), 3)
    assert pickle.loads(pickle.dumps(point)) == point
    assert dataclasses.replace(point, x=2) == Point(2, "a", ("t",))
    assert Point.__match_args__ == ("x", "label", "tags", "cache")
    assert not hasattr(point, "__dict__")  # slots


def test_a_record_with_its_own_hash_is_refused_as_dataclass_refuses_it() -> None:
    with pytest.raises(TypeError, match="__hash__"):

        @record
        class Hashed:
            x: int

            def __hash__(self) -> int:
                return 1
