"""Hosts as a browser reads them, before any rule about them is applied.

A redirect URI is followed by a browser, and the org URL is reached by an HTTP client: what
counts is the host they reach, not the text. `ada-url` (bindings of ada, a URL parser that
passes the WHATWG URL Standard's tests) parses a URL as browsers do: percent-decoding, IDNA
mapping (fullwidth `ｌｏｃａｌｈｏｓｔ` is `localhost`), lowercase, IPv4 in its short, octal
and hexadecimal forms (`127.1`, `0x7f.1`), a trailing dot on an address (`127.0.0.1.`), IPv6
compressed. A rule then sees one spelling per host.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

import ada_url

from appspecs.records import record

# ada's host_type: 0 a domain (or an opaque host of a non-special scheme), 1 IPv4, 2 IPv6
_IPV4, _IPV6 = 1, 2


@record
class WebUrl:
    """The parts of a URL as a browser has them; `host` is serialised (IPv6 in brackets)."""

    scheme: str  # without the ':'
    host: str
    port: str  # "" for the scheme's default
    has_credentials: bool
    path: str
    query: str
    fragment: str
    host_type: int


def parse_web_url(url: str) -> WebUrl | None:
    """The URL as a browser parses it, or None when a browser would refuse it."""
    try:
        parts = ada_url.parse_url(
            url,
            attributes=(
                "protocol",
                "hostname",
                "port",
                "username",
                "password",
                "pathname",
                "search",
                "hash",
                "host_type",
            ),
        )
    except ValueError:
        return None
    return WebUrl(
        scheme=str(parts["protocol"]).removesuffix(":"),
        host=str(parts["hostname"]),
        port=str(parts["port"]),
        has_credentials=bool(parts["username"] or parts["password"]),
        path=str(parts["pathname"]),
        query=str(parts["search"]),
        fragment=str(parts["hash"]),
        host_type=int(parts["host_type"]),
    )


# Hosts repeat across a repository's specs (an app's sign-in and sign-out URIs, localhost in
# every dev app): each is parsed and classified once per run.
@lru_cache(maxsize=4096)
def web_host(host: str) -> str | None:
    """A host as written (or as `urlsplit` gives it: a bare IPv6 address without brackets), in
    the form a browser reaches; None when no browser would take it."""
    text = host.strip()
    if ":" in text and not text.startswith("["):
        text = f"[{text}]"
    # Only the host is wanted: asking ada for it alone costs a third of `parse_web_url`.
    try:
        return str(ada_url.parse_url(f"https://{text}/", attributes=("hostname",))["hostname"])
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def is_loopback_host(host: str) -> bool:
    """Whether ``host`` reaches this machine, whatever its spelling.

    ``host`` (as written, or as `urlsplit` gives it) is taken through browser host parsing
    first; then localhost and every name under `.localhost` (RFC 6761 keeps the domain on
    loopback), 127.0.0.0/8, ::1 and IPv4-mapped loopback addresses are loopback, with or
    without a trailing dot.
    """
    normal = web_host(host)
    return normal is not None and _is_loopback_normal(normal)


def _is_loopback_normal(host: str) -> bool:
    name = host.removesuffix(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    bare = host.strip("[]")
    # Neither an IPv6 address (it has a ':') nor IPv4 (it ends in a digit): a name, which
    # `ip_address` would refuse only after trying both forms.
    if ":" not in bare and not bare[-1:].isdigit():
        return False
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return False
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return address.is_loopback or (mapped is not None and mapped.is_loopback)
