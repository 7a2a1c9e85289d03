"""The command lines a report tells its reader to run: the whole plan, every warning."""

from __future__ import annotations

from dataclasses import replace

from appspecs.diagnostics import Diagnostic
from appspecs.records import record


@record
class Rerun:
    """The flags a command was given that chose what it read, from its command line (the
    defaults and the environment left out; paths written to read the same files pasted
    elsewhere, by `cli.common.given_flags`): a command a report names repeats them, so that it
    reads what the report was made from (a CI job's specs folder, its exported state), not the
    default folders of wherever the reader runs it."""

    # --specs, --stacks: what every command reads, `appspec validate` included
    specs: tuple[str, ...] = ()
    # the command's own inputs: a plan's or a status's --state, an audit's --org-url
    more: tuple[str, ...] = ()

    def command(self, *words: str, last: tuple[str, ...] = ()) -> str:
        """`appspec WORDS...` with these flags after them, then ``last``, quoted for a shell."""
        import shlex  # here: only a report that names a command needs it

        return shlex.join(["appspec", *words, *self.specs, *self.more, *last])

    def validate(self) -> str:
        """`appspec validate` of the same specs and stacks: it lists every warning."""
        return Rerun(self.specs).command("validate")

    def named_in(self, diagnostic: Diagnostic) -> Diagnostic:
        """The diagnostic with the command its message names (`appspec approve ...`, written with
        the default folders) repeating the --specs and --stacks given: it reads the same specs."""
        if not diagnostic.command or not self.specs:
            return diagnostic
        default = NO_FLAGS.command(*diagnostic.command)
        given = Rerun(self.specs).command(*diagnostic.command)
        return replace(diagnostic, message=diagnostic.message.replace(default, given))


#: A command run with its defaults: the commands a report names take no flags either.
NO_FLAGS = Rerun()
