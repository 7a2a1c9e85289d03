"""Redirect URI rules: what Okta would accept and what is safe to accept."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_SPACE = re.compile(r"\s")
# user info in the authority (`scheme://user:password@host`), masked in every message
_USER_INFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")
# RFC 8252 section 7.1: private-use schemes are reverse domain names the developer controls.
_PRIVATE_SCHEME = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$")
ACCEPTED = (
    "https://host/path, http:// on a loopback host (localhost, 127.0.0.1, [::1]), "
    "or for native apps a reverse-DNS private-use scheme such as com.acme.app:/callback"
)


def is_loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOOPBACK_HOSTS


def uri_problem(uri: str, *, native: bool) -> str | None:
    """Why `uri` cannot be a redirect URI, or None when it can."""
    problem = _problem(uri, native=native)
    if problem is None:
        return None
    # the user info may hold a password: never repeat it, whatever else is wrong
    return problem.replace(uri, _USER_INFO.sub(r"\1***@", uri))


def _problem(uri: str, *, native: bool) -> str | None:
    if _SPACE.search(uri):
        return f"'{uri}' contains white space"
    if not uri.isprintable():
        return f"'{uri}' contains control characters"
    if "*" in uri:
        return f"'{uri}' has a wildcard; Okta matches redirect URIs exactly, list each one"
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"'{uri}' is not a valid URI ({exc})"
    if not parts.scheme:
        return f"'{uri}' is not absolute; accepted: {ACCEPTED}"
    if parts.fragment or uri.endswith("#"):
        return f"'{uri}' has a fragment ('#...'); redirect URIs must not have one"
    if "@" in parts.netloc:
        return f"'{uri}' carries user info ('user@'); redirect URIs must not"
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            return f"'{uri}' has no host; accepted: {ACCEPTED}"
        if scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
            return f"'{uri}' uses http on a non-loopback host; use https (accepted: {ACCEPTED})"
        return None
    if native and _PRIVATE_SCHEME.match(scheme):
        return None
    return f"'{uri}' uses scheme '{parts.scheme}'; accepted: {ACCEPTED}"
