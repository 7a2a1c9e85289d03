"""When to retry a request, how long to wait first, and which error ends it; no I/O here.

Per request, ``max_retries`` retries at most (the client adds a budget on all retry waits):

- 429: wait until the bucket's reset (``X-Rate-Limit-Reset`` minus the response's ``Date``)
  plus jitter; out of retries or budget, ``RateLimitExhausted``.
- 502, 503, 504, connection errors, timeouts: exponential backoff with jitter; then
  ``TransientError``. A body cut off is retried the same way, then ``BadResponse``. A refused
  connection or an unknown host is retried twice at most (a few seconds), not the full count.
- 500: retried once, GET only: Okta's 500s are occasionally transient, but a write that failed
  with 500 may have been applied. Then ``ServerError``.
- 401 with a service app: the cached bearer token is dropped and fetched again, once, at once.
- A failed TLS handshake (certificate not trusted, a plain-http port): ``TlsError`` at once.
- Non-idempotent requests (POST unless the caller says otherwise) are retried only where they
  cannot have been applied: a 429, or a connection that was never made.
- Anything else (other 4xx, 3xx, 1xx) ends the request at once with its typed error.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from appspecs.okta.errors import (
    BadResponse,
    OktaError,
    RateLimitExhausted,
    TlsError,
    TransientError,
    Unreachable,
)
from appspecs.okta.ratelimit import MAX_PACING_WAIT, rate_limit_info
from appspecs.okta.responses import error_from, shown_url, status_error

BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
JITTER_SECONDS = 1.0

GATEWAY_STATUSES = frozenset({502, 503, 504})
# Failures before the request could reach Okta: safe to retry even for a POST.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Okta's front door does not refuse connections, and its name resolves: a refused connection
# or an unknown host is a wrong org URL far more often than an outage. Retried a little, so a
# typo is said in seconds rather than after the whole backoff (about 45 s).
REFUSED_RETRIES = 2


@dataclass(frozen=True)
class Failed:
    """An attempt without a usable response: the connection failed or the body was cut off."""

    error: Exception | None
    during_body: bool


@dataclass
class Attempts:
    """What happened so far to one request."""

    retries: int = 0
    reauthenticated: bool = False
    retried_500: bool = False


@dataclass(frozen=True)
class Retry:
    """Retry after ``wait`` seconds; raise ``give_up`` instead if the wait budget is spent."""

    wait: float
    give_up: OktaError
    rate_limited: bool = False
    reauthenticate: bool = False


class RetryPolicy:
    """Decides, from one attempt's outcome, between a ``Retry`` and the error to raise."""

    def __init__(self, max_retries: int, rng: Callable[[], float]) -> None:
        self.max_retries = max_retries
        self._rng = rng

    def jitter(self) -> float:
        return JITTER_SECONDS * self._rng()

    def backoff(self, retries: int) -> float:
        """Exponential with "equal jitter": half fixed so retries never bunch up at zero."""
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2.0**retries)
        return ceiling / 2 + ceiling / 2 * self._rng()

    def after_failure(
        self, request: httpx.Request, failed: Failed, idempotent: bool, attempts: Attempts
    ) -> Retry | OktaError:
        cause = type(failed.error).__name__ if failed.error is not None else "short body"
        method, url = request.method, shown_url(request.url)
        tls = tls_failure(failed.error)
        if tls is not None:
            return TlsError(tls, method=method, url=url)
        if isinstance(failed.error, httpx.ProxyError):
            # The proxy refused (407, a bad gateway of its own): waiting does not change that.
            return Unreachable(
                f"the proxy refused the request ({failed.error})", method=method, url=url
            )
        # "Connection refused", "timed out": the reason a person can act on.
        why = f" ({failed.error})" if failed.error is not None and str(failed.error) else ""
        if failed.during_body:
            retryable = idempotent
            error: OktaError = BadResponse(
                f"body truncated ({cause}) after {attempts.retries} retries{why}",
                method=method,
                url=url,
            )
        else:
            retryable = idempotent or isinstance(failed.error, NOT_SENT_ERRORS)
            refused = isinstance(failed.error, httpx.ConnectError)
            error = (Unreachable if refused else TransientError)(
                f"{cause} after {attempts.retries} retries{why}", method=method, url=url
            )
        limit = self.max_retries
        if isinstance(failed.error, httpx.ConnectError):
            limit = min(limit, REFUSED_RETRIES)
        if retryable and attempts.retries < limit:
            return Retry(self.backoff(attempts.retries), give_up=error)
        return error

    def after_status(
        self,
        response: httpx.Response,
        idempotent: bool,
        attempts: Attempts,
        *,
        can_reauthenticate: bool,
        token_endpoint: bool,
    ) -> Retry | OktaError:
        status = response.status_code
        method = response.request.method
        room = attempts.retries < self.max_retries
        if status == 429:
            info = rate_limit_info(response.headers)
            # Okta's windows are a minute long: a reset further out is a broken header or a
            # clock far off (no Date), and waiting it out would only burn the whole budget.
            wait = (
                min(info.delay, MAX_PACING_WAIT) + self.jitter()
                if info
                else self.backoff(attempts.retries)
            )
            if room:
                spent = "waiting again would exceed the retry wait budget"
                return Retry(
                    wait,
                    give_up=error_from(RateLimitExhausted, response, spent),
                    rate_limited=True,
                )
            return error_from(RateLimitExhausted, response, f"after {attempts.retries} retries")
        if status == 401 and can_reauthenticate and not attempts.reauthenticated:
            # A bearer token can be revoked or expire early; one fresh token may cure it.
            return Retry(0.0, give_up=status_error(response), reauthenticate=True)
        if status in GATEWAY_STATUSES:
            if not idempotent:
                return error_from(
                    TransientError, response, "not retried: the request may have been applied"
                )
            if room:
                spent = "waiting again would exceed the retry wait budget"
                return Retry(
                    self.backoff(attempts.retries),
                    give_up=error_from(TransientError, response, spent),
                )
            return error_from(
                TransientError, response, f"still failing after {attempts.retries} retries"
            )
        if status == 500 and method == "GET" and not attempts.retried_500 and room:
            return Retry(self.backoff(attempts.retries), give_up=status_error(response))
        return status_error(response, token_endpoint=token_endpoint)


def tls_failure(error: BaseException | None) -> str | None:
    """Why the TLS handshake failed, when that is what ``error`` (or what caused it) is."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ssl.SSLError):
            reason = getattr(error, "verify_message", None) or error.reason or str(error)
            hint = (
                "the certificate is not trusted"
                if isinstance(error, ssl.SSLCertVerificationError)
                else "is the org URL's scheme and port right?"
            )
            return f"{reason} ({hint})"
        error = error.__cause__ or error.__context__
    return None
