"""Text from specs or from the org, made safe to print on one line."""

from __future__ import annotations


def printable(text: str) -> str:
    """Control characters (a line break, an ANSI or OSC escape) escaped, so each message stays
    one line and nothing in a spec or an Okta answer can drive the reader's terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
