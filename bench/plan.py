"""Benchmark `appspec plan` against running the stack program under Pulumi's mocks, and its
growth from 100 to 10,000 apps.

    .venv/bin/python bench/plan.py [--apps 100,1000,10000] [--changed 0.05] [--repeat 3]
                                   [--no-mocks]

For each number of apps, generates that many valid app specs (the bundled catalog, approvals
and stack settings, plus generated apps) into a temporary folder, writes the stack-export
state our program would have left for them with a share of the apps changed since (some 47,000
resources for 10,000 apps), and times the plan end to end as users run it (`appspec plan ...
--format json`, a new process: wall, CPU and the peak memory of its largest process, medians of
`--repeat` runs, with the modules' bytecode cached as an install leaves it; at 1,000 apps also
in this shell's environment as it is). At 1,000 apps it also runs the stack program for the same
specs under the mocks (tests/pulumi_harness.py, in-process), after `repeat // 2` of the plan's
runs, so that the machine's drift falls on both alike. Prints the curve (time per resource: flat when the
growth is linear), the machine's load, and whether the targets hold: at 1,000 apps at least 40
times faster than the mocks run; at 10,000 apps under 10 s and under 1 GB; no worse than linear
growth. A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cached_bytecode  # noqa: E402  (beside this script)

from appspecs.desired.render import render  # noqa: E402
from appspecs.desired.resources import resource_graph  # noqa: E402
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
TARGET_RATIO = 40.0
TARGET_SECONDS = 10.0  # at 10,000 apps
TARGET_MEMORY_MB = 1024.0
MOCKS_AT = 1000
# Per-resource CPU at the largest size over that at the next one: above this, growth is worse
# than linear (the margin is the machine's noise, not a licence).
LINEAR_SLACK = 1.25

# Runs one command in a fresh interpreter and reports its wall and CPU time and the peak RSS of
# its largest process (RUSAGE_CHILDREN of that interpreter covers this run only).
MEASURE = """
import json, resource, subprocess, sys, time
command = json.loads(sys.argv[1])
start = time.perf_counter()
code = subprocess.run(command).returncode
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_kib": usage.ru_maxrss, "code": code}))
"""


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


def environments(bytecode: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The environment the plan is timed in (cached_bytecode.py says why), and this shell's;
    without PULUMI_BACKEND_URL: the plan reads the state file it is given, no backend."""
    return cached_bytecode.environments(bytecode, without=("PULUMI_BACKEND_URL",))


def time_cli(
    specs: Path, state: Path, env: dict[str, str]
) -> tuple[float, float, float, dict[str, object]]:
    """Wall and CPU seconds and peak MB of `appspec plan` in a new process, and its JSON."""
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
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(command)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["code"] != 0:
        raise SystemExit(f"appspec plan failed (exit {figures['code']}): {done.stderr[-2000:]}")
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return figures["wall"], figures["cpu"], figures["peak_kib"] / 1024, data


def time_mocks(specs: Path) -> tuple[float, float, int]:
    from tests.pulumi_harness import run_stack_program

    start, cpu = time.perf_counter(), time.process_time()
    run = run_stack_program("dev", specs_dir=specs)
    return time.perf_counter() - start, time.process_time() - cpu, len(run.registrations)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def median(values: list[float]) -> float:
    # of an even count, the mean of the two middle runs: the lower one alone would favour
    # the plan, and with --repeat 2 would keep only the run on one side of the mocks run
    return statistics.median(values)


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


@dataclass
class Point:
    apps: int
    resources: int
    state_mb: float
    wall: float
    cpu: float
    peak_mb: float
    walls: list[float]
    summary: object
    steps: int
    # the same runs in this shell's environment as it is (at MOCKS_AT only; see `environments`)
    walls_as_is: list[float]
    cpus_as_is: list[float]


