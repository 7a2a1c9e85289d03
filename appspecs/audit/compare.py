"""Desired state against the live snapshot: every finding, most severe first.

Live apps are matched to specs by the ``profile.appspecs.name`` marker Pulumi writes; the audit
compares ``DesiredState`` fields only (the one mapping from specs to Okta lives in
``appspecs.desired.render``). Checks whose inputs could not be read are skipped, never guessed:
an unread apps listing must not make every app look missing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from appspecs.audit.compare_access import (
    OrgIndex,
    access_findings,
    ambiguity_findings,
    group_findings,
    secret_findings,
)
from appspecs.audit.compare_app import client_findings
from appspecs.audit.compare_server import coverage_findings, server_findings
from appspecs.audit.findings import Finding, finding, sort_key
from appspecs.desired.model import DesiredApp, DesiredState
from appspecs.live.model import LiveApp, Snapshot
from appspecs.records import record


@record
class AuditOptions:
    """What the stack asks of the audit beyond the desired state."""

    max_secret_age_days: int | None = None
    now: datetime | None = None  # for secret ages; the current time when None


def compare(desired: DesiredState, snap: Snapshot, options: AuditOptions) -> list[Finding]:
    """Every finding the snapshot supports, sorted by severity, app, code and field."""
    out = server_findings(desired.auth_server, snap)
    if snap.apps is not None:
        by_marker: dict[str, list[LiveApp]] = defaultdict(list)
        for live_app in snap.apps:
            if live_app.marker is not None:
                by_marker[live_app.marker.name].append(live_app)
        out += presence_findings(desired, by_marker)
        out += [
            finding(
                "app-marker-malformed",
                None,
                f"{a.describe()}: {a.marker_problem}; no spec can be matched to it",
                field=f"app:{a.id}",
                live=a.marker_problem,
            )
            for a in snap.apps
            if a.marker_problem is not None
        ]
        index = OrgIndex.of(snap, (a.policy.name for a in desired.apps))
        now = options.now or datetime.now(UTC)
        # Only the apps compared with a spec have their access checked there; any other client a
        # policy names (no marker, an orphaned marker, a duplicate's copy) is reported below.
        compared: set[str] = set()
        for app in desired.apps:
            live = primary_copy(app, by_marker.get(app.name, []), snap)
            if live is not None:
                out += app_findings(app, live, snap, index, options, now)
                if live.client_id:
                    compared.add(live.client_id)
        held = frozenset(s.name for s in desired.skipped if s.reason == "held")
        out += coverage_findings(snap, compared, held)
    return sorted(out, key=sort_key)


def primary_copy(app: DesiredApp, copies: list[LiveApp], snap: Snapshot) -> LiveApp | None:
    """The live app to compare: the one its declared policy names, else the oldest.

    Extra copies are reported once as ``app-duplicate``; comparing each of them against the
    one policy would only repeat that finding in other words.
    """
    if len(copies) <= 1:
        return copies[0] if copies else None
    named = {c for p in snap.policies or () if p.name == app.policy.name for c in p.client_ids}
    return next((c for c in copies if c.client_id in named), copies[0])


def app_findings(
    app: DesiredApp,
    live: LiveApp,
    snap: Snapshot,
    index: OrgIndex,
    options: AuditOptions,
    now: datetime,
) -> list[Finding]:
    out = client_findings(app, live)
    out += access_findings(app, live, snap, index)
    out += group_findings(app, live, snap, index)
    out += ambiguity_findings(app, index)
    if options.max_secret_age_days is not None:
        out += secret_findings(app, live, snap, options.max_secret_age_days, now)
    return out


# Why a held app can still be live. The audit reads the org, not the stack's state, so it cannot
# tell which: an approved partner app's resources are protected, and pulumi up refuses to delete
# them once its approval or spec goes (an intended hold until it is retired); an app never approved
# was never deployed by the program.
HELD_LIVE_WHY = (
    "no version of it deploys. If it was approved before, its resources are protected in the "
    "stack's state: pulumi up refuses to delete them, so it stays live until it is approved "
    "again or retired on purpose (docs/commands.md, retiring a partner app); if it never was, "
    "it was made outside the pipeline"
)


def presence_findings(desired: DesiredState, by_marker: dict[str, list[LiveApp]]) -> list[Finding]:
    """Missing, duplicated, orphaned and held-but-live apps."""
    out: list[Finding] = []
    declared = {a.name for a in desired.apps}
    skipped = {s.name: s for s in desired.skipped}
    for app in desired.apps:
        copies = by_marker.get(app.name, [])
        if not copies:
            out.append(
                finding(
                    "app-missing",
                    app.name,
                    f"declared but not live: no app carries the marker {app.name!r}",
                    declared=app.client.label,
                )
            )
        elif len(copies) > 1:
            out.append(
                finding(
                    "app-duplicate",
                    app.name,
                    f"{len(copies)} live apps carry the marker {app.name!r}: "
                    + ", ".join(c.describe() for c in copies),
                    live=[c.id for c in copies],
                )
            )
    for name in sorted(by_marker.keys() - declared):
        shown = ", ".join(c.describe() for c in by_marker[name])
        skip = skipped.get(name)
        if skip is not None and skip.reason == "held":
            out.append(
                finding(
                    "held-app-live",
                    name,
                    f"partner app held for approval ({skip.detail}) is live: {shown}; "
                    + HELD_LIVE_WHY,
                    live=[c.id for c in by_marker[name]],
                )
            )
            continue
        why = (
            f"its spec is not for stack {desired.stack!r} ({skip.detail})"
            if skip is not None
            else "no spec has this name"
        )
        out.append(
            finding(
                "app-orphaned",
                name,
                f"live with the appspecs marker, but {why}: {shown}",
                live=[c.id for c in by_marker[name]],
            )
        )
    return out
