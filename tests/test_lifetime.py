"""What a plan holds to its process's end (appspecs/lifetime.py): only in the `appspec` process."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from appspecs import lifetime

ROOT = Path(__file__).resolve().parent.parent


class _Made:
    """Something a run made, which a weak reference can watch."""


def test_outside_the_appspec_process_nothing_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifetime, "_kept", None)  # a test process: keeping was never turned on
    made = _Made()
    watch = weakref.ref(made)
    lifetime.keep(made)
    del made
    gc.collect()
    assert watch() is None


def test_once_turned_on_what_is_kept_lives_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifetime, "_kept", None)
    lifetime.keep_to_end()
    made = _Made()
    watch = weakref.ref(made)
    lifetime.keep(made)
    del made
    gc.collect()
    assert watch() is not None


def test_the_appspec_process_keeps_what_its_plan_was_made_from() -> None:
    # Read by an exit handler, which the entry point runs before it ends the process.
    script = (
        "import atexit, sys\n"
        "from appspecs import lifetime\n"
        "atexit.register(lambda: print('kept', len(lifetime._kept or ()), file=sys.stderr))\n"
        "sys.argv = ['appspec', 'plan', '--stack', 'dev', '--format', 'json']\n"
        "from appspecs.cli.entry import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert '"planned": true' in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "kept 1"
