"""Read what import maps: the audit's snapshot, plus rules and groups of the apps to import.

The snapshot (``appspecs.live``) reads rules and assignments only for apps carrying our marker;
import wants them for apps a policy names, marked or not. Its first rounds are reused as they
are (server, scopes, policies, OIDC apps, groups); this module adds the last round for the
chosen apps, with the snapshot's parsers: one ``authorizationServers`` call per policy naming
one of them, one ``apps`` call per app for its group assignments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from appspecs.live import Snapshot, SnapshotRequest, read_snapshot
from appspecs.live.model import LiveApp, LiveRule, group_ids_of, parse_rule
from appspecs.live.snapshot import FailedRead
from appspecs.okta import OktaClient, OktaError
from appspecs.stackconfig import StackConfig

SERVERS = "/api/v1/authorizationServers"


def read_org(client: OktaClient, stack: StackConfig) -> Snapshot:
    """The server, its scopes and policies, every OIDC app and group; no per-app details yet."""
    server = stack.auth_server
    request = SnapshotRequest(server_id=server.id, server_name=server.name, managed=frozenset())
    return read_snapshot(client, request)


def read_details(client: OktaClient, snap: Snapshot, apps: Sequence[LiveApp]) -> None:
    """Add to ``snap`` the rules of policies naming ``apps`` and the apps' group assignments.

    Failed reads are recorded in ``snap.failed``, as the snapshot records its own.
    """
    if snap.auth_server is None:
        return
    server = snap.auth_server.id
    clients = {a.client_id for a in apps if a.client_id}
    tasks: list[tuple[str, Callable[[], Any], Callable[[Any], None]]] = []
    for policy in snap.policies or ():
        if policy.all_clients or clients.isdisjoint(policy.client_ids):
            continue
        path = f"{SERVERS}/{server}/policies/{policy.id}/rules"

        def rules(path: str = path) -> tuple[LiveRule, ...]:
            return tuple(parse_rule(r) for r in client.list(path))

        def keep_rules(found: tuple[LiveRule, ...], pid: str = policy.id) -> None:
            snap.rules[pid] = found

        tasks.append((f"rules of policy {policy.name!r} ({policy.id})", rules, keep_rules))
    for app in apps:

        def groups(path: str = f"/api/v1/apps/{app.id}/groups") -> tuple[str, ...]:
            # Parsed inside the task: a malformed answer is a failed read, not a crash.
            return group_ids_of(client.list(path))

        def keep_groups(found: tuple[str, ...], aid: str = app.id) -> None:
            snap.assignments[aid] = found

        tasks.append((f"groups of app {app.describe()}", groups, keep_groups))
    results = client.map_concurrent(lambda task: task[1](), tasks)
    for (what, _, keep), result in zip(tasks, results, strict=True):
        if isinstance(result, OktaError):
            snap.failed.append(FailedRead(what, str(result)))
        else:
            keep(result)
