"""Recorded Pulumi state: a `pulumi stack export` document or a file-backend checkpoint.

Both hold a version 3 deployment; the reader keeps what the plan compares (URN, type, id,
inputs, outputs, parent, whether it is protected or left from a replacement), checks those, and
turns every secret into a `Secret` that prints as `[secret]`. What else a resource records
(its provider, `dependencies`, `propertyDependencies`) is the engine's and is left unread. Real
state has stacks with no resources at all: accepted.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from appspecs.desired.resources import (
    APP_COMPONENT,
    HASHED_INPUTS,
    JSON_INPUTS,
    OAUTH_APP,
    READ_BLOCKS,
)
from appspecs.inputfile import InputFileError, SizeLimit, read_input
from appspecs.plan.statefile import StateError, find_state
from appspecs.plan.urns import ROOT_STACK_TYPE, Urn, urn_parts
from appspecs.plan.wire import SCALARS, same_scalar
from appspecs.records import record

# The signature pulumi puts on a secret value: {SIG_KEY: SECRET_SIG, "ciphertext" | "plaintext"}.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
VERSION = 3
# Far more than any input or output of our resources nests (a few levels): deeper values would
# only exhaust the recursion of the comparison and of the report.
MAX_DEPTH = 64
# The state of 10,000 apps (some 47,000 resources) is well under 100 MB of JSON; a file or a
# gzip stream unpacking to more than this is refused rather than read into memory.
STATE_LIMIT = SizeLimit(512 * 1024 * 1024, "the state of 10,000 apps is under 100 MB")


class Secret:
    """A secret value from state. Prints as `[secret]`; the value is never decoded into output.

    When the document holds the value in plaintext (`pulumi stack export --show-secrets`), it is
    kept for comparison only. Ciphertext cannot be read without the stack's secrets provider,
    so such a secret compares as unknown.
    """

    __slots__ = ("_value", "known")

    def __init__(self, value: Any = None, *, known: bool = False) -> None:
        self._value = value
        self.known = known

    def same_as(self, value: Any) -> bool | None:
        """Whether the secret equals `value`; None when the value is not known here."""
        return self.matches(lambda known: bool(known == value))

    def matches(self, test: Callable[[Any], bool | None]) -> bool | None:
        """`test` of the value (a comparison: the value itself never leaves), None when the
        value is not known here."""
        return test(self._value) if self.known else None

    def plaintext(self) -> Any:
        """The value, when known, for the plan's app views to compare: a view marks each field
        it feeds as secret, and reports never print those (plan.hidden)."""
        return self._value if self.known else None

    def __repr__(self) -> str:
        return "[secret]"

    __str__ = __repr__


def _secret(obj: Mapping[str, Any]) -> Secret:
    plaintext = obj.get("plaintext")
    if not isinstance(plaintext, str):
        return Secret()
    try:
        # the engine serializes a secret's value as it does any (pkg/resource/stack/
        # deployment.go, SerializePropertyValue): secrets inside it are secrets again
        value = json.loads(plaintext, object_hook=_decode_secret)
    except ValueError:
        return Secret(plaintext, known=True)
    opened, held = open_secrets(value)
    # the whole is secret: one inside it needs no mark of its own, and one that cannot be
    # read leaves the whole not known
    return Secret() if held is None else Secret(opened, known=True)


def open_secrets(value: Any) -> tuple[Any, bool | None]:
    """``value`` with the readable secrets in it replaced by their values, and what it held: no
    secret (False), only readable ones (True), or one whose value is not known here (None)."""
    kind = type(value)
    if kind is Secret:
        return (value.plaintext(), True) if value.known else (None, None)
    if kind is list:
        items = [open_secrets(v) for v in value]
        return [v for v, _ in items], _worst(h for _, h in items)
    if kind is dict:
        pairs = {k: open_secrets(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, _worst(h for _, h in pairs.values())
    return value, False


def _worst(held: Iterable[bool | None]) -> bool | None:
    out: bool | None = False
    for h in held:
        if h is None:
            return None
        out = out or h
    return out


def _decode_secret(obj: dict[str, Any]) -> Any:
    """`json.loads` object hook: secrets become Secret objects as the document is parsed."""
    return _secret(obj) if obj.get(SIG_KEY) == SECRET_SIG else obj


def _is_secret(value: Any) -> bool:
    """A secret as the document writes it, not yet a Secret."""
    return type(value) is dict and value.get(SIG_KEY) == SECRET_SIG


def _value(value: Any) -> Any:
    """A property value with secrets replaced by Secret objects."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return _secret(value)
        return {k: _value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


@record
class RecordedResource:
    """One resource as the last update left it."""

    urn: str
    type: str
    custom: bool = True
    id: str | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)  # wire names
    outputs: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None
    delete: bool = False  # left from a replacement, deleted on the next update
    # registered with `protect`: the engine refuses to delete it (or replace it while the program
    # still protects it); the flag stays recorded after the program stops registering it
    protect: bool = False
    # whether an input holds a secret, at any depth: readers that open secrets look only then
    secret_inputs: bool = False
    # the inputs with each list of strings, JSON document and list of blocks that the outputs
    # hold otherwise taken from the outputs (`recorded_lists`), None when none differs
    prior: Mapping[str, Any] | None = None

    @property
    def compared(self) -> Mapping[str, Any]:
        """What the engine compares the program's inputs with, as far as the plan models it."""
        return self.inputs if self.prior is None else self.prior

    @property
    def name(self) -> str:
        # the name is all after the third `::` (it may hold `::` itself)
        return self.urn.split("::", 3)[-1]


