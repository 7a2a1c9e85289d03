"""Redirect URI rules: what Okta would accept and what is safe to accept."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from appspecs.hosts import is_loopback_host, web_host
from appspecs.records import record

_SPACE = re.compile(r"\s")
# user info in the authority (`scheme://user:password@host`), masked in every message
_USER_INFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")
# RFC 8252 section 7.1: private-use schemes are reverse domain names the developer controls.
_PRIVATE_SCHEME = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$")
# a '%' not followed by two hex digits: browsers and Okta disagree on what it means
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
ACCEPTED = (
    "https://host/path, http:// on a loopback host (localhost, 127.0.0.1, [::1]), "
    "or for native apps a reverse-DNS private-use scheme such as com.acme.app:/callback"
)


def is_loopback(uri: str) -> bool:
    """Whether `uri` is an http(s) URI whose host, as a browser reads it, is loopback: every
    spelling counts (`https://127.0.0.1./`, fullwidth `ｌｏｃａｌｈｏｓｔ`, `127.1`, `[0:0::1]`,
    `app.localhost`, percent-encoded), see `appspecs.hosts`."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return _is_loopback_parts(parts)


def _is_loopback_parts(parts: SplitResult) -> bool:
    return parts.scheme.lower() in ("http", "https") and is_loopback_host(parts.hostname or "")


@record
class RedirectCheck:
    """One redirect URI, parsed once: why it cannot be used (None: it can), and whether it
    reaches a loopback host (asked only for the stacks that refuse those)."""

    problem: str | None
    parts: SplitResult | None

    @property
    def loopback(self) -> bool:
        return self.problem is None and self.parts is not None and _is_loopback_parts(self.parts)


def check_redirect(uri: str, *, native: bool) -> RedirectCheck:
    """`uri_problem` and `is_loopback` of one URI from one parse."""
    problem, parts = _problem(uri, native=native)
    if problem is not None:
        # the user info may hold a password: never repeat it, whatever else is wrong
        return RedirectCheck(problem.replace(uri, _USER_INFO.sub(r"\1***@", uri)), None)
    return RedirectCheck(None, parts)


def uri_problem(uri: str, *, native: bool) -> str | None:
    """Why `uri` cannot be a redirect URI, or None when it can."""
    return check_redirect(uri, native=native).problem


def _problem(uri: str, *, native: bool) -> tuple[str | None, SplitResult | None]:
    """Why `uri` cannot be used (None: it can), and its parts once it could be split."""
    if _SPACE.search(uri):
        return f"'{uri}' contains white space", None
    if not uri.isprintable():
        return f"'{uri}' contains control characters", None
    if "*" in uri:
        return f"'{uri}' has a wildcard; Okta matches redirect URIs exactly, list each one", None
    try:
        parts = urlsplit(uri)
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        return f"'{uri}' is not a valid URI ({exc})", None
    return _parts_problem(uri, parts, port, native=native), parts


def _parts_problem(uri: str, parts: SplitResult, port: int | None, *, native: bool) -> str | None:
    if not parts.scheme:
        return f"'{uri}' is not absolute; accepted: {ACCEPTED}"
    if parts.fragment or uri.endswith("#"):
        return f"'{uri}' has a fragment ('#...'); redirect URIs must not have one"
    if "@" in parts.netloc:
        return f"'{uri}' carries user info ('user@'); redirect URIs must not"
    if port == 0:
        return f"'{uri}' names port 0, which nothing listens on"
    if _BAD_PERCENT.search(uri):
        return f"'{uri}' has a '%' not followed by two hex digits; write '%' as %25"
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        host = parts.hostname
        if not host:
            return f"'{uri}' has no host; accepted: {ACCEPTED}"
        # The host rules apply to the host a browser goes to, not to the text.
        if web_host(host) is None:
            return f"'{uri}' is not a URL a browser would follow (its host cannot be parsed)"
        if scheme == "http" and not is_loopback_host(host):
            return f"'{uri}' uses http on a non-loopback host; use https (accepted: {ACCEPTED})"
        return None
    if native and _PRIVATE_SCHEME.match(scheme):
        return None
    return f"'{uri}' uses scheme '{parts.scheme}'; accepted: {ACCEPTED}"


def https_problem(uri: str) -> str | None:
    """Why `uri` cannot be a page or key set URL Okta fetches or links to (https only), or None."""
    problem = _https_problem(uri)
    return None if problem is None else problem.replace(uri, _USER_INFO.sub(r"\1***@", uri))


def _https_problem(uri: str) -> str | None:
    if _SPACE.search(uri) or not uri.isprintable():
        return f"'{uri}' contains white space or control characters"
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"'{uri}' is not a valid URL ({exc})"
    if parts.scheme.lower() != "https":
        return f"'{uri}' is not an https URL; accepted: https://host/path"
    if "@" in parts.netloc:
        return f"'{uri}' carries user info ('user@'); remove it"
    if not parts.hostname or web_host(parts.hostname) is None:
        return f"'{uri}' has no host a browser would reach; accepted: https://host/path"
    if _BAD_PERCENT.search(uri):
        return f"'{uri}' has a '%' not followed by two hex digits; write '%' as %25"
    return None
