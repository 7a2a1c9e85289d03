"""What an audit read in full: a report claims checks only of these parts of the org.

A part counts as read when every read it needed succeeded: the rules of every policy naming a
declared app's client, the group assignments of every declared app found live, the client
secrets of every confidential one. A part that could not even be started (the apps listing
failed, so no app's rules were asked for) is not read either.
"""

from __future__ import annotations

from collections.abc import Iterable

from appspecs.live.model import Snapshot
from appspecs.live.secrets import SECRET_AUTH_METHODS

# Each part as a report names it, in the order the reader reads them.
PARTS: dict[str, str] = {
    "server": "the authorization server",
    "scopes": "its scopes",
    "policies": "its policies",
    "apps": "the OIDC apps",
    "groups": "the groups",
    "rules": "the rules of the apps' policies",
    "assignments": "the apps' group assignments",
    "secrets": "the apps' client secrets",
}


def parts_read(snap: Snapshot, declared: Iterable[str], *, secrets: bool) -> dict[str, bool]:
    """Part -> read in full, for every part in ``PARTS`` (``secrets`` only when asked for)."""
    apps = snap.apps is not None
    managed = snap.managed_apps(declared) if apps else []
    clients = {a.client_id for a in managed if a.client_id}
    naming = [p for p in snap.policies or () if not clients.isdisjoint(p.client_ids)]
    read = {
        "server": snap.server_read,
        "scopes": snap.scopes is not None,
        "policies": snap.policies is not None,
        "apps": apps,
        "groups": snap.groups is not None,
        "rules": apps and snap.policies is not None and all(p.id in snap.rules for p in naming),
        "assignments": apps
        and snap.groups is not None
        and all(a.id in snap.assignments for a in managed),
    }
    if secrets:
        confidential = [a for a in managed if a.token_endpoint_auth_method in SECRET_AUTH_METHODS]
        read["secrets"] = (
            apps and snap.secrets is not None and all(a.id in snap.secrets for a in confidential)
        )
    return read
