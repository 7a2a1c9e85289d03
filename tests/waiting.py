"""Waiting in a test for a condition, never for a fixed time.

A sleep that stands in for "the child has got there" fails on a machine slower than the one it
was tuned on and wastes its length on every faster one; polling for the condition itself, with
a generous deadline, does neither.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# How often the condition is looked at: short against any step a test waits for.
POLL_SECONDS = 0.01


def wait_for(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    """Return as soon as ``condition()`` is true; fail saying ``what`` never happened after
    ``timeout`` seconds (a deadline for a broken run, not a pace)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s in vain for {what}")
        time.sleep(POLL_SECONDS)
