"""Text from specs or from the org, made safe to print on one line."""

from __future__ import annotations

import re


def printable(text: str) -> str:
    """Control characters (a line break, an ANSI or OSC escape) escaped, so each message stays
    one line and nothing in a spec or an Okta answer can drive the reader's terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escaped(c) for c in text)


def _escaped(c: str) -> str:
    # A byte that is not UTF-8 (in a file name, an argument) reaches Python as a lone surrogate
    # (PEP 383): say the byte (\xff) that a listing of the folder shows, not the surrogate.
    if "\udc80" <= c <= "\udcff":
        return f"\\x{ord(c) - 0xDC00:02x}"
    return ascii(c)[1:-1]


def problem_line(message: str) -> str:
    """`appspec: MESSAGE`, the line a command says on stderr (and in a text --out file): one
    line whatever the message quotes. A message repeats what was typed (a path, a stack or app
    name) or read (a file name in apps/, an engine's words), any of which may hold a line break
    or an ANSI escape."""
    return f"appspec: {printable(message)}"


# What may carry a credential in a URL quoted in free text, found in two passes so that neither
# depends on where the URL is taken to end (a quote, a bracket or another URL right after it):
# - user info: after every `://`, up to the last @ before a / ? # or space (a password as typed
#   may hold quotes and brackets, and a URL glued to another holds a second `://`); and where
#   what stands before the first / ? or # is `user:password` or `host:port`, up to the last @
#   before a space or the next `://`: a password typed unencoded may hold a / ? or # too, which
#   a parser takes for the end of the authority, and one that starts with digits (`u:12/ab@h`)
#   reads as a port. This pass comes first: the other would mask `u:p@` of `u:p@ss/w@h` and leave
#   `ss/w` shown. Its cost, a host hidden when a path holds an @ after a colon
#   (`h:8443/@scope` shows `***@scope`), is the safe way to be wrong;
# - query and fragment: from the first ? or # after a scheme to the next space (a token may hold
#   quotes too), less the punctuation and closing quotes or brackets at its end, taken off after
#   the match: a lookahead for them would rescan a run of dots at every character.
# A scheme starts only where no scheme character stands before it, so a run of them is read
# once; a `://` glued to a word (`1https://`) still starts a URL.
_USER_INFO = re.compile(r"://[^/?#\s]*@")
_USER_INFO_UNENCODED = re.compile(r"://(?!\[)[^/?#\s:]*:[^/?#\s]*[/?#](?:(?!://)\S)*@")
_URL = re.compile(r"(?:(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*)?://\S*")
_TRAILING = ".,:;!)]}>'\"`"


def _masked(match: re.Match[str]) -> str:
    url = match.group(0)
    shown = url.rstrip(_TRAILING)
    tail = url[len(shown) :]
    after = shown.index("://") + 3
    fragment = shown.find("#", after)
    fragment = len(shown) if fragment == -1 else fragment
    query = shown.find("?", after, fragment)
    query = fragment if query == -1 else query
    return (
        shown[:query]
        + ("?***" if fragment - query > 1 else shown[query:fragment])
        + ("#***" if len(shown) - fragment > 1 else shown[fragment:])
        + tail
    )


def masked_urls(text: str) -> str:
    """Every URL in ``text`` with what may carry a credential masked: its user info
    (``user:password@`` as ``***@``), its query (``?token=...`` as ``?***``: a presigned URL's
    signature, an access token) and its fragment (``#***``). Text from another tool (the Pulumi
    engine's errors, naming a backend or a provider endpoint; git's) may quote a URL as it was
    configured, credentials included. Scheme, host and path stay: they say where it failed."""
    if "://" not in text:
        return text
    text = _USER_INFO.sub("://***@", _USER_INFO_UNENCODED.sub("://***@", text))
    return _URL.sub(_masked, text)
