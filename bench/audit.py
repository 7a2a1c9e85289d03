"""Benchmark `appspec audit`'s reader against a provider-style per-resource refresh.

1,000 apps over 50 groups, seeded into the stand-in Okta as Pulumi would leave them, with
Okta's per-minute bucket limits applied per second (so the run takes seconds, not minutes) and
20 ms latency on every answer. Both figures are measured against the same org:

- the audit: ``run_audit`` with the client's default settings, as ``appspec audit`` runs it;
- a naive refresh, what ``pulumi refresh`` does through the provider: each app, its groups,
  its policy and its rule by id, and each scope by id, through the same client.

Run from the repository root: ``.venv/bin/python bench/audit.py [--apps N] [--groups N]``.
Target: at most 1.2 calls per app for the audit, and no 429 from the stand-in's limits.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from appspecs.audit.compare import AuditOptions  # noqa: E402
from appspecs.audit.run import run_audit  # noqa: E402
from appspecs.desired.model import DesiredState  # noqa: E402
from appspecs.desired.render import render  # noqa: E402
from appspecs.okta import BUCKETS, ApiToken, OktaClient, OktaError  # noqa: E402
from appspecs.spec.load import load_specs  # noqa: E402
from appspecs.stackconfig import load_stack_config  # noqa: E402
from tests.standin import DEFAULT_LIMITS, StandinOkta  # noqa: E402
from tests.standin.seed import SeededOrg, seed_org  # noqa: E402

TOKEN = "bench-token-0123456789"
SCOPES = ("api:data:company", "api:data:contact")
STACK = """\
config:
  appspecs:authServer:
    name: bench-api
    audience: api://bench
"""


def write_project(root: Path, apps: int, groups: int) -> None:
    """Specs for `apps` web apps, each assigned one of `groups` groups; a stack without
    maxSecretAgeDays, so the audit reads no secrets."""
    specs = root / "app-specs"
    (specs / "apps").mkdir(parents=True)
    shutil.copy(REPO / "app-specs" / "scope-catalog.yaml", specs / "scope-catalog.yaml")
    (specs / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    for i in range(apps):
        name = f"bench-app-{i:04d}"
        (specs / "apps" / f"{name}.yaml").write_text(
            f"name: {name}\n"
            f"label: Bench App {i}\n"
            "type: internal\n"
            "owner: bench@acme.example\n"
            "client:\n"
            "  kind: web\n"
            f"  redirect_uris: [https://bench{i}.acme.example/cb]\n"
            f"scopes: [{', '.join(SCOPES)}]\n"
            f"groups: [bench-group-{i % groups:02d}]\n",
            encoding="utf-8",
        )
    (root / "stacks").mkdir()
    (root / "stacks" / "Pulumi.bench.yaml").write_text(STACK, encoding="utf-8")


def desired_state(root: Path) -> DesiredState:
    specs = load_specs(root / "app-specs", stacks_dir=root / "stacks")
    if not specs.ok:
        raise SystemExit(f"bench specs have errors: {specs.diagnostics[:3]}")
    return render(specs, load_stack_config(root / "stacks", "bench"))


def naive_refresh(client: OktaClient, org: SeededOrg) -> int:
    """A provider refresh: every managed resource read by id. Returns the reads that failed."""
    sid = org.server_id
    server = f"/api/v1/authorizationServers/{sid}"
    reads: list[Callable[[], Any]] = [lambda: client.get(server)]
    for app in org.apps.values():
        reads += [
            lambda a=app: client.get(f"/api/v1/apps/{a.id}"),
            lambda a=app: client.list(f"/api/v1/apps/{a.id}/groups"),
            lambda a=app: client.get(f"{server}/policies/{a.policy['id']}"),
            lambda a=app: client.get(f"{server}/policies/{a.policy['id']}/rules/{a.rule['id']}"),
        ]
    reads += [
        lambda s=scope: client.get(f"{server}/scopes/{s['id']}") for scope in org.scopes.values()
    ]
    results = client.map_concurrent(lambda read: read(), reads)
    return sum(isinstance(r, OktaError) for r in results)


def row(label: str, calls: dict[str, int], apps: int, seconds: float, limited: int) -> str:
    total = sum(calls.values())
    per_bucket = ", ".join(f"{b} {calls.get(b, 0)}" for b in BUCKETS if calls.get(b, 0))
    return (
        f"{label:<15} {total:>6} calls  {total / apps:5.2f}/app  {seconds:6.2f} s  "
        f"429s from limits: {limited}\n{'':<15} {per_bucket}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.020, help="seconds per answer")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        write_project(Path(tmp), args.apps, args.groups)
        desired = desired_state(Path(tmp))
        specs_seconds = time.perf_counter() - started

    # Okta's per-minute limits, per second: the same shape, sixty times faster.
    with StandinOkta(
        token=TOKEN, window_seconds=1.0, limits=DEFAULT_LIMITS, latency=args.latency
    ) as okta:
        org = seed_org(okta, desired)
        okta.reset_counters()
        started = time.perf_counter()
        with OktaClient(okta.url, ApiToken(TOKEN)) as client:
            result = run_audit(client, desired, AuditOptions())
        audit_seconds = time.perf_counter() - started
        audit_calls = dict(okta.calls)
        audit_limited = okta.rate_limited

        okta.reset_counters()
        time.sleep(1.0)  # a fresh window for the refresh
        started = time.perf_counter()
        with OktaClient(okta.url, ApiToken(TOKEN)) as client:
            failed = naive_refresh(client, org)
        naive_seconds = time.perf_counter() - started
        naive_calls = dict(okta.calls)
        naive_limited = okta.rate_limited

    apps = len(desired.apps)
    print(
        f"{apps} apps, {args.groups} groups, {len(desired.auth_server.scopes)} scopes; "
        f"limits per 1 s window {DEFAULT_LIMITS}; latency {args.latency * 1000:.0f} ms"
    )
    print(f"specs loaded and rendered in {specs_seconds:.2f} s")
    print(row("audit", audit_calls, apps, audit_seconds, audit_limited))
    source = result.snapshot.assignment_source or "-"
    print(
        f"{'':<15} complete: {result.complete}, findings: {len(result.findings)}, "
        f"assignments read from {source}, "
        f"client pacing waits {result.client_stats['pacing_wait_seconds']:.2f} s"
    )
    print(row("naive refresh", naive_calls, apps, naive_seconds, naive_limited))
    if failed:
        print(f"{'':<15} {failed} naive reads failed")
    per_app = sum(audit_calls.values()) / apps
    verdict = "met" if per_app <= 1.2 and audit_limited == 0 else "NOT met"
    print(f"target (<= 1.2 calls per app, no 429 from limits): {verdict}")


if __name__ == "__main__":
    main()
