"""The `appspec` command: flags in, typed options to the stage functions, exit code out."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Any, NoReturn

import click
from click.exceptions import NoSuchCommand

from appspecs.cli import exits
from appspecs.cli.common import (
    OutputClosed,
    OutputFailed,
    internal_error,
    say,
    written_by_click,
)
from appspecs.cli.optionvalues import checked_command

# name -> "module:attribute". Commands load on use, so `appspec validate` (run on every commit by
# the pre-commit hook) does not pay for httpx, the Okta reader or Pulumi's SDK.
COMMANDS = {
    "validate": "appspecs.cli.validate:validate",
    "approve": "appspecs.cli.approve:approve",
    "schema": "appspecs.cli.schema:schema",
    "plan": "appspecs.cli.plan:plan",
    "status": "appspecs.cli.status:status",
    "preview": "appspecs.cli.preview:preview",
    "audit": "appspecs.cli.audit:audit",
    "import": "appspecs.cli.importer:import_command",
    "secret": "appspecs.cli.secret:secret",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # click suggests the nearest command from `self.commands`, which loads every command;
        # the lazy names are enough.
        if args and args[0] not in COMMANDS and not args[0].startswith("-"):
            raise NoSuchCommand(args[0], possibilities=list(COMMANDS), ctx=ctx)
        return checked_command(super().resolve_command(ctx, args), ctx)

    # A closed pipe is caught here, before click's main, which takes it for exit 1 ("not as
    # declared") and silences stderr, so that `appspec audit | head` lost its last line; in
    # making the context too, where --help and --version are written.
    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        given = list(args)  # parsing consumes the list
        try:
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError as exc:
            raise OutputClosed from exc
        except click.UsageError as exc:
            # a bad flag before the command (`appspec --bogus plan --detailed-exitcode`): said
            # with the command's own usage code (plan's 1 there, where 2 means changes)
            raised = self._usage_error(parent, given, exc)
            if raised is exc:
                raise
            raise raised from exc

    def _usage_error(
        self, parent: click.Context | None, args: list[str], exc: click.UsageError
    ) -> click.UsageError:
        named = next((i for i, a in enumerate(args) if not a.startswith("-")), None)
        if named is None or args[named] not in COMMANDS:
            return exc
        command = self.get_command(click.Context(self, parent=parent), args[named])
        usage_error = getattr(command, "usage_error", None)
        return exc if usage_error is None else usage_error(args[named + 1 :], exc)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise OutputClosed from exc


def _output_closed(
    why: str = "its reader closed the output (broken pipe)",
    code: int = exits.USAGE,
    done: str | None = None,
) -> NoReturn:
    """Exit 2 saying why (and, after a change made, that it was: `done`), on stderr if it is
    still open; the report's unwritten rest goes to /dev/null, or Python's exit would fail
    flushing it (and exit 120, printing a warning)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    if sys.stdout is not None:  # None: started with it closed
        os.dup2(devnull, sys.stdout.fileno())
    said = f"; done all the same: {done}" if done else ""
    say(f"cannot write the report: {why}{said}")
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except OSError:  # stderr went to the same reader (`2>&1 | head`)
        os.dup2(devnull, sys.stderr.fileno())
    sys.exit(code)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=exits.codes_help(
        "done",
        "the input or the org is not as declared",
        "usage or I/O error",
        more="Each command's --help says what they mean for it.",
    ),
)
@click.version_option(package_name="appspecs")
def cli() -> None:
    """Okta OAuth apps as code: check app specs, plan and audit their Okta state."""


def main() -> None:
    # Not click's standalone mode: it turns Ctrl-C into "Aborted!" and exit 1, which here means
    # "the input or the org is not as declared".
    try:
        result = cli.main(standalone_mode=False)
    except OutputClosed as exc:
        _output_closed(code=exc.code, done=exc.done)
    except OutputFailed as exc:
        _output_closed(f"the standard output failed ({exc.reason})", exc.code, exc.done)
    except (KeyboardInterrupt, click.exceptions.Abort):
        say("interrupted")
        sys.exit(exits.USAGE)
    except click.ClickException as exc:
        # on stderr only: without one (`2>&-`) click would write it to stdout, which carries
        # reports and secrets; one that cannot be written leaves the code to say it
        if sys.stderr is not None:
            with contextlib.suppress(OSError):
                exc.show(sys.stderr)
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except OSError as exc:
        # the help or the version not written: said as a report not written is
        if not written_by_click(exc):
            internal_error(exc)
        if isinstance(exc, BrokenPipeError):
            _output_closed()
        _output_closed(f"the standard output failed ({exc.strerror or exc})")
    except Exception as exc:
        internal_error(exc)
    # --help and --version end here with click's exit code; commands exit on their own.
    if sys.stdout is None:
        # started with stdout closed (`>&-`): click wrote them nowhere, said as a report is
        _output_closed("the standard output failed (closed)")
    sys.exit(result if isinstance(result, int) else exits.OK)


if __name__ == "__main__":
    main()
