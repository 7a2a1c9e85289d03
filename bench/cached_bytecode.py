"""The environment the benchmarks time a tool in: its modules' bytecode cached, as users run it.

`pip install` compiles every module it installs, and Python caches a module's bytecode the
first time it imports it; so a user's `appspec` (in a pre-commit hook, in CI after the install
step) reads bytecode, it does not compile. Under PYTHONDONTWRITEBYTECODE=1, which this machine's
sessions set, an editable install compiles appspec's modules from source on every run (some
40 ms of a validate, 70 ms of a plan). So every tool timed, appspec and the tools it is compared
with alike, runs with PYTHONPYCACHEPREFIX pointing to a folder of the bench's own, written by an
untimed run first; the shell's environment as it is is given too, for the figures beside.
"""

from __future__ import annotations

import os
from pathlib import Path


def environments(
    bytecode: Path, *, without: tuple[str, ...] = ()
) -> tuple[dict[str, str], dict[str, str]]:
    """The environment to time in (bytecode cached under ``bytecode``) and this shell's, both
    without the variables named in ``without``."""
    as_is = {k: v for k, v in os.environ.items() if k not in without}
    cached = {k: v for k, v in as_is.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return cached, as_is
