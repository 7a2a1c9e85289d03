"""Turn pydantic's validation errors into findings that say what was found and what is accepted."""

from __future__ import annotations

import typing
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from appspecs.spec.finding import Finding
from appspecs.spec.yamlfile import Path as DataPath
from appspecs.text import printable

_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "list_type": "a list",
    "model_type": "a mapping",
    "dict_type": "a mapping",
}

# What a field accepts, in words, for the errors whose pydantic message only shows a regex.
_ACCEPTS = {
    "name": "3-40 characters of lowercase letters, digits and '-', starting with a letter and "
    "not ending with '-' (e.g. crm-sync)",
    "owner": "an email address, e.g. team@acme.example",
    "approved_by": "an email address, e.g. security@acme.example",
    "environments": "a stack name: lowercase letters, digits and '-' (e.g. dev, prod)",
    "digest": "'sha256:' and 64 lowercase hex digits, as printed by appspec approve",
    "label": "1-100 printable characters",
    "id": "a partner id: 3-40 characters of lowercase letters, digits and '-' (e.g. acme-analytics)",
    "partner": "a partner id: 3-40 characters of lowercase letters, digits and '-' (e.g. "
    "acme-analytics)",
    "app": "an app name: 3-40 characters of lowercase letters, digits and '-' (e.g. crm-sync)",
}


def _model_at(model: type[BaseModel], path: DataPath) -> type[BaseModel] | None:
    """The model that owns the field at `path`, for listing the fields it accepts."""
    current: type[BaseModel] = model
    for part in path:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        inner = first_model(field.annotation)
        if inner is None:
            return None
        current = inner
    return current


def first_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = first_model(arg)
        if found is not None:
            return found
    return None


def nearest_field(unknown: str, model: type[BaseModel]) -> str | None:
    """The field of ``model`` an unknown field's name is likely a misspelling of, if any."""
    import difflib  # here: only a misspelt field needs it

    near = difflib.get_close_matches(unknown, list(model.model_fields), n=1)
    return near[0] if near else None


def _mappings(model: type[BaseModel], at: DataPath = ()) -> list[tuple[DataPath, type[BaseModel]]]:
    """``model`` and every model nested in it as a mapping (not as a list's items), by path."""
    found: list[tuple[DataPath, type[BaseModel]]] = [(at, model)]
    for name, field in model.model_fields.items():
        inner = _mapping_model(field.annotation)
        if inner is not None:
            found += _mappings(inner, (*at, name))
    return found


def _mapping_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, tuple, dict):
        return None
    return next(filter(None, map(_mapping_model, typing.get_args(annotation))), None)


def field_home(
    unknown: str, model: type[BaseModel], at: DataPath, keys: Collection[DataPath]
) -> str | None:
    """Where a field of this name belongs when it stands in the wrong mapping (`kind:` written
    at the top level, not indented under `client:`): the one other mapping that has it, when
    that mapping does not hold it already (``keys``: every key the file holds, by path)."""
    if any(isinstance(p, int) for p in at):
        return None  # in a list's item: the top level of the item is not the file's
    homes = [p for p, m in _mappings(model) if unknown in m.model_fields and p != at]
    if len(homes) != 1 or (*homes[0], unknown) in keys:
        return None
    home = homes[0]
    where = f"under {'.'.join(map(str, home))}" if home else "at the top level"
    if home[: len(at)] == at:
        return f"it belongs {where}: indent it"
    return f"it belongs {where}: {'unindent' if at[: len(home)] == home else 'move'} it"


_DOCUMENT_KINDS = {
    str: "text",
    list: "a list",
    bool: "a boolean",
    int: "a number",
    float: "a number",
}


def document_kind(data: object) -> str:
    """What a file holds instead of a mapping, said by its kind, never its content: a file put
    in the wrong place may be a key or a token, and the message reaches pull-request comments."""
    return "an empty file" if data is None else _DOCUMENT_KINDS.get(type(data), "a value")


def describe(value: Any, raw: str | None) -> str:
    if isinstance(value, bool):
        shown = raw if raw is not None else str(value).lower()
        return f"boolean {shown} (YAML reads unquoted yes/no/on/off/true/false as booleans)"
    if value is None:
        return "nothing (null)"
    if isinstance(value, int | float):
        return f"number {raw if raw is not None else value}"
    if isinstance(value, str):
        value = printable(value)  # a line break or tab would break the one-line message
        return f"'{value}'" if len(value) <= 80 else f"'{value[:77]}...'"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    return type(value).__name__


