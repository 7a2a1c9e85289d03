"""Per-bucket pacing from Okta's ``X-Rate-Limit-*`` headers, measured on the server's clock.

``X-Rate-Limit-Reset`` is an epoch second on Okta's clock. Comparing it with the local clock
would make a machine whose clock runs a minute slow wait a minute too long (or hammer Okta when
it runs fast), so the delay is ``reset - Date`` of the same response, turned into a deadline on
the local monotonic clock at the moment the response arrived.
"""

from __future__ import annotations

import email.utils
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

# Never pace for longer than one of Okta's one-minute windows (plus slack): a reset far in the
# future is more likely a broken header than a real window, and a 429 will tell us if it was real.
MAX_PACING_WAIT = 65.0
# The share of each window left unused, for other clients of the org and for retries.
RESERVE_FRACTION = 0.05
_MAX_HEADER_INT = 2**53


@dataclass(frozen=True)
class RateLimitInfo:
    """The three rate-limit headers of one response, with the reset as a delay."""

    limit: int
    remaining: int
    reset_epoch: int
    #: Seconds from the response until the reset, on the server's clock (never negative).
    delay: float


def _header_int(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    # Beyond what a float holds exactly, no count or epoch second is meant: a broken header.
    return number if abs(number) < _MAX_HEADER_INT else None


def server_time(headers: httpx.Headers) -> float | None:
    """The response's ``Date`` as epoch seconds, or None when absent or unparsable."""
    value = headers.get("date")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def rate_limit_info(headers: httpx.Headers) -> RateLimitInfo | None:
    """Parse ``X-Rate-Limit-*``; None when any is missing or malformed (never fail a request)."""
    limit = _header_int(headers, "x-rate-limit-limit")
    remaining = _header_int(headers, "x-rate-limit-remaining")
    reset = _header_int(headers, "x-rate-limit-reset")
    if limit is None or remaining is None or reset is None:
        return None
    now = server_time(headers)
    if now is None:
        # Without Date the local wall clock is all there is; documented as a fallback.
        now = time.time()
    return RateLimitInfo(limit, remaining, reset, max(0.0, reset - now))


def reserve_for(limit: int) -> int:
    """Calls left unused in each window, for other clients of the org and for retries."""
    return max(1, math.ceil(limit * RESERVE_FRACTION))


@dataclass
class _Bucket:
    limit: int | None = None
    remaining: int | None = None
    reset_epoch: int | None = None
    deadline: float | None = None  # local monotonic time of the reset
    in_flight: int = 0


class RateLimiter:
    """Tracks each bucket's remaining calls and makes callers wait for the reset near the end."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        jitter: Callable[[], float],
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def _bucket(self, name: str) -> _Bucket:
        return self._buckets.setdefault(name, _Bucket())

    def reserve(self, limit: int) -> int:
        return reserve_for(limit)

    def acquire(self, name: str) -> float:
        """Wait (if the bucket is nearly spent) and claim an in-flight slot; return seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                b = self._bucket(name)
                now = self._clock()
                if b.deadline is not None and now >= b.deadline:
                    # The window has reset: what we knew of it no longer holds.
                    b.remaining, b.deadline = None, None
                must_wait = (
                    b.limit is not None
                    and b.remaining is not None
                    and b.deadline is not None
                    and b.remaining - b.in_flight <= self.reserve(b.limit)
                )
                if not must_wait:
                    b.in_flight += 1
                    return waited
                assert b.deadline is not None
                deadline = b.deadline
                pause = min(deadline - now, MAX_PACING_WAIT) + self._jitter()
            self._sleep(pause)
            waited += pause
            self.window_passed(name, deadline)

    def window_passed(self, name: str, deadline: float | None = None) -> None:
        """Forget the bucket's window after waiting it out (a fake clock in tests never moves)."""
        with self._lock:
            b = self._bucket(name)
            if deadline is None or b.deadline == deadline:
                b.remaining, b.deadline = None, None

    def release(self, name: str, headers: httpx.Headers | None, received_at: float) -> None:
        """Give the slot back and learn from the response's headers (None: no response)."""
        info = rate_limit_info(headers) if headers is not None else None
        with self._lock:
            b = self._bucket(name)
            b.in_flight = max(0, b.in_flight - 1)
            if info is None:
                return
            if b.reset_epoch is None or info.reset_epoch > b.reset_epoch:
                b.limit, b.remaining, b.reset_epoch = info.limit, info.remaining, info.reset_epoch
                b.deadline = received_at + info.delay
            elif info.reset_epoch == b.reset_epoch and b.remaining is not None:
                # Concurrent responses arrive out of order: the lowest remaining is the latest.
                b.remaining = min(b.remaining, info.remaining)
                b.limit = info.limit
            # An older window's late response tells nothing new.

    def snapshot(self, name: str) -> tuple[int | None, int | None]:
        """(limit, remaining) as last seen, for tests and diagnostics."""
        with self._lock:
            b = self._bucket(name)
            return b.limit, b.remaining
