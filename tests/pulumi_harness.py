"""Run the real stack program (`stacks/__main__.py`) under Pulumi's official mocks, record it all.

    from tests.pulumi_harness import run_stack_program

    run = run_stack_program("dev")                       # the bundled specs, stacks/Pulumi.dev.yaml
    run = run_stack_program("dev", specs_dir=tmp_specs)  # another specs folder (appspecs:specsDir)
    run.find("okta:app/oAuth:OAuth", "crm-sync").inputs["grantTypes"]
    run.outputs["clientIds"]                             # stack outputs, resolved

What it does, once per call and leaving nothing behind (each mocks pitfall in FACTS.md is handled
here so callers need not know them):
- reads `<project_root>/stacks/Pulumi.<stack>.yaml` and feeds its `config:` to the runtime as
  the CLI would (`set_all_config`: strings, JSON for objects, numbers and booleans; `{secure: ..}`
  values become the placeholder `[secret]` and are marked secret). `config=` adds or replaces
  keys (a value of None removes one); `specs_dir=` sets `appspecs:specsDir`;
- runs in a copied `contextvars` context with a fresh event loop, after `reset_options`, so no
  root stack, config or settings leak into the next run; the program's `os.chdir` and `sys.path`
  change are undone afterwards;
- answers every registration through `RecordingMocks` and records it through `RecordingMonitor`,
  so each `Registration` has what the mocks get (type, name, custom, inputs in wire names) and what
  only the monitor sees (parent, ignore_changes, replace_on_changes, additional_secret_outputs,
  protect, dependencies, registered outputs).

Mock answers are deterministic so a test (or the plan-agreement test) can predict them:
`mock_client_id(app)` for an OAuth app's id and client id, `mock_group_id(group)` for
`okta:group/getGroup:getGroup`, `mock_resource_id(type, name)` for every other resource. Every OAuth
app also "returns" a plain `clientSecret` (`mock_client_secret(app)`, prefix
`MOCK_SECRET_PREFIX`) so a test can prove the program never exports or passes one on.

When the program raises (invalid specs, bad stack settings: a `pulumi.RunError`), the call raises
`ProgramFailed`; its `.error` is the program's exception and its `.run` what happened before
(registrations, invokes, and `logs`: everything logged at info and above, e.g. each spec
diagnostic as `file:line:col: error[code] path: message`).

Caveats: integers arrive as floats (wire format); the recorded `urn` is the mocks' URN, not the
engine's (use `ProgramRun.engine_urn`); modules the program imports (`appspecs`, `components`)
are the ones already imported in this process, whatever `project_root` says. Cost: about 4.5 ms
per registration (1,000 internal apps, 5,012 registrations: 23 s), nearly all in the Pulumi SDK.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import json
import logging
import os
import runpy
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import rpc
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks, set_mocks
from pulumi.runtime.settings import get_root_resource, reset_options
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop

from appspecs.desired.resources import (
    GET_GROUP,
    GROUP_ASSIGNMENTS,
    OAUTH_APP,
    POLICY,
    RULE,
    SCOPE,
    SERVER,
)

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = Path("stacks") / "__main__.py"
STACK_TYPE = "pulumi:pulumi:Stack"
MOCK_SECRET_PREFIX = "mock-client-secret-"
SECRET_PLACEHOLDER = "[secret]"

# Okta's id prefixes, so ids in assertions look like the ones the org hands out.
ID_PREFIX = {SERVER: "aus", SCOPE: "scp", OAUTH_APP: "0oa", POLICY: "00p", RULE: "0pr"}


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def mock_resource_id(type_: str, name: str) -> str:
    """The id the mocks give the resource of this type and name (20 characters, like Okta's)."""
    prefix = ID_PREFIX.get(type_, "mck")
    return prefix + _digest(f"{type_}::{name}", 20 - len(prefix))


def mock_client_id(app: str) -> str:
    """An OAuth app's id, which is also its client id (Okta's default)."""
    return mock_resource_id(OAUTH_APP, app)


def mock_client_secret(app: str) -> str:
    return MOCK_SECRET_PREFIX + _digest(app, 16)


def mock_group_id(group: str) -> str:
    """The id `okta.group.get_group(name=group)` answers under the mocks."""
    return "00g" + _digest(f"group::{group}", 17)


class HarnessError(Exception):
    """The harness was pointed at something it cannot run (a missing stack file or program)."""


@dataclass(frozen=True, slots=True)
class ResourceRef:
    type: str
    name: str


@dataclass(frozen=True, slots=True)
class Registration:
    """One resource as the program registered it, and what the mocks answered."""

    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]  # wire (camelCase) names, as the mocks get them; ints arrive as floats
    parent: ResourceRef | None  # the root stack for top-level resources
    ignore_changes: tuple[str, ...]
    replace_on_changes: tuple[str, ...]  # wire names, as the engine gets them
    additional_secret_outputs: tuple[str, ...]
    # the `protect` option as the engine gets it (a child's is inherited from its parent)
    protect: bool
    dependencies: tuple[ResourceRef, ...]
    id: str
    outputs: dict[str, Any]  # what the mocks returned
    urn: str  # the mocks' URN: not the engine's (see ProgramRun.engine_urn)
    # what a component passed to register_outputs (secrets stay wrapped); None if never called
    registered_outputs: dict[str, Any] | None

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.type, self.name)


