"""What can still be checked of a spec that failed validation.

A type error in one field (``client: [web]``, ``scopes: "x"``) must not hide the problems of the
others, or a person fixes one error, runs again and meets the next. `partial_model` builds the
model from the fields that passed; each broken field holds a `Broken` stand-in, which ends any
rule that reads it (`Unchecked`): a rule that needs the field has nothing to say about it, as
its type error says it already, and a rule that does not need it runs as on a valid spec.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from appspecs.spec.yamlfile import Path as DataPath

M = TypeVar("M", bound=BaseModel)

_Error = tuple[tuple[str | int, ...], str]  # where, and pydantic's error type


class Unchecked(Exception):
    """A rule read a field that failed validation; the rule is left out for this spec."""


class Broken:
    """Stands for a field that failed validation: any use of it raises `Unchecked`.

    Every operation a rule may apply to a value (attributes, truth, iteration, membership,
    comparison, hashing, formatting, paths, arithmetic) refuses; only `is` cannot be refused,
    which is why findings on a broken field itself are dropped too (`broken_fields`).
    """

    __slots__ = ("path",)

    def __init__(self, path: DataPath) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"<broken {'.'.join(map(str, self.path))}>"


def _refuse(self: Broken, *args: object) -> NoReturn:
    raise Unchecked(self.path)


for _name in (
    "__getattr__",
    "__bool__",
    "__len__",
    "__iter__",
    "__reversed__",
    "__contains__",
    "__getitem__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__hash__",
    "__str__",
    "__format__",
    "__fspath__",
    "__index__",
    "__int__",
    "__float__",
    "__add__",
    "__radd__",
    "__mod__",
    "__rmod__",
    "__mul__",
    "__rmul__",
    "__sub__",
    "__rsub__",
):
    setattr(Broken, _name, _refuse)


def partial_model(
    model: type[M], data: Mapping[str, Any], broken: Sequence[DataPath] = ()
) -> M | None:
    """``data`` as ``model`` with every field that fails validation, and every field at or
    under a path of ``broken``, replaced by `Broken`; None when the whole of it is wrong (not a
    mapping, or an error of the model as a whole), or when it is valid after all."""
    errors: list[_Error] = [(tuple(loc), "broken") for loc in broken]
    try:
        model.model_validate(data, strict=True)
    except ValidationError as exc:
        errors += [(tuple(e["loc"]), e["type"]) for e in exc.errors(include_url=False)]
    if not errors or any(not loc for loc, _ in errors):
        return None
    return _construct(model, data, errors, ())


def readable_entries(
    data: object, key: str, model: type[M], *, partial: bool = True
) -> list[tuple[int, M]]:
    """The entries of the list under ``key`` in a file that failed validation, by index, that
    can still be checked: the valid ones, and (``partial``) the others as partial models, so
    that one run names the problems of every entry (a catalog scope's malformed value beside
    another's missing field), not only their type errors."""
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    out: list[tuple[int, M]] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        try:
            out.append((i, model.model_validate(entry, strict=True)))
        except ValidationError:
            if partial and (built := partial_model(model, entry)) is not None:
                out.append((i, built))
    return out


def _construct(
    model: type[M], data: Mapping[str, Any], errors: Sequence[_Error], at: DataPath
) -> M:
    from appspecs.spec.errors import first_model, nearest_field  # here: as in specfile.py

    # An unknown field may be a known one misspelt (`redirect_uri:`): the field its error
    # suggests is not known to be left out, so it is not taken at its default.
    misspelt = {
        near
        for loc, kind in errors
        if kind == "extra_forbidden" and len(loc) == 1
        if (near := nearest_field(str(loc[0]), model)) is not None and near not in data
    }
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        here: DataPath = (*at, name)
        under = [(loc[1:], kind) for loc, kind in errors if loc[:1] == (name,)]
        if name not in data:
            if under or name in misspelt:  # required and missing, or perhaps misspelt
                values[name] = Broken(here)
            continue  # its default
        value = data[name]
        inner = first_model(info.annotation)
        if not under:
            values[name] = _adapter(model, name).validate_python(value, strict=True)
        elif (
            inner is not None
            and isinstance(value, dict)
            and all(_in_fields(loc) for loc, _ in under)
        ):
            # a nested model with some fields wrong: keep its other fields
            values[name] = _construct(inner, value, under, here)
        else:
            values[name] = Broken(here)
    # Unknown fields (extra_forbidden) are left out: no rule reads them.
    return model.model_construct(**values)


def _in_fields(loc: tuple[str | int, ...]) -> bool:
    return bool(loc) and isinstance(loc[0], str)


_ADAPTERS: dict[tuple[type[BaseModel], str], TypeAdapter[Any]] = {}


def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    key = (model, name)
    if key not in _ADAPTERS:
        annotation = model.model_fields[name].annotation
        _ADAPTERS[key] = TypeAdapter(Any if annotation is None else annotation)
    return _ADAPTERS[key]


def broken_fields(model: BaseModel) -> list[DataPath]:
    """The paths of the `Broken` fields in a model from `partial_model` (none in a valid one)."""
    found: list[DataPath] = []
    for value in model.__dict__.values():
        if isinstance(value, Broken):
            found.append(value.path)
        elif isinstance(value, BaseModel):
            found += broken_fields(value)
    return found


def under_broken(path: DataPath, broken: Sequence[DataPath]) -> bool:
    """Whether ``path`` is a broken field or lies inside one: its type error speaks for it."""
    return any(path[: len(b)] == b for b in broken)
