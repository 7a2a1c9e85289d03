"""Benchmark `appspec audit`'s reader against a provider-style per-resource refresh.

1,000 apps over 50 groups, seeded into the stand-in Okta as Pulumi would leave them, with
Okta's per-minute bucket limits applied per second (so the run takes seconds, not minutes) and
20 ms latency on every answer. Measured against the same org:

- the audit without ``maxSecretAgeDays`` and with it (then one secrets listing per
  confidential app, all on the ``apps`` bucket): ``run_audit`` with the client's default
  settings, as ``appspec audit`` runs it; calls per bucket, the floor they are held to (one
  rule listing per policy, one secrets listing per confidential app), repeated calls, and how
  long the pacing makes the run at Okta's real per-minute limits (100 a minute on ``apps``);
- a naive refresh, what ``pulumi refresh`` does through the provider: each app, its groups,
  its policy and its rule by id, and each scope by id, through the same client.

Run from the repository root: ``.venv/bin/python bench/audit.py [--apps N] [--groups N]``.
Targets: at most 1.2 calls per app without secrets; the floor held; no call that repeats one
already made; no 429 from the stand-in's limits.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
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
from appspecs.okta.ratelimit import reserve_for  # noqa: E402
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


RULES = re.compile(r"/api/v1/authorizationServers/[^/]+/policies/[^/]+/rules")
SECRETS = re.compile(r"/api/v1/apps/[^/]+/credentials/secrets")
SECRET_AGE_DAYS = 180


def row(label: str, calls: dict[str, int], apps: int, seconds: float, limited: int) -> str:
    total = sum(calls.values())
    per_bucket = ", ".join(f"{b} {calls.get(b, 0)}" for b in BUCKETS if calls.get(b, 0))
    return (
        f"{label:<15} {total:>6} calls  {total / apps:5.2f}/app  {seconds:6.2f} s  "
        f"429s from limits: {limited}\n{'':<15} {per_bucket}"
    )


def repeats(okta: StandinOkta) -> int:
    """Answered requests that ask exactly what an earlier answered one asked (a retry after a
    429 or a dropped connection is not one: its first try was not answered)."""
    seen = Counter(
        (r.method, r.path, tuple(sorted(r.query.items())))
        for r in okta.requests
        if r.status not in (0, 429)
    )
    return sum(n - 1 for n in seen.values())


def paced_windows(calls: dict[str, int]) -> dict[str, int]:
    """Per bucket, the one-minute windows Okta's limits make the client wait out: a window's
    worth (less the share the client leaves to the org's other clients) goes at once, the rest
    one window later each."""
    return {
        b: math.ceil(n / (DEFAULT_LIMITS[b] - reserve_for(DEFAULT_LIMITS[b]))) - 1
        for b, n in calls.items()
        if n and b in DEFAULT_LIMITS
    }


class Audited:
    """One audit run and what the stand-in saw of it."""

    def __init__(self, okta: StandinOkta, desired: DesiredState, options: AuditOptions) -> None:
        okta.reset_counters()
        time.sleep(1.0)  # a fresh window
        started = time.perf_counter()
        with OktaClient(okta.url, ApiToken(TOKEN)) as client:
            self.result = run_audit(client, desired, options)
        self.seconds = time.perf_counter() - started
        self.calls = dict(okta.calls)
        self.limited = okta.rate_limited
        self.repeats = repeats(okta)
        paths = [r.path for r in okta.requests if r.method == "GET"]
        self.rule_listings = sum(bool(RULES.fullmatch(p)) for p in paths)
        self.secret_listings = sum(bool(SECRETS.fullmatch(p)) for p in paths)
        snap = self.result.snapshot
        self.policies = len(snap.policies or ())
        self.confidential = len(snap.secrets or {})

    def report(self, label: str, apps: int, secrets: bool) -> tuple[str, bool]:
        floor_ok = self.rule_listings == self.policies and (
            self.secret_listings == (self.confidential if secrets else 0)
        )
        windows = paced_windows(self.calls)
        slowest = max(windows, key=lambda b: windows[b]) if windows else "-"
        waits = windows.get(slowest, 0)
        # Here a window lasts a second: what is left is the work, which takes as long there.
        work = max(0.0, self.seconds - waits)
        real = waits * 60 + work
        lines = [
            row(label, self.calls, apps, self.seconds, self.limited),
            f"{'':<15} complete: {self.result.complete}, findings: {len(self.result.findings)}; "
            f"rule listings {self.rule_listings} for {self.policies} policies, secrets "
            f"listings {self.secret_listings} for {self.confidential if secrets else 0} "
            f"confidential apps; repeated calls: {self.repeats}",
            f"{'':<15} paced at Okta's real limits: {slowest} {self.calls.get(slowest, 0)} calls "
            f"at {DEFAULT_LIMITS.get(slowest, 0)}/min: {waits} one-minute windows waited out, "
            f"the run about {real / 60:.1f} min ({real:.0f} s; here, with one-second windows, "
            f"{self.seconds:.2f} s)",
        ]
        ok = floor_ok and self.repeats == 0 and self.limited == 0 and self.result.complete
        return "\n".join(lines), ok


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
        plain = Audited(okta, desired, AuditOptions())
        aged = Audited(okta, desired, AuditOptions(max_secret_age_days=SECRET_AGE_DAYS))

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
        f"limits per 1 s window {DEFAULT_LIMITS}; latency {args.latency * 1000:.0f} ms; "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    print(f"specs loaded and rendered in {specs_seconds:.2f} s")
    plain_text, plain_ok = plain.report("audit", apps, secrets=False)
    aged_text, aged_ok = aged.report(f"audit, {SECRET_AGE_DAYS} d", apps, secrets=True)
    print(plain_text)
    source = plain.result.snapshot.assignment_source or "-"
    print(f"{'':<15} assignments read from {source}")
    print(aged_text)
    print(row("naive refresh", naive_calls, apps, naive_seconds, naive_limited))
    if failed:
        print(f"{'':<15} {failed} naive reads failed")
    per_app = sum(plain.calls.values()) / apps
    print(
        "target (<= 1.2 calls per app without maxSecretAgeDays, no 429 from limits): "
        f"{'met' if per_app <= 1.2 and plain.limited == 0 else 'NOT met'}"
    )
    print(
        "target (calls at the floor: one rule listing per policy, one secrets listing per "
        "confidential app; no repeated call; no 429; complete), without and with "
        f"maxSecretAgeDays: {'met' if plain_ok else 'NOT met'}, {'met' if aged_ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