@dataclass(frozen=True, slots=True)
class Invoke:
    token: str
    args: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LogEntry:
    severity: str  # debug, info, warning, error
    message: str


@dataclass(frozen=True)
class ProgramRun:
    """Everything one run of the stack program did, sorted so runs compare equal."""

    stack: str
    project: str
    registrations: tuple[Registration, ...]  # sorted by (type, name); the root stack left out
    invokes: tuple[Invoke, ...]
    outputs: dict[str, Any]  # stack outputs, resolved to plain values
    secret_outputs: frozenset[str]  # names of stack outputs that are secret
    logs: tuple[LogEntry, ...]  # info and above, in the order logged
    config: dict[str, str] = field(default_factory=dict)  # what the runtime was given
    error: BaseException | None = None
    # the most registrations of each type the monitor was answering at once
    most_in_flight: dict[str, int] = field(default_factory=dict)

    @cached_property
    def _by_ref(self) -> dict[ResourceRef, Registration]:
        return {r.ref: r for r in self.registrations}

    @cached_property
    def _children(self) -> dict[ResourceRef, list[Registration]]:
        out: dict[ResourceRef, list[Registration]] = {}
        for r in self.registrations:
            if r.parent is not None:
                out.setdefault(r.parent, []).append(r)
        return out

    @property
    def custom(self) -> list[Registration]:
        """Only the provider's resources (no components)."""
        return [r for r in self.registrations if r.custom]

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def find(self, type_: str, name: str) -> Registration:
        found = self._by_ref.get(ResourceRef(type_, name))
        if found is None:
            raise KeyError(f"no {type_} named '{name}' was registered")
        return found

    def children(self, parent: Registration) -> list[Registration]:
        return list(self._children.get(parent.ref, ()))

    @property
    def errors(self) -> list[str]:
        return [e.message for e in self.logs if e.severity == "error"]

    def engine_urn(self, registration: Registration) -> str:
        """The URN the Pulumi engine gives this resource: parent types joined by `$`, root stack
        type left out (FACTS.md), e.g. `...::appspecs:index:OidcApp$okta:app/oAuth:OAuth::x`."""
        chain = [registration.type]
        parent = registration.parent
        while parent is not None and parent.type != STACK_TYPE:
            chain.append(parent.type)
            parent = self._by_ref[parent].parent
        qualified = "$".join(reversed(chain))
        return f"urn:pulumi:{self.stack}::{self.project}::{qualified}::{registration.name}"


