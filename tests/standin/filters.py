"""Okta's ``filter``/``search`` expressions: ``attr op "value"`` joined by ``and``/``or``.

Supported operators: ``eq``, ``ne``, ``sw`` (starts with), ``co`` (contains), ``gt``, ``ge``,
``lt``, ``le``, ``pr`` (present); parentheses group; ``and`` binds tighter than ``or``. Values
are double-quoted strings, ``true``/``false`` or numbers. As Okta documents it, operators are
case-insensitive everywhere, attribute names never, and string values only in ``search``
(``filter`` compares them exactly): the caller says which with ``caseless``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from tests.standin.errors import invalid_search

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<str>(?:[^"\\]|\\.)*)"|(?P<word>[A-Za-z0-9_.:$-]+))'
)
_OPS = {"eq", "ne", "sw", "co", "gt", "ge", "lt", "le", "pr"}
_ORDER = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise invalid_search(f"Unexpected text at {pos}: {text[pos : pos + 20]!r}")
        pos = m.end()
        if m.group("lp"):
            out.append(("(", None))
        elif m.group("rp"):
            out.append((")", None))
        elif m.group("str") is not None:
            out.append(("value", re.sub(r"\\(.)", r"\1", m.group("str"))))
        else:
            out.append(("word", m.group("word")))
    return out


def _lookup(obj: Any, attr: str) -> Any:
    for part in attr.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _compare(op: str, actual: Any, expected: Any, caseless: bool) -> bool:
    if op == "pr":
        return actual is not None
    if actual is None:
        return op == "ne"
    if isinstance(actual, str) and isinstance(expected, str):
        if caseless:
            actual, expected = actual.lower(), expected.lower()
    elif isinstance(actual, bool) or isinstance(expected, bool):
        return op in ("eq", "ne") and bool(actual == expected) == (op == "eq")
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "sw":
        return isinstance(actual, str) and actual.startswith(expected)
    if op == "co":
        return isinstance(actual, str) and expected in actual
    try:
        return bool(_ORDER[op](actual, expected))
    except TypeError:
        return False


class _Parser:
    def __init__(self, text: str, allowed: Callable[[str], bool], caseless: bool) -> None:
        self.toks = _tokens(text)
        self.pos = 0
        self.allowed = allowed
        self.caseless = caseless

    def peek(self) -> tuple[str, Any] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> tuple[str, Any]:
        tok = self.peek()
        if tok is None:
            raise invalid_search("Unexpected end of expression")
        self.pos += 1
        return tok

    def _keyword(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "word" and str(tok[1]).lower() == word

    def expr(self) -> Predicate:
        terms = [self.term()]
        while self._keyword("or"):
            self.pos += 1
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else (lambda o: any(t(o) for t in terms))

    def term(self) -> Predicate:
        factors = [self.factor()]
        while self._keyword("and"):
            self.pos += 1
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else (lambda o: all(f(o) for f in factors))

    def factor(self) -> Predicate:
        kind, value = self.take()
        if kind == "(":
            inner = self.expr()
            if self.take()[0] != ")":
                raise invalid_search("Missing )")
            return inner
        if kind != "word":
            raise invalid_search(f"Expected an attribute, got {value!r}")
        attr = value
        if not self.allowed(attr):
            raise invalid_search(f"Unsupported attribute: {attr}")
        op_kind, op = self.take()
        op = str(op).lower()
        if op_kind != "word" or op not in _OPS:
            raise invalid_search(f"Unsupported operator: {op}")
        expected: Any = None
        if op != "pr":
            v_kind, raw = self.take()
            if v_kind == "value":
                expected = raw
            elif v_kind == "word" and raw in ("true", "false"):
                expected = raw == "true"
            elif v_kind == "word" and re.fullmatch(r"-?\d+(\.\d+)?", raw):
                expected = float(raw) if "." in raw else int(raw)
            else:
                raise invalid_search(f"Bad value for {attr}: {raw!r}")
        caseless = self.caseless
        return lambda o: _compare(op, _lookup(o, attr), expected, caseless)


def parse(text: str, allowed: Callable[[str], bool], *, caseless: bool = False) -> Predicate:
    """A predicate over Okta JSON objects; raises 400 E0000031 on syntax Okta would reject."""
    parser = _Parser(text, allowed, caseless)
    pred = parser.expr()
    if parser.peek() is not None:
        raise invalid_search(f"Unexpected token: {parser.peek()}")
    return pred
