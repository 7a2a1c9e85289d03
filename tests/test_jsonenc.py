"""The encoder built once writes what `json.JSONEncoder(**options).encode` writes."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from appspecs.jsonenc import compact_encoder

VALUES: list[Any] = [
    "plain",
    'naïve ☃ \u2028 \x00 "quoted" \\',
    {"b": 1, "a": [True, False, None, 1.5, -0.0, 10**20], "c": {"z": "é", "y": []}},
    [{"redirectUris": ["https://a.example/cb"], "profile": '{"appspecs":{}}'}],
    {"": {}, "1": [[], [{}]]},
    [math.inf, -math.inf],
    3,
    None,
]

OPTIONS: list[dict[str, Any]] = [
    {},
    {"ensure_ascii": False},
    {"sort_keys": True, "separators": (",", ":")},
    {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_the_same_text_as_the_stdlib_encoder(options: dict[str, Any]) -> None:
    encode = compact_encoder(**options)
    for value in VALUES:
        assert encode(value) == json.JSONEncoder(**options).encode(value)


def test_non_ascii_is_kept_only_when_asked() -> None:
    assert compact_encoder(ensure_ascii=False)("é") == '"é"'
    assert compact_encoder()("é") == '"\\u00e9"'


def test_an_error_leaves_the_encoder_usable() -> None:
    encode = compact_encoder(sort_keys=True)
    with pytest.raises(TypeError, match="not JSON serializable"):
        encode({"a": [object()]})
    # the containers of the failed call are no longer taken for ones being encoded
    assert encode({"a": [1]}) == '{"a": [1]}'


def test_a_circular_value_is_refused_as_the_stdlib_refuses_it() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        compact_encoder()(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        json.JSONEncoder().encode(loop)


def test_nan_is_refused_when_the_options_refuse_it() -> None:
    with pytest.raises(ValueError):
        compact_encoder(allow_nan=False)(math.nan)
    assert compact_encoder()(math.nan) == "NaN"


def test_without_the_c_encoder_it_is_the_stdlib_method(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    encode = compact_encoder(sort_keys=True)
    assert getattr(encode, "__self__", None).__class__ is json.JSONEncoder
    assert encode({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


def test_with_an_indent_it_is_the_stdlib_method() -> None:
    encode = compact_encoder(indent=2)
    assert encode({"a": 1}) == '{\n  "a": 1\n}'
