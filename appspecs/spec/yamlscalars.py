"""How one YAML scalar is read: the tag YAML 1.1 gives it, and the value that tag makes.

The reader (yamlfile.py) resolves only the scalars that may be something else than text; the
rest stay the text they were written as. Tags are named in messages as they were likely written.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_RESOLVER = yaml.resolver.Resolver()
# first character -> [(tag, regexp)]; "" holds the resolvers of the empty scalar (null)
IMPLICIT: dict[str | None, list[tuple[str, Any]]] = {
    first: resolvers + _RESOLVER.yaml_implicit_resolvers.get(None, [])
    for first, resolvers in _RESOLVER.yaml_implicit_resolvers.items()
    if first is not None
}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STD = "tag:yaml.org,2002:"
STR = _STD + "str"
# The plain-scalar types YAML 1.1 resolves, and how each is named in messages.
_PLAIN_TAGS = {
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "null",
}
_ALLOWED_EXPLICIT = {STR, *_PLAIN_TAGS}
INT = _STD + "int"
# An integer as every reader of the file reads it. YAML 1.1 also reads `043200` as octal
# (18048), `0x1e`, `0b11110`, `1_0` and `12:00:00` (base 60) as integers: a token lifetime
# written so would be another number than the one on the page, or one YAML 1.2 reads as text.
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")


def _int_form(text: str) -> str:
    digits = text.lstrip("+-")
    if ":" in digits:
        return "a base-60 (sexagesimal) integer"
    if digits[:2] in ("0x", "0b"):
        return "a hexadecimal integer" if digits[1] == "x" else "a binary integer"
    if digits.startswith("0"):
        return "an octal integer (a leading 0)"
    return "an integer with underscores"


def short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def tag_as_written(tag: str) -> str:
    """A tag as it was likely written: `!!int` rather than `tag:yaml.org,2002:int`."""
    return short("!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag)


class BadScalar(Exception):
    """A scalar we will not read; the builder adds where it stands."""


def _resolve(value: str) -> str:
    """The tag YAML 1.1 gives a plain scalar: `Resolver.resolve` without its per-call overhead."""
    for tag, regexp in IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return STR


def scalar(event: yaml.ScalarEvent) -> Any:
    """Resolve a scalar as YAML 1.1 does, so that `no` is a boolean the schema can reject."""
    tag = event.tag
    if tag is None:
        if not event.implicit[0]:  # quoted or block text
            return event.value
        tag = _resolve(event.value)
    elif tag == "!":  # the non-specific tag: text, whatever it looks like
        return event.value
    elif tag not in _ALLOWED_EXPLICIT:
        raise BadScalar(f"YAML tag '{tag_as_written(tag)}' is not accepted")
    if tag not in _PLAIN_TAGS:
        # Timestamps and the like stay text: the models say which formats they accept.
        return event.value
    try:
        # the tag's own constructor: `construct_object` would keep every node in a memo
        construct = _CONSTRUCTOR.yaml_constructors[tag]
        value = construct(_CONSTRUCTOR, yaml.ScalarNode(tag, event.value))
    except (ValueError, KeyError, IndexError, OverflowError) as exc:
        # `!!int abc`, `!!bool maybe`, or an integer past Python's 4300-digit limit
        reason = "too many digits" if "digits" in str(exc) else "not written as one"
        raise BadScalar(
            f"'{short(event.value)}' cannot be read as {_PLAIN_TAGS[tag]} ({reason})"
        ) from None
    if tag == INT and not _DECIMAL.match(event.value):
        raise BadScalar(
            f"'{short(event.value)}' is {_int_form(event.value)} to YAML 1.1, read as "
            f"{short(str(value))}: write the number in decimal, or quote it if it is text"
        )
    return value
