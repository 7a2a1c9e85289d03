"""Exit codes, the same in every command, and the words each command's --help says them in."""

OK = 0
# The input or the org is not as declared: invalid specs, drift found.
FAILED = 1
# Usage or I/O problem: bad flags, missing folder, unreadable file, unreachable org.
USAGE = 2


def codes_help(ok: str, failed: str, usage: str, *, more: str = "") -> str:
    """A command's epilog: what 0, 1 and 2 mean for it, always the three of them, in this order,
    after "Exit codes:" (a CI job branches on them; a test holds every command to it).

    ``more``: a sentence on codes that a flag changes (plan's --detailed-exitcode).
    """
    text = f"Exit codes: 0 {ok}; 1 {failed}; 2 {usage}."
    return f"{text} {more}" if more else text
