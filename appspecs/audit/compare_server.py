"""Findings about the authorization server: the server itself, its scopes, who its policies cover."""

from __future__ import annotations

from collections.abc import Iterable

from appspecs.audit.findings import Finding, finding
from appspecs.desired.model import DesiredAuthServer
from appspecs.live.model import ALL_CLIENTS, LivePolicy, Snapshot

_SCOPE_FIELDS = (
    ("display_name", "display name"),
    ("description", "description"),
    ("consent", "consent"),
    ("metadata_publish", "metadata publishing"),
)


def server_findings(server: DesiredAuthServer, snap: Snapshot) -> list[Finding]:
    """The server's presence, audiences and status, and its scopes against the catalog."""
    if not snap.server_read:
        return []
    live = snap.auth_server
    if live is None:
        return [
            finding(
                "auth-server-missing",
                None,
                f"no authorization server with {snap.server_lookup}: the access of every app "
                "could not be checked",
                declared=server.existing_id or server.name,
            )
        ]
    out: list[Finding] = []
    # An existing server's audiences are not ours to declare; a server we create, they are.
    if server.existing_id is None and sorted(live.audiences) != sorted(server.audiences):
        out.append(
            finding(
                "auth-server-changed",
                None,
                f"authorization server {live.name!r} has audiences {list(live.audiences)}, "
                f"declared {list(server.audiences)}",
                field="audiences",
                declared=list(server.audiences),
                live=list(live.audiences),
            )
        )
    # Stated at the provider's default: the next update of a server we manage resets it, and
    # the `iss` claim of every token with it.
    managed = server.existing_id is None
    if managed and live.issuer_mode is not None and live.issuer_mode != server.issuer_mode:
        out.append(
            finding(
                "auth-server-changed",
                None,
                f"authorization server {live.name!r} has issuer mode {live.issuer_mode}, "
                f"declared {server.issuer_mode}",
                field="issuer_mode",
                declared=server.issuer_mode,
                live=live.issuer_mode,
            )
        )
    if live.status != "ACTIVE":
        out.append(
            finding(
                "auth-server-changed",
                None,
                f"authorization server {live.name!r} is {live.status}, declared ACTIVE",
                field="status",
                declared="ACTIVE",
                live=live.status,
            )
        )
    out += scope_findings(server, snap)
    return out


def scope_findings(server: DesiredAuthServer, snap: Snapshot) -> list[Finding]:
    if snap.scopes is None:
        return []
    live = {s.name: s for s in snap.scopes if not s.system}
    declared = {s.name: s for s in server.scopes}
    out: list[Finding] = []
    for name in sorted(live.keys() - declared.keys()):
        out.append(
            finding(
                "scope-not-in-catalog",
                None,
                f"scope {name!r} is on the authorization server but not in the scope catalog",
                field=name,
                live=name,
            )
        )
    for name in sorted(declared.keys() - live.keys()):
        out.append(
            finding(
                "catalog-scope-missing",
                None,
                f"catalog scope {name!r} is not on the authorization server",
                field=name,
                declared=name,
            )
        )
    for name in sorted(declared.keys() & live.keys()):
        want, have = declared[name], live[name]
        for attr, words in _SCOPE_FIELDS:
            if getattr(want, attr) != getattr(have, attr):
                out.append(
                    finding(
                        "scope-changed",
                        None,
                        f"scope {name!r}: {words} is {getattr(have, attr)!r}, "
                        f"declared {getattr(want, attr)!r}",
                        field=f"{name}.{attr}",
                        declared=getattr(want, attr),
                        live=getattr(have, attr),
                    )
                )
    return out


def coverage_findings(
    snap: Snapshot, compared_clients: set[str], held: frozenset[str] = frozenset()
) -> list[Finding]:
    """Active policies that cover every client, or name clients no spec's comparison covered.
    `held`: the partner apps held for approval, whose specs deploy nothing (a live one is also
    `held-app-live`): their clients are said to be theirs, not no spec's."""
    if snap.policies is None or snap.apps is None:
        return []
    by_client = {a.client_id: a for a in snap.apps if a.client_id}
    out: list[Finding] = []
    for policy in _active(snap.policies):
        if policy.all_clients:
            out.append(
                finding(
                    "all-clients-policy",
                    None,
                    f"policy {policy.name!r} ({policy.id}) covers ALL_CLIENTS: every app in the "
                    "org may be granted its scopes",
                    field=f"policy:{policy.name}",
                    live=list(policy.client_ids),
                )
            )
        for client_id in policy.client_ids:
            if client_id == ALL_CLIENTS or client_id in compared_clients:
                continue
            app = by_client.get(client_id)
            who = f"app {app.describe()}" if app else "no OIDC app in the org"
            if app is not None and app.marker is not None:
                who += f", marked {app.marker.name!r}"
            unmanaged = "which no spec manages"
            if app is not None and app.marker is not None and app.marker.name in held:
                unmanaged = "whose spec deploys nothing while it is held for approval"
            out.append(
                finding(
                    "unmanaged-client-access",
                    None,
                    f"policy {policy.name!r} ({policy.id}) names client {client_id} ({who}), "
                    f"{unmanaged}",
                    field=f"policy:{policy.name}",
                    live=client_id,
                )
            )
    return out


def _active(policies: Iterable[LivePolicy]) -> list[LivePolicy]:
    # An inactive policy grants nothing; the app's own one being inactive is reported per app.
    return [p for p in policies if p.active]
