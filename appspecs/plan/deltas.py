"""How one app's two sides (`AppView`s) differ, field by field: values added and removed,
settings and keys changed, lists whose order alone changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, TypeVar

from appspecs.plan.hidden import SECRET_TEXT
from appspecs.plan.views import SETTINGS, AppView
from appspecs.records import record

T = TypeVar("T")
R = TypeVar("R")


@record
class Delta:
    """Values added and removed between two sides."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


# what most apps' fields are, the same on both sides (a record is not changed once made)
NO_DELTA = Delta()


def delta(old: tuple[str, ...], new: tuple[str, ...]) -> Delta:
    if old == new:
        return NO_DELTA
    return Delta(tuple(v for v in new if v not in old), tuple(v for v in old if v not in new))


def settings_change(old: AppView, new: AppView) -> tuple[tuple[str, str | None, str | None], ...]:
    if old.settings == new.settings:
        return ()
    before, after = dict(old.settings), dict(new.settings)
    return tuple(
        (name, before.get(name), after.get(name))
        for name, _, _ in SETTINGS
        if before.get(name) != after.get(name)
    )


def key_delta(old: AppView, new: AppView) -> Delta:
    if old.keys == new.keys:
        return NO_DELTA
    return Delta(
        tuple(kid for kid, key in new.keys if (kid, key) not in old.keys),
        tuple(kid for kid, key in old.keys if (kid, key) not in new.keys),
    )


def known_change(old: T | None, new: T | None) -> tuple[T, T] | None:
    """(old, new) when both sides know the value and it differs. A side may not know it: state
    recorded no such input, or holds it as a secret."""
    if old is None or new is None or old == new:
        return None
    return (old, new)


def group_delta(old: AppView, new: AppView, named: frozenset[str]) -> Delta:
    """Groups added and removed. A recorded id no export names and a group whose id is not known
    yet may be the same group: when both occur, neither is reported."""
    if old.groups == new.groups and not old.unnamed_groups:
        return NO_DELTA
    unknown_new = tuple(g for g in new.groups if g not in old.groups and g not in named)
    added = tuple(g for g in new.groups if g not in old.groups and g in named)
    removed = tuple(g for g in old.groups if g not in new.groups)
    if old.unnamed_groups and unknown_new:
        return Delta(added, removed)
    return Delta(added + unknown_new, removed + tuple(f"id {i}" for i in old.unnamed_groups))


def reordered(old: AppView, new: AppView) -> tuple[str, ...]:
    """The lists whose order the provider keeps (TypeList: an app's redirect_uris and keys, the
    group assignments' blocks), by their JSON name, that hold the same values on both sides in
    another order: the update rewrites them. The rest (scopes, grant types, post-logout URIs)
    are sets to it (SET_INPUTS): in another order, no change."""
    lists = (
        ("redirectUris", old.redirect_uris, new.redirect_uris),
        ("groups", old.groups, new.groups),
        ("jwks", old.keys, new.keys),
    )
    return tuple(k for k, a, b in lists if a != b and sorted(a) == sorted(b))


_VIEW_FIELDS = frozenset(f.name for f in dataclasses.fields(AppView))


def known_from(old: AppView, new: AppView) -> AppView:
    """`old` with each field it could not read (a secret held as ciphertext) taken from `new`:
    not known to differ, it is not reported (the resource diff counts it as the same)."""
    if not old.unread:
        return old
    names = set(old.unread)
    changes: dict[str, Any] = {n: getattr(new, n) for n in names & _VIEW_FIELDS}
    if "groups" in names:
        changes["unnamed_groups"] = ()
    settings = names - _VIEW_FIELDS  # the rest are settings, by plan name
    if settings:
        before, after = dict(old.settings), dict(new.settings)
        for name in settings:
            before.pop(name, None)
            if name in after:
                before[name] = after[name]
        changes["settings"] = tuple(before.items())
    return dataclasses.replace(old, **changes)


def masked(summary: R, secret: Iterable[str]) -> R:
    """`summary` with the old values of fields that were readable secrets shown as
    `[secret]`: a value removed, a setting's or the label's old value. Values added are the
    spec's own and stay."""
    names = set(secret)
    if not names:
        return summary
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(summary):  # type: ignore[arg-type]
        value = getattr(summary, f.name)
        if f.name in names and isinstance(value, Delta) and value.removed:
            changes[f.name] = Delta(value.added, (SECRET_TEXT,))
        elif f.name in names and isinstance(value, tuple) and len(value) == 2:
            # a bool's old value is the opposite of its new one: the change is not said at all
            # (the app still counts as changed)
            changes[f.name] = None if type(value[1]) is bool else (SECRET_TEXT, value[1])
    settings = getattr(summary, "settings", ())
    if any(name in names for name, _, _ in settings):
        changes["settings"] = tuple(
            (name, SECRET_TEXT if name in names and old is not None else old, new)
            for name, old, new in settings
        )
    return dataclasses.replace(summary, **changes)  # type: ignore[type-var]
