"""No pydantic plugins in the `appspec` process, unless the user asks for them.

When the first model class is built, pydantic imports its plugin loader
(pydantic/plugin/_loader.py), which imports `importlib.metadata` (with `email`, `zipfile`,
`csv`: 15-30 ms) and, unless PYDANTIC_DISABLE_PLUGINS says otherwise, reads the entry points of
every installed distribution (25-75 ms here). `appspec validate` runs on every commit, where
that is a tenth to a quarter of its time, and appspec uses no plugin. A plugin (an observability
tool's, say) would only see our own specs being validated.

PYDANTIC_DISABLE_PLUGINS (documented by pydantic: `__all__`, `1`, `true`, or names) turns the
scan off, but its loader still imports `importlib.metadata` first, and a variable set in
`os.environ` would reach every process we start: the Pulumi program `appspec preview` runs
under `pulumi` (where a user's plugin would then work under `pulumi up` and not under
`appspec preview`), ssh-keygen, git. So instead, when the variable is unset, this module stands
in for the loader in this process only, giving what `__all__` gives: no plugins. Set the
variable (to a list of plugins to leave out, or to nothing: `PYDANTIC_DISABLE_PLUGINS=`) and
pydantic's own loader runs, as it does everywhere else. The children that check files
are forked from this process (parallel.py), so they have the stand-in too.

It relies on one private name, `pydantic.plugin._loader.get_plugins`, imported when the first
validator is built (plugin/_schema_validator.py); pyproject.toml holds pydantic below 2.15
(constraints.txt pins 2.14.4), and tests/test_startup.py fails when a model can no longer be
built with the stand-in or the real loader changes shape.
"""

from __future__ import annotations

import os
import sys
from typing import Any

LOADER = "pydantic.plugin._loader"
SWITCH = "PYDANTIC_DISABLE_PLUGINS"


def get_plugins() -> tuple[Any, ...]:
    """What pydantic's loader returns when plugins are disabled."""
    return ()


def install() -> None:
    """Stand in for pydantic's plugin loader, unless the user set the switch or pydantic has
    loaded it already (an embedding process: then it is theirs to decide)."""
    if SWITCH in os.environ or LOADER in sys.modules:
        return
    sys.modules[LOADER] = sys.modules[__name__]
