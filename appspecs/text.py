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


# A URL in free text: scheme, authority (user info up to its last @, then the host), path, query,
# fragment, up to the next space. Only the RFC 3986 delimiters (/ ? #) end a part: a password, a
# token or a signature as it was typed may hold a quote or a bracket, and a part cut short at one
# would leave the rest of the secret shown. A quote or bracket just before the scheme is the
# URL's frame: its last closer ends the URL. Punctuation at the end (`... h/x?a=b: 403`) is taken
# off after the match: a lookahead for it would rescan a run of dots at every character. For the
# same reason a scheme starts only where no scheme character stands before it; a `://` glued to a
# word (`1https://`) is still a URL, with its scheme left out of the match.
_URL = re.compile(
    r"((?:(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*)?://)(?:([^/?#\s]*)@)?([^/?#\s@]*)([^?#\s]*)(\?[^#\s]*)?(#\S*)?"
)
_CLOSERS = {"'": "'", '"': '"', "<": ">", "(": ")", "[": "]", "`": "`"}
_TRAILING = ".,:;!)]"


def _masked(url: str) -> str:
    match = _URL.fullmatch(url)
    if match is None:  # only the scheme was left: nothing of a URL to mask
        return url
    scheme, user_info, host, path, query, fragment = match.groups()
    return (
        f"{scheme}{'***@' if user_info is not None else ''}{host}{path}"
        f"{'?***' if query and query != '?' else query or ''}"
        f"{'#***' if fragment and fragment != '#' else fragment or ''}"
    )


def masked_urls(text: str) -> str:
    """Every URL in ``text`` with what may carry a credential masked: its user info
    (``user:password@`` as ``***@``), its query (``?token=...`` as ``?***``: a presigned URL's
    signature, an access token) and its fragment (``#***``). Text from another tool (the Pulumi
    engine's errors, naming a backend or a provider endpoint; git's) may quote a URL as it was
    configured, credentials included. Scheme, host and path stay: they say where it failed."""
    if "://" not in text:
        return text
    shown: list[str] = []
    done = 0
    while (match := _URL.search(text, done)) is not None:
        start, end = match.span()
        closer = _CLOSERS.get(text[start - 1]) if start else None
        if closer is not None and (cut := text.rfind(closer, match.end(1), end)) != -1:
            end = cut
        url = text[start:end].rstrip(_TRAILING)
        shown += (text[done:start], _masked(url))
        done = start + len(url)
    shown.append(text[done:])
    return "".join(shown)
