"""Stack settings (`stacks/Pulumi.<stack>.yaml`), read the same way by the Pulumi program and the CLI."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from appspecs.diagnostics import IoProblem
from appspecs.inputfile import (
    InputFileError,
    NotText,
    SizeLimit,
    Unreadable,
    folder_state,
    list_folder,
    may_exist,
    read_input_text,
)
from appspecs.records import record
from appspecs.spec.models import FilePath
from appspecs.spec.yamlfile import read_yaml

PROJECT = "appspecs"
#: The specs folder the program deploys when the stack sets no appspecs:specsDir (Pulumi.yaml
#: declares the same default).
DEFAULT_SPECS_DIR = "app-specs"


class AuthServerConfig(BaseModel):
    """The custom authorization server the API's scopes live on: created, or an existing one."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: str | None = Field(default=None, description="Name of the server to create.")
    audience: str | None = Field(default=None, description="Audience (the API's identifier).")
    description: str = Field(default="Scopes of the API, managed by appspecs.")
    id: str | None = Field(default=None, description="Use this existing server instead.")

    @model_validator(mode="after")
    def _name_or_id(self) -> AuthServerConfig:
        if self.id is None and not (self.name and self.audience):
            raise ValueError("give either 'id' of an existing server, or 'name' and 'audience'")
        if self.id is not None and (self.name or self.audience):
            # Which server would be meant? The existing one would be used, the rest ignored.
            raise ValueError(
                "give either 'id' of an existing server, or 'name' and 'audience', not both"
            )
        return self


class StackSettings(BaseModel):
    """Every `appspecs:` key a stack file may set: a misspelt one is refused, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    auth_server: AuthServerConfig = Field(alias="authServer")
    allow_loopback_redirects: bool = Field(default=False, alias="allowLoopbackRedirects")
    max_secret_age_days: int | None = Field(default=None, alias="maxSecretAgeDays", ge=1)
    # A cap on the access-token lifetime any app of the stack may declare (Okta's bounds 5..1440).
    max_access_token_minutes: int | None = Field(
        default=None, alias="maxAccessTokenMinutes", ge=5, le=1440
    )
    # Empty would mean the project folder to a path join, and "unset" to the program's `or`.
    specs_dir: FilePath | None = Field(default=None, alias="specsDir", min_length=1)


@record
class StackConfig:
    """What one stack is: its name, its Okta org and this project's settings."""

    name: str
    settings: StackSettings
    org_name: str | None = None
    base_url: str | None = None

    @property
    def auth_server(self) -> AuthServerConfig:
        return self.settings.auth_server

    @property
    def allow_loopback_redirects(self) -> bool:
        return self.settings.allow_loopback_redirects


#: A stack file holds a dozen settings; this is far above any real one.
STACK_FILE_LIMIT = SizeLimit(256 * 1024, "a stack file holds a few settings")

# The provider's settings the program reads as text (the org it deploys to).
ORG_NAME = "okta:orgName"
BASE_URL = "okta:baseUrl"
_YAML11_ONLY_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})


#: One problem of a stack file: its line (the place first), and its line and column there.
Located = tuple[str, int | None, int | None]


