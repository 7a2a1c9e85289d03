"""Spec names for imported apps: the marker's name when Pulumi left one, else a slug of the label."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from appspecs.spec.models import NAME_MAX_LENGTH as MAX_LENGTH
from appspecs.spec.models import NAME_MIN_LENGTH as MIN_LENGTH
from appspecs.spec.models import NAME_PATTERN

NAME = re.compile(NAME_PATTERN)
FALLBACK = "app"

_NOT_NAME = re.compile(r"[^a-z0-9]+")


def is_name(value: str) -> bool:
    return MIN_LENGTH <= len(value) <= MAX_LENGTH and NAME.match(value) is not None


def slug(label: str) -> str:
    """A valid spec name from a label: 'CRM Sync (EU)' -> 'crm-sync-eu'."""
    # 'Café' -> 'cafe': accents are dropped, not turned into separators.
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    text = _NOT_NAME.sub("-", ascii_text.lower()).strip("-")
    if not text:
        return FALLBACK
    if not text[0].isalpha() or len(text) < MIN_LENGTH:
        text = f"{FALLBACK}-{text}"
    return text[:MAX_LENGTH].rstrip("-")


def unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... (kept within 40 characters), not yet in ``taken``."""
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


def assign_names(
    apps: Iterable[tuple[str, str | None, str]], taken: Iterable[str] = ()
) -> dict[str, str]:
    """Map app id -> spec name for ``(app id, name to keep, label)`` triples.

    Names to keep (the marker's, or that of a spec imported from the same app before) are
    taken first and kept as they are: the audit matches on markers, and a spec file belongs to
    the app it came from. The rest get slugs of their labels, made unique with a numeric suffix
    in input order, avoiding ``taken`` (the names of every spec that exists: a slug must never
    land on another app's file) and every name given out here.
    """
    items = list(apps)
    names: dict[str, str] = {}
    kept: set[str] = set()
    for app_id, keep, _ in items:
        if keep is not None and is_name(keep) and keep not in kept:
            names[app_id] = keep
            kept.add(keep)
    used = kept | set(taken)
    for app_id, _, label in items:
        if app_id in names:
            continue
        name = unique(slug(label), used)
        names[app_id] = name
        used.add(name)
    return names
