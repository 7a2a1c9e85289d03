"""The `appspec` entry point as a shell runs it: exit codes for Ctrl-C and for bad usage."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from appspecs.cli.common import OutputClosed, OutputFailed, reporting_done
from tests.standin import Fault, StandinOkta
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent


def _appspec(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "appspecs", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_ctrl_c_exits_2_saying_interrupted_not_1_which_means_drift() -> None:
    with StandinOkta(token="t0ken") as okta:
        okta.add_auth_server("appspecs-api-dev", audiences=["api://appspecs-dev"])
        # the second round of reads hangs, so the signal comes while the audit waits on Okta
        held = okta.faults.add(Fault(kind="latency", seconds=3.0, path=r"/scopes$", times=None))
        proc = _appspec(
            "audit", "--stack", "dev", "--org-url", okta.url, env={"OKTA_API_TOKEN": "t0ken"}
        )
        wait_for(lambda: held.hits, "the audit's read of the scopes, which the stand-in holds")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2, (out, err)
    assert err.strip().splitlines()[-1] == "appspec: interrupted"
    assert "Traceback" not in err and "t0ken" not in out + err


def test_ctrl_c_before_the_command_starts_exits_2_without_a_traceback() -> None:
    # The interrupt as it lands while the command's modules are imported (they take about a
    # tenth of a second): raised by the import of the CLI, where a real SIGINT would raise it.
    script = (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'appspecs.cli.main':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from appspecs.cli.entry import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr, done.stdout) == (2, "appspec: interrupted\n", "")


def test_usage_errors_exit_2_with_clicks_message() -> None:
    proc = _appspec("plan", "--format", "yaml")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "Invalid value for '--format'" in err or "Missing option '--stack'" in err
    assert out == ""


def test_help_exits_0() -> None:
    proc = _appspec("--help")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "validate" in out and "audit" in out


def _every_command() -> list[tuple[str, ...]]:
    """The path of every command `appspec` registers, groups and theirs included, the root too."""
    from appspecs.cli.main import cli

    paths: list[tuple[str, ...]] = []

    def walk(group: click.Group, path: tuple[str, ...]) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            paths.append((*path, name))
            if isinstance(command, click.Group):
                walk(command, (*path, name))

    paths.append(())
    walk(cli, ())
    return paths


def test_every_commands_help_says_what_exit_0_1_and_2_mean() -> None:
    from appspecs.cli.main import cli

    paths = _every_command()
    assert ("approve",) in paths and ("secret", "list") in paths  # the walk reaches them
    for path in paths:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        words = " ".join(result.output.split())
        assert "Exit codes: 0 " in words, (path, result.output)
        codes = words.split("Exit codes: ", 1)[1]
        # each code with what it means, in order: "0 ...; 1 ...; 2 ..."
        assert re.match(r"0 \S.*?; 1 \S.*?; 2 \S", codes), (path, codes)


def test_a_lost_report_of_a_change_made_carries_what_it_said() -> None:
    # secret rotate, approve, import: the failure line says the change was made, in one line
    with pytest.raises(OutputFailed) as failed, reporting_done("5 specs written\nnext: pulumi"):
        raise OutputFailed("No space left on device")
    assert failed.value.done == "5 specs written; next: pulumi"
    with pytest.raises(OutputClosed) as closed, reporting_done("secret made"):
        raise BrokenPipeError(32, "Broken pipe")
    assert closed.value.done == "secret made"
    with pytest.raises(ValueError), reporting_done("nothing lost"):
        raise ValueError("not an output failure: left as it is")
