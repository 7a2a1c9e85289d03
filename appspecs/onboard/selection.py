"""Which live apps `appspec import` maps: those a policy of the stack's authorization server names.

They are read with the audit's reader (``appspecs.live``): first the overview (server, scopes,
policies, every OIDC app and group), then, for the apps chosen from it, the rules of the
policies naming them and their group assignments.
"""

from __future__ import annotations

from collections.abc import Sequence

from appspecs.live.model import LiveApp, LivePolicy, Snapshot
from appspecs.live.snapshot import SnapshotRequest, read_details, read_overview
from appspecs.okta import OktaClient
from appspecs.stackconfig import StackConfig


def read_org(client: OktaClient, stack: StackConfig) -> Snapshot:
    """The server, its scopes and policies, every OIDC app and group; no per-app details yet."""
    server = stack.auth_server
    return read_overview(client, SnapshotRequest(server_id=server.id, server_name=server.name))


def read_chosen(client: OktaClient, snap: Snapshot, apps: Sequence[LiveApp]) -> None:
    """Add to ``snap`` the rules of policies naming ``apps`` and the apps' group assignments.

    Per app: an import picks a few apps and wants their groups, not every group's apps.
    """
    read_details(client, snap, apps, assignments_from="apps")


def covering_policies(snap: Snapshot, app: LiveApp) -> list[LivePolicy]:
    """The server's policies naming the app's client id (``ALL_CLIENTS`` policies excluded)."""
    if app.client_id is None:
        return []
    return [p for p in snap.policies or () if not p.all_clients and app.client_id in p.client_ids]


def covered_apps(snap: Snapshot) -> list[LiveApp]:
    """OIDC apps with access to the server: a policy of it names their client id."""
    return [a for a in snap.apps or () if covering_policies(snap, a)]


def org_notes(snap: Snapshot) -> list[str]:
    """What the import leaves aside about the server: ALL_CLIENTS policies, unknown clients."""
    notes = [
        f"policy {p.name!r} ({p.id}) applies to ALL_CLIENTS: every app may use its rules; "
        "specs cannot express it, so it was not imported"
        for p in snap.policies or ()
        if p.all_clients
    ]
    known = {a.client_id for a in snap.apps or () if a.client_id}
    for p in snap.policies or ():
        if p.all_clients:
            continue
        for client_id in p.client_ids:
            if client_id not in known:
                notes.append(
                    f"policy {p.name!r} ({p.id}) names client {client_id}, which is not an OIDC "
                    "app of the org"
                )
    return notes


def matches(app: LiveApp, wanted: str) -> bool:
    """``--app`` and ``--partner`` name an app by id, client id, label (any case) or the spec
    name its appspecs marker carries (the name import reports apps already managed by)."""
    return (
        wanted in (app.id, app.client_id)
        or (app.label is not None and app.label.casefold() == wanted.casefold())
        or (app.marker is not None and app.marker.name == wanted)
    )


def select_apps(apps: Sequence[LiveApp], wanted: Sequence[str]) -> tuple[list[LiveApp], list[str]]:
    """The apps ``wanted`` names (all when it is empty), and the names that matched none."""
    if not wanted:
        return list(apps), []
    chosen = [a for a in apps if any(matches(a, w) for w in wanted)]
    unmatched = [w for w in wanted if not any(matches(a, w) for a in apps)]
    return chosen, unmatched