@dataclass(frozen=True)
class RecordedState:
    """All recorded resources of one stack; `source` says where they came from."""

    source: str | None = None
    resources: tuple[RecordedResource, ...] = ()

    @cached_property
    def by_urn(self) -> dict[str, RecordedResource]:
        """Live resources by URN (one left over for deletion does not shadow its replacement)."""
        out: dict[str, RecordedResource] = {}
        for r in self.resources:
            if not r.delete or r.urn not in out:
                out[r.urn] = r
        return out

    @cached_property
    def root(self) -> RecordedResource | None:
        return next((r for r in self.resources if r.type == ROOT_STACK_TYPE), None)

    @property
    def stack_outputs(self) -> Mapping[str, Any]:
        """The stack's exports, recorded as the root stack resource's outputs."""
        return self.root.outputs if self.root is not None else {}

    def app_names(self) -> set[str]:
        """The apps an update recorded: the names of their OidcApp components."""
        return {r.name for r in self.resources if r.type == APP_COMPONENT and not r.delete}

    def protected_apps(self) -> set[str]:
        """The apps whose recorded component is protected (an approved partner app's, or an
        import's): pulumi up refuses to delete them, whatever the program registers."""
        return {
            r.name for r in self.resources if r.type == APP_COMPONENT and not r.delete and r.protect
        }

    def client_ids(self) -> dict[str, str]:
        """App name -> the client id recorded for its OAuth app (apps without one left out)."""
        apps = {r.urn: r.name for r in self.resources if r.type == APP_COMPONENT and not r.delete}
        out: dict[str, str] = {}
        for r in self.resources:
            app = apps.get(r.parent or "")
            if app is not None and not r.delete and (cid := client_id(r)) is not None:
                out[app] = cid
        return out

    def stacks(self) -> set[tuple[str, str]]:
        """(stack, project) of every URN, to catch a state file of another stack or project."""
        out: set[tuple[str, str]] = set()
        for r in self.resources:
            parts = urn_parts(r.urn)
            if parts is not None:
                out.add((parts[0], parts[1]))
        return out


def client_id(rec: RecordedResource) -> str | None:
    """The client id consumers of a recorded OAuth app hold: its output (Okta uses the app's
    id for it); None for any other resource."""
    if rec.type != OAUTH_APP:
        return None
    value = rec.outputs.get("clientId", rec.id)
    return value if isinstance(value, str) and value else None


def _fail(source: str, message: str) -> StateError:
    return StateError(f"state file {source}: {message}")


