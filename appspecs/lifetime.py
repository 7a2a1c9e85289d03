"""What a run holds until its process ends, instead of freeing it just before the end.

A plan's inputs are freed when the functions that made them return: the recorded state (about
a million objects at 1,000 apps), the specs, the desired state and the resources planned from
it. Freeing them one by one took 13 of a 1,000-app plan's 500 ms, in the last tenth of its run.
The process then ends without teardown (cli/entry.py), which frees nothing. Kept here, they go
when the process goes, as the rest of its objects do.

This holds only in a process that ends so: the entry point turns it on (`keep_to_end`). A test
or a script that calls a command in-process frees them as before.
"""

from __future__ import annotations

_kept: list[tuple[object, ...]] | None = None


def keep_to_end() -> None:
    """From now on, `keep` holds what it is given until the process ends."""
    global _kept
    if _kept is None:
        _kept = []


def keep(*objects: object) -> None:
    """Hold `objects` until the process ends, once `keep_to_end` was called; else nothing."""
    if _kept is not None:
        _kept.append(objects)
