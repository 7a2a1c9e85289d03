"""Typed errors of the Okta client; ``str(error)`` is one line a CLI can print as it is.

The tree::

    OktaError                   base: method, url, status, error_code, error_summary, error_id
    ├── CredentialsError        no usable credentials in the environment (or an unreadable key)
    ├── ProxySettingsError      proxy settings from the environment that cannot be used
    ├── AuthError               401, or the token endpoint refused the service app
    ├── PermissionDenied        403
    ├── NotFound                404
    ├── RequestRejected         any other 4xx (400 validation, 405, 409, ...) except 429
    ├── ServerError             5xx that is not worth retrying (500 after its one retry, 501, ...)
    ├── TlsError                the TLS handshake failed (a certificate, or not TLS at all)
    ├── TransientError          connection failures, 502/503/504, still failing after retries
    │   ├── Unreachable         the connection was refused or the host is unknown
    │   └── RateLimitExhausted  429 after ``max_retries`` or once the retry wait budget is spent
    └── BadResponse             not JSON, JSON of the wrong shape, truncated body, 3xx, 1xx,
                                a next link to another origin, a paging cursor that loops

``OrgUrlError`` is apart from the tree: it is a ``ValueError`` about the caller's input, raised
before any request is made.

No error ever carries a request, its headers or a response body: those can hold the API token,
a bearer token or a client secret. Only Okta's own error fields are kept.
"""

from __future__ import annotations

from appspecs.text import printable

# Okta's summaries are short; a cap keeps a hostile or broken server from flooding a terminal.
_MAX_SUMMARY = 300


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    # Okta's words are printed as they come: a control character (an ANSI or OSC sequence from
    # a hostile or broken server) is shown escaped, never sent to the reader's terminal.
    flat = printable(flat)
    return flat if len(flat) <= _MAX_SUMMARY else flat[: _MAX_SUMMARY - 1] + "…"


class OrgUrlError(ValueError):
    """The org URL is unusable: not https (http only for loopback hosts), or has a path."""


class OktaError(Exception):
    """Base of every error the Okta client raises."""

    #: What went wrong, in a few words; subclasses override it.
    what = "Okta request failed"

    def __init__(
        self,
        detail: str | None = None,
        *,
        method: str | None = None,
        url: str | None = None,
        status: int | None = None,
        error_code: str | None = None,
        error_summary: str | None = None,
        error_id: str | None = None,
    ) -> None:
        self.detail = _one_line(detail) if detail else None
        self.method = method
        self.url = url
        self.status = status
        # Every field Okta sent is its text: one line, controls escaped.
        self.error_code = _one_line(error_code) if error_code else None
        self.error_summary = _one_line(error_summary) if error_summary else None
        self.error_id = _one_line(error_id) if error_id else None
        super().__init__(self._render())

    def _render(self) -> str:
        prefix = f"{self.method} {self.url}: " if self.method and self.url else ""
        text = self.what
        if self.detail:
            text += f": {self.detail}"
        if self.error_summary:
            # "not found: Not found: ..." says it twice; Okta's own words are enough then.
            repeats = self.error_summary.lower().startswith(self.what.lower())
            text = (
                self.error_summary
                if repeats and not self.detail
                else f"{text}: {self.error_summary}"
            )
        facts = []
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.error_code:
            facts.append(self.error_code)
        if self.error_id:
            facts.append(f"errorId {self.error_id}")
        suffix = f" ({', '.join(facts)})" if facts else ""
        return prefix + text + suffix

    def __str__(self) -> str:
        return self._render()


class CredentialsError(OktaError):
    """No usable credentials: names the environment variables, never their values."""

    what = "Okta credentials"


class ProxySettingsError(OktaError):
    """The environment's proxy settings cannot be used (a bad URL, socks without socksio)."""

    what = "unusable proxy settings (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY)"


class AuthError(OktaError):
    """401 from the API, or the token endpoint refused the client assertion."""

    what = "authentication failed"


class PermissionDenied(OktaError):
    """403: the token is valid but lacks a scope or an admin role."""

    what = "permission denied"


class NotFound(OktaError):
    """404: the object does not exist (or the token may not see it)."""

    what = "not found"


class RequestRejected(OktaError):
    """Another 4xx: Okta rejected the request itself (validation, conflict, method)."""

    what = "request rejected"


class ServerError(OktaError):
    """A 5xx that retrying would not fix."""

    what = "Okta server error"


class TlsError(OktaError):
    """The TLS handshake failed: an untrusted certificate, or a server that does not speak TLS
    on that port. Not retried: waiting does not change a certificate."""

    what = "TLS handshake failed"


class TransientError(OktaError):
    """Connection failures or 502/503/504 that outlasted every retry."""

    what = "Okta unreachable or unavailable"


class Unreachable(TransientError):
    """No connection: refused, or the org's host name does not resolve (most often a wrong URL)."""

    what = "Okta unreachable"


class RateLimitExhausted(TransientError):
    """429s outlasted ``max_retries`` for one request or the client's retry wait budget."""

    what = "rate limit still exceeded"


class BadResponse(OktaError):
    """A response the client cannot trust: wrong shape, not JSON, truncated, redirect, bad link."""

    what = "unexpected response"
