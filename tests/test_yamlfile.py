"""The YAML reader: data as YAML 1.1 reads it, positions, and what it refuses."""

from __future__ import annotations

import string
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from appspecs.spec.yamlfile import Position, read_yaml


def test_values_and_keys_have_their_positions() -> None:
    doc = read_yaml(
        "# comment\n"
        "name: crm-sync\n"
        "client:\n"
        "  kind: web\n"
        "  redirect_uris:\n"
        "    - https://a.example/cb\n"
        "scopes: [api:data:company, 'api:data:news']\n"
    )
    assert doc.problems == []
    assert doc.data == {
        "name": "crm-sync",
        "client": {"kind": "web", "redirect_uris": ["https://a.example/cb"]},
        "scopes": ["api:data:company", "api:data:news"],
    }
    assert doc.values[()] == Position(2, 1)
    assert doc.values[("name",)] == Position(2, 7)
    assert doc.keys[("client", "kind")] == Position(4, 3)
    assert doc.values[("client", "kind")] == Position(4, 9)
    assert doc.values[("client", "redirect_uris", 0)] == Position(6, 7)
    assert doc.values[("scopes", 1)] == Position(7, 28)


def test_a_value_written_as_nothing_stands_at_its_key() -> None:
    doc = read_yaml("name: x\nlabel:\nclient:\n  kind:\nscopes: ''\n")
    assert doc.data == {"name": "x", "label": None, "client": {"kind": None}, "scopes": ""}
    assert doc.values[("label",)] == Position(2, 1)
    assert doc.values[("client", "kind")] == Position(4, 3)
    # quoted empty text is a value, where it is written
    assert doc.values[("scopes",)] == Position(5, 9)


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    doc = read_yaml("name: x\nclient:\n  kind: web\n")
    assert doc.locate(("client", "redirect_uris", 3)) == Position(2, 1)
    assert doc.locate(("label",)) == Position(1, 1)
    assert doc.locate_key(("client", "kind")) == Position(3, 3)
    assert doc.locate_key(("client", "nope")) == Position(2, 1)


@pytest.mark.parametrize(
    ("text", "value", "raw"),
    [
        ("no", False, "no"),
        ("Yes", True, "Yes"),
        ("off", False, "off"),
        ("12", 12, "12"),
        ("-12", -12, "-12"),  # other forms YAML 1.1 reads as integers are refused: below
        ("1.5", 1.5, "1.5"),
        ("~", None, "~"),
        ("null", None, "null"),
        ("'no'", "no", None),
        ('"12"', "12", None),
        ("!!str 12", "12", None),
        ("! yes", "yes", None),
        ("!!bool true", True, "true"),
        ("2026-11-20", "2026-11-20", None),  # timestamps stay text; the models check formats
        ("api:data:company", "api:data:company", None),
    ],
)
def test_scalars_resolve_as_yaml_1_1(text: str, value: Any, raw: str | None) -> None:
    doc = read_yaml(f"v: {text}\n")
    assert doc.problems == []
    assert doc.data == {"v": value}
    assert type(doc.data["v"]) is type(value)
    assert doc.raw.get(("v",)) == raw


def test_keys_are_always_text() -> None:
    doc = read_yaml("1: a\ntrue: b\nnull: c\n")
    assert doc.data == {"1": "a", "true": "b", "null": "c"}


