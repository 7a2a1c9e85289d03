"""An option's value that is another option of the same command: refused, as argparse refuses it.

`plan --stack $STACK --detailed-exitcode` with STACK empty reaches click as `--stack
--detailed-exitcode`, which click takes for a stack named `--detailed-exitcode`: an unknown
stack (exit 2, which that flag's codes read as "changes present"), or, after `--out`, a report
written to a file of that name and the flag lost. Refused here before the command parses, with
the command's own usage code (plan's 1 when the flag is on the line). A value that does start
with `--` is still given as `--option=VALUE`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import click


def option_names(command: click.Command, ctx: click.Context) -> set[str]:
    """Every spelling of every option of `command`, `--help` included."""
    return {
        name
        for param in command.get_params(ctx)
        if isinstance(param, click.Option)
        for name in (*param.opts, *param.secondary_opts)
    }


def value_options(params: Iterable[click.Parameter]) -> set[str]:
    """The names of the options among `params` that take a value (not flags, not counts)."""
    return {
        name
        for param in params
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for name in param.opts
    }


def option_as_value(
    command: click.Command, ctx: click.Context, args: Sequence[str]
) -> click.UsageError | None:
    """The error for the first option of `args` whose value would be another of the command's
    options (`--format`, `--format=json`) or `--` (after which click would read the words that
    follow as options); None when there is none. After a `--` of its own every word is an
    argument, as click reads them."""
    names = option_names(command, ctx)
    takes_value = value_options(command.get_params(ctx))
    words = iter(args)
    for arg in words:
        if arg == "--":
            return None
        if arg not in takes_value:
            continue
        after = next(words, None)
        if after is not None and (after == "--" or after.split("=", 1)[0] in names):
            return click.UsageError(
                f"Option '{arg}' requires a value, and the next word is '{after}', "
                + ("the end of the options" if after == "--" else "an option")
                + f" (an empty variable, `{arg} $VAR`, leaves the next word as the value); a "
                f"value that starts with '-' is given as {arg}=VALUE",
                ctx,
            )
    return None


def checked_command(
    resolved: tuple[str | None, click.Command | None, list[str]], ctx: click.Context
) -> tuple[str | None, click.Command | None, list[str]]:
    """A resolved command, unless one of its options would take another for its value: that is
    a usage error, with the command's own code (`usage_error`: plan's 1 with
    --detailed-exitcode)."""
    name, command, args = resolved
    # resilient parsing: shell completion, which must not fail on a line being typed
    if command is None or isinstance(command, click.Group) or ctx.resilient_parsing:
        return resolved
    sub = click.Context(command, info_name=name, parent=ctx)
    exc = option_as_value(command, sub, args)
    if exc is None:
        return resolved
    usage_error = getattr(command, "usage_error", None)
    raise exc if usage_error is None else usage_error(args, exc)


class CheckedGroup(click.Group):
    """A group whose commands' options never take one another for a value."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        return checked_command(super().resolve_command(ctx, args), ctx)
