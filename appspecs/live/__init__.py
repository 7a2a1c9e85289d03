"""The live org, read-only: what the audit compares and what import and secret commands look up.

``snapshot`` reads the server, apps, groups, rules and assignments in the fewest calls into a
``model.Snapshot`` (Okta's JSON parsed into the few fields compared); ``secrets`` lists an
app's client secrets (never their values); ``locate`` finds the app a spec became; ``fields``
lists what the reader relies on in each Okta operation.
"""

from __future__ import annotations

from appspecs.live.model import FailedRead, Snapshot
from appspecs.live.snapshot import SnapshotRequest, read_details, read_overview, read_snapshot

__all__ = [
    "FailedRead",
    "Snapshot",
    "SnapshotRequest",
    "read_details",
    "read_overview",
    "read_snapshot",
]
