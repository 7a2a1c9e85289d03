"""The notices a plan leads with, and the plan's summary: computed once, rendered by every format."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from appspecs.desired.resources import OAUTH_APP
from appspecs.plan.diff import Op, Step
from appspecs.plan.summary import STATUSES, AppStatus, AppSummary
from appspecs.records import record

# What a reviewer must not scroll past, most severe first: every format leads with these.
NoticeKind = Literal[
    "deleteRefused",
    "replaceRefused",
    "liveAppDeleted",
    "liveAppReplaced",
    "privilegeIncrease",
    "scopesRequested",
    "approvalByAddedKey",
    "approvalUnverified",
    "changeUnderReview",
    "partnerSuspended",
    "retypedToInternal",
    "approvalInvalidated",
    "approvalRemoved",
]
NOTICES: tuple[tuple[NoticeKind, Callable[[AppSummary], bool]], ...] = (
    ("privilegeIncrease", lambda a: a.privilege_increase and not a.scopes_requested_only),
    # held, or a change under review: the scopes are requested, granted once approved
    ("scopesRequested", lambda a: a.scopes_requested_only),
    # who may approve widened for the very approval: as much a privilege increase as a scope
    ("approvalByAddedKey", lambda a: a.approval_key_added is not None),
    # or switched off for it: the change removes allowed_signers
    ("approvalUnverified", lambda a: a.approval_unverified is not None),
    ("changeUnderReview", lambda a: a.review is not None),
    ("partnerSuspended", lambda a: a.suspended),
    ("retypedToInternal", lambda a: a.retyped == ("partner", "internal")),
    ("approvalInvalidated", lambda a: a.approval == "invalidated"),
    # a retyped app's approval goes with its review: retypedToInternal says what happens to it
    ("approvalRemoved", lambda a: a.approval == "removed" and a.retyped is None),
)


@record
class Notice:
    """One warning a plan leads with, and the apps it is about (in name order)."""

    kind: NoticeKind
    apps: tuple[str, ...]
    # per app, what tells it apart, () when not known: its client id (what its consumers
    # hold), or, for an approval by an added key, the approver and the key's fingerprint
    details: tuple[tuple[str, ...], ...] = ()


@record
class PlanSummary:
    """The plan's summary, computed once: every format renders this and nothing else of the
    apps, so their counts and names cannot disagree."""

    apps: tuple[AppSummary, ...]
    counts: Mapping[AppStatus, int]  # every status, zeros included; each app counted once
    notices: tuple[Notice, ...]  # only the kinds that name an app, in NOTICES order
    # per app (in name order), the URNs of its protected resources `pulumi up` refuses to
    # delete or replace: what `pulumi state unprotect` takes to retire it on purpose
    refused: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def listed(self) -> tuple[AppSummary, ...]:
        """The apps a format names one by one: all but the unchanged ones."""
        return tuple(a for a in self.apps if a.status != "unchanged")

    def named(self, status: AppStatus) -> tuple[str, ...]:
        return tuple(a.name for a in self.apps if a.status == status)


# A live OAuth app deleted, or replaced (a new app): the client id its consumers hold stops
# working. Read from the steps, so nothing that deletes or replaces one goes unsaid.
ENDING: tuple[tuple[NoticeKind, Op], ...] = (
    ("liveAppDeleted", "delete"),
    ("liveAppReplaced", "replace"),
)
# The same steps on protected resources: `pulumi up` refuses them, so the app keeps running and
# the update fails (a refused replace stops it at once) until the app is approved again or
# retired on purpose. Named per app, whichever of its resources is refused.
REFUSED: tuple[tuple[NoticeKind, Op], ...] = (
    ("deleteRefused", "delete"),
    ("replaceRefused", "replace"),
)


def _known(client_id: str | None) -> tuple[str, ...]:
    return (client_id,) if client_id else ()


def _details(kind: NoticeKind, apps: Sequence[AppSummary]) -> tuple[tuple[str, ...], ...]:
    if kind == "approvalByAddedKey":
        return tuple(a.approval_key_added or () for a in apps)
    if kind == "approvalUnverified":
        return tuple((a.approval_unverified,) if a.approval_unverified else () for a in apps)
    return ()


def plan_summary(apps: Sequence[AppSummary], steps: Sequence[Step] = ()) -> PlanSummary:
    counts = dict.fromkeys(STATUSES, 0)
    for app in apps:
        counts[app.status] += 1
    notices = []
    for kind, op in REFUSED:
        refused = sorted({s.app or s.name for s in steps if s.op == op and s.refused})
        if refused:
            client = {s.app: s.client_id for s in steps if s.type == OAUTH_APP and s.client_id}
            details = tuple(_known(client.get(a)) for a in refused)
            notices.append(Notice(kind, tuple(refused), details))
    for kind, op in ENDING:
        ending = sorted(
            (s.app or s.name, s.client_id or "")
            for s in steps
            if s.type == OAUTH_APP and s.op == op and not s.refused
        )
        if ending:
            names, ids = zip(*ending, strict=True)
            notices.append(Notice(kind, names, tuple(map(_known, ids))))
    for kind, applies in NOTICES:
        named = [a for a in apps if applies(a)]
        if named:
            notices.append(Notice(kind, tuple(a.name for a in named), _details(kind, named)))
    by_app: dict[str, list[str]] = {}
    for s in steps:
        if s.refused:
            by_app.setdefault(s.app or s.name, []).append(s.urn)
    refused_urns = tuple((app, tuple(urns)) for app, urns in sorted(by_app.items()))
    return PlanSummary(tuple(apps), counts, tuple(notices), refused_urns)