def _mapping(value: Any, what: str, source: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or _is_secret(value):
        raise _fail(source, f"{what} must be an object, found {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return "a secret" if isinstance(value, Secret) or _is_secret(value) else type(value).__name__


def _shape(value: Any) -> tuple[bool, bool]:
    """Whether lists and objects in `value` nest more than MAX_DEPTH levels (found without
    recursing), and whether a value in it is a `Secret`.

    Level by level: every resource's inputs and outputs go through here, and most hold two or
    three levels, so this is a few loops over small lists rather than a stack of pairs."""
    level = [value]
    secret = False
    for _ in range(MAX_DEPTH):
        below = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                kind = type(child)
                if kind is dict or kind is list:
                    below.append(child)
                elif kind is Secret:
                    secret = True
        if not below:
            return False, secret
        level = below
    return True, secret


def _resource(raw: Any, i: int, source: str, decoded: bool) -> RecordedResource:
    # Messages are built only on failure: state can hold thousands of resources.
    if type(raw) is not dict or _is_secret(raw):
        raise _fail(source, f"resources[{i}] must be an object, found {_kind(raw)}")
    get = raw.get
    urn = get("urn")
    parts = urn_parts(urn) if isinstance(urn, str) else None
    if parts is None or not isinstance(urn, str):
        raise _fail(source, f"resources[{i}].urn is missing or not a Pulumi URN (urn:pulumi:...)")
    for key in ("type", "id", "parent"):
        value = get(key)
        if value is not None and type(value) is not str:
            raise _fail(source, f"resources[{i}].{key} must be a string, found {_kind(value)}")
    properties = []
    secret_inputs = False
    for key in ("inputs", "outputs"):
        value = get(key)
        if value is None:
            value = {}
        elif type(value) is not dict or _is_secret(value):
            raise _fail(source, f"resources[{i}].{key} must be an object, found {_kind(value)}")
        else:
            too_deep, secret = _shape(value)
            if too_deep:
                raise _fail(source, f"resources[{i}].{key} nests more than {MAX_DEPTH} levels deep")
            if not decoded:
                # parsed without the hook: its secrets are Secret objects only now
                value = _value(value)
                secret = key == "inputs" and _shape(value)[1]
            secret_inputs = secret_inputs or (key == "inputs" and secret)
        properties.append(value)
    typ: str = get("type") or Urn(*parts).type
    prior = recorded_lists(
        properties[0],
        properties[1],
        _JSON_KEYS.get(typ, ()),
        READ_BLOCKS.get(typ),
        _NOT_AS_SENT.get(typ, frozenset()),
    )
    if prior is not None and not secret_inputs:
        # blocks taken from the outputs may hold secrets the inputs do not
        secret_inputs = _shape(prior)[1]
    return RecordedResource(
        urn=urn,
        type=typ,
        custom=get("custom") is True,
        id=get("id") or None,
        inputs=properties[0],
        outputs=properties[1],
        parent=get("parent"),
        delete=get("delete") is True,
        protect=get("protect") is True,
        secret_inputs=secret_inputs,
        prior=prior,
    )


# Per resource type, its top-level inputs that hold a JSON document (JSON_INPUTS).
_JSON_KEYS: dict[str, tuple[str, ...]] = {
    typ: tuple(p for p in paths if "." not in p and "[" not in p)
    for typ, paths in JSON_INPUTS.items()
}
# Per resource type, its top-level inputs whose output is not compared as a scalar sent: the
# JSON documents (compared as JSON) and the hashed ones (HASHED_INPUTS).
_NOT_AS_SENT: dict[str, frozenset[str]] = {
    typ: frozenset(_JSON_KEYS.get(typ, ())) | HASHED_INPUTS.get(typ, frozenset())
    for typ in {*_JSON_KEYS, *HASHED_INPUTS}
}
# What the engine compares by value: a string, a number or a boolean (a null output is nothing
# known against the input: Okta's read of an unset value, or an output never written).
_SCALAR_KINDS = SCALARS - {type(None)}


def recorded_lists(
    inputs: Mapping[str, Any],
    outputs: Mapping[str, Any],
    json_keys: Iterable[str] = (),
    blocks: Mapping[str, str] | None = None,
    not_as_sent: frozenset[str] = frozenset(),
) -> Mapping[str, Any] | None:
    """The inputs, with each string, number or boolean, each list of strings, each JSON document
    of `json_keys` and each list of `blocks` (input -> the member naming a block) whose recorded
    output differs taken from the output; None when none differs. `not_as_sent`: the strings
    whose output is no value sent (JSON documents, a logo's hash), not taken as one.

    The engine's diff of a bridged resource compares the program's inputs with the recorded
    outputs (pulumi's DiffRequest.olds; pulumi-terraform-bridge provider.go, Diff), and the
    provider's read records what Okta holds: a refresh keeps an input list only as long as it
    was (schema.go, ExtractInputsFromOutputs), so a scope, grant type or URI added in Okta is
    in the outputs alone; a JSON document's input is kept as it was (its StateFunc). Lists of
    strings and JSON documents are what both sides hold alike, and so are the members of a list
    of blocks (`_read_blocks`), which the outputs may hold when the inputs hold none (keys added
    to an app that sends a key set URL). A string, number or boolean the outputs hold
    otherwise is what an update's own read recorded (a refresh writes it into the inputs too):
    Okta leaving a value out (the provider records "") or writing it another way. Not compared
    with: a logo's hash, and what the outputs alone hold otherwise of a block both sides hold
    (design.md).
    """
    # what almost every resource is: each input recorded as its output holds it (compared in C,
    # without a step per input); only the blocks the outputs alone hold remain to be looked at
    taken = (
        {}
        if inputs.items() <= outputs.items()
        else _differing(inputs, outputs, json_keys, blocks, not_as_sent)
    )
    for key in blocks or ():
        seen = outputs.get(key)
        if inputs.get(key) is None and type(seen) is list and seen:
            # none sent (optional, not computed): every block Okta holds is one the update removes
            taken[key] = seen
    return {**inputs, **taken} if taken else None


def _differing(
    inputs: Mapping[str, Any],
    outputs: Mapping[str, Any],
    json_keys: Iterable[str],
    blocks: Mapping[str, str] | None,
    not_as_sent: frozenset[str],
) -> dict[str, Any]:
    """`recorded_lists`' inputs (those of the inputs) that the outputs hold otherwise: input ->
    what the engine compares it with instead."""
    taken: dict[str, Any] = {}
    for key in json_keys:
        value, seen = inputs.get(key), outputs.get(key)
        if type(value) is not str or type(seen) is not str or seen == value:
            continue
        try:
            mine = json.loads(value)
        except ValueError:  # not JSON: the plan's diff says so of the input
            continue
        # the provider's output is normalised (NormalizeDataJSON): the same document may be
        # written otherwise; "" is none (its diff, SuppressJsonDiff, parses neither side then)
        try:
            differs = json.loads(seen) != mine
        except ValueError:
            differs = True
        if differs:
            taken[key] = seen
    get = outputs.get
    for key, value in inputs.items():
        kind = type(value)
        if kind is not list:
            if kind in _SCALAR_KINDS:
                seen = get(key, value)
                # what an update's own read recorded otherwise than it was sent (Okta leaving a
                # value out, or writing it another way), which a refresh writes into the inputs;
                # an equal value of the same kind, what almost every one is, costs no call
                if (
                    (seen != value or type(seen) is not kind)
                    and type(seen) in _SCALAR_KINDS
                    and key not in not_as_sent
                    and not same_scalar(seen, value)
                ):
                    taken[key] = seen
            continue
        seen = get(key, value)  # not in the outputs: nothing is known against it
        if seen == value:
            continue
        if blocks is not None and key in blocks:
            read = _read_blocks(value, seen, blocks[key])
            if read is not None:
                taken[key] = read
        elif all(type(v) is str for v in value) and (
            # null: Okta holds none (the provider's read of an empty list)
            (seen is None and value) or (type(seen) is list and all(type(v) is str for v in seen))
        ):
            taken[key] = seen
    return taken


def _name(block: Any, member: str) -> str | None:
    name = block.get(member) if type(block) is dict else None
    return name if type(name) is str and name else None  # "": the provider's unnamed key


def _read_blocks(value: list[Any], seen: Any, member: str) -> list[Any] | None:
    """The blocks the engine compares a list of blocks with (an app's group assignments, its
    keys), when the outputs hold other blocks than the inputs by `member` (a group's id, a
    key's kid); None when they hold the same ones.

    The provider's read lists every group assigned to the app, or every key Okta holds for it,
    console-made ones included, and drops those Okta no longer holds (syncGroups,
    setOAuthClientSettingsV6): those are what pulumi up sets right. A block both sides hold is
    taken from the inputs, into which a refresh writes what Okta holds of its strings and
    numbers (schema.go, extractInputs), a JSON document (a group's profile) excepted. A block
    the outputs hold without a name (a key Okta gives no kid, recorded as "") is one more, as it
    is."""
    names = [_name(b, member) for b in value]
    held = [] if seen is None else seen  # null: Okta holds none
    if None in names or type(held) is not list:
        return None
    read = [_name(b, member) for b in held]
    if read == names:
        return None
    sent = dict(zip(names, value, strict=True))
    return [b if name is None else sent.get(name, b) for name, b in zip(read, held, strict=True)]


def parse_state(doc: Any, source: str, *, decoded: bool = False) -> RecordedState:
    """A state document already parsed from JSON; raises StateError naming `source`.

    `decoded`: the JSON was parsed with secrets already turned into Secret objects. Without,
    a secret where the document must hold an object or a string is refused as a secret is.
    """
    if not isinstance(doc, dict) or _is_secret(doc):
        raise _fail(source, f"expected a JSON object, found {_kind(doc)}")
    if "version" not in doc:
        raise _fail(source, f"no 'version': not a Pulumi state document (version {VERSION})")
    version = doc["version"]
    if version != VERSION:
        shown = "[secret]" if _is_secret(version) else repr(version)  # never its plaintext
        raise _fail(source, f"version {shown} is not supported; expected {VERSION}")
    if "deployment" in doc:
        deployment = doc["deployment"]
    elif "checkpoint" in doc:
        checkpoint = _mapping(doc["checkpoint"], "checkpoint", source)
        deployment = checkpoint.get("latest")  # null for a stack that was never updated
    else:
        raise _fail(
            source,
            "neither 'deployment' (pulumi stack export) nor 'checkpoint' (file backend) is present",
        )
    resources = _mapping(deployment, "the deployment", source).get("resources")
    if resources is None:
        return RecordedState(source)
    if not isinstance(resources, list):
        raise _fail(
            source, f"deployment.resources must be a list, found {type(resources).__name__}"
        )
    return RecordedState(
        source, tuple(_resource(r, i, source, decoded) for i, r in enumerate(resources))
    )


def read_state(path: Path) -> RecordedState:
    """Read a state file, plain or gzipped JSON; raises StateError with one clear line."""
    source = str(path)
    try:
        raw = read_input(path, STATE_LIMIT, source)
    except InputFileError as exc:
        raise _fail(source, exc.reason) from exc
    packed = raw[:2] == b"\x1f\x8b"
    if packed:
        raw = _gunzip(raw, source)
    try:
        doc = json.loads(raw, object_hook=_decode_secret)
    except json.JSONDecodeError as exc:
        # the place first, as every other input's problem is given (file:line:column)
        if packed:  # the place is in the unpacked text, not in the file named
            raise StateError(
                f"state file {source}: its gzip stream is not JSON: {exc.msg} at line "
                f"{exc.lineno} column {exc.colno} of the unpacked text"
            ) from exc
        where = f"{source}:{exc.lineno}:{exc.colno}"
        gz = " (nor gzip, though named .gz)" if source.endswith(".gz") else ""
        raise StateError(f"state file {where}: not JSON{gz}: {exc.msg}") from exc
    except UnicodeDecodeError as exc:
        raise _fail(source, "not JSON: the file is not UTF-8 text") from exc
    except RecursionError as exc:
        # Pulumi state nests a few levels deep; thousands of levels is not state
        raise _fail(source, "not a Pulumi state document: its JSON is nested too deeply") from exc
    return parse_state(doc, source, decoded=True)


def _gunzip(raw: bytes, source: str) -> bytes:
    """The gzip stream unpacked, never to more than STATE_LIMIT (a small file can unpack to
    gigabytes)."""
    unpack = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        out = unpack.decompress(raw, STATE_LIMIT.max_bytes + 1)
    except zlib.error as exc:
        raise _fail(source, f"not a readable gzip file: {exc}") from exc
    if len(out) > STATE_LIMIT.max_bytes:
        raise _fail(source, f"unpacks to over {STATE_LIMIT.shown}; {STATE_LIMIT.usual}")
    if not unpack.eof:
        raise _fail(source, "not a readable gzip file: the stream is cut short")
    return out


def stack_state(
    state_file: Path | None, project_dir: Path, project: str, stack: str
) -> RecordedState | None:
    """The stack's recorded state: `--state FILE`, else the local backend's checkpoint; None
    when there is neither. Raises StateError when it cannot be read."""
    path = state_file or find_state(project_dir, project, stack)
    return read_state(path) if path is not None else None
