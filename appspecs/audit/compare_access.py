"""Findings about one app's access: its policy and rule, the scopes it is granted, its groups,
and the age of its client secrets.

Each check runs only on what was read: a policy whose rules could not be read leaves the app's
scopes unchecked rather than reported as missing (the audit is then marked incomplete).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field
from datetime import datetime

from appspecs.audit.findings import Finding, Severity, finding
from appspecs.desired.model import EVERYONE, DesiredApp
from appspecs.live.model import LiveApp, LivePolicy, LiveRule, Snapshot, rule_of_policy
from appspecs.records import record

WILDCARD_SCOPE = "*"  # a rule granting "*" grants every scope on the server


@record
class OrgIndex:
    """Lookups shared by every app's checks."""

    group_names: dict[str, str] | None  # id -> name; None when the groups were not read
    client_labels: dict[str, str]  # client id -> "label (app id)"
    declared_policies: frozenset[str]  # names of the policies the specs declare
    # name -> ids, for names several live groups share (Okta allows it: app groups from AD)
    shared_group_names: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, snap: Snapshot, declared_policies: Iterable[str]) -> OrgIndex:
        groups = None if snap.groups is None else {g.id: g.name for g in snap.groups}
        labels = {a.client_id: a.describe() for a in snap.apps or () if a.client_id}
        by_name: dict[str, list[str]] = {}
        for group in snap.groups or ():
            by_name.setdefault(group.name, []).append(group.id)
        shared = {n: tuple(ids) for n, ids in by_name.items() if len(ids) > 1}
        return cls(groups, labels, frozenset(declared_policies), shared)

    def group_name(self, group_id: str) -> str:
        if group_id == EVERYONE or self.group_names is None:
            return group_id
        return self.group_names.get(group_id, group_id)

    def client(self, client_id: str) -> str:
        label = self.client_labels.get(client_id)
        return f"{client_id} ({label})" if label else client_id


def access_findings(
    app: DesiredApp, live: LiveApp, snap: Snapshot, index: OrgIndex
) -> list[Finding]:
    """Policy, rule and granted scopes; nothing when the server or its policies are unknown."""
    if snap.auth_server is None or snap.policies is None or live.client_id is None:
        return []
    client_id = live.client_id
    named = [p for p in snap.policies if p.name == app.policy.name]
    ours = next((p for p in named if client_id in p.client_ids), named[0] if named else None)
    naming = [p for p in snap.policies if client_id in p.client_ids and not p.all_clients]
    out: list[Finding] = []
    if ours is None:
        out.append(
            finding(
                "policy-missing",
                app.name,
                f"no access policy named {app.policy.name!r} on the authorization server",
                field="policy",
                declared=app.policy.name,
            )
        )
    else:
        out += _policy_findings(app, ours, client_id, index)
    for other in naming:
        if other is not ours and other.name not in index.declared_policies:
            out.append(
                finding(
                    "policy-unmanaged",
                    app.name,
                    f"policy {other.name!r} ({other.id}), not made from a spec, names the "
                    f"app's client {client_id}",
                    field=f"policy:{other.name}",
                    live=other.name,
                )
            )
    rule = _our_rule(app, ours, snap)
    if ours is not None and ours.id in snap.rules:
        if rule is None:
            out.append(
                finding(
                    "rule-missing",
                    app.name,
                    f"policy {ours.name!r} has no rule named {app.rule.name!r}",
                    field="rule",
                    declared=app.rule.name,
                )
            )
        else:
            out += _rule_findings(app, rule, index)
    out += _scope_findings(app, naming, snap, has_rule=rule is not None)
    return out


