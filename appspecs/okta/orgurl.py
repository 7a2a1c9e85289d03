"""The org URL: https only, except plain http to a loopback host (a local stand-in server).

The URL is parsed as a browser would (`appspecs.hosts`): the host is the one the client
reaches, in one spelling. An error quotes the URL only in its parsed `scheme://host[:port]`
form: what was typed may hold a password (`https://user:pa/ss@host`, `https:user:pass@host`),
and a URL that cannot be parsed cannot be shown to be free of one.
"""

from __future__ import annotations

import re

from appspecs.hosts import is_loopback_host, parse_web_url
from appspecs.okta.errors import OrgUrlError

__all__ = ["is_loopback_host", "normalize_org_url"]

EXPECTED = "https://<org>.okta.com"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# What a host name alone looks like (acme.okta.com, localhost), shown back in the advice to add
# the scheme: labels, a dot and a top-level name of letters. A word without a dot (a token or a
# password given as the org URL by mistake) is not shown.
_BARE_HOST = re.compile(
    r"^(?:localhost|(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})\.?"
    r"(?::[0-9]{1,5})?/*$"
)


def normalize_org_url(org_url: str) -> str:
    """Return ``scheme://host[:port]`` without trailing slashes, or raise ``OrgUrlError``."""
    raw = org_url.strip()
    if "@" in raw:
        # Refused first and never quoted: what stands before the @ may be a password.
        raise OrgUrlError(
            f"org URL must not contain a user name or password (it holds '@'); give {EXPECTED}"
        )
    if not _SCHEME.match(raw):
        if _BARE_HOST.match(raw):
            raise OrgUrlError(f"org URL {raw!r} has no scheme: write https://{raw.rstrip('/')}")
        raise OrgUrlError(f"org URL must start with https://; expected {EXPECTED}")
    parsed = parse_web_url(raw)
    if parsed is None or not parsed.host:
        raise OrgUrlError(f"org URL is not a valid URL; expected {EXPECTED}")
    if parsed.has_credentials:
        raise OrgUrlError("org URL must not contain a user name or password")
    origin = f"{parsed.scheme}://{parsed.host}" + (f":{parsed.port}" if parsed.port else "")
    if parsed.scheme == "http":
        if not is_loopback_host(parsed.host):
            # Tokens would cross the network in clear text; only a local stand-in may use http.
            raise OrgUrlError(
                f"org URL {origin} uses http://; Okta needs https:// "
                "(http:// is allowed only for localhost, 127.0.0.0/8 and ::1)"
            )
    elif parsed.scheme != "https":
        raise OrgUrlError(f"org URL must start with https:// (it starts with {parsed.scheme}://)")
    if parsed.path.strip("/") or parsed.query or parsed.fragment or raw.endswith(("?", "#")):
        # API paths are appended to the org URL; a copied admin-console link would break them.
        raise OrgUrlError(f"org URL must be just scheme and host, like {origin}")
    return origin
