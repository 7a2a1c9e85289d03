"""Checking specs over several processes gives the report one process gives, byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.project_copy import copy_project

# Specs that break one rule each (as top-level entries that replace the generated ones), or
# whole files that cannot be read; spread over the folder so that every worker gets some.
BROKEN: list[dict[str, str] | str] = [
    {"scopes": "[api:data:nope]"},  # unknown scope
    {"scopes": "[api:data:company, api:data:company]"},  # listed twice
    {"label": "[not, text]"},  # wrong type
    {"colour": "blue"},  # unknown field
    {"environments": "[qa]"},  # no such stack
    {"client": "\n  kind: web\n  redirect_uris: ['http://crm.acme.example/cb']"},
    {"client": "\n  kind: spa\n  redirect_uris: [http://localhost:3000/cb]"},  # prod refuses
    {"owner": "&a team@acme.example"},  # an anchor
    "name: one\nname: two\n",  # repeated key
    "name: [\n",  # YAML syntax
    "",  # empty file
]


def _spec(i: int, changes: dict[str, str] | None = None) -> str:
    name = f"gen-{i:04d}"
    fields = {
        "name": name,
        "label": f"Generated {i}",
        "type": "partner" if i % 7 == 0 else "internal",
        "owner": "team@acme.example",
        "client": f"\n  kind: web\n  redirect_uris: [https://{name}.acme.example/cb]",
        "scopes": "[api:data:company]",
        **(changes or {}),
    }
    return "".join(f"{key}: {value}\n" for key, value in fields.items())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("parallel"))
    apps = root / "app-specs" / "apps"
    for i in range(1200):
        broken = BROKEN[(i // 37) % len(BROKEN)] if i % 37 == 0 else {}
        text = broken if isinstance(broken, str) else _spec(i, broken)
        (apps / f"gen-{i:04d}.yaml").write_text(text, encoding="utf-8")
    (apps / "gen-0003.yaml").rename(apps / "gen-0003.yml")  # ignored, with a warning
    (apps / "gen-0005.yaml").write_text(_spec(6), encoding="utf-8")  # not its file's name
    return root


def _validate(root: Path, fmt: str, jobs: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appspecs", "validate", "--format", fmt, "--jobs", str(jobs)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_two_processes_report_what_one_reports(project: Path, fmt: str) -> None:
    one = _validate(project, fmt, 1)
    two = _validate(project, fmt, 2)
    assert one.returncode == 1, one.stderr
    assert "gen-0037.yaml" in one.stdout and "gen-0003.yml" in one.stdout
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)


def test_the_pool_works_in_other_processes_and_keeps_the_order() -> None:
    # A new process: the pool only forks a process that runs no other thread, as the CLI is.
    # Which worker takes which part depends on the machine's load: only the order is fixed.
    code = (
        "import os\n"
        "from appspecs.parallel import ordered_map\n"
        "out = ordered_map(lambda i: (i, os.getpid()), range(1000), jobs=2)\n"
        "assert [i for i, _ in out] == list(range(1000))\n"
        "pids = {p for _, p in out}\n"
        "assert pids and os.getpid() not in pids, pids\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=os.environ
    )
    assert done.returncode == 0, done.stderr