def _policy_findings(
    app: DesiredApp, policy: LivePolicy, client_id: str, index: OrgIndex
) -> list[Finding]:
    out: list[Finding] = []
    if client_id not in policy.client_ids:
        out.append(
            finding(
                "policy-changed",
                app.name,
                f"policy {policy.name!r} does not name the app's client {client_id}",
                field="clients",
                declared=[client_id],
                live=list(policy.client_ids),
            )
        )
    others = [c for c in policy.client_ids if c != client_id]
    if others:
        out.append(
            finding(
                "policy-other-clients",
                app.name,
                f"policy {policy.name!r} also names " + ", ".join(index.client(c) for c in others),
                field="clients",
                declared=[client_id],
                live=list(policy.client_ids),
            )
        )
    if not policy.active:
        out.append(
            finding(
                "policy-changed",
                app.name,
                f"policy {policy.name!r} is {policy.status}, declared ACTIVE",
                field="status",
                declared="ACTIVE",
                live=policy.status,
            )
        )
    return out


def _our_rule(app: DesiredApp, policy: LivePolicy | None, snap: Snapshot) -> LiveRule | None:
    if policy is None:
        return None
    return next((r for r in snap.rules.get(policy.id, ()) if r.name == app.rule.name), None)


def _rule_findings(app: DesiredApp, rule: LiveRule, index: OrgIndex) -> list[Finding]:
    out: list[Finding] = []
    if rule.status != "ACTIVE":
        out.append(
            finding(
                "rule-changed",
                app.name,
                f"rule {rule.name!r} is {rule.status}, declared ACTIVE",
                field="status",
                declared="ACTIVE",
                live=rule.status,
            )
        )
    want_grants, have_grants = sorted(app.rule.grant_types), sorted(rule.grant_types)
    if want_grants != have_grants:
        wider = bool(set(have_grants) - set(want_grants))
        out.append(
            finding(
                "rule-changed",
                app.name,
                f"rule {rule.name!r} allows grant types {have_grants}, declared {want_grants}",
                field="grant_types",
                declared=want_grants,
                live=have_grants,
                severity=Severity.HIGH if wider else None,
            )
        )
    if index.group_names is not None:
        want = sorted(app.rule.groups)
        have = sorted(index.group_name(g) for g in rule.group_ids)
        if want != have:
            # More groups than declared, or everyone, reach more people; fewer lock some out.
            wider = EVERYONE not in want and bool(set(have) - set(want))
            out.append(
                finding(
                    "rule-changed",
                    app.name,
                    f"rule {rule.name!r} is for groups {have}, declared {want}",
                    field="groups",
                    declared=want,
                    live=have,
                    severity=Severity.HIGH if wider else None,
                )
            )
    for name in ("access_token_lifetime_minutes", "refresh_token_window_minutes"):
        want_minutes, have_minutes = getattr(app.rule, name), getattr(rule, name)
        if have_minutes is not None and have_minutes != want_minutes:
            # A token that lives longer than declared is a wider grant.
            longer = want_minutes is not None and have_minutes > want_minutes
            out.append(
                finding(
                    "rule-changed",
                    app.name,
                    f"rule {rule.name!r} has {name} {have_minutes}, declared {want_minutes}",
                    field=name,
                    declared=want_minutes,
                    live=have_minutes,
                    severity=Severity.HIGH if longer else None,
                )
            )
    if rule.user_ids:
        out.append(
            finding(
                "rule-changed",
                app.name,
                f"rule {rule.name!r} also names {len(rule.user_ids)} user(s) directly",
                field="users",
                declared=[],
                live=list(rule.user_ids),
                severity=Severity.HIGH,
            )
        )
    return out