def measure_size(
    tmp: Path,
    apps: int,
    share: float,
    repeat: int,
    bytecode: Path,
    between: Callable[[Path], None] | None = None,
) -> Point:
    """The plan of `apps` apps timed `repeat` times; `between` (given the specs) runs after
    `repeat // 2` of the runs (before the only one of `--repeat 1`), so that the runs fall before
    and after it: this machine's speed drifts over minutes, and a comparison with runs all on
    one side of it takes the drift for a difference."""
    rng = random.Random(42)
    changed = set(rng.sample(range(apps), round(apps * share)))
    head = make_tree(tmp / "head", apps, set())
    old = make_tree(tmp / "old", apps, changed)
    state = tmp / "state.json"
    recorded = write_state(old, state)
    cached, as_is = environments(bytecode)
    time_cli(head, state, cached)  # writes the bytecode of whatever this size imports
    runs, runs_as_is = [], []
    for i in range(repeat):  # in turns, so that a change of the load falls on both
        if between is not None and i == repeat // 2:
            between(head)
        runs.append(time_cli(head, state, cached))
        if apps == MOCKS_AT:
            runs_as_is.append(time_cli(head, state, as_is))
    data = runs[0][3]
    point = Point(
        apps,
        recorded,
        state.stat().st_size / 1e6,
        median([r[0] for r in runs]),
        median([r[1] for r in runs]),
        max(r[2] for r in runs),
        [r[0] for r in runs],
        data["changeSummary"],
        len(data["steps"]),  # type: ignore[arg-type]
        [r[0] for r in runs_as_is],
        [r[1] for r in runs_as_is],
    )
    return point


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--apps", default="100,1000,10000", help="generated apps, comma-separated [100,1000,10000]"
    )
    parser.add_argument("--changed", type=float, default=0.05, help="share changed (default 0.05)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each plan; medians [3]")
    parser.add_argument("--no-mocks", action="store_true", help="skip the mocks run")
    args = parser.parse_args()
    sizes = sorted({int(n) for n in args.apps.split(",")})
    print(f"load average: {load()} (before)")
    points: list[Point] = []
    mocks: tuple[float, float, int] | None = None
    bytecode = tempfile.TemporaryDirectory(prefix="appspec-bench-bytecode-")
    mocks_note = ""

    def run_mocks(specs: Path) -> None:
        nonlocal mocks, mocks_note
        try:
            mocks = time_mocks(specs)
        except ImportError as exc:
            mocks_note = f"mocks: not run ({exc})"

    for apps in sizes:
        with tempfile.TemporaryDirectory(prefix="appspec-bench-") as tmp:
            point = measure_size(
                Path(tmp),
                apps,
                args.changed,
                args.repeat,
                Path(bytecode.name),
                run_mocks if apps == MOCKS_AT and not args.no_mocks else None,
            )
            points.append(point)
            print(
                f"{apps:>6} apps (+6 bundled), {point.resources:>6} resources in state "
                f"({point.state_mb:5.1f} MB): plan {point.wall:6.2f} s wall {point.cpu:6.2f} s CPU "
                f"peak {point.peak_mb:6.1f} MB; {point.cpu / point.resources * 1e6:6.1f} us CPU "
                f"per resource (walls {' '.join(f'{w:.2f}' for w in point.walls)}) "
                f"-> {point.summary}"
            )
            if point.walls_as_is:
                unset = "set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "unset"
                print(
                    f"{'':>6} as this shell runs it (PYTHONDONTWRITEBYTECODE {unset}): "
                    f"{median(point.walls_as_is):6.2f} s wall "
                    f"{median(point.cpus_as_is):6.2f} s CPU (walls "
                    f"{' '.join(f'{w:.2f}' for w in point.walls_as_is)})"
                )
            if mocks_note:
                print(mocks_note)
                mocks_note = ""
            elif apps == MOCKS_AT and mocks is not None:
                print(
                    f"{'':>6} stack program under mocks, after {args.repeat // 2} of the plan's "
                    f"{args.repeat} runs: "
                    f"{mocks[0]:6.2f} s wall {mocks[1]:6.2f} s CPU -> {mocks[2]} registrations "
                    f"(plan: {point.steps} steps)"
                )
    bytecode.cleanup()
    print(f"load average: {load()} (after)")
    by_apps = {p.apps: p for p in points}
    if mocks is not None and MOCKS_AT in by_apps:
        cli = by_apps[MOCKS_AT]
        print(
            f"target: plan of {MOCKS_AT} apps as a process >= {TARGET_RATIO:.0f}x faster than the "
            f"mocks run: {mocks[0] / cli.wall:.2f}x wall, {mocks[1] / cli.cpu:.2f}x CPU: "
            f"{verdict(mocks[0] / cli.wall >= TARGET_RATIO)}"
        )
    if 10_000 in by_apps:
        big = by_apps[10_000]
        print(
            f"target: 10000 apps ({big.resources} resources) < {TARGET_SECONDS:.0f} s and "
            f"< {TARGET_MEMORY_MB:.0f} MB: {big.wall:.2f} s, {big.peak_mb:.0f} MB: "
            f"{verdict(big.wall < TARGET_SECONDS and big.peak_mb < TARGET_MEMORY_MB)}"
        )
    if len(points) >= 2:
        small, large = points[-2], points[-1]
        growth = (large.cpu / large.resources) / (small.cpu / small.resources)
        print(
            f"target: no worse than linear from {small.apps} to {large.apps} apps: CPU per "
            f"resource x{growth:.2f} (<= {LINEAR_SLACK}): {verdict(growth <= LINEAR_SLACK)}"
        )


if __name__ == "__main__":
    main()
