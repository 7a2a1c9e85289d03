"""The org URL: https only, except plain http to a loopback host (a local stand-in server)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from appspecs.okta.errors import OrgUrlError


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: the only hosts plain http may reach."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_USER_INFO = re.compile(r"^([^:/?#]*://)[^/?#]*@")


def normalize_org_url(org_url: str) -> str:
    """Return ``scheme://host[:port]`` without trailing slashes, or raise ``OrgUrlError``."""
    raw = org_url.strip()
    if _USER_INFO.match(raw):
        # Refused first and never quoted: what stands before the @ may be a password.
        raise OrgUrlError("org URL must not contain a user name or password")
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
        port = parts.port  # parses the port: a bad one raises ValueError here
    except ValueError as e:
        raise OrgUrlError(f"org URL {raw!r} is not a valid URL") from e
    scheme = parts.scheme.lower()
    if not host:
        raise OrgUrlError(f"org URL {raw!r} has no host; expected https://<org>.okta.com")
    if scheme == "http":
        if not is_loopback_host(host):
            # Tokens would cross the network in clear text; only a local stand-in may use http.
            raise OrgUrlError(
                f"org URL {raw!r} uses http://; Okta needs https:// "
                "(http:// is allowed only for localhost, 127.0.0.0/8 and ::1)"
            )
    elif scheme != "https":
        raise OrgUrlError(f"org URL {raw!r} must start with https://")
    if parts.username is not None or parts.password is not None:
        raise OrgUrlError("org URL must not contain a user name or password")
    if parts.path.strip("/") or parts.query or parts.fragment:
        # API paths are appended to the org URL; a copied admin-console link would break them.
        raise OrgUrlError(
            f"org URL {raw!r} must be just scheme and host, like https://acme.okta.com"
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{scheme}://{netloc}"
