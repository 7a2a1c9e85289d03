"""The live org, read-only: a snapshot of what the audit compares, read in the fewest calls."""

from __future__ import annotations

from appspecs.live.snapshot import FailedRead, Snapshot, SnapshotRequest, read_snapshot

__all__ = ["FailedRead", "Snapshot", "SnapshotRequest", "read_snapshot"]
