"""Read one small YAML file into plain data plus the line and column of every value.

Built on parser events rather than `yaml.safe_load` because the checks need what the loader
throws away: where each value stands, repeated keys (YAML keeps the last one silently) and
anchors/aliases (refused: they allow exponential "billion laughs" documents). What a scalar
reads as (`no` -> False) is yamlscalars.py's part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from appspecs.records import record
from appspecs.spec.yamlscalars import IMPLICIT, STR, BadScalar, scalar, short, tag_as_written

try:  # libyaml is several times faster; the pure-Python parser gives the same events
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

Path = tuple[str | int, ...]
_CONTAINER_TAGS = (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_ScalarEvent = yaml.ScalarEvent
_MappingStart = yaml.MappingStartEvent
_SequenceStart = yaml.SequenceStartEvent
_MappingEnd = yaml.MappingEndEvent
_SequenceEnd = yaml.SequenceEndEvent


class Position(NamedTuple):
    """1-based line and column. A named tuple: one is made for every key and value read."""

    line: int
    column: int


@record
class Problem:
    """A problem found while reading, before any schema check."""

    code: str
    position: Position
    path: Path
    message: str


@dataclass(slots=True)
class YamlDocument:
    """The data of one file with the position of each value and of each mapping key.

    A value written as nothing (`label:`) stands at its key: there is no value to point at.
    """

    data: Any
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)
    # the source text of plain scalars YAML read as something else than text (`no` -> False)
    raw: dict[Path, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def locate(self, path: Path) -> Position:
        """Where the value at `path` is; for a missing value, its nearest present ancestor's key."""
        if path in self.values:
            return self.values[path]
        for end in range(len(path) - 1, 0, -1):
            ancestor = path[:end]
            if ancestor in self.keys:
                return self.keys[ancestor]
            if ancestor in self.values:
                return self.values[ancestor]
        return self.values.get((), Position(1, 1))

    def locate_key(self, path: Path) -> Position:
        """Where the key of the mapping entry at `path` is (for unknown fields), else `locate`."""
        return self.keys.get(path) or self.locate(path)


