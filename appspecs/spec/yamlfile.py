"""Read one small YAML file into plain data plus the line and column of every value.

Built on parser events rather than `yaml.safe_load` because the checks need what the loader
throws away: where each value stands, repeated keys (YAML keeps the last one silently) and
anchors/aliases (refused: they allow exponential "billion laughs" documents).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # libyaml is several times faster; the pure-Python parser gives the same events
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 256 * 1024

Path = tuple[str | int, ...]
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STD = "tag:yaml.org,2002:"
_STR = _STD + "str"
# The plain-scalar types YAML 1.1 resolves, and how each is named in messages.
_PLAIN_TAGS = {
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "null",
}
_ALLOWED_EXPLICIT = {_STR, *_PLAIN_TAGS}
_CONTAINER_TAGS = (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_ScalarEvent = yaml.ScalarEvent
_MappingStart = yaml.MappingStartEvent
_SequenceStart = yaml.SequenceStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
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


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _tag(tag: str) -> str:
    """A tag as it was likely written: `!!int` rather than `tag:yaml.org,2002:int`."""
    return _short("!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag)


def _scalar(event: yaml.ScalarEvent, path: Path) -> Any:
    """Resolve a scalar as YAML 1.1 does, so that `no` is a boolean the schema can reject."""
    tag = event.tag
    if tag is None:
        if not event.implicit[0]:  # quoted or block text
            return event.value
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
    elif tag == "!":  # the non-specific tag: text, whatever it looks like
        return event.value
    elif tag not in _ALLOWED_EXPLICIT:
        raise _Refused(
            "yaml-syntax", event.start_mark, path, f"YAML tag '{_tag(tag)}' is not accepted"
        )
    if tag not in _PLAIN_TAGS:
        # Timestamps and the like stay text: the models say which formats they accept.
        return event.value
    try:
        # the tag's own constructor: `construct_object` would keep every node in a memo
        construct = _CONSTRUCTOR.yaml_constructors[tag]
        return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, event.value))
    except (ValueError, KeyError, IndexError, OverflowError) as exc:
        # `!!int abc`, `!!bool maybe`, or an integer past Python's 4300-digit limit
        reason = "too many digits" if "digits" in str(exc) else "not written as one"
        raise _Refused(
            "yaml-syntax",
            event.start_mark,
            path,
            f"'{_short(event.value)}' cannot be read as {_PLAIN_TAGS[tag]} ({reason})",
        ) from None


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
        self.firsts: dict[str, Position] = {}  # where each key of this mapping first appears


class _Builder:
    """Turns parser events into data and positions."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.stack: list[_Frame] = []
        self.documents = 0

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
        first = frame.firsts.get(key)
        if first is not None:
            doc.problems.append(
                Problem(
                    "duplicate-key",
                    key_pos,
                    path,
                    f"key '{_short(key)}' appears more than once in this mapping; "
                    f"first at line {first.line}",
                )
            )
            return path, False
        frame.firsts[key] = key_pos
        container[key] = value  # type: ignore[call-overload]
        if frame.attached:
            doc.keys[path] = key_pos
            doc.values[path] = key_pos if empty else pos
        return path, frame.attached

    def feed(self, event: Any) -> bool:
        """Take one event; False when reading should stop."""
        cls = type(event)
        stack = self.stack
        if cls in _ENDS:
            stack.pop()
            return True
        if cls is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self.doc.problems.append(
                    Problem(
                        "yaml-syntax",
                        _pos(event.start_mark),
                        (),
                        "a second YAML document ('---') was found; one file holds one document",
                    )
                )
                return False
            return True
        if cls is yaml.AliasEvent or getattr(event, "anchor", None) is not None:
            kind = "alias" if cls is yaml.AliasEvent else "anchor"
            raise _Refused(
                "yaml-alias",
                event.start_mark,
                self.target(),
                f"YAML {kind} '{_short(event.anchor)}' is not accepted: write the value out in full",
            )
        frame = stack[-1] if stack else None
        is_key = frame is not None and frame.is_map and frame.key is None
        if cls is _ScalarEvent:
            if is_key:
                assert frame is not None
                if event.tag not in (None, "!", _STR):
                    raise _Refused(
                        "yaml-syntax",
                        event.start_mark,
                        frame.path,
                        f"YAML tag '{_tag(event.tag)}' is not accepted on a key",
                    )
                frame.key = event.value
                frame.key_pos = _pos(event.start_mark)
                return True
            value = _scalar(event, self.target())
            empty = value is None and event.value == "" and event.tag is None
            path, recorded = self.place(value, _pos(event.start_mark), empty)
            if recorded and not isinstance(value, str):
                self.doc.raw[path] = event.value
            return True
        if cls is _MappingStart or cls is _SequenceStart:
            if is_key:
                raise _Refused(
                    "yaml-syntax",
                    event.start_mark,
                    self.target(),
                    "a mapping key must be plain text, not a list or mapping",
                )
            if event.tag not in _CONTAINER_TAGS:
                raise _Refused(
                    "yaml-syntax",
                    event.start_mark,
                    self.target(),
                    f"YAML tag '{_tag(event.tag)}' is not accepted",
                )
            container: dict[str, Any] | list[Any] = {} if cls is _MappingStart else []
            path, recorded = self.place(container, _pos(event.start_mark), False)
            stack.append(_Frame(container, path, recorded))
        return True


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


def read_yaml(text: str) -> YamlDocument:
    """Parse one YAML document. Problems are collected; `data` is None when unreadable."""
    doc = YamlDocument(data=None)
    builder = _Builder(doc)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if not builder.feed(event):
                break
    except _Refused as exc:
        doc.problems.append(exc.problem)
        doc.data = None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(mark) if mark is not None else Position(1, 1)
        reason = exc.problem or exc.context or "unreadable YAML"
        doc.problems.append(Problem("yaml-syntax", pos, (), f"YAML syntax error: {reason}"))
        doc.data = None
    except yaml.reader.ReaderError as exc:
        doc.problems.append(_reader_problem(exc, text))
        doc.data = None
    except yaml.YAMLError as exc:  # pragma: no cover - other errors carry a mark
        reason = " ".join(str(exc).split())
        doc.problems.append(Problem("yaml-syntax", Position(1, 1), (), f"unreadable YAML: {reason}"))
        doc.data = None
    return doc
