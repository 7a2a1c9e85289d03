"""The `appspec` process's entry point: the console script and `python -m appspecs`.

Before any command's module builds a pydantic model, pydantic plugins are switched off in this
process unless the user says otherwise (no_plugins.py says why and how). Here rather than when
the `appspecs.cli` package is imported, so that a process that embeds the CLI (a test runner, a
script calling `appspecs.cli.main`) keeps its pydantic as it is.
"""

from __future__ import annotations

import gc

from appspecs.cli.no_plugins import install


def main() -> None:
    # The imports make some hundred thousand objects (modules, classes, pydantic's validators)
    # and no garbage worth collecting: with the collector on, its passes over them were 5% of
    # the imports (7 of 130 ms). Once imported, they are moved out of its sight (`gc.freeze`, as
    # the gc docs advise for a process that forks): a later pass does not walk them again, and a
    # forked child does not write to their pages.
    gc.disable()
    install()
    from appspecs.cli.main import main as run  # after install(): its imports build the models

    gc.freeze()
    gc.enable()
    run()