class ProgramFailed(Exception):
    """The program raised (e.g. a `pulumi.RunError` for invalid specs); `run` has what it did."""

    def __init__(self, run: ProgramRun, error: BaseException) -> None:
        super().__init__(str(error))
        self.run = run
        self.error = error


@dataclass(slots=True)
class _Raw:
    """A registration as recorded while the program runs; parents are still URNs."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    inputs: dict[str, Any]
    ignore_changes: tuple[str, ...]
    replace_on_changes: tuple[str, ...]
    secret_outputs: tuple[str, ...]
    protect: bool
    dependencies: tuple[str, ...]
    id: str
    outputs: dict[str, Any]


class RecordingMocks(Mocks):
    """Answers registrations and invokes with realistic, deterministic values, and records invokes."""

    def __init__(self, group_names: Mapping[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.invokes: list[Invoke] = []
        # name asked for -> name of the group Okta's lookup answers with (a prefix match)
        self.group_names = dict(group_names or {})

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        if not args.custom:
            answer: tuple[str, dict[str, Any]] = ("", {})
        elif args.typ == GROUP_ASSIGNMENTS:
            answer = (str(args.inputs.get("appId", "")), dict(args.inputs))
        elif args.typ == OAUTH_APP:
            client_id = mock_client_id(args.name)
            outputs = {
                **args.inputs,
                "clientId": client_id,
                "clientSecret": mock_client_secret(args.name),
                "name": "oidc_client",
            }
            answer = (client_id, outputs)
        else:
            answer = (mock_resource_id(args.typ, args.name), dict(args.inputs))
        # The monitor pairs this with the request it is answering, on the same thread.
        self._local.last = (args, answer)
        return answer

    def take_last(self) -> tuple[MockResourceArgs, tuple[str, dict[str, Any]]]:
        last: tuple[MockResourceArgs, tuple[str, dict[str, Any]]] = self._local.last
        del self._local.last
        return last

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        with self._lock:
            self.invokes.append(Invoke(args.token, dict(args.args)))
        if args.token == GET_GROUP:
            name = self.group_names.get(str(args.args["name"]), str(args.args["name"]))
            return {
                "id": mock_group_id(name),
                "name": name,
                "description": f"Mocked group {name}",
                "type": "OKTA_GROUP",
                "users": [],
            }, []  # the mock monitor iterates the failures: None would break it
        raise NotImplementedError(f"the harness does not answer invoke '{args.token}'")


class RecordingMonitor(MockMonitor):
    """The official mock monitor, also recording what only the monitor sees: parents, options
    and the outputs components register."""

    mocks: RecordingMocks

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self._lock = threading.Lock()
        self.raw: list[_Raw] = []
        self.names: dict[str, ResourceRef] = {}
        self.registered_outputs: dict[str, dict[str, Any]] = {}
        self._thread_loops: set[asyncio.AbstractEventLoop] = set()
        # seconds each registration of a type takes; how many of a type were ever in flight
        self.slow: dict[str, float] = {}
        self._in_flight: dict[str, int] = {}
        self.most_in_flight: dict[str, int] = {}

    def _thread_loop(self) -> None:
        # The official monitor makes an event loop on each executor thread it is called on and
        # never closes it (a ResourceWarning per thread); make it here first and remember it.
        loop = _ensure_event_loop()
        with self._lock:
            self._thread_loops.add(loop)

    def close_thread_loops(self) -> None:
        """Close the executor threads' loops; call once the executor has shut down."""
        with self._lock:
            loops, self._thread_loops = self._thread_loops, set()
        for loop in loops:
            if not loop.is_running():
                loop.close()

    # The gRPC method names are the official monitor's.
    def Invoke(self, request: Any) -> Any:
        self._thread_loop()
        return super().Invoke(request)

    def ReadResource(self, request: Any) -> Any:
        self._thread_loop()
        return super().ReadResource(request)

    def RegisterResource(self, request: Any) -> Any:
        self._thread_loop()
        with self._lock:
            self._in_flight[request.type] = self._in_flight.get(request.type, 0) + 1
            most = max(self.most_in_flight.get(request.type, 0), self._in_flight[request.type])
            self.most_in_flight[request.type] = most
        try:
            # as a real create takes time, so registrations that may overlap do
            time.sleep(self.slow.get(request.type, 0.0))
            response = super().RegisterResource(request)
        finally:
            with self._lock:
                self._in_flight[request.type] -= 1
        with self._lock:
            self.names[response.urn] = ResourceRef(request.type, request.name)
        if request.type == STACK_TYPE:
            return response
        args, (id_, outputs) = self.mocks.take_last()
        raw = _Raw(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=bool(args.custom),
            parent=request.parent,
            inputs=args.inputs,
            ignore_changes=tuple(request.ignoreChanges),
            replace_on_changes=tuple(request.replaceOnChanges),
            secret_outputs=tuple(request.additionalSecretOutputs),
            protect=bool(request.protect),
            dependencies=tuple(request.dependencies),
            id=id_,
            outputs=outputs,
        )
        with self._lock:
            self.raw.append(raw)
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self._thread_loop()  # deserializing may need a loop on this executor thread
        outputs = rpc.deserialize_properties(request.outputs)
        with self._lock:
            self.registered_outputs[request.urn] = outputs
        return super().RegisterResourceOutputs(request)

    def registrations(self) -> tuple[Registration, ...]:
        def ref(urn: str) -> ResourceRef | None:
            return self.names.get(urn) if urn else None

        out = [
            Registration(
                type=r.type,
                name=r.name,
                custom=r.custom,
                inputs=r.inputs,
                parent=ref(r.parent),
                ignore_changes=r.ignore_changes,
                replace_on_changes=r.replace_on_changes,
                additional_secret_outputs=r.secret_outputs,
                protect=r.protect,
                dependencies=tuple(
                    sorted({d for u in r.dependencies if (d := ref(u))}, key=_order)
                ),
                id=r.id,
                outputs=r.outputs,
                urn=r.urn,
                registered_outputs=self.registered_outputs.get(r.urn),
            )
            for r in self.raw
        ]
        return tuple(sorted(out, key=lambda r: (r.type, r.name)))


