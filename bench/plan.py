"""Benchmark `appspec plan` against running the stack program under Pulumi's mocks.

    .venv/bin/python bench/plan.py [--apps 1000] [--changed 0.05] [--no-mocks]

Generates N valid app specs (the bundled catalog, approvals and stack settings, plus generated
apps) into a temporary folder, writes the stack-export state our program would have left for
them with a share of the apps changed since, and times:
- the plan, end to end as users run it (`appspec plan ... --format json`, a new process), and
  in-process (load, render, diff, JSON);
- the stack program for the same specs under the mocks (tests/pulumi_harness.py, in-process).
Prints both times, the ratio, and whether the targets hold: the plan at least 20 times faster
than the mocks run, and under 3 s for 1,000 apps. A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appspecs.desired.render import render  # noqa: E402
from appspecs.desired.resources import resource_graph  # noqa: E402
from appspecs.plan.build import plan_against_state  # noqa: E402
from appspecs.plan.state import read_state  # noqa: E402
from appspecs.report.plan import json_text  # noqa: E402
from appspecs.spec.load import load_specs  # noqa: E402
from appspecs.stackconfig import load_stack_config  # noqa: E402
from tests import plan_states  # noqa: E402

SCOPES = [
    "api:data:company",
    "api:data:contact",
    "api:data:news",
    "api:data:intent",
    "api:audience:read",
]
KINDS = ["web", "spa", "native", "service"]
TARGET_RATIO = 20.0
TARGET_SECONDS = 3.0


def app_yaml(i: int, changed: bool) -> str:
    """One generated app; `changed` is its earlier version (another scope, another redirect)."""
    name = f"bench-app-{i:05d}"
    kind = KINDS[i % len(KINDS)]
    scopes = SCOPES[i % 3 : i % 3 + 2]
    if changed:
        scopes = scopes[:1]
    lines = [
        f"name: {name}",
        f"label: Bench App {i}",
        "type: internal",
        f"owner: team-{i % 40}@acme.example",
        "client:",
        f"  kind: {kind}",
    ]
    if kind != "service":
        host = f"old-{i}" if changed else f"app-{i}"
        redirect = (
            f"com.acme.bench{i}:/callback"
            if kind == "native"
            else f"https://{host}.acme.example/callback"
        )
        lines += ["  redirect_uris:", f"    - {redirect}"]
    lines += ["scopes:", *(f"  - {s}" for s in scopes)]
    if kind != "service":
        lines += ["groups:", f"  - bench-group-{i % 50}"]
    return "\n".join(lines) + "\n"


def make_tree(root: Path, apps: int, changed: set[int]) -> Path:
    specs = root / "app-specs"
    shutil.copytree(ROOT / "app-specs", specs)
    shutil.copytree(
        ROOT / "stacks", root / "stacks", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    for i in range(apps):
        (specs / "apps" / f"bench-app-{i:05d}.yaml").write_text(
            app_yaml(i, i in changed), encoding="utf-8"
        )
    return specs


def write_state(old_specs: Path, path: Path) -> int:
    specs = load_specs(old_specs, stacks_dir=old_specs.parent / "stacks")
    assert specs.ok, [d for d in specs.diagnostics if d.is_error][:3]
    desired = render(specs, load_stack_config(old_specs.parent / "stacks", "dev"))
    doc = plan_states.state_for(resource_graph(desired), held=desired.held)
    plan_states.write(doc, path)
    return len(doc["deployment"]["resources"])


def appspec_command() -> list[str]:
    """This interpreter's own `appspec`: the script beside it, else `python -m appspecs`
    (the venv need not be on PATH)."""
    beside = Path(sys.executable).parent / "appspec"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "appspecs"]


def time_cli(specs: Path, state: Path) -> tuple[float, float, dict[str, object]]:
    """Wall and CPU seconds of `appspec plan` in a new process, and its JSON."""
    out = specs.parent / "plan.json"
    command = [
        *appspec_command(),
        "plan",
        "--stack",
        "dev",
        "--specs",
        str(specs),
        "--stacks",
        str(specs.parent / "stacks"),
        "--state",
        str(state),
        "--format",
        "json",
        "--out",
        str(out),
    ]
    env = {k: v for k, v in os.environ.items() if k != "PULUMI_BACKEND_URL"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return elapsed, cpu, data


def time_in_process(specs: Path, state: Path) -> tuple[float, float]:
    """Wall and CPU seconds of load, render, diff and JSON, in this process."""
    start, cpu = time.perf_counter(), time.process_time()
    loaded = load_specs(specs, stacks_dir=specs.parent / "stacks")
    plan = plan_against_state(
        loaded, load_stack_config(specs.parent / "stacks", "dev"), read_state(state)
    )
    json_text(plan)
    return time.perf_counter() - start, time.process_time() - cpu


def time_mocks(specs: Path) -> tuple[float, float, int]:
    from tests.pulumi_harness import run_stack_program

    start, cpu = time.perf_counter(), time.process_time()
    run = run_stack_program("dev", specs_dir=specs)
    return time.perf_counter() - start, time.process_time() - cpu, len(run.registrations)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=1000, help="generated apps (default 1,000)")
    parser.add_argument("--changed", type=float, default=0.05, help="share changed (default 0.05)")
    parser.add_argument("--no-mocks", action="store_true", help="skip the mocks run")
    args = parser.parse_args()
    rng = random.Random(42)
    changed = set(rng.sample(range(args.apps), round(args.apps * args.changed)))
    with tempfile.TemporaryDirectory(prefix="appspec-bench-") as tmp:
        head = make_tree(Path(tmp) / "head", args.apps, set())
        old = make_tree(Path(tmp) / "old", args.apps, changed)
        state = Path(tmp) / "state.json"
        recorded = write_state(old, state)
        print(f"apps: {args.apps} generated + 6 bundled; {len(changed)} changed since the state")
        print(f"state: {recorded} resources, {state.stat().st_size / 1e6:.1f} MB")
        print(
            f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
        )

        cli_wall, cli_cpu, data = time_cli(head, state)
        in_wall, in_cpu = min(time_in_process(head, state) for _ in range(3))
        print(
            f"plan, appspec as a new process: {cli_wall:6.2f} s wall {cli_cpu:6.2f} s CPU -> {data['changeSummary']}"
        )
        print(f"plan, in-process (best of 3):   {in_wall:6.2f} s wall {in_cpu:6.2f} s CPU")
        if args.no_mocks:
            return
        try:
            mocks_wall, mocks_cpu, registered = time_mocks(head)
        except ImportError as exc:
            print(f"mocks: not run ({exc})")
            return
        steps = len(data["steps"])  # type: ignore[arg-type]
        print(
            f"stack program under mocks:      {mocks_wall:6.2f} s wall {mocks_cpu:6.2f} s CPU -> "
            f"{registered} registrations (plan: {steps} steps)"
        )
        print(
            f"ratio, plan as a process: {mocks_wall / cli_wall:.1f}x wall, {mocks_cpu / cli_cpu:.1f}x CPU; "
            f"in-process: {mocks_wall / in_wall:.1f}x wall, {mocks_cpu / in_cpu:.1f}x CPU"
        )
        limit = TARGET_SECONDS
        note = "" if args.apps == 1000 else " (the targets are set for 1,000 apps)"
        print(
            f"targets (plan as a process){note}: >= {TARGET_RATIO:.0f}x faster: wall "
            f"{verdict(mocks_wall / cli_wall >= TARGET_RATIO)}, CPU "
            f"{verdict(mocks_cpu / cli_cpu >= TARGET_RATIO)}; < {limit:.0f} s: wall "
            f"{verdict(cli_wall < limit)}, CPU {verdict(cli_cpu < limit)}"
        )


if __name__ == "__main__":
    main()
