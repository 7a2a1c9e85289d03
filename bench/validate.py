"""Time `appspec validate` against check-jsonschema (with the exported schema) on N generated specs.

Run from the repository root:

    .venv/bin/python bench/validate.py [--apps 10000] [--repeat 3] [--keep]

Generates N varied valid specs in a temporary folder (the bundled catalog and stacks copied
beside them), exports the JSON Schema with `appspec schema`, then runs, in turns, each tool as a
child process (wall time, CPU time, peak resident memory of its largest process) and the floor:
libyaml's `compose` of the same files, read one after the other on one core, which is what
parsing alone costs. Prints the medians of `--repeat` runs, the machine's load, and whether the
targets hold: at least 8 times faster than check-jsonschema, within 3 times the compose floor
(the whole `appspec validate` process against the floor's loop), peak memory under 200 MB.
Then the pre-commit case: `appspec validate` on a handful of specs (`--handful`, 5), the whole
process's wall time (median of `--repeat` runs, at least 5) under 0.25 s with the modules'
bytecode cached, as `pip install` leaves them (and beside it, in this shell's environment as it
is), its import time as `python -X importtime` gives it, and whether any heavy module (pulumi,
httpx, cryptography and the like) was imported. Exit 0 when they hold, 1 when not, 2 when a tool fails or a spec is not
valid.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cached_bytecode import environments  # beside this script
from spec_tree import generate

TARGET_RATIO = 8.0
TARGET_FLOOR_RATIO = 3.0
TARGET_MEMORY_MB = 200.0
TARGET_HANDFUL_SECONDS = 0.25
# Modules only plan, preview, audit, import and secret need (tests/test_startup.py keeps them
# off the validate path).
HEAVY = ("pulumi", "pulumi_okta", "grpc", "httpx", "httpcore", "cryptography", "jwt", "anyio")

# Runs one command (or several, one after the other; read as JSON from stdin, as 10,000 paths do
# not fit in one argument) and reports their wall time and the peak RSS of its children. A fresh
# interpreter per measurement, so RUSAGE_CHILDREN covers that run only.
MEASURE = """
import json, resource, subprocess, sys, time
commands = json.loads(sys.stdin.read())
start = time.perf_counter()
codes = [subprocess.run(c, stdout=subprocess.DEVNULL if i else None).returncode
         for i, c in enumerate(commands)]
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"wall": wall, "cpu": cpu, "peak_kib": usage.ru_maxrss, "codes": codes}),
      file=sys.stderr)
"""


# The floor: parse the same files with libyaml's composer, one core, timing only the loop.
FLOOR = """
import json, sys, time, yaml
files = json.loads(sys.stdin.read())
start, cpu = time.perf_counter(), time.process_time()
for name in files:
    with open(name, encoding="utf-8") as fh:
        yaml.compose(fh.read(), Loader=yaml.CSafeLoader)