def _order(ref: ResourceRef) -> tuple[str, str]:
    return (ref.type, ref.name)


class _LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.entries: list[LogEntry] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entries.append(LogEntry(record.levelname.lower(), record.getMessage()))


def project_name(project_root: Path) -> str:
    data = yaml.safe_load((project_root / "Pulumi.yaml").read_text(encoding="utf-8"))
    return str(data["name"])


def _wire(value: Any) -> str:
    # The CLI hands every config value to the program as a string; structured ones as JSON.
    return value if isinstance(value, str) else json.dumps(value)


def stack_config_values(
    project_root: Path, stack: str, project: str
) -> tuple[dict[str, str], list[str]]:
    """The stack file's `config:` as the CLI gives it to a program: values and secret keys."""
    path = project_root / "stacks" / f"Pulumi.{stack}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise HarnessError(f"no stack file for '{stack}': {path}: {exc.strerror}") from exc
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in (data.get("config") or {}).items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[full] = SECRET_PLACEHOLDER  # ciphertext only the CLI can open
            secret_keys.append(full)
        else:
            values[full] = _wire(value)
    return values, secret_keys


async def _resolve(outputs: Mapping[str, Any]) -> tuple[dict[str, Any], frozenset[str]]:
    resolved: dict[str, Any] = {}
    secret: set[str] = set()
    for name, value in outputs.items():
        output = pulumi.Output.from_input(value)
        resolved[name] = await output.future()
        if await output.is_secret():
            secret.add(name)
    return resolved, frozenset(secret)


