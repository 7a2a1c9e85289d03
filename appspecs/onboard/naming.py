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


def assign_names(apps: Iterable[tuple[str, str | None, str]]) -> dict[str, str]:
    """Map app id -> spec name for ``(app id, marker name, label)`` triples.

    Marker names are taken first and kept as they are (they are what the audit matches on);
    the rest get slugs of their labels, de-duplicated with a numeric suffix in input order.
    """
    items = list(apps)
    names: dict[str, str] = {}
    taken: set[str] = set()
    for app_id, marker, _ in items:
        if marker is not None and is_name(marker) and marker not in taken:
            names[app_id] = marker
            taken.add(marker)
    for app_id, _, label in items:
        if app_id in names:
            continue
        name = unique(slug(label), taken)
        names[app_id] = name
        taken.add(name)
    return names