def findings_from_validation(
    exc: ValidationError,
    model: type[BaseModel],
    raw: Mapping[DataPath, str],
    keys: Collection[DataPath] | None = None,
) -> list[Finding]:
    """``keys``: every key the data holds, by path, when known: a field written in the wrong
    mapping is said to belong in another only where that one does not hold it already."""
    findings: list[Finding] = []
    for error in exc.errors(include_url=False):
        path: DataPath = tuple(error["loc"])
        kind = error["type"]
        field = str(path[-1]) if path else ""
        if kind == "missing":
            findings.append(Finding("missing-field", path, f"required field '{field}' is missing"))
            continue
        if kind == "extra_forbidden":
            owner = _model_at(model, path[:-1])
            # A model may refuse some names with a diagnostic of their own (a private key member).
            refused: Mapping[str, tuple[str, str]] = getattr(owner, "refused_fields", {})
            if field in refused:
                code, message = refused[field]
                findings.append(Finding(code, path, message, at_key=True))
                continue
            accepted = ", ".join(owner.model_fields) if owner else "see the spec reference"
            home = field_home(field, model, path[:-1], keys) if keys is not None else None
            near = nearest_field(field, owner) if owner else None
            asked = f"did you mean '{near}'? " if near else ""
            did_you_mean = (f"{home}, or {asked}" if near else f"{home}; ") if home else asked
            findings.append(
                Finding(
                    "unknown-field",
                    path,
                    f"unknown field {describe(field, None)}; {did_you_mean}accepted: {accepted}",
                    at_key=True,
                )
            )
            continue
        findings.append(Finding("invalid-value", path, value_message(error, raw.get(path))))
    return findings


def value_message(error: ErrorDetails, raw: str | None) -> str:
    """What is wrong with a value pydantic refused, in the words every input file's errors
    use (specs, the catalog, approvals, partners, stack settings): what was found, as
    written (``raw``), and what is accepted."""
    kind = error["type"]
    path: DataPath = tuple(error["loc"])
    found = describe(error.get("input"), raw)
    if kind in _EXPECTED:
        hint = ""
        # a value written as nothing (`label:`) is no text to quote
        if kind == "string_type" and raw:
            hint = f"; quote it if you meant the text: '{raw}'"
        return f"expected {_EXPECTED[kind]}, found {found}{hint}"
    ctx = error.get("ctx", {})
    if kind in _LENGTH_BOUND and isinstance(error.get("input"), str):
        # a length bound that a constrained type (not `str` itself) carries: pydantic names it
        # as a list's ("at least 1 item after validation"); for text it counts characters
        kind = f"string_{kind}"
    if kind in _LENGTH_BOUND and isinstance(error.get("input"), list | dict):
        # pydantic's own words ("List should have at least 1 item after validation, not 0")
        # name its type and its pipeline, not what the field takes
        size = len(error["input"])
        found = f"{found} of {_items(size)}" if size else found
        wanted = f"{_LENGTH_BOUND[kind][1]} {_items(ctx.get(_LENGTH_BOUND[kind][0]))}"
        return f"{found} is not accepted; expected {wanted}"
    if kind in _NUMBER_BOUND and _NUMBER_BOUND[kind][0] in ctx:
        bound, words = _NUMBER_BOUND[kind]
        return f"{found} is not accepted; expected a number {words} {ctx[bound]}"
    if kind.startswith("string_") and _field_name(path) in _ACCEPTS:
        return f"{found} is not accepted; expected {_ACCEPTS[_field_name(path)]}"
    if kind in _TEXT_BOUND and _TEXT_BOUND[kind][0] in ctx:
        bound, words = _TEXT_BOUND[kind]
        count = ctx[bound]
        return f"{found} is not accepted; expected {words} {count} character{'s' * (count != 1)}"
    reason = error["msg"].removeprefix("Value error, ")
    reason = reason[0].lower() + reason[1:] if reason else reason
    return f"{found} is not accepted: {reason}"


_LENGTH_BOUND = {"too_short": ("min_length", "at least"), "too_long": ("max_length", "at most")}
_TEXT_BOUND = {
    "string_too_short": ("min_length", "at least"),
    "string_too_long": ("max_length", "at most"),
}
_NUMBER_BOUND = {
    "greater_than_equal": ("ge", "of at least"),
    "less_than_equal": ("le", "of at most"),
    "greater_than": ("gt", "over"),
    "less_than": ("lt", "under"),
}


def _items(count: object) -> str:
    return "1 item" if count == 1 else f"{count} items"


def _field_name(path: DataPath) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else ""
