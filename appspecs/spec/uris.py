"""Redirect URI rules: what Okta would accept and what is safe to accept."""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, unquote, urlsplit

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


# Hosts repeat across a repository's specs (an app's sign-in and sign-out URIs, localhost in
# every dev app): each is classified once per run.
@lru_cache(maxsize=4096)
def is_loopback_host(host: str) -> bool:
    """Whether `host` (as `urlsplit` gives it: lowercase, no brackets) reaches this machine.

    Every spelling counts, not only the usual three: a stack that refuses loopback redirects
    must not take `https://127.0.0.2/`, `https://[0:0::1]/`, `https://localhost./` or
    `https://app.localhost/` (RFC 6761 keeps the whole `.localhost` domain on loopback).
    """
    # Browsers decode a percent-encoded host before they resolve it: %6c%6fcalhost is localhost.
    host = unquote(host).lower()
    name = host.removesuffix(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        try:
            # the short and numeric IPv4 forms browsers still resolve: 127.1, 0x7f000001
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):  # ValueError: a NUL in the host
            return False
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def is_loopback(uri: str) -> bool:
    """Whether `uri` is an http(s) URI whose host is loopback (see `is_loopback_host`)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return _is_loopback_parts(parts)


def _is_loopback_parts(parts: SplitResult) -> bool:
    return parts.scheme.lower() in ("http", "https") and is_loopback_host(parts.hostname or "")


@dataclass(frozen=True, slots=True)
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
        if scheme == "http" and not is_loopback_host(host):
            return f"'{uri}' uses http on a non-loopback host; use https (accepted: {ACCEPTED})"
        return None
    if native and _PRIVATE_SCHEME.match(scheme):
        return None
    return f"'{uri}' uses scheme '{parts.scheme}'; accepted: {ACCEPTED}"
