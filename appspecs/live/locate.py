"""Find the live Okta app a spec became, by the marker render puts in its profile."""

from __future__ import annotations

from typing import Any

from appspecs.desired.model import MARKER
from appspecs.live.model import LiveApp, parse_app
from appspecs.live.snapshot import APPS, OIDC_FILTER
from appspecs.okta import OktaClient


class AppNotFound(Exception):
    """No live app, or more than one, carries the marker (exit 1: the org is not as declared)."""


def find_managed_app(client: OktaClient, name: str, label: str | None = None) -> LiveApp:
    """The one OIDC app whose marker names ``name``.

    With the label the desired state gives, one ``q`` search (Okta matches label prefixes)
    usually finds it; only when it does not, because someone relabelled the app, is the whole
    OIDC app listing read. Both count against the small ``apps`` rate-limit bucket.
    """
    found: list[LiveApp] = []
    if label:
        found = _marked(client.list(APPS, {"q": label}), name)
    if not found:
        found = _marked(client.list(APPS, {"filter": OIDC_FILTER}), name)
    if not found:
        raise AppNotFound(
            f"no app in the org has {MARKER} name '{name}' in its profile; has the stack "
            "been deployed?"
        )
    if len(found) > 1:
        ids = ", ".join(a.id for a in found)
        raise AppNotFound(f"{len(found)} apps in the org claim to be '{name}' ({ids}); fix the org")
    return found[0]


def _marked(apps: list[Any], name: str) -> list[LiveApp]:
    # A `q` search returns apps of every kind: only OIDC apps are parsed as such.
    oidc = (parse_app(a) for a in apps if isinstance(a, dict) and a.get("name") == "oidc_client")
    return [a for a in oidc if a.marker is not None and a.marker.name == name]
