"""An app's access in spec terms: the one grant its active rules agree on, and its groups.

Group ids become names (a name two groups share cannot be used); every reason no spec can
express the access as it is goes into ``problems``. Which live policy and rule a deploy takes
over is ``adoption``'s question.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from appspecs.desired.model import EVERYONE
from appspecs.live.model import LiveApp, LiveGroup, LiveRule, Snapshot, rule_of_policy
from appspecs.onboard.selection import covering_policies
from appspecs.records import record


@record
class Grant:
    """What one active rule grants, in spec terms (group names, EVERYONE kept as is)."""

    scopes: tuple[str, ...]
    groups: tuple[str, ...]
    grant_types: tuple[str, ...]
    # the rule's token lifetimes (None: not read)
    access_token_lifetime_minutes: int | None = None
    refresh_token_window_minutes: int | None = None

    def key(self) -> tuple[object, ...]:
        return (
            frozenset(self.scopes),
            frozenset(self.groups),
            frozenset(self.grant_types),
            self.access_token_lifetime_minutes,
            self.refresh_token_window_minutes,
        )


class GroupNames:
    """Group ids to names; a name two groups share cannot be used by a spec."""

    def __init__(self, groups: Sequence[LiveGroup]) -> None:
        self._by_id = {g.id: g.name for g in groups}
        counts = Counter(g.name for g in groups)
        self._shared = {name for name, n in counts.items() if n > 1}

    def names(self, ids: Sequence[str], where: str, problems: list[str]) -> tuple[str, ...]:
        out: list[str] = []
        for gid in ids:
            if gid == EVERYONE:
                out.append(EVERYONE)
                continue
            name = self._by_id.get(gid)
            if name is None:
                problems.append(f"{where} names group {gid}, which is not in the org's groups")
            elif name in self._shared:
                problems.append(
                    f"{where} names group {name!r}, a name several groups share; specs name "
                    "groups by name"
                )
            else:
                out.append(name)
        return tuple(out)


def app_grant(
    app: LiveApp, snap: Snapshot, groups: GroupNames, problems: list[str]
) -> Grant | None:
    """The one grant the app's active rules agree on, or None with the reasons in ``problems``."""
    policies = covering_policies(snap, app)
    active = [p for p in policies if p.active]
    if not active:
        problems.append(
            f"only inactive policies name it ({', '.join(repr(p.name) for p in policies)}): it "
            "has no access to import"
        )
        return None
    grants: list[tuple[str, Grant]] = []
    for policy in active:
        rules = snap.rules.get(policy.id)
        if rules is None:
            problems.append(f"the rules of policy {policy.name!r} ({policy.id}) were not read")
            continue
        for rule in rules:
            if rule.active:
                where = rule_of_policy(rule, policy)
                grants.append((where, _rule_grant(rule, where, groups, problems)))
    if not grants:
        if not problems:
            problems.append("no active rule of its policies grants it anything")
        return None
    distinct = {g.key() for _, g in grants}
    if len(distinct) > 1:
        shown = "; ".join(
            f"{where}: scopes {', '.join(g.scopes) or 'none'}, groups {', '.join(g.groups)}"
            for where, g in grants
        )
        problems.append(f"its rules grant it differently ({shown}); a spec has one grant")
        return None
    # Which of these policies and rules a deploy takes over, and which stay: ``adoption``.
    return grants[0][1]


def _rule_grant(rule: LiveRule, where: str, groups: GroupNames, problems: list[str]) -> Grant:
    if "*" in rule.scopes:
        problems.append(
            f"{where} grants every scope ('*'); a spec lists its scopes, so list them in the rule"
        )
    if rule.user_ids:
        problems.append(f"{where} names users ({len(rule.user_ids)}); specs grant by group only")
    return Grant(
        scopes=rule.scopes,
        groups=groups.names(rule.group_ids, where, problems),
        grant_types=rule.grant_types,
        access_token_lifetime_minutes=rule.access_token_lifetime_minutes,
        refresh_token_window_minutes=rule.refresh_token_window_minutes,
    )


def assigned_groups(
    app: LiveApp, snap: Snapshot, groups: GroupNames, problems: list[str]
) -> tuple[str, ...]:
    ids = snap.assignments.get(app.id)
    if ids is None:
        problems.append("its group assignments were not read")
        return ()
    return groups.names(ids, "its group assignments", problems)