class StackConfigError(Exception):
    """A stack's settings are missing or malformed; a usage problem (exit 2). ``line`` and
    ``column``: where in the stack file, when the message names one place. ``each``: every
    problem on its own line with its place, when there are several (the message lists them)."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        *,
        each: Sequence[Located] = (),
        unreadable: bool = False,
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.unreadable = unreadable  # the file could not be read, rather than its settings wrong
        self.each: tuple[Located, ...] = tuple(each) or ((message, line, column),)


#: Where a setting is written (the file as shown, line, column), given its path under `config:`.
Locate = Callable[[tuple[str | int, ...], bool], tuple[str, int, int]]
#: A setting's value as written in the file (None: not a scalar there), given its path.
Raw = Callable[[tuple[str | int, ...]], str | None]


def stack_config_from_values(
    name: str, values: Mapping[str, Any], locate: Locate | None = None, raw: Raw | None = None
) -> StackConfig:
    """Build from `namespace:key` values, as both the YAML file and `pulumi.Config` give them.

    ``locate`` turns a setting's path into ``file:line:column`` for the messages, and ``raw``
    into the value as written there (`0x1e`, `yes`), which they quote.
    """
    ours = {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith(f"{PROJECT}:")}
    try:
        settings = StackSettings.model_validate(ours)
    except ValidationError as exc:
        each = [_describe(error, locate, raw) for error in exc.errors()]
        # With a file, each line names it (and so the stack); without one, say which stack.
        head = "" if locate else f"stack '{name}': "
        if len(each) == 1:
            text, line, column = each[0]
            raise StackConfigError(head + text, line, column) from exc
        lines = [text for text, _, _ in each]
        message = "\n  ".join([f"{head}invalid stack settings:", *lines])
        located = [(head + text, line, column) for text, line, column in each]
        raise StackConfigError(message, each[0][1], each[0][2], each=located) from exc
    org = values.get(ORG_NAME)
    base = values.get(BASE_URL)
    return StackConfig(
        name=name,
        settings=settings,
        org_name=org if isinstance(org, str) else None,
        base_url=base if isinstance(base, str) else None,
    )


def _describe(error: ErrorDetails, locate: Locate | None, raw: Raw | None) -> Located:
    """One pydantic error as `place: appspecs:key.sub: what is wrong, got what, what is accepted`,
    with its line and column when there is a file."""
    loc = tuple(error["loc"])
    kind = error["type"]
    key = f"{PROJECT}:" + ".".join(str(p) for p in loc) if loc else PROJECT
    if kind == "extra_forbidden":
        accepted = ", ".join(_accepted_keys(loc[:-1]))
        what = f"unknown setting; accepted: {accepted}"
    elif kind == "missing":
        what = "missing; it is required"
    elif kind == "value_error":
        what = str(error["msg"]).removeprefix("Value error, ")
    else:
        # here: only a stack file with errors needs their wording, the specs' own (errors.py)
        from appspecs.spec.errors import value_message

        what = value_message(error, raw(loc) if raw is not None else None)
    if locate is None:
        return f"{key}: {what}", None, None
    shown, line, column = locate(loc, kind == "extra_forbidden")
    return f"{shown}:{line}:{column}: {key}: {what}", line, column


def _accepted_keys(loc: tuple[str | int, ...]) -> list[str]:
    """The setting names (aliases where they have one) of the model at ``loc``."""
    model: type[BaseModel] = StackSettings
    for part in loc:
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [f.alias or n for n, f in model.model_fields.items()]


def stack_file(stacks_dir: Path, name: str) -> Path:
    return stacks_dir / f"Pulumi.{name}.yaml"


# What Pulumi takes as a stack's name (pkg/backend/filestate's validateStackName; the service's
# is the same): a file named for anything else is the settings of no stack `pulumi` can select.
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


def load_stack_config(stacks_dir: Path, name: str) -> StackConfig:
    path = stack_file(stacks_dir, name)
    known = discover_stacks(stacks_dir)
    if name not in known:
        # a file named for no stack pulumi can select ('qa .yaml') is no known stack either
        valid = [k for k in known if STACK_NAME.fullmatch(k)]
        listed = ", ".join(valid) or f"none (no Pulumi.<stack>.yaml in {stacks_dir})"
        meant = [p for p in ignored_stack_files(stacks_dir) if meant_stack(p) == name]
        meant += [stack_file(stacks_dir, k) for k in known if k not in valid and k.strip() == name]
        unread = f"; {meant[0]} is not read: pulumi reads {path.name}" if meant else ""
        raise StackConfigError(f"unknown stack '{name}'; known stacks: {listed}{unread}")
    if not STACK_NAME.fullmatch(name):
        raise StackConfigError(
            f"{path}: '{name}' is not a Pulumi stack name: a stack name holds only letters, "
            "digits, '-', '_' and '.' (at most 100); rename the file"
        )
    try:
        text = read_input_text(path, STACK_FILE_LIMIT)
    except NotText as exc:
        raise StackConfigError(
            f"{path}:{exc.at.line}:{exc.at.column}: {exc.reason}",
            exc.at.line,
            exc.at.column,
            unreadable=True,
        ) from exc
    except InputFileError as exc:
        raise StackConfigError(str(exc), unreadable=True) from exc
    doc = read_yaml(text)
    if doc.problems:
        first = doc.problems[0]
        at = first.position
        raise StackConfigError(f"{path}:{at.line}:{at.column}: {first.message}", at.line, at.column)
    # here: only a broken stack file needs the words for what it holds instead (errors.py)
    if not isinstance(doc.data, dict):
        if doc.data is None:
            raise StackConfigError(f"{path}: the file is empty; expected a mapping with 'config:'")
        from appspecs.spec.errors import document_kind

        at = doc.locate(())
        raise StackConfigError(
            f"{path}:{at.line}:{at.column}: expected a mapping with 'config:', found "
            f"{document_kind(doc.data)}",
            at.line,
            at.column,
        )
    config = doc.data.get("config") or {}
    if not isinstance(config, dict):
        from appspecs.spec.errors import document_kind

        at = doc.locate(("config",))
        raise StackConfigError(
            f"{path}:{at.line}:{at.column}: config: expected a mapping of settings, found "
            f"{document_kind(config)}",
            at.line,
            at.column,
        )
    config = dict(config)
    problems: list[Located] = []
    for key in config:
        raw = doc.raw.get(("config", key))
        if raw is None or raw.lower() not in _YAML11_ONLY_BOOLEANS:
            continue
        # Pulumi reads stack files as YAML 1.2, where `no` is text: it would refuse what YAML 1.1
        # (and so our reader) takes for a boolean. Said here rather than at `pulumi preview`,
        # with the file's other problems, for our boolean settings and for others' (the
        # provider's `okta:backoff`, say); the settings read as text get the text, as Pulumi
        # gives it: ours that are no boolean, and the org's name and URL.
        ours = key.startswith(f"{PROJECT}:") or key in (ORG_NAME, BASE_URL)
        if key in _BOOLEAN_KEYS or not ours:
            at = doc.values[("config", key)]
            message = f"{key}: '{raw}' is not a boolean to Pulumi; write true or false"
            problems.append((f"{path}:{at.line}:{at.column}: {message}", at.line, at.column))
        else:
            config[key] = raw

    def locate(loc: tuple[str | int, ...], is_key: bool) -> tuple[str, int, int]:
        at = (doc.locate_key if is_key else doc.locate)(("config", *_setting_key(loc)))
        return str(path), at.line, at.column

    def written(loc: tuple[str | int, ...]) -> str | None:
        return doc.raw.get(("config", *_setting_key(loc)))

    stack: StackConfig | None = None
    try:
        stack = stack_config_from_values(name, as_pulumi_reads(config), locate, written)
    except StackConfigError as exc:
        # the same value's "expected true or false" would say it twice
        said = {(line, column) for _, line, column in problems}
        problems += [e for e in exc.each if (e[1], e[2]) not in said]
    # the program deploys this folder (stacks/__main__.py): a typo would fail every `pulumi up`
    # of the stack, and validate of the folder it meant would say nothing. Only in a project
    # (Pulumi.yaml beside stacks/): a base ref's stacks are read from a copy holding no more
    # than its specs folder and stacks. Checked whatever else is wrong, when it is text.
    declared = config.get(f"{PROJECT}:specsDir")
    project = stacks_dir.resolve().parent
    if isinstance(declared, str) and (project / "Pulumi.yaml").is_file():
        file, line, column = locate(("specsDir",), False)
        # a value the settings refuse (empty, a NUL in it) names no folder to look for
        refused = (line, column) in {(p[1], p[2]) for p in problems}
        problem = None if refused else _specs_dir_problem(project, declared)
        if problem is not None:
            text = (
                f"{file}:{line}:{column}: appspecs:specsDir: '{declared}' {problem}; give the "
                "specs folder the stack deploys, relative to the project (e.g. app-specs)"
            )
            problems.append((text, line, column))
    if problems:
        _raise_all(problems)
    assert stack is not None  # no problem: the settings were read
    return stack


def _raise_all(problems: Sequence[Located]) -> NoReturn:
    """One StackConfigError for a file's problems, in the file's order."""
    each = sorted(problems, key=lambda p: (p[1] or 0, p[2] or 0))
    if len(each) == 1:
        raise StackConfigError(*each[0])
    message = "\n  ".join(["invalid stack settings:", *(text for text, _, _ in each)])
    raise StackConfigError(message, each[0][1], each[0][2], each=each)


def _specs_dir_problem(project: Path, declared: str) -> str | None:
    """Why the program could not deploy the specs folder a stack names, or None."""
    from appspecs.spec.specset import CATALOG_FILE  # here: the spec checks import this module

    folder = project / declared
    if not folder.resolve().is_relative_to(project):
        # '../x', an absolute path, a link out of it: the program would deploy specs that no
        # pull request to the project shows
        return f"is outside the project ({project})"
    state = folder_state(folder)
    if state is False:
        return f"is not there: the project ({project}) has no such folder"
    if state is None:
        return "is not a folder that can be read"
    if not may_exist(folder / CATALOG_FILE):
        # the project itself (`.`), or stacks/: every `pulumi up` would stop at the catalog
        return f"holds no {CATALOG_FILE}: it is not a specs folder"
    return None


def _setting_key(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    return (f"{PROJECT}:{loc[0]}", *loc[1:]) if loc else ()


# The settings the program reads with get_bool: only for them is a YAML 1.1 boolean an error.
_BOOLEAN_KEYS = frozenset(
    f"{PROJECT}:{field.alias or name}"
    for name, field in StackSettings.model_fields.items()
    if field.annotation is bool
)

# Pulumi keeps every scalar setting as text and the program reads these with get_bool and
# get_int: `"true"` and `true` are the same to it, so they must be to the CLI.
_PULUMI_BOOLEANS = {"true": True, "True": True, "false": False, "False": False}


def as_pulumi_reads(config: Mapping[str, Any]) -> dict[str, Any]:
    """The file's values as the stack program gets them for the boolean and integer settings
    (every such field of the settings model, so a new one is read the same way)."""
    values = dict(config)
    for name, field in StackSettings.model_fields.items():
        key = f"{PROJECT}:{field.alias or name}"
        value = values.get(key)
        if not isinstance(value, str):
            continue
        if field.annotation is bool and value in _PULUMI_BOOLEANS:
            values[key] = _PULUMI_BOOLEANS[value]
        elif field.annotation in (int, int | None):
            # Text that is no number stays text: the settings model refuses it, with the value.
            with contextlib.suppress(ValueError):
                values[key] = int(value)
    return values


def discover_stacks(stacks_dir: Path) -> list[str]:
    """The stacks whose files are in ``stacks_dir``; none when there is no such folder.

    Raises StackConfigError when something is there that cannot be listed: an unreadable
    folder is not an empty one (it would turn off prod's per-stack rules without a word).
    """
    return [p.name[len("Pulumi.") : -len(".yaml")] for p in _stack_entries(stacks_dir, True)]


def ignored_stack_files(stacks_dir: Path) -> list[Path]:
    """Files in ``stacks_dir`` named as if for a stack that pulumi never reads: a stack's file
    is `Pulumi.<stack>` with the project file's extension (pulumi's
    sdk/go/common/workspace/paths.go, DetectProjectStackPath), so `Pulumi.prod.yml` sets
    nothing, nor does `pulumi.prod.yaml` where names are case-sensitive (Linux, CI), and
    `Pulumi..yaml` names no stack. Raises StackConfigError as discover_stacks
    does."""
    return _stack_entries(stacks_dir, False)


def meant_stack(path: Path) -> str | None:
    """The stack a file `ignored_stack_files` lists seems meant for (`Pulumi.qa.yml`,
    `pulumi.qa.yaml`: qa); None when it names none (`Pulumi..yaml`)."""
    stem = path.name[len("Pulumi.") :].rpartition(".")[0]
    return stem if STACK_NAME.fullmatch(stem) else None


# a project's file (pulumi's workspace package: Pulumi + .yaml, .yml or .json), not a stack's
PROJECT_FILES = frozenset({"Pulumi.yaml", "Pulumi.yml", "Pulumi.json"})
_PROJECT_FILES_LOWER = frozenset(f.lower() for f in PROJECT_FILES)


def _stack_entries(stacks_dir: Path, read: bool) -> list[Path]:
    """The stack files (``read``) or the files named like one that are not, in file order."""
    if folder_state(stacks_dir) is False:
        return []
    try:
        entries = list_folder(stacks_dir)
    except Unreadable as exc:
        raise StackConfigError(str(exc)) from exc
    out = []
    for p in entries:
        name = p.name
        lower = name.lower()
        # pulumi looks for `Pulumi.` as written: `pulumi.qa.yaml` sets nothing on Linux
        if not lower.startswith("pulumi.") or lower in _PROJECT_FILES_LOWER:
            continue
        is_stack_file = (
            name.startswith("Pulumi.")
            and name.endswith(".yaml")
            and len(name) > len("Pulumi..yaml")
        )
        looks_like_one = lower.endswith((".yaml", ".yml", ".json"))
        if is_stack_file if read else (looks_like_one and not is_stack_file):
            out.append(p)
    return out


def all_stack_settings(
    stacks_dir: Path,
) -> tuple[dict[str, StackSettings | None], list[IoProblem]]:
    """Every stack's settings (None: its file could not be read; the stack still exists), and
    why any stack could not be read, each problem on its stack's file."""
    settings: dict[str, StackSettings | None] = {}
    problems: list[IoProblem] = []
    try:
        names = discover_stacks(stacks_dir)
    except StackConfigError as exc:
        return settings, [IoProblem(str(exc))]  # the folder: no file to show it on
    for name in names:
        try:
            settings[name] = load_stack_config(stacks_dir, name).settings
        except StackConfigError as exc:
            settings[name] = None
            file = str(stack_file(stacks_dir, name))
            problems += [
                IoProblem(text, file, line, column, settings=not exc.unreadable)
                for text, line, column in exc.each
            ]
    return settings, problems


def loopback_allowed(stacks_dir: Path) -> tuple[dict[str, bool | None], list[IoProblem]]:
    """Whether each stack allows loopback redirects (None: its file could not be read; the
    stack still exists), and why any stack could not be read."""
    settings, problems = all_stack_settings(stacks_dir)
    allowed = {n: (s.allow_loopback_redirects if s else None) for n, s in settings.items()}
    return allowed, problems
