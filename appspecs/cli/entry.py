"""The `appspec` process's entry point: the console script and `python -m appspecs`.

Before any command's module builds a pydantic model, pydantic plugins are switched off in this
process unless the user says otherwise (no_plugins.py says why and how). Here rather than when
the `appspecs.cli` package is imported, so that a process that embeds the CLI (a test runner, a
script calling `appspecs.cli.main`) keeps its pydantic as it is.
"""

from __future__ import annotations

from appspecs.cli.no_plugins import install


def main() -> None:
    install()
    from appspecs.cli.main import main as run  # after install(): its imports build the models

    run()