def _close(loop: asyncio.AbstractEventLoop, monitor: RecordingMonitor) -> None:
    # As the Automation API's server does: cancel what a failed run left, then close.
    for task in asyncio.all_tasks(loop):
        task.cancel()
        # A cancelled task's error is not ours to report: the program's own error already is.
        with contextlib.suppress(Exception, asyncio.CancelledError):
            loop.run_until_complete(task)
    loop.run_until_complete(loop.shutdown_default_executor())
    monitor.close_thread_loops()
    loop.close()
    asyncio.set_event_loop(None)


def _run(
    program: Path,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    mocks: RecordingMocks,
    monitor: RecordingMonitor,
    logger: logging.Logger,
    preview: bool,
) -> tuple[dict[str, Any], frozenset[str], BaseException | None]:
    cwd, path = os.getcwd(), list(sys.path)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        reset_options(project=project, stack=stack, preview=preview)
        set_all_config(config, secret_keys)
        set_mocks(
            mocks, project=project, stack=stack, preview=preview, logger=logger, monitor=monitor
        )
        root = get_root_resource()
        try:
            loop.run_until_complete(
                run_pulumi_func(lambda: runpy.run_path(str(program), run_name="__main__"))
            )
        except Exception as exc:
            return {}, frozenset(), exc
        outputs, secret = loop.run_until_complete(_resolve(getattr(root, "outputs", {})))
        return outputs, secret, None
    finally:
        _close(loop, monitor)
        os.chdir(cwd)
        sys.path[:] = path


def run_stack_program(
    stack: str = "dev",
    *,
    specs_dir: Path | None = None,
    project_root: Path = ROOT,
    config: Mapping[str, Any] | None = None,
    preview: bool = False,
    group_names: Mapping[str, str] | None = None,
    slow: Mapping[str, float] | None = None,
) -> ProgramRun:
    """Run `<project_root>/stacks/__main__.py` for `stack` under mocks and return what it did.

    `specs_dir` points the program at another specs folder (it becomes `appspecs:specsDir`; give
    an absolute path or one relative to `project_root`). `config` adds or replaces config keys
    (full `namespace:key` names, plain Python values; None removes a key). `group_names` makes
    the group lookup answer another group for a name, as the provider's prefix match does.
    `slow` makes each registration of a type take that many seconds, as a create does, so
    `most_in_flight` shows which registrations can overlap. Raises
    `ProgramFailed` (with the partial `ProgramRun` as `.run`) when the program raises.
    """
    program = project_root / PROGRAM
    if not program.is_file():
        raise HarnessError(f"no stack program at {program}")
    project = project_name(project_root)
    values, secret_keys = stack_config_values(project_root, stack, project)
    overrides = dict(config or {})
    if specs_dir is not None:
        overrides["appspecs:specsDir"] = str(specs_dir)
    for key, value in overrides.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = _wire(value)

    mocks = RecordingMocks(group_names)
    monitor = RecordingMonitor(mocks)
    monitor.slow = dict(slow or {})
    collector = _LogCollector()
    # A logger outside logging's tree: nothing propagates to pytest's or the root handlers.
    logger = logging.Logger(f"pulumi-harness-{stack}")
    logger.addHandler(collector)
    logger.setLevel(logging.INFO)  # the SDK's debug chatter costs time and says nothing here

    outputs, secret, error = contextvars.copy_context().run(
        _run, program, project, stack, values, secret_keys, mocks, monitor, logger, preview
    )
    run = ProgramRun(
        stack=stack,
        project=project,
        registrations=monitor.registrations(),
        invokes=tuple(
            sorted(mocks.invokes, key=lambda i: (i.token, json.dumps(i.args, sort_keys=True)))
        ),
        outputs=outputs,
        secret_outputs=secret,
        logs=tuple(collector.entries),
        config=values,
        error=error,
        most_in_flight=dict(monitor.most_in_flight),
    )
    if error is not None:
        raise ProgramFailed(run, error)
    return run