def _pos(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


class _Refused(Exception):
    """Something in the file we will not read further; becomes one problem."""

    def __init__(self, code: str, mark: Any, path: Path, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(code, _pos(mark), path, message)


class _Frame:
    """A mapping or list being filled; `attached` is False under a repeated key's value."""

    __slots__ = ("attached", "container", "firsts", "is_map", "key", "key_pos", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: Path, attached: bool) -> None:
        self.container = container
        self.path = path
        self.attached = attached
        self.is_map = isinstance(container, dict)
        self.key: str | None = None
        self.key_pos: Position | None = None
        # where each key first appears, for a mapping whose positions are not recorded
        self.firsts: dict[str, Position] = {}


class _Builder:
    """Turns parser events into data and positions."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.stack: list[_Frame] = []

    def target(self) -> Path:
        """The path the next value would take, for problems found before placing it."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if not frame.is_map:
            return (*frame.path, len(frame.container))
        return frame.path if frame.key is None else (*frame.path, frame.key)

    def place(self, value: Any, pos: Position, empty: bool) -> tuple[Path, bool]:
        """Put a value where the parser is; returns its path and whether it is recorded."""
        doc = self.doc
        if not self.stack:
            doc.data = value
            doc.values[()] = pos
            return (), True
        frame = self.stack[-1]
        container = frame.container
        if not frame.is_map:
            path = (*frame.path, len(container))
            container.append(value)  # type: ignore[union-attr]
            if frame.attached:
                doc.values[path] = pos
            return path, frame.attached
        key = frame.key
        key_pos = frame.key_pos
        assert key is not None and key_pos is not None
        frame.key = None
        path = (*frame.path, key)
        if key in container:
            first = doc.keys[path] if frame.attached else frame.firsts[key]
            doc.problems.append(
                Problem(
                    "duplicate-key",
                    key_pos,
                    path,
                    f"key '{short(key)}' appears more than once in this mapping; "
                    f"first at line {first.line}",
                )
            )
            return path, False
        container[key] = value  # type: ignore[call-overload]
        if frame.attached:
            doc.keys[path] = key_pos
            doc.values[path] = key_pos if empty else pos
        else:
            frame.firsts[key] = key_pos
        return path, frame.attached

    def refuse_special(self, event: Any) -> None:
        """Raise for what the data may not hold: anchors, aliases, tags, lists or maps as keys."""
        cls = type(event)
        if cls is yaml.AliasEvent or event.anchor is not None:
            kind = "alias" if cls is yaml.AliasEvent else "anchor"
            raise _Refused(
                "yaml-alias",
                event.start_mark,
                self.target(),
                f"YAML {kind} '{short(event.anchor)}' is not accepted: write the value out in full",
            )
        frame = self.stack[-1] if self.stack else None
        is_key = frame is not None and frame.is_map and frame.key is None
        if is_key and cls is not _ScalarEvent:
            raise _Refused(
                "yaml-syntax",
                event.start_mark,
                self.target(),
                "a mapping key must be plain text, not a list or mapping",
            )
        if cls is _ScalarEvent:
            if is_key and event.tag not in (None, "!", STR):
                raise _Refused(
                    "yaml-syntax",
                    event.start_mark,
                    self.target(),
                    f"YAML tag '{tag_as_written(event.tag)}' is not accepted on a key",
                )
        elif event.tag not in _CONTAINER_TAGS:
            raise _Refused(
                "yaml-syntax",
                event.start_mark,
                self.target(),
                f"YAML tag '{tag_as_written(event.tag)}' is not accepted",
            )

    def run(self, text: str) -> None:
        """Read every event of `text`; raises `_Refused` or a YAML error on what it cannot take."""
        parser = _Parser(text)
        try:
            self._walk(parser.get_event)
        finally:
            parser.dispose()

    def _walk(self, next_event: Any) -> None:
        # One loop over every event of every file: the hot path of `appspec validate` (a spec
        # is some 35 events), kept to a few operations per event. Values in a recorded mapping
        # or list, the common case, are placed here; the rest (the top value, repeated keys,
        # values under a repeated key) go through `place`, and rare events (anchors, tags) to
        # `refuse_special`.
        doc = self.doc
        stack = self.stack
        values = doc.values
        keys = doc.keys
        raw = doc.raw
        place = self.place
        new_position = tuple.__new__  # a Position without the named tuple's Python-level __new__
        documents = 0
        frame: _Frame | None = None  # stack[-1]
        event: Any  # libyaml's events: attributes differ by class, checked by `cls`
        while (event := next_event()) is not None:
            cls = event.__class__
            if cls is _ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    self.refuse_special(event)
                mark = event.start_mark
                pos = new_position(Position, (mark.line + 1, mark.column + 1))
                value = event.value
                if frame is not None and frame.is_map and frame.key is None:
                    frame.key = value
                    frame.key_pos = pos
                    continue
                text = value
                if event.tag is not None or (event.implicit[0] and value[:1] in IMPLICIT):
                    # may be something else than text: resolve it (most scalars skip this)
                    try:
                        value = scalar(event)
                    except BadScalar as exc:
                        raise _Refused("yaml-syntax", mark, self.target(), str(exc)) from None
                if frame is None or not frame.attached:
                    empty = value is None and event.tag is None and text == ""
                    path, recorded = place(value, pos, empty)
                    if recorded and value.__class__ is not str:
                        raw[path] = text
                    continue
                container: Any = frame.container
                if frame.is_map:
                    key: Any = frame.key
                    if key in container:
                        place(value, pos, False)  # reports the repeated key
                        continue
                    frame.key = None
                    path = (*frame.path, key)
                    container[key] = value
                    key_pos: Any = frame.key_pos
                    keys[path] = key_pos
                    if value is None and text == "" and event.tag is None:
                        pos = key_pos
                else:
                    path = (*frame.path, len(container))
                    container.append(value)
                values[path] = pos
                if value.__class__ is not str:
                    raw[path] = text
            elif cls is _MappingEnd or cls is _SequenceEnd:
                stack.pop()
                frame = stack[-1] if stack else None
            elif cls is _MappingStart or cls is _SequenceStart:
                if (
                    event.anchor is not None
                    or event.tag is not None
                    or (frame is not None and frame.is_map and frame.key is None)
                ):
                    self.refuse_special(event)
                new: dict[str, Any] | list[Any] = {} if cls is _MappingStart else []
                path, recorded = place(new, _pos(event.start_mark), False)
                frame = _Frame(new, path, recorded)
                stack.append(frame)
            elif cls is yaml.AliasEvent:
                self.refuse_special(event)
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    doc.problems.append(
                        Problem(
                            "yaml-syntax",
                            _pos(event.start_mark),
                            (),
                            "a second YAML document ('---') was found; one file holds one document",
                        )
                    )
                    return


def _reader_problem(exc: yaml.reader.ReaderError, text: str) -> Problem:
    """A bad character: libyaml gives its offset in UTF-8 bytes; people want line and column."""
    head = text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore")
    line = head.count("\n") + 1
    column = len(head) - (head.rfind("\n") + 1) + 1
    character = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return Problem(
        "yaml-syntax",
        Position(line, column),
        (),
        f"YAML syntax error: character #x{character:04x} is not accepted ({exc.reason})",
    )


def _char_at(text: str, pos: Position) -> str:
    lines = text.split("\n", pos.line)
    line = lines[pos.line - 1] if len(lines) >= pos.line else ""
    return line[pos.column - 1 : pos.column]


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> tuple[Position, str]:
    """Where a syntax error is, and what it is. libyaml names the problem and what it was
    reading ("while scanning a quoted scalar", where that began): both are said, and an error
    at the end of the file (an unclosed quote or bracket) points where the unclosed part
    begins, not past the last line."""
    problem, context = exc.problem_mark, exc.context_mark
    mark = problem or context
    pos = _pos(mark) if mark is not None else Position(1, 1)
    reason = exc.problem or exc.context or "unreadable YAML"
    if exc.problem and exc.context and context is not None and _pos(context) != pos:
        began = _pos(context)
        reason += f" ({exc.context} at line {began.line}, column {began.column})"
        if problem is not None and not text[problem.index :].strip():
            pos = began
    if _char_at(text, pos) == "\t":
        reason += " (a tab: YAML indents with spaces)"
    elif (
        exc.problem is not None
        and exc.problem.startswith(_INDENTATION_PROBLEMS)
        and _indent_changes(text, pos.line)
    ):
        # what libyaml says of a line indented too much or too little, which it notices only
        # at a later line (a field moved out from under `client:` breaks the line after it)
        reason += (
            f"; check the indentation of line {pos.line} and the lines above it: the fields of "
            "a mapping line up, indented under the field they belong to"
        )
    return pos, reason


def _indent_changes(text: str, line: int) -> bool:
    """Whether ``line`` is indented otherwise than the line of content before it: only then is
    the error one of indentation (not `a: b: c` or text after a closing quote)."""
    lines = text.splitlines()[:line]
    if not lines:
        return False
    here = lines[-1]
    before = [s for s in lines[:-1] if s.strip() and not s.lstrip().startswith("#")]
    if not before:
        return False

    def indent(s: str) -> int:
        return len(s) - len(s.lstrip(" -"))

    return indent(here) != indent(before[-1])


_INDENTATION_PROBLEMS = (
    "mapping values are not allowed",
    "did not find expected key",
    "did not find expected '-' indicator",
    "expected <block end>",
)


def read_yaml(text: str) -> YamlDocument:
    """Parse one YAML document. Problems are collected; `data` is None when unreadable."""
    doc = YamlDocument(data=None)
    try:
        _Builder(doc).run(text)
    except _Refused as exc:
        doc.problems.append(exc.problem)
        doc.data = None
    except yaml.MarkedYAMLError as exc:
        pos, reason = _syntax_problem(exc, text)
        doc.problems.append(Problem("yaml-syntax", pos, (), f"YAML syntax error: {reason}"))
        doc.data = None
    except yaml.reader.ReaderError as exc:
        doc.problems.append(_reader_problem(exc, text))
        doc.data = None
    except yaml.YAMLError as exc:  # pragma: no cover - other errors carry a mark
        reason = " ".join(str(exc).split())
        doc.problems.append(
            Problem("yaml-syntax", Position(1, 1), (), f"unreadable YAML: {reason}")
        )
        doc.data = None
    return doc
