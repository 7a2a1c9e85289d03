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
_PLAIN_TAGS = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:null",
}
_ALLOWED_EXPLICIT = {"tag:yaml.org,2002:str", *_PLAIN_TAGS}


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
    """The data of one file with the position of each value and of each mapping key."""

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


def _pos(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _scalar(event: yaml.ScalarEvent) -> Any:
    """Resolve a scalar as YAML 1.1 does, so that `no` is a boolean the schema can reject."""
    if event.tag not in (None, "!"):
        if event.tag not in _ALLOWED_EXPLICIT:
            raise _TagError(event.tag)
        tag = event.tag
    elif event.implicit[0]:
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
    else:
        return event.value
    if tag not in _PLAIN_TAGS:
        # Timestamps and the like stay text: the models say which formats they accept.
        return event.value
    node = yaml.ScalarNode(tag, event.value)
    return _CONSTRUCTOR.construct_object(node, deep=True)


class _TagError(Exception):
    def __init__(self, tag: str) -> None:
        super().__init__(tag)
        self.tag = tag


class _Frame:
    __slots__ = ("container", "key", "key_pos", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: Path) -> None:
        self.container = container
        self.path = path
        self.key: str | None = None
        self.key_pos: Position | None = None


def read_yaml(text: str) -> YamlDocument:
    """Parse one YAML document. Problems are collected; `data` is None when unreadable."""
    doc = YamlDocument(data=None)
    stack: list[_Frame] = []
    root_set = False
    documents = 0

    def place(value: Any, pos: Position) -> Path | None:
        nonlocal root_set
        if not stack:
            doc.data = value
            root_set = True
            doc.values[()] = pos
            return ()
        frame = stack[-1]
        if isinstance(frame.container, list):
            path = (*frame.path, len(frame.container))
            frame.container.append(value)
            doc.values[path] = pos
            return path
        assert frame.key is not None and frame.key_pos is not None
        path = (*frame.path, frame.key)
        if frame.key in frame.container:
            doc.problems.append(
                Problem(
                    "duplicate-key",
                    frame.key_pos,
                    path,
                    f"key '{frame.key}' appears more than once in this mapping; "
                    f"first at line {doc.keys[path].line}",
                )
            )
        else:
            frame.container[frame.key] = value
            doc.keys[path] = frame.key_pos
            doc.values[path] = pos
        frame.key = None
        frame.key_pos = None
        return path

    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.DocumentStartEvent):
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
                    break
                continue
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
                doc.problems.append(
                    Problem(
                        "yaml-alias",
                        _pos(event.start_mark),
                        stack[-1].path if stack else (),
                        f"YAML {kind} '{anchor}' is not accepted: write the value out in full",
                    )
                )
                doc.data = None
                return doc
            is_key = bool(stack) and isinstance(stack[-1].container, dict) and stack[-1].key is None
            if isinstance(event, yaml.ScalarEvent):
                if is_key:
                    stack[-1].key = event.value
                    stack[-1].key_pos = _pos(event.start_mark)
                    continue
                value = _scalar(event)
                path = place(value, _pos(event.start_mark))
                if path is not None and not isinstance(value, str):
                    doc.raw[path] = event.value
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if is_key:
                    doc.problems.append(
                        Problem(
                            "yaml-syntax",
                            _pos(event.start_mark),
                            stack[-1].path,
                            "a mapping key must be plain text, not a list or mapping",
                        )
                    )
                    doc.data = None
                    return doc
                if event.tag not in (None, "!") and event.tag not in (
                    "tag:yaml.org,2002:map",
                    "tag:yaml.org,2002:seq",
                ):
                    raise _TagError(event.tag)
                container: dict[str, Any] | list[Any] = (
                    {} if isinstance(event, yaml.MappingStartEvent) else []
                )
                path = place(container, _pos(event.start_mark))
                stack.append(_Frame(container, path if path is not None else ()))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(mark) if mark is not None else Position(1, 1)
        reason = exc.problem or exc.context or "unreadable YAML"
        doc.problems.append(Problem("yaml-syntax", pos, (), f"YAML syntax error: {reason}"))
        doc.data = None
    except _TagError as exc:
        doc.problems.append(
            Problem("yaml-syntax", Position(1, 1), (), f"YAML tag '{exc.tag}' is not accepted")
        )
        doc.data = None
    except yaml.YAMLError as exc:  # reader errors (bad characters) carry no problem_mark
        reason = " ".join(str(exc).split())
        doc.problems.append(
            Problem("yaml-syntax", Position(1, 1), (), f"unreadable YAML: {reason}")
        )
        doc.data = None
    if not root_set and not doc.problems:
        doc.data = None
    return doc