def _scope_findings(
    app: DesiredApp, naming: Sequence[LivePolicy], snap: Snapshot, *, has_rule: bool
) -> list[Finding]:
    granting = [p for p in naming if p.active]
    if any(p.id not in snap.rules for p in granting):
        return []  # some rules were not read: the grants are not known in full
    granted: dict[str, list[str]] = {}  # scope -> the rules that grant it
    for policy in granting:
        for rule in snap.rules[policy.id]:
            if rule.active:
                for scope in rule.scopes:
                    granted.setdefault(scope, []).append(rule_of_policy(rule, policy))
    declared = set(app.rule.scopes)
    out: list[Finding] = []
    beyond = sorted(set(granted) - declared)
    if beyond:
        where = "; ".join(f"{s} by {', '.join(granted[s])}" for s in beyond)
        out.append(
            finding(
                "scopes-granted-beyond-spec",
                app.name,
                f"granted scopes the spec does not declare: {where}",
                field="scopes",
                declared=sorted(declared),
                live=sorted(granted),
            )
        )
    missing = sorted(declared - set(granted)) if WILDCARD_SCOPE not in granted else []
    # Without its own rule the app is reported as rule-missing; every scope missing says no more.
    if missing and has_rule:
        out.append(
            finding(
                "scopes-missing",
                app.name,
                f"declared scopes no active rule grants: {', '.join(missing)}",
                field="scopes",
                declared=sorted(declared),
                live=sorted(granted),
            )
        )
    return out


def group_findings(
    app: DesiredApp, live: LiveApp, snap: Snapshot, index: OrgIndex
) -> list[Finding]:
    """Assignments added or removed live; nothing when they or the groups were not read."""
    assigned = snap.assignments.get(live.id)
    if assigned is None or index.group_names is None:
        return []
    have = sorted({index.group_name(g) for g in assigned})
    want = sorted(set(app.groups))
    known = set(index.group_names.values())
    out: list[Finding] = []
    added = [g for g in have if g not in want]
    removed = [g for g in want if g not in have]
    if added:
        out.append(
            finding(
                "groups-added-live",
                app.name,
                "assigned live to groups the spec does not list: " + ", ".join(added),
                field="groups",
                declared=want,
                live=have,
            )
        )
    if removed:
        shown = [g if g in known else f"{g} (no such group in the org)" for g in removed]
        out.append(
            finding(
                "groups-removed-live",
                app.name,
                "not assigned to declared groups: " + ", ".join(shown),
                field="groups",
                declared=want,
                live=have,
            )
        )
    return out


def ambiguity_findings(app: DesiredApp, index: OrgIndex) -> list[Finding]:
    """Declared groups whose name several live groups carry.

    Specs name groups; Okta allows two groups one name. Compared by name, the app could be
    assigned to (or its rule allow) the other one and still look in sync.
    """
    names = sorted({*app.groups, *app.rule.groups} & index.shared_group_names.keys())
    return [
        finding(
            "group-ambiguous",
            app.name,
            f"declared group {name!r} is the name of {len(index.shared_group_names[name])} "
            f"groups in the org ({', '.join(index.shared_group_names[name])}): which one the app "
            "reaches cannot be told by name; rename one of them",
            field=f"group:{name}",
            declared=name,
            live=list(index.shared_group_names[name]),
        )
        for name in names
    ]


def secret_findings(
    app: DesiredApp, live: LiveApp, snap: Snapshot, max_age_days: int, now: datetime
) -> list[Finding]:
    """Active client secrets older than the stack allows (only if they were read)."""
    if snap.secrets is None or live.id not in snap.secrets:
        return []
    out: list[Finding] = []
    for secret in snap.secrets[live.id]:
        age = secret.age_days(now)
        if secret.active and age is None:
            # Skipped silently, an unreadable date would pass for a young secret.
            out.append(
                finding(
                    "secret-age-unknown",
                    app.name,
                    f"client secret {secret.id} has no readable creation time "
                    f"({secret.created or 'none'}); its age cannot be checked",
                    field=f"secret:{secret.id}",
                    declared=max_age_days,
                    live=secret.created,
                )
            )
        if secret.active and age is not None and age > max_age_days:
            out.append(
                finding(
                    "secret-too-old",
                    app.name,
                    f"client secret {secret.id} was created {secret.created} ({age} days ago); "
                    f"the stack allows {max_age_days} days",
                    field=f"secret:{secret.id}",
                    declared=max_age_days,
                    live=age,
                )
            )
    return out
