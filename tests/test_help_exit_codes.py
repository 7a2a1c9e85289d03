"""Every command's --help says what its exit codes mean: CI scripts branch on them."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from appspecs.cli.main import COMMANDS, cli

# status lists whatever the specs hold (denied and broken apps included): it never exits 1
NO_EXIT_1 = {("status",)}


def _commands() -> list[tuple[str, ...]]:
    """Every command a user can run, as its words after `appspec` (a group's subcommands too)."""
    out: list[tuple[str, ...]] = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None, name
        out.append((name,))
        if isinstance(command, click.Group):
            out += [(name, sub) for sub in command.list_commands(ctx)]
    return out


@pytest.mark.parametrize("words", _commands(), ids=" ".join)
def test_every_command_help_states_its_exit_codes(words: tuple[str, ...]) -> None:
    done = CliRunner().invoke(cli, [*words, "--help"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    text = " ".join(done.output.split())  # help text is wrapped at any width
    assert re.search(r"\bExit 0 ", text), f"appspec {' '.join(words)} --help: no 'Exit 0'"
    # "Exit 0 when ..., 1 when ..., 2 for ...", or the forms "1 (refused) when", "2 error"
    for code in ("1", "2") if words not in NO_EXIT_1 else ("2",):
        said = re.search(rf"[,;:] {code}(\)| \(\w+\))? (when|for|on|drift|error|some|usage)", text)
        assert said, f"appspec {' '.join(words)} --help does not say what exit {code} means"


def test_the_walk_finds_every_command_and_the_secret_subcommands() -> None:
    words = _commands()
    assert ("approve",) in words and ("secret", "rotate") in words and ("secret", "list") in words
    assert len(words) >= len(COMMANDS) + 3
