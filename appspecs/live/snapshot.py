"""A read-only snapshot of what the audit compares, read from the org in the fewest calls.

Okta meters calls per endpoint family, and ``/api/v1/apps*`` (the apps listing, every app's
groups and secrets) allows only 100 a minute on most editions, so the plan counts calls per
bucket rather than requests in general. With ``N`` managed apps (each with its own policy),
``A`` OIDC apps in the org and ``G`` groups, three rounds, each one fan-out on the client's
threads:

1. ``authorizationServers``: the server, by its configured id (1 call) or by name
   (``?q=<name>``, 1 page of 200); when the id is configured, its scopes (1 call, 200 a page)
   and policies (1 call: never paged) in the same round. ``apps``: every OIDC app,
   ``filter=name eq "oidc_client"``, ``ceil(A / 200)`` calls. ``groups``: every group,
   ``ceil(G / 1000)`` calls (names <-> ids for assignments and rules).
2. ``authorizationServers``: scopes and policies of a server found by name (2 calls).
3. ``authorizationServers``: the rules of each policy that names a managed app's client id
   (1 call per policy: Okta has no listing of all rules). Group assignments, whichever costs
   less (see :func:`choose_assignment_source`): per group, ``/api/v1/groups/{id}/apps`` on the
   ``groups`` bucket (at least ``G`` calls), or per managed app, ``/api/v1/apps/{id}/groups`` on
   the small ``apps`` bucket (``N`` calls). Client secrets, only when the stack sets
   ``maxSecretAgeDays``: one call per managed confidential app, on the ``apps`` bucket.

About ``N + 4 + ceil(A / 200) + min(G, N)`` calls in all: 1,000 apps over 50 groups take about
1,060. A provider refresh reads each app, its policy, rule and assignments, and each scope:
over 4,000, a quarter of them on the ``apps`` bucket.

``read_snapshot`` runs all three for the audit's managed apps. `appspec import` runs the first
two (``read_overview``), picks its apps from what they found, then runs the third for those
(``read_details``).

Reads are never guessed at: each read that fails after the client's retries is recorded in
``Snapshot.failed`` and leaves its part of the snapshot unknown (``None``, or absent from a
mapping), so a comparison can tell "not there" from "not read".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from appspecs.live.model import (
    AssignmentSource,
    FailedRead,
    LiveApp,
    LiveAuthServer,
    LivePolicy,
    LiveRule,
    LiveScope,
    Snapshot,
    app_ids_of,
    group_ids_of,
    parse_app,
    parse_auth_server,
    parse_group,
    parse_policy,
    parse_rule,
    parse_scope,
)
from appspecs.live.secrets import SECRET_AUTH_METHODS, SecretInfo, list_secrets
from appspecs.okta import NotFound, OktaClient, OktaError
from appspecs.records import record

T = TypeVar("T")

APPS = "/api/v1/apps"
OIDC_FILTER = 'name eq "oidc_client"'
SERVERS = "/api/v1/authorizationServers"

# Okta's usual per-minute limits of the two buckets assignments can be read from: a call on the
# apps bucket costs five times the share of its window that a call on the groups bucket does.
APPS_BUCKET_PER_MINUTE = 100
GROUPS_BUCKET_PER_MINUTE = 500

#: Told how many calls a round is expected to take, before it starts (for a progress display).
Progress = Callable[[str, int], None]


@record
class SnapshotRequest:
    """What to read: where the server is, which apps are ours, and whether to read secrets."""

    server_id: str | None
    server_name: str | None
    managed: frozenset[str] = frozenset()  # marker names of the declared apps: details read
    read_secrets: bool = False


def choose_assignment_source(managed_apps: int, groups: int) -> AssignmentSource | None:
    """Per group or per app, whichever uses less of its bucket's window (None: nothing to read).

    Listing each group's apps costs at least one ``groups`` call per group; listing each
    managed app's groups one ``apps`` call per app, on a bucket a fifth the size.
    """
    if managed_apps == 0:
        return None
    per_app = managed_apps / APPS_BUCKET_PER_MINUTE
    per_group = groups / GROUPS_BUCKET_PER_MINUTE
    return "groups" if per_group <= per_app else "apps"


class _Round:
    """One fan-out of independent reads; failures are recorded, results kept by task."""

    def __init__(self, client: OktaClient, snapshot: Snapshot) -> None:
        self._client = client
        self._snapshot = snapshot
        self._tasks: list[tuple[str, Callable[[], Any], Callable[[Any], None]]] = []

    def add(self, what: str, read: Callable[[], T], keep: Callable[[T], None]) -> None:
        self._tasks.append((what, read, keep))

    def __len__(self) -> int:
        return len(self._tasks)

    def run(self) -> None:
        self._snapshot.attempted += len(self._tasks)
        results = self._client.map_concurrent(lambda task: task[1](), self._tasks)
        for (what, _, keep), result in zip(self._tasks, results, strict=True):
            if isinstance(result, OktaError):
                self._snapshot.failed.append(FailedRead(what, str(result), result.what))
            else:
                keep(result)


def read_snapshot(
    client: OktaClient, request: SnapshotRequest, progress: Progress | None = None
) -> Snapshot:
    """Read everything the audit compares; see the module docstring for the plan."""
    snap = read_overview(client, request, progress)
    managed = snap.managed_apps(request.managed)
    read_details(client, snap, managed, read_secrets=request.read_secrets, progress=progress)
    return snap


def read_overview(
    client: OktaClient, request: SnapshotRequest, progress: Progress | None = None
) -> Snapshot:
    """Rounds 1 and 2: the server, its scopes and policies, every OIDC app and every group."""
    lookup = (
        f"id {request.server_id}"
        if request.server_id is not None
        else f"name {request.server_name!r}"
    )
    snap = Snapshot(server_lookup=lookup)

    first = _Round(client, snap)
    if request.server_id is not None:
        first.add(
            f"authorization server {request.server_id}",
            lambda: _server_by_id(client, request.server_id or ""),
            lambda found: _keep_server(snap, found),
        )
        _add_server_children(first, client, snap, request.server_id)
    else:
        first.add(
            f"authorization servers named {request.server_name!r}",
            lambda: _server_by_name(client, request.server_name or ""),
            lambda found: _keep_server(snap, found),
        )
    first.add(
        "the OIDC apps listing",
        lambda: [parse_app(a) for a in client.list(APPS, {"filter": OIDC_FILTER})],
        lambda apps: setattr(snap, "apps", tuple(apps)),
    )
    first.add(
        "the groups listing",
        lambda: [parse_group(g) for g in client.list("/api/v1/groups")],
        lambda groups: setattr(snap, "groups", tuple(groups)),
    )
    _run(first, "server, apps and groups", progress)

    if request.server_id is None and snap.auth_server is not None:
        second = _Round(client, snap)
        _add_server_children(second, client, snap, snap.auth_server.id)
        _run(second, "scopes and policies", progress)
    elif snap.auth_server is None:
        # Not found, or not read: its children are not there to read.
        snap.scopes = None if not snap.server_read else ()
        snap.policies = None if not snap.server_read else ()
    return snap


def read_details(
    client: OktaClient,
    snap: Snapshot,
    apps: Sequence[LiveApp],
    *,
    assignments_from: AssignmentSource | None = None,
    read_secrets: bool = False,
    progress: Progress | None = None,
) -> None:
    """Round 3, into ``snap``: the rules of the policies naming ``apps``, the apps' group
    assignments and, with ``read_secrets``, the client secrets of the confidential ones.

    Assignments are read per group or per app as ``assignments_from`` says, by default
    whichever costs less (:func:`choose_assignment_source`).
    """
    third = _Round(client, snap)
    _add_rules(third, client, snap, apps)
    _add_assignments(third, client, snap, apps, assignments_from)
    if read_secrets:
        _add_secrets(third, client, snap, apps)
    _run(third, "rules, assignments and secrets", progress)


def _run(round_: _Round, label: str, progress: Progress | None) -> None:
    if not len(round_):
        return
    if progress is not None:
        progress(label, len(round_))
    round_.run()


def _server_by_id(client: OktaClient, server_id: str) -> LiveAuthServer | None:
    try:
        return parse_auth_server(client.get_object(f"{SERVERS}/{server_id}"))
    except NotFound:
        return None


def _server_by_name(client: OktaClient, name: str) -> LiveAuthServer | None:
    # q matches name and audience prefixes: the exact name is picked out here.
    found = [parse_auth_server(s) for s in client.list(SERVERS, {"q": name})]
    return next((s for s in found if s.name == name), None)


def _keep_server(snap: Snapshot, found: LiveAuthServer | None) -> None:
    snap.auth_server = found
    snap.server_read = True


def _add_server_children(round_: _Round, client: OktaClient, snap: Snapshot, sid: str) -> None:
    def scopes() -> list[LiveScope]:
        return [parse_scope(s) for s in _list_unless_gone(client, f"{SERVERS}/{sid}/scopes")]

    def policies() -> list[LivePolicy]:
        return [parse_policy(p) for p in _list_unless_gone(client, f"{SERVERS}/{sid}/policies")]

    round_.add(f"scopes of authorization server {sid}", scopes, _setter(snap, "scopes"))
    round_.add(f"policies of authorization server {sid}", policies, _setter(snap, "policies"))


def _list_unless_gone(client: OktaClient, path: str) -> list[Any]:
    """The children at ``path`` (``<object>/<children>``), none when the object is gone.

    With a configured id, scopes and policies are read beside the server's own read; if that
    server does not exist, its 404 is the finding. The rules, assignments and secrets of
    round 3 belong to objects listed a moment earlier: a 404 there may mean the object was
    deleted in between (a group removed mid-audit assigns nobody). It is taken for that only
    once the object itself answers 404 too; otherwise the listing failed, and the audit must
    say it could not read it rather than report the children missing.
    """
    try:
        return client.list(path)
    except NotFound:
        if _gone(client, path.rsplit("/", 1)[0]):
            return []
        raise


def _gone(client: OktaClient, path: str) -> bool:
    """Whether the object at ``path`` answers 404 (other errors propagate: a failed read)."""
    try:
        client.get_object(path)
    except NotFound:
        return True
    return False


def _setter(snap: Snapshot, name: str) -> Callable[[Sequence[Any]], None]:
    return lambda items: setattr(snap, name, tuple(items))


def _add_rules(
    round_: _Round, client: OktaClient, snap: Snapshot, managed: Sequence[LiveApp]
) -> None:
    if snap.auth_server is None or snap.policies is None:
        return
    ours = {a.client_id for a in managed if a.client_id}
    sid = snap.auth_server.id
    for policy in snap.policies:
        if ours.isdisjoint(policy.client_ids):
            continue  # only who it covers matters for policies of other apps

        def rules(pid: str = policy.id) -> list[LiveRule]:
            path = f"{SERVERS}/{sid}/policies/{pid}/rules"
            return [parse_rule(r) for r in _list_unless_gone(client, path)]

        def keep(found: list[LiveRule], pid: str = policy.id) -> None:
            snap.rules[pid] = tuple(found)

        round_.add(f"rules of policy {policy.name!r} ({policy.id})", rules, keep)


def _add_assignments(
    round_: _Round,
    client: OktaClient,
    snap: Snapshot,
    managed: Sequence[LiveApp],
    source: AssignmentSource | None,
) -> None:
    if snap.groups is None:
        return  # without group names, assignments could not be compared anyway
    if source is None:
        source = choose_assignment_source(len(managed), len(snap.groups))
    snap.assignment_source = source if managed else None
    if snap.assignment_source == "apps":
        for app in managed:

            def groups_of(aid: str = app.id) -> tuple[str, ...]:
                return group_ids_of(_list_unless_gone(client, f"/api/v1/apps/{aid}/groups"))

            def keep(found: tuple[str, ...], aid: str = app.id) -> None:
                snap.assignments[aid] = found

            round_.add(f"groups of app {app.describe()}", groups_of, keep)
    elif snap.assignment_source == "groups":
        by_app: dict[str, list[str]] = {a.id: [] for a in managed}
        pending = {g.id for g in snap.groups}
        if not pending:
            snap.assignments.update({aid: () for aid in by_app})  # an org without groups

        def keep_group(result: tuple[str, tuple[str, ...]]) -> None:
            gid, app_ids = result
            for aid in app_ids:
                if aid in by_app:
                    by_app[aid].append(gid)
            pending.discard(gid)
            if not pending:
                # Every group was read: only now is each app's list known to be whole.
                snap.assignments.update({aid: tuple(gids) for aid, gids in by_app.items()})

        for group in snap.groups:

            def apps_of(gid: str = group.id) -> tuple[str, tuple[str, ...]]:
                return gid, app_ids_of(_list_unless_gone(client, f"/api/v1/groups/{gid}/apps"))

            round_.add(f"apps of group {group.name!r} ({group.id})", apps_of, keep_group)


def _add_secrets(
    round_: _Round, client: OktaClient, snap: Snapshot, managed: Sequence[LiveApp]
) -> None:
    snap.secrets = {}
    secrets = snap.secrets
    for app in managed:
        if app.token_endpoint_auth_method not in SECRET_AUTH_METHODS:
            continue

        def read(aid: str = app.id) -> tuple[SecretInfo, ...]:
            try:
                return tuple(list_secrets(client, aid))
            except NotFound:
                if _gone(client, f"{APPS}/{aid}"):
                    return ()  # the app was deleted after the listing: no secret to age
                raise

        def keep(found: tuple[SecretInfo, ...], aid: str = app.id) -> None:
            secrets[aid] = found

        round_.add(f"client secrets of app {app.describe()}", read, keep)
