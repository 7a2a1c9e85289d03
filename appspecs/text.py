"""Text from specs or from the org, made safe to print on one line."""

from __future__ import annotations

import re


def printable(text: str) -> str:
    """Control characters (a line break, an ANSI or OSC escape) escaped, so each message stays
    one line and nothing in a spec or an Okta answer can drive the reader's terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def problem_line(message: str) -> str:
    """`appspec: MESSAGE`, the line a command says on stderr (and in a text --out file): one
    line whatever the message quotes. A message repeats what was typed (a path, a stack or app
    name) or read (a file name in apps/, an engine's words), any of which may hold a line break
    or an ANSI escape."""
    return f"appspec: {printable(message)}"


# `scheme://anything-up-to-an-@` in the authority: what stands before the @ may be a password.
_USER_INFO = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]*@")


def without_user_info(text: str) -> str:
    """Every URL in ``text`` with its user info (``user:password@``) masked as ``***@``: text
    from another tool (the Pulumi engine's errors, naming a backend or a provider endpoint) may
    quote a URL as it was configured, password included."""
    return _USER_INFO.sub(r"\1***@", text) if "@" in text else text
