"""Where a stack's recorded state is: `--state FILE`, or the checkpoint of a local file backend
(`PULUMI_BACKEND_URL=file://...`, else the project folder), and whether reading it is short.

Apart from the reader (state.py), which imports the desired state's modules: a plan decides
where the state is, and whether its read is short, before the other cores start on the specs,
and imports the reader only beside them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from appspecs.inputfile import may_exist


class StateError(Exception):
    """The state file cannot be used: unreadable, not JSON, or not a version 3 deployment."""


BACKEND_ENV = "PULUMI_BACKEND_URL"


def backend_dir(project_dir: Path, env: Mapping[str, str] | None = None) -> Path:
    """The folder of the local file backend: PULUMI_BACKEND_URL when set, else the project.

    A backend that is not `file://` cannot be read without credentials: StateError, asking for
    `--state`. Only the scheme of the URL is ever printed.
    """
    url = (os.environ if env is None else env).get(BACKEND_ENV, "")
    if not url:
        return project_dir
    if not url.startswith("file://"):
        scheme = url.split(":", 1)[0] if ":" in url else "an unknown scheme"
        raise StateError(
            f"{BACKEND_ENV} names a {scheme} backend, which appspec cannot read (it takes the "
            "backend's credentials); "
            "run `pulumi stack export --stack NAME > state.json` and pass --state state.json"
        )
    where = url[len("file://") :].split("?", 1)[0] or "~"
    return Path(os.path.expanduser(where))


def state_candidates(root: Path, project: str, stack: str) -> Iterable[Path]:
    """Where a file backend keeps a stack's checkpoint: project-scoped layout first, then legacy."""
    stacks = root / ".pulumi" / "stacks"
    for folder in (stacks / project, stacks):
        yield folder / f"{stack}.json"
        yield folder / f"{stack}.json.gz"


def find_state(
    project_dir: Path, project: str, stack: str, env: Mapping[str, str] | None = None
) -> Path | None:
    """The local backend's checkpoint for the stack, or None when there is none."""
    root = backend_dir(project_dir, env)
    return next((p for p in state_candidates(root, project, stack) if may_exist(p)), None)


# Below this a state reads in a few milliseconds (10 ms a megabyte, gzipped ten times that):
# short beside the specs' check (parallel.alongside's `short`), as a first deploy's state is.
SHORT_READ_BYTES = 1 << 20


def state_read_is_short(
    state_file: Path | None, project_dir: Path, project: str, stack: str
) -> bool:
    """Whether the state `stack_state` reads is small or absent (a read error is the read's)."""
    try:
        path = state_file or find_state(project_dir, project, stack)
        size = os.stat(path).st_size if path is not None else 0
    except (StateError, OSError, ValueError):
        return True
    return size * (10 if path is not None and path.name.endswith(".gz") else 1) < SHORT_READ_BYTES
