"""What the stack must adopt so a deploy takes over the live objects instead of creating twins.

Each resource the stack program registers for an imported spec (or, with the server, for the
authorization server) is paired with the live Okta object it stands for, by the id in
pulumi_okta's import format. Types, Pulumi names and parents are read from the one mapping
(``appspecs.desired.resources``), never restated here; this module only adds the ids. A
resource with no live object to adopt (a policy other apps share, a scope the server lacks) is
left out: the deploy creates it.
"""

from __future__ import annotations

from collections.abc import Sequence

from appspecs.desired.model import DesiredApp, DesiredAuthServer
from appspecs.desired.resources import (
    GROUP_ASSIGNMENTS,
    OAUTH_APP,
    POLICY,
    RULE,
    SCOPE,
    SERVER,
    ResourceSpec,
    app_resources,
    auth_server_resources,
)
from appspecs.live.model import (
    LiveApp,
    LivePolicy,
    LiveRule,
    LiveScope,
    Snapshot,
    rule_of_policy,
)
from appspecs.onboard.selection import covering_policies
from appspecs.records import record


class AdoptionError(Exception):
    """The resource graph has a resource this module cannot give an import id (a bug)."""


@record
class Adoptee:
    """One resource to import: where the program registers it, and the live object's id."""

    key: str  # the resource graph's key: unique, so it names the entry in the import file
    type: str
    name: str  # the Pulumi resource name
    parent: str | None  # the key of the parent entry; None: the stack itself
    id: str | None  # in pulumi_okta's import format; None for a component (nothing to read)

    @property
    def component(self) -> bool:
        return self.id is None


@record
class OwnAccess:
    """The live policy and rule an app's spec takes over: a policy naming only its client."""

    policy: LivePolicy
    rule: LiveRule


def own_access(app: LiveApp, snap: Snapshot, notes: list[str]) -> OwnAccess | None:
    """The policy and rule to adopt, or None (the deploy makes new ones); what stays, in notes.

    Only an active policy naming the app's client alone is adopted: a deploy rewrites the
    policy's clients to the one app, which would cut off the others of a shared policy. Its
    first active rule is adopted; the import has checked that every active rule grants the same.
    """
    covering = covering_policies(snap, app)
    active = [p for p in covering if p.active]
    own = [p for p in active if set(p.client_ids) == {app.client_id}]
    chosen: OwnAccess | None = None
    for policy in own:
        rules = [r for r in snap.rules.get(policy.id, ()) if r.active]
        if rules:
            chosen = OwnAccess(policy, rules[0])
            break
    shared = [repr(p.name) for p in active if p not in own]
    if shared:
        notes.append(
            f"policy {', '.join(shared)} also names other apps, so it is not adopted: the deploy "
            "gives this app a policy of its own; then take the app out of it by hand"
        )
    left = [
        rule_of_policy(r, p)
        for p in own
        for r in snap.rules.get(p.id, ())
        if r.active and (chosen is None or r.id != chosen.rule.id)
    ]
    left += [f"inactive policy {p.name!r}" for p in covering if not p.active]
    if chosen is not None and left:
        notes.append(
            f"the deploy adopts policy {chosen.policy.name!r} and its rule {chosen.rule.name!r}; "
            f"{', '.join(left)} stay as they are: remove them by hand"
        )
    return chosen


def app_adoptees(
    app: DesiredApp, app_id: str, server_id: str, access: OwnAccess | None
) -> list[Adoptee]:
    """The app's component and every child with a live object: app, policy, rule, groups."""
    ids: dict[str, str] = {OAUTH_APP: app_id, GROUP_ASSIGNMENTS: app_id}
    if access is not None:
        policy = f"{server_id}/{access.policy.id}"
        ids |= {POLICY: policy, RULE: f"{policy}/{access.rule.id}"}
    created = frozenset({POLICY, RULE}) - ids.keys()
    return _adoptees(app_resources(app, server_id), ids, created)


def server_adoptees(
    server: DesiredAuthServer, server_id: str, scopes: Sequence[LiveScope]
) -> list[Adoptee]:
    """The server's component, the server when the stack creates it, and each catalog scope the
    server already has (by name); scopes it lacks are left for the deploy to create."""
    by_name = {s.name: s.id for s in scopes}
    out: list[Adoptee] = []
    for resource in auth_server_resources(server):
        if resource.type == SCOPE:
            scope_id = by_name.get(str(resource.inputs["name"]))
            if scope_id is not None:
                out += _adoptees([resource], {SCOPE: f"{server_id}/{scope_id}"}, frozenset())
        else:
            out += _adoptees([resource], {SERVER: server_id}, frozenset())
    return out


def _adoptees(
    resources: Sequence[ResourceSpec], ids: dict[str, str], created: frozenset[str]
) -> list[Adoptee]:
    out: list[Adoptee] = []
    for r in resources:
        if not r.custom:
            out.append(Adoptee(r.key, r.type, r.name, r.parent, None))
        elif r.type in ids:
            out.append(Adoptee(r.key, r.type, r.name, r.parent, ids[r.type]))
        elif r.type not in created:
            raise AdoptionError(f"no import id for {r.type} '{r.name}' ({r.key})")
    return out
