"""How one resource's inputs compare with the recorded ones, as the provider compares them:
JSON documents as JSON, sets as sets, placeholders as what they may resolve to, secrets by what
can be known of them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from appspecs.plan.state import Secret
from appspecs.plan.values import ABSENT, Unknown
from appspecs.plan.wire import SCALARS, same_scalar
from appspecs.records import record


@record
class Change:
    """One changed input: its path (`redirectUris[0]`, `groups[1].id`) and both values."""

    path: str
    old: Any
    new: Any


_INDEX = re.compile(r"\[\d+\]")


def _json_pair(new: Any, old: Any) -> tuple[Any, Any] | None:
    """Both sides of a JSON input, each string parsed (an unset side stays ABSENT), or None
    when a string is not JSON."""
    try:
        return (
            json.loads(new) if type(new) is str else new,
            json.loads(old) if type(old) is str else old,
        )
    except ValueError:
        return None


def _compare(
    new: Any, old: Any, path: str, out: list[Change], json_paths: frozenset[str] = frozenset()
) -> None:
    kind = type(new)
    # fast paths for what most inputs are: equal strings, equal lists of strings
    if kind is type(old):
        if kind is str:
            if new != old:
                pair = _json_pair(new, old) if _INDEX.sub("[]", path) in json_paths else None
                if pair is None:
                    out.append(Change(path, old, new))
                else:
                    # as the provider compares it: as JSON, so the change is what moved inside
                    _compare(pair[0], pair[1], path, out)
            return
        if kind is list and new == old and all(type(v) is str for v in new):
            return
    if kind is str and old is ABSENT and _INDEX.sub("[]", path) in json_paths:
        pair = _json_pair(new, old)
        out.append(Change(path, old, new if pair is None else pair[0]))  # a document, not text
        return
    if kind is Unknown:
        if old is ABSENT or new.fresh:
            out.append(Change(path, old, new))
        elif type(old) is Unknown:
            if old.placeholder != new.placeholder:
                out.append(Change(path, old, new))
        elif isinstance(old, str) and old in new.excludes:
            out.append(Change(path, old, new))
        # otherwise it may well be the recorded value: not a change
        return
    if type(old) is Secret:
        if old.same_as(new) is False:
            out.append(Change(path, old, new))
        return  # ciphertext: nothing to compare with, counted as the same
    if isinstance(new, dict) and isinstance(old, dict):
        for key in [*new, *(k for k in old if k not in new)]:
            _compare(new.get(key, ABSENT), old.get(key, ABSENT), f"{path}.{key}", out, json_paths)
        return
    if isinstance(new, list) and isinstance(old, list) and len(new) == len(old):
        for i, (n, o) in enumerate(zip(new, old, strict=True)):
            _compare(n, o, f"{path}[{i}]", out, json_paths)
        return
    if isinstance(new, dict | list) or isinstance(old, dict | list) or not same_scalar(new, old):
        out.append(Change(path, old, new))


def _plain_list(value: Any) -> bool:
    """A list of known strings and numbers."""
    return type(value) is list and all(type(v) in (str, int, float) for v in value)


def _same_set(new: Any, old: Any) -> bool | None:
    """Whether a set input holds the same members on both sides: True, False, or None when it
    cannot be compared as a set (a secret whose value is not known here, not a list): then it
    is compared as other inputs are.

    Placeholders that are not fresh may be the recorded values (as elsewhere in the diff), so
    a list mixing them with known values is the same when each recorded value the known ones
    leave over can be one placeholder's, and every placeholder can be one of the recorded
    values (`Unknown.excludes` says what it cannot be): the order of the members, which the
    provider does not keep, says nothing of which is which.
    """
    if type(old) is Secret:
        return old.matches(lambda value: _same_set(new, value))
    if type(old) is list and type(new) is list and any(_fresh(v) for v in new):
        return False  # a value of a resource yet to be made: no recorded member is it
    members, was = _set_members(new), _set_members(old)
    if members is None or was is None:
        return None
    if members == was:
        return True
    if not _plain_list(old) or _plain_list(new):
        # both known, or both symbolic (two spec trees): a placeholder is that value only
        return False
    # one placeholder twice is one value: what either says it is not, it is not
    excluded: dict[Any, frozenset[str]] = {}
    for v in new:
        if type(v) is Unknown:
            excluded[v.placeholder] = excluded.get(v.placeholder, frozenset()) | v.excludes
    unknowns = list(excluded.values())
    known = members.difference(v.placeholder for v in new if type(v) is Unknown)
    return _may_hold(known, unknowns, frozenset(old))


def _may_hold(
    known: frozenset[Any], unknowns: list[frozenset[str]], recorded: frozenset[Any]
) -> bool:
    """Whether `known` and one value for each unknown (none of its excludes) make `recorded`."""
    if not known <= recorded:
        return False
    left = list(recorded - known)
    if len(left) > len(unknowns):
        return False
    # each value left over is a different unknown's (a matching, by augmenting paths)
    holder: dict[int, int] = {}  # unknown -> the value left over it stands for

    def assign(value: int, tried: set[int]) -> bool:
        for u, excludes in enumerate(unknowns):
            if u in tried or left[value] in excludes:
                continue
            tried.add(u)
            if u not in holder or assign(holder[u], tried):
                holder[u] = value
                return True
        return False

    if not all(assign(value, set()) for value in range(len(left))):
        return False
    # and the other unknowns repeat a value the list holds
    return all(
        any(v not in excludes for v in recorded)
        for u, excludes in enumerate(unknowns)
        if u not in holder
    )


def _fresh(value: Any) -> bool:
    return type(value) is Unknown and value.fresh


def _set_members(value: Any) -> frozenset[Any] | None:
    """A list's members as a set: known values, and placeholders for a value of a resource that
    exists (the same placeholder on both sides is the same value); None when a member cannot be
    compared so (a secret, a value of a resource yet to be made): compared as elsewhere."""
    if type(value) is not list:
        return None
    members: set[Any] = set()
    for v in value:
        if type(v) in (str, int, float):
            members.add(v)
        elif type(v) is Unknown and not v.fresh:
            members.add(v.placeholder)
        else:
            return None
    return frozenset(members)


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def _as_unset(value: Any, reset: Any) -> bool:
    """Whether a recorded value is what the provider's diff takes an input the program leaves
    unset for (`reset`, RESET_WHEN_UNSET): an equal value, an empty list or block, or null for a
    zero. A secret whose value is not known here is taken for it, as the steps take one."""
    if type(value) is Secret:
        if not value.known:
            return True
        value = value.plaintext()
    if value is None:
        return reset is None or type(reset) is list or reset in ("", 0)  # false too
    if reset is None:
        return bool(value == {})
    if type(reset) is list:
        return type(value) is list and not value
    return same_scalar(reset, value)


def _unset_change(key: str, value: Any, reset: Any) -> Change:
    """The change of an input the program leaves unset: to its default, or removed."""
    zero = reset is None or reset == [] or reset in ("", 0)
    return Change(key, value, ABSENT if zero else reset)


_NOTHING: Mapping[str, Any] = {}


def diff_inputs(
    new: Mapping[str, Any],
    old: Mapping[str, Any],
    ignore_changes: Sequence[str] = (),
    kept: frozenset[str] = frozenset(),
    json_paths: frozenset[str] = frozenset(),
    outputs: Mapping[str, Any] | None = None,
    sets: frozenset[str] = frozenset(),
    zero_ignored: frozenset[str] = frozenset(),
    unset: Mapping[str, Any] = _NOTHING,
) -> list[Change]:
    """The changed inputs of an existing resource.

    Inputs at `json_paths` hold JSON documents and are compared as JSON: a change inside one is
    given by its path within (`profile.appspecs.digest`), and a mere re-encoding is no change.

    Recorded inputs the program no longer sets count as removed, except the bridge's own
    bookkeeping (`__defaults` and other `__` keys), inputs it lists as defaulted, empty values,
    and `kept` inputs (the provider leaves them as they are). `ignore_changes` paths (and
    everything under them) are left out, as the engine does.

    An input set now but not recorded is compared with the recorded `outputs`, as the provider
    diffs against its state: an input stated at the provider's default is no change to a
    resource that was created without it or adopted with `pulumi import` (which leaves inputs at
    their default out).

    Inputs named in `sets` are sets to the provider: the same values in another order are no
    change, and a change is said of the whole value (an index means nothing in a set). A change
    to 0 of an input at `zero_ignored` is none: the provider's diff suppresses it.

    `unset`: the inputs the provider resets when the program leaves them unset, each with what it
    sets then (RESET_WHEN_UNSET). One the recorded inputs, or else the recorded outputs, hold at
    another value is a change to that value (removed, for a zero).
    """
    read = outputs or {}
    defaults = old.get("__defaults")
    defaulted = {d for d in defaults if isinstance(d, str)} if isinstance(defaults, list) else set()
    out: list[Change] = []
    for key, value in new.items():
        was = old[key] if key in old else read.get(key, ABSENT)
        kind = type(value)
        # what most inputs are, an equal string, number, boolean or null of the same type, is
        # no change (as `_compare` finds) without a call for it
        if kind is type(was) and kind in SCALARS and value == was:
            continue
        # nor is an equal list of strings, as a list or as a set (most of the set inputs: the
        # members of a set are compared only when the lists differ)
        if (
            kind is list
            and type(was) is list
            and value == was
            and all(type(v) is str for v in value)
        ):
            continue
        if key in sets:
            same = _same_set(value, was)
            if same is not None:
                if not same:
                    out.append(Change(key, was, value))
                continue
        _compare(value, was, key, out, json_paths)
    for key, value in old.items():
        if key in new or key.startswith("__") or key in defaulted or key in kept:
            continue
        if key in unset:
            if not _as_unset(value, unset[key]):
                out.append(_unset_change(key, value, unset[key]))
        elif not _empty(value):
            out.append(Change(key, value, ABSENT))
    if unset and read:
        # what only the outputs hold: a value read from Okta (after a console edit) or recorded
        # by an update's own read, of an input neither the program nor the recorded inputs set;
        # one the bridge defaulted (`__defaults`) is its default again in the engine's inputs
        left = unset.keys() - new.keys() - (old.keys() - defaulted)
        # in the order of their names, as a set of them has none that holds from run to run
        for key in sorted(k for k in left if k in read and not _as_unset(read[k], unset[k])):
            out.append(_unset_change(key, read[key], unset[key]))
    if ignore_changes:
        out = [c for c in out if not any(_under(c.path, p) for p in ignore_changes)]
    if zero_ignored and out:
        out = [c for c in out if not _zero_ignored(c, zero_ignored)]
    return out


def _zero_ignored(change: Change, paths: frozenset[str]) -> bool:
    new = change.new
    return type(new) in (int, float) and new == 0 and _INDEX.sub("[]", change.path) in paths


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))
