"""The `appspec` process's entry point: the console script and `python -m appspecs`.

Before any command's module builds a pydantic model, pydantic plugins are switched off in this
process unless the user says otherwise (no_plugins.py says why and how). Here rather than when
the `appspecs.cli` package is imported, so that a process that embeds the CLI (a test runner, a
script calling `appspecs.cli.main`) keeps its pydantic as it is. So too with how the process
starts and ends (the garbage collector, the teardown): only this process's own.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading

from appspecs.cli.exits import USAGE
from appspecs.cli.no_plugins import install
from appspecs.lifetime import keep_to_end


def _end_without_teardown(code: int) -> None:
    """End the process as Python's exit would, less the teardown: the exit handlers run and the
    output is flushed, then the process ends without freeing every object and module one by
    one, which took a plan of 1,000 apps 10 ms and nothing outside it sees (mypy ends its runs
    so: `util.hard_exit`, on by default). Returns, for Python's own exit to go on, when it cannot
    do that: the handlers cannot be run from here, or flushing fails (a closed pipe, which
    Python's exit then reports as it always has)."""
    run_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's: what its exit calls
    if run_handlers is None:
        return
    run_handlers()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: started with the descriptor closed
                stream.flush()
    except Exception:
        return
    os._exit(code)


def _escape_unencodable(stream: object) -> None:
    """A character UTF-8 cannot encode is written as its escape (`\\ud800`), as Python writes
    stderr, instead of ending the command mid-report: a lone surrogate, which a state file or an
    Okta response can hold (JSON's `\\ud800` decodes to one). In a JSON report the escape is
    that same JSON escape, so the value reads back as it was; a text report shows it."""
    reconfigure = getattr(stream, "reconfigure", None)  # None: replaced by something else
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


def main() -> None:
    # The imports make some hundred thousand objects (modules, classes, pydantic's validators)
    # and no garbage worth collecting: with the collector on, its passes over them were 5% of
    # the imports (7 of 130 ms). Once imported, they are moved out of its sight (`gc.freeze`, as
    # the gc docs advise for a process that forks): a later pass does not walk them again, and a
    # forked child does not write to their pages.
    gc.disable()
    try:
        install()
        from appspecs.cli.main import main as run  # after install(): its imports build the models
    except KeyboardInterrupt:
        # Ctrl-C in the tenth of a second before the command starts: said as once it runs
        # (cli/main.py), exit 2, not a traceback through the imports and 130
        sys.stderr.write("appspec: interrupted\n")
        raise SystemExit(USAGE) from None
    gc.freeze()
    gc.enable()
    keep_to_end()  # this process ends without teardown: what it made goes with it
    _escape_unencodable(sys.stdout)
    try:
        run()
    except SystemExit as exc:
        # Only with a plain exit code and no other thread, which Python's exit would wait for.
        if (exc.code is None or type(exc.code) is int) and threading.active_count() == 1:
            _end_without_teardown(exc.code or 0)
        raise
