"""One audit: read the snapshot the desired state calls for, compare, keep the call counts."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any

from appspecs.audit.compare import AuditOptions, compare
from appspecs.audit.coverage import parts_read
from appspecs.audit.findings import Finding, count_by_severity
from appspecs.desired.model import DesiredState
from appspecs.diagnostics import Diagnostic
from appspecs.live.model import FailedRead, Snapshot
from appspecs.live.snapshot import Progress, SnapshotRequest, read_snapshot
from appspecs.okta import BUCKETS, OktaClient
from appspecs.records import record


@record
class AuditResult:
    """Findings and how they were reached; ``complete`` is False when any read failed."""

    stack: str
    org_url: str
    findings: tuple[Finding, ...]
    snapshot: Snapshot
    client_stats: dict[str, Any]
    max_secret_age_days: int | None
    declared_apps: int
    held: tuple[str, ...] = field(default=())
    # part of the org -> read in full (appspecs.audit.coverage): what the report may claim
    reads: Mapping[str, bool] = field(default_factory=dict)
    duration_seconds: float = 0.0  # the whole run, reads and comparison
    # the specs' warnings, as `appspec validate` gives them: an auditor reads the declared side
    # through them (approvals anyone could have written, a spec file that was not read)
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def attempted_reads(self) -> int:
        return self.snapshot.attempted

    @property
    def secrets_checked(self) -> bool:
        """Client secret ages were checked: the stack asks for it and every one was read."""
        return self.max_secret_age_days is not None and self.reads.get("secrets", False)

    @property
    def complete(self) -> bool:
        return self.snapshot.complete

    @property
    def failed(self) -> tuple[FailedRead, ...]:
        return tuple(self.snapshot.failed)

    @property
    def in_sync(self) -> bool:
        return self.complete and not self.findings

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    @property
    def calls(self) -> dict[str, int]:
        """Calls per bucket, every bucket named (zero when untouched), retries included."""
        made: dict[str, int] = self.client_stats.get("calls", {})
        return {b: int(made.get(b, 0)) for b in BUCKETS}

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def snapshot_request(desired: DesiredState, *, read_secrets: bool) -> SnapshotRequest:
    server = desired.auth_server
    return SnapshotRequest(
        server_id=server.existing_id,
        server_name=server.name,
        managed=frozenset(a.name for a in desired.apps),
        read_secrets=read_secrets,
    )


def run_audit(
    client: OktaClient,
    desired: DesiredState,
    options: AuditOptions,
    progress: Progress | None = None,
    warnings: Sequence[Diagnostic] = (),
) -> AuditResult:
    """Read the org once and compare; never raises for a failed read (see ``complete``).
    `warnings`: the specs' own, reported with the findings."""
    started = time.monotonic()
    read_secrets = options.max_secret_age_days is not None
    request = snapshot_request(desired, read_secrets=read_secrets)
    snap = read_snapshot(client, request, progress)
    findings = compare(desired, snap, options)
    return AuditResult(
        stack=desired.stack,
        org_url=client.org_url,
        findings=tuple(findings),
        snapshot=snap,
        client_stats=client.stats.to_json(),
        max_secret_age_days=options.max_secret_age_days,
        declared_apps=len(desired.apps),
        held=desired.held,
        reads=parts_read(snap, request.managed, secrets=read_secrets),
        duration_seconds=time.monotonic() - started,
        warnings=tuple(warnings),
    )
