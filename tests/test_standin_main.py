"""`python -m tests.standin --seed bundled`: the stand-in started by hand, as the auditor docs
say, serves an org that `appspec audit` of the bundled specs finds in sync."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from appspecs.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent


def test_the_standin_started_by_hand_serves_the_bundled_org() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.standin", "--seed", "bundled", "--stack", "dev"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("stand-in Okta at http://127.0.0.1:"), first + proc.stderr.read()
        exports = proc.stdout.readline().split()
        assert exports[0] == "export"
        env = dict(part.split("=", 1) for part in exports[1:])
        assert env["OKTA_ORG_URL"] == first.split()[3]
        result = CliRunner(env={**env, "OKTA_CLIENT_ID": None, "OKTA_PRIVATE_KEY": None}).invoke(
            cli,
            [
                "audit",
                "--stack",
                "dev",
                "--specs",
                str(ROOT / "app-specs"),
                "--stacks",
                str(ROOT / "stacks"),
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert report["in_sync"] is True and report["complete"] is True
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)  # waits, and closes the pipes
    assert proc.returncode == 0


def test_an_unknown_stack_is_refused() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.standin", "--stack", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2 and "unknown stack 'nope'" in proc.stderr