print(json.dumps({"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}))
"""


def tool(name: str) -> list[str]:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return [str(beside)]
    module = {"appspec": "appspecs", "check-jsonschema": "check_jsonschema"}[name]
    return [sys.executable, "-m", module]


def argv_chunks(prefix: list[str], files: list[str]) -> list[list[str]]:
    """Split the file list so no command line goes past the system's argument limit."""
    budget = min(os.sysconf("SC_ARG_MAX") // 2, 1 << 20) - sum(len(a) + 1 for a in prefix)
    chunks: list[list[str]] = [[]]
    used = 0
    for f in files:
        if used + len(f) + 1 > budget and chunks[-1]:
            chunks.append([])
            used = 0
        chunks[-1].append(f)
        used += len(f) + 1
    return [prefix + chunk for chunk in chunks]


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    codes: list[int]
    stdout: str
    stderr: str


def measure(commands: list[list[str]], cwd: Path, env: dict[str, str]) -> Run:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE],
        input=json.dumps(commands),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    *errors, figures = result.stderr.rstrip("\n").split("\n")
    data = json.loads(figures)
    return Run(
        data["wall"],
        data["cpu"],
        data["peak_kib"] / 1024,
        data["codes"],
        result.stdout,
        "\n".join(errors),
    )


def floor(files: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of libyaml's compose over the files, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", FLOOR],
        input=json.dumps(files),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(done.stdout)
    return data["wall"], data["cpu"]


def median_of(runs: list[Run]) -> Run:
    """The run of median wall time (of an even count, the two middle runs' mean times, not the
    lower one's, which would favour whichever tool is timed); its memory is the largest seen, to
    stay on the safe side."""
    ordered = sorted(runs, key=lambda r: r.wall)
    middle = ordered[(len(ordered) - 1) // 2]
    pair = ordered[(len(ordered) - 1) // 2 : len(ordered) // 2 + 1]
    return Run(
        statistics.fmean(r.wall for r in pair),
        statistics.fmean(r.cpu for r in pair),
        max(r.peak_mb for r in runs),
        middle.codes,
        middle.stdout,
        middle.stderr,
    )


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def _walls(runs: list[Run]) -> str:
    return " ".join(f"{r.wall:.2f}" for r in runs)


@dataclass
class Handful:
    walls: list[float]
    cpus: list[float]
    import_seconds: float
    heavy: list[str]
    # the same runs in this shell's environment as it is (see `handful`)
    walls_as_is: list[float]
    cpus_as_is: list[float]

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command``, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"appspec validate failed: {done.stdout!r}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def handful(count: int, repeat: int, seed: int) -> Handful:
    """The pre-commit case: the whole `appspec validate` process on `count` specs.

    Measured as a pre-commit hook runs it: with the modules' bytecode cached (pre-commit
    installs a hook with pip; cached_bytecode.py), and in this shell's environment as it is,
    printed beside.
    """
    root = Path(tempfile.mkdtemp(prefix="appspec-bench-handful-"))
    try:
        generate(root, count, seed)
        command = [*tool("appspec"), "validate", "--specs", "app-specs"]
        cached, as_is = environments(root / "bytecode")
        _timed(command, root, cached)  # writes the bytecode
        walls, cpus, walls_as_is, cpus_as_is = [], [], [], []
        for _ in range(repeat):  # in turns, as the large runs
            wall, cpu = _timed(command, root, cached)
            walls.append(wall)
            cpus.append(cpu)
            wall, cpu = _timed(command, root, as_is)
            walls_as_is.append(wall)
            cpus_as_is.append(cpu)
        # -X importtime: one line per module, "self | cumulative | name", the name indented
        # by its depth; the top-level lines' cumulative times add up to the whole import.
        traced = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "appspecs", "validate", "--specs",
             "app-specs"],
            cwd=root, env=cached, capture_output=True, text=True, check=False,
        )  # fmt: skip
        total = 0
        modules = set()
        for line in traced.stderr.splitlines():
            if not line.startswith("import time:") or "[us]" in line:
                continue
            _, cumulative, name = line.removeprefix("import time:").split("|")
            modules.add(name.strip().split(".")[0])
            if not name.startswith("  "):  # one space after the bar: a top-level import
                total += int(cumulative)
        return Handful(
            walls, cpus, total / 1e6, sorted(modules & set(HEAVY)), walls_as_is, cpus_as_is
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=10_000, help="number of specs [10000]")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; medians kept [3]")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator [1]")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument(
        "--handful", type=int, default=5, help="specs of the pre-commit case (0: skip it) [5]"
    )
    args = parser.parse_args()
    if args.apps < 1 or args.repeat < 1:
        parser.error("--apps and --repeat must be at least 1")

    root = Path(tempfile.mkdtemp(prefix="appspec-bench-"))
    try:
        files = generate(root, args.apps, args.seed)
        schema = subprocess.run(
            [*tool("appspec"), "schema", "--specs", "app-specs", "--out", "schema.json"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if schema.returncode != 0:
            print(f"appspec schema failed: {schema.stderr.strip()}", file=sys.stderr)
            return 2

        validate = [[*tool("appspec"), "validate", "--specs", "app-specs", "--format", "json"]]
        checker = [*tool("check-jsonschema"), "--schemafile", "schema.json"]
        chunks = argv_chunks(checker, files)
        # taken in turns, so a busy moment of the machine does not favour one tool
        our_runs: list[Run] = []
        their_runs: list[Run] = []
        floors: list[tuple[float, float]] = []
        # Both tools with their bytecode cached, as installed tools run (cached_bytecode.py):
        # an untimed run of each writes it (check-jsonschema on one file).
        cached, _ = environments(root / "bytecode")
        for warm_up in (validate, [[*checker, files[0]]]):
            measure(warm_up, root, cached)
        load_before = load()
        for _ in range(args.repeat):
            our_runs.append(measure(validate, root, cached))
            floors.append(floor(files, root, cached))
            their_runs.append(measure(chunks, root, cached))
        load_after = load()
        for run in our_runs:
            report = json.loads(run.stdout) if run.stdout else {}
            errors = [d for d in report.get("diagnostics", []) if d["severity"] == "error"]
            if run.codes != [0] or report.get("apps") != args.apps or errors:
                print(f"appspec validate did not pass the generated specs: exit {run.codes}, "
                      f"{report.get('apps')} apps, first errors {errors[:3]} {run.stderr}",
                      file=sys.stderr)  # fmt: skip
                return 2
        for run in their_runs:
            if any(run.codes):
                print(f"check-jsonschema failed: exit {run.codes}\n{run.stdout[-2000:]}",
                      file=sys.stderr)  # fmt: skip
                return 2
        ours, theirs = median_of(our_runs), median_of(their_runs)
        floor_wall = sorted(w for w, _ in floors)[(len(floors) - 1) // 2]
        floor_cpu = sorted(c for _, c in floors)[(len(floors) - 1) // 2]

        ratio = theirs.wall / ours.wall
        over_floor = ours.wall / floor_wall
        fast = ratio >= TARGET_RATIO
        near = over_floor <= TARGET_FLOOR_RATIO
        small = ours.peak_mb < TARGET_MEMORY_MB
        runs = f"median of {args.repeat}" if args.repeat > 1 else "one run"
        print(f"specs:             {args.apps} in {root if args.keep else 'a temporary folder'}")
        print(f"load average:      {load_before} before, {load_after} after ({runs} each)")
        print(f"appspec validate:  {ours.wall:7.2f} s wall, {ours.cpu:7.2f} s CPU, "
              f"peak {ours.peak_mb:6.1f} MB (walls {_walls(our_runs)})")  # fmt: skip
        print(f"check-jsonschema:  {theirs.wall:7.2f} s wall, {theirs.cpu:7.2f} s CPU, "
              f"peak {theirs.peak_mb:6.1f} MB ({len(chunks)} command{'s' * (len(chunks) > 1)}; "
              f"walls {_walls(their_runs)})")  # fmt: skip
        print(f"compose floor:     {floor_wall:7.2f} s wall, {floor_cpu:7.2f} s CPU "
              "(libyaml compose of the same files, one core)")  # fmt: skip
        print(f"ratio:             {ratio:7.2f}x faster than check-jsonschema (wall; "
              f"{theirs.cpu / ours.cpu:.2f}x in CPU); {over_floor:.2f}x the floor")  # fmt: skip
        print(f"target speed:      >= {TARGET_RATIO:.0f}x check-jsonschema: "
              f"{'met' if fast else 'NOT met'}")  # fmt: skip
        print(f"target floor:      <= {TARGET_FLOOR_RATIO:.0f}x the compose floor: "
              f"{'met' if near else 'NOT met'}")  # fmt: skip
        print(f"target memory:     < {TARGET_MEMORY_MB:.0f} MB (largest process): "
              f"{'met' if small else 'NOT met'}")  # fmt: skip
        quick = True
        if args.handful:
            few = handful(args.handful, max(args.repeat, 5), args.seed)
            quick = few.wall < TARGET_HANDFUL_SECONDS and not few.heavy
            cpu = sorted(few.cpus)[(len(few.cpus) - 1) // 2]
            print(f"pre-commit case:   {args.handful} specs: {few.wall:.3f} s wall, {cpu:.3f} s "
                  f"CPU (medians of {len(few.walls)}; least {min(few.walls):.3f} s wall, "
                  f"{min(few.cpus):.3f} s CPU; walls {' '.join(f'{w:.2f}' for w in few.walls)}), "
                  "bytecode cached; imports "
                  f"{few.import_seconds:.3f} s (-X importtime); heavy modules: "
                  f"{', '.join(few.heavy) or 'none'}; load {load()}")  # fmt: skip
            unset = "set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "unset"
            print(f"  as this shell runs it (PYTHONDONTWRITEBYTECODE {unset}): "
                  f"{statistics.median(few.walls_as_is):.3f} s wall, "
                  f"{statistics.median(few.cpus_as_is):.3f} s CPU "
                  f"(least {min(few.walls_as_is):.3f} s wall, {min(few.cpus_as_is):.3f} s CPU)")  # fmt: skip
            print(f"target pre-commit: < {TARGET_HANDFUL_SECONDS} s, no heavy module: "
                  f"{'met' if quick else 'NOT met'}")  # fmt: skip
        return 0 if fast and near and small and quick else 1
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
