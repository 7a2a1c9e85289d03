"""Find the live Okta app a spec became, by the marker render puts in its profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appspecs.desired.model import MARKER
from appspecs.okta import OktaClient

OIDC_FILTER = 'name eq "oidc_client"'


@dataclass(frozen=True, slots=True)
class LiveClient:
    """The parts of a live OIDC app that secret commands need."""

    id: str
    label: str
    client_id: str
    token_endpoint_auth_method: str
    status: str


class AppNotFound(Exception):
    """No live app, or more than one, carries the marker (exit 1: the org is not as declared)."""


def marker_name(app: dict[str, Any]) -> str | None:
    """``profile.appspecs.name``, the spec name Pulumi wrote on the app, if any."""
    profile = app.get("profile")
    marker = profile.get(MARKER) if isinstance(profile, dict) else None
    name = marker.get("name") if isinstance(marker, dict) else None
    return name if isinstance(name, str) else None


def live_client(app: dict[str, Any]) -> LiveClient:
    credentials = app.get("credentials")
    oauth = credentials.get("oauthClient") if isinstance(credentials, dict) else None
    oauth = oauth if isinstance(oauth, dict) else {}
    return LiveClient(
        id=str(app.get("id", "")),
        label=str(app.get("label", "")),
        client_id=str(oauth.get("client_id", "")),
        token_endpoint_auth_method=str(oauth.get("token_endpoint_auth_method", "")),
        status=str(app.get("status", "")),
    )


def find_managed_app(client: OktaClient, name: str, label: str | None = None) -> LiveClient:
    """The one OIDC app whose marker names ``name``.

    With the label the desired state gives, one ``q`` search (Okta matches label prefixes)
    usually finds it; only when it does not, because someone relabelled the app, is the whole
    OIDC app listing read. Both count against the small ``apps`` rate-limit bucket.
    """
    found: list[dict[str, Any]] = []
    if label:
        found = _marked(client.list("/api/v1/apps", {"q": label}), name)
    if not found:
        found = _marked(client.list("/api/v1/apps", {"filter": OIDC_FILTER}), name)
    if not found:
        raise AppNotFound(
            f"no app in the org has {MARKER} name '{name}' in its profile; has the stack "
            "been deployed?"
        )
    if len(found) > 1:
        ids = ", ".join(str(a.get("id")) for a in found)
        raise AppNotFound(f"{len(found)} apps in the org claim to be '{name}' ({ids}); fix the org")
    return live_client(found[0])


def _marked(apps: list[Any], name: str) -> list[dict[str, Any]]:
    return [
        a
        for a in apps
        if isinstance(a, dict) and a.get("name") == "oidc_client" and marker_name(a) == name
    ]