@pytest.mark.parametrize(
    ("text", "code", "position", "path", "message"),
    [
        ("a: 1\na: 2\n", "duplicate-key", (2, 1), ("a",), "first at line 1"),
        ("a:\n  b: 1\n  b: 2\n", "duplicate-key", (3, 3), ("a", "b"), "key 'b' appears more"),
        ("a: &x 1\n", "yaml-alias", (1, 4), ("a",), "YAML anchor 'x'"),
        ("a: [1, *x]\n", "yaml-alias", (1, 8), ("a", 1), "YAML alias 'x'"),
        ("&m {a: 1}\n", "yaml-alias", (1, 1), (), "YAML anchor 'm'"),
        ("a: !!binary aGk=\n", "yaml-syntax", (1, 4), ("a",), "YAML tag '!!binary'"),
        ("a: !!set {x}\n", "yaml-syntax", (1, 4), ("a",), "YAML tag '!!set'"),
        ("a: !local x\n", "yaml-syntax", (1, 4), ("a",), "YAML tag '!local'"),
        ("!!int 1: x\n", "yaml-syntax", (1, 1), (), "YAML tag '!!int' is not accepted on a key"),
        ("a: !!int x\n", "yaml-syntax", (1, 4), ("a",), "'x' cannot be read as an integer"),
        ("a: !!float x\n", "yaml-syntax", (1, 4), ("a",), "'x' cannot be read as a number"),
        ("a: !!bool maybe\n", "yaml-syntax", (1, 4), ("a",), "cannot be read as a boolean"),
        ("a: !!int\n", "yaml-syntax", (1, 4), ("a",), "'' cannot be read as an integer"),
        ("a: " + "9" * 5000 + "\n", "yaml-syntax", (1, 4), ("a",), "(too many digits)"),
        # integers YAML 1.1 reads as another number than the one written: refused, never read
        ("a: 043200\n", "yaml-syntax", (1, 4), ("a",), "'043200' is an octal integer (a leading"),
        ("a: 043200\n", "yaml-syntax", (1, 4), ("a",), "to YAML 1.1, read as 18048: write the"),
        ("a: 1_0\n", "yaml-syntax", (1, 4), ("a",), "'1_0' is an integer with underscores"),
        ("a: 0x1e\n", "yaml-syntax", (1, 4), ("a",), "'0x1e' is a hexadecimal integer"),
        ("a: -0b11\n", "yaml-syntax", (1, 4), ("a",), "'-0b11' is a binary integer to YAML 1.1"),
        ("a: 12:00:00\n", "yaml-syntax", (1, 4), ("a",), "a base-60 (sexagesimal) integer"),
        ("a: !!int 0x1e\n", "yaml-syntax", (1, 4), ("a",), "read as 30: write the number in dec"),
        ("? [a]\n: 1\n", "yaml-syntax", (1, 3), (), "a mapping key must be plain text"),
        ("a: 1\n---\nb: 2\n", "yaml-syntax", (2, 1), (), "a second YAML document"),
        # an unclosed bracket or quote: where it opens, and what libyaml was reading
        ("a: [1, 2\n", "yaml-syntax", (1, 4), (), "(while parsing a flow sequence at line 1"),
        ('a: "open\nb: 1\n', "yaml-syntax", (1, 4), (), "while scanning a quoted scalar"),
        ("a:\n\tb: 1\n", "yaml-syntax", (2, 1), (), "(a tab: YAML indents with spaces)"),
        ("a: x\x07\n", "yaml-syntax", (1, 5), (), "character #x0007 is not accepted"),
        ("a: é\x7f\n", "yaml-syntax", (1, 5), (), "character #x007f"),
    ],
)
def test_problems_say_what_and_where(
    text: str, code: str, position: tuple[int, int], path: tuple[Any, ...], message: str
) -> None:
    doc = read_yaml(text)
    assert len(doc.problems) >= 1
    problem = doc.problems[0]
    assert (problem.code, tuple(problem.position), problem.path) == (code, position, path)
    assert message in problem.message
    if code in ("yaml-alias", "yaml-syntax") and "second" not in message:
        assert doc.data is None


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), ("-0", 0), ("+60", 60), ("43200", 43200), ("'043200'", "043200")]
)
def test_an_integer_written_in_decimal_or_quoted_text_is_read(text: str, value: Any) -> None:
    doc = read_yaml(f"a: {text}\n")
    assert (doc.problems, doc.data) == ([], {"a": value})


def test_every_repeated_key_is_reported_and_the_first_value_kept() -> None:
    doc = read_yaml("a: 1\nb: {x: 1}\nb: {y: 2, y: 3}\na: 4\n")
    assert [(p.code, p.path, tuple(p.position)) for p in doc.problems] == [
        ("duplicate-key", ("b",), (3, 1)),
        ("duplicate-key", ("b", "y"), (3, 11)),
        ("duplicate-key", ("a",), (4, 1)),
    ]
    assert doc.data == {"a": 1, "b": {"x": 1}}
    # the repeated block's contents do not overwrite the first block's positions
    assert doc.values[("b", "x")] == Position(2, 8)
    assert ("b", "y") not in doc.values


def test_a_billion_laughs_is_refused_at_once() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    doc = read_yaml("\n".join(lines) + "\n")
    assert [p.code for p in doc.problems] == ["yaml-alias"]
    assert doc.data is None


def test_empty_and_comment_only_files_hold_no_data() -> None:
    for text in ("", "# only a comment\n", "---\n"):
        doc = read_yaml(text)
        assert doc.problems == []
        assert doc.data is None


def test_a_byte_order_mark_is_accepted() -> None:
    doc = read_yaml("\ufeffname: x\n")
    assert doc.problems == []
    assert doc.data == {"name": "x"}
    assert doc.values[("name",)] == Position(1, 7)


# ---------------------------------------------------------------- same data as PyYAML

_text = st.text(alphabet=string.ascii_letters + string.digits + " -_:./@'\"#", max_size=12)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    _text,
    st.sampled_from(["yes", "No", "on", "OFF", "~", "null", "0x1f", "0o17", "1_000", "1e3"]),
)
_documents = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(_text, inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(data=_documents, flow=st.sampled_from([None, True, False]))
def test_reads_the_same_data_as_pyyaml(data: Any, flow: bool | None) -> None:
    """Without anchors, tags, timestamps or repeated keys, our reader and safe_load agree."""
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    expected = yaml.safe_load(text)
    doc = read_yaml(text)
    assert doc.problems == []
    assert doc.data == expected
    _assert_every_value_located(doc.data, (), doc.values)


def _assert_every_value_located(value: Any, path: tuple[Any, ...], values: dict[Any, Any]) -> None:
    assert path in values, path
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in items:
        _assert_every_value_located(child, (*path, key), values)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "éß€", max_size=20))
@example("\n?")  # a second, empty key: not a value to compare
def test_plain_scalars_resolve_like_pyyaml(text: str) -> None:
    """Our shortcut through the resolver gives what PyYAML's own resolver gives."""
    if text.lstrip().startswith("!"):
        return  # `! x` is text, as YAML says; PyYAML resolves it like a plain scalar
    source = f"v: {text}\n"
    try:
        expected = yaml.load(source, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError, KeyError, IndexError):
        return
    doc = read_yaml(source)
    if doc.problems or not isinstance(expected, dict) or list(expected) != ["v"]:
        # a line break in `text` can start keys of its own: keys are kept as written text on
        # purpose (field names), so only the one value is compared
        return
    value = expected.get("v")
    if not isinstance(value, bool | int | float | type(None) | str):
        return  # timestamps: we keep them as text on purpose
    assert doc.data == expected
