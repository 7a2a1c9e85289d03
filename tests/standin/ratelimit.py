"""Okta-like rate limits: per-bucket fixed windows and the ``X-Rate-Limit-*`` headers.

Buckets (the names match ``appspecs.okta.buckets``):

- ``apps``: ``/api/v1/apps`` and everything below an app (``/apps/{id}/groups``, secrets, ...): 100
- ``app``: exactly ``/api/v1/apps/{id}``: 500
- ``groups``: ``/api/v1/groups*``: 500
- ``authorizationServers``: ``/api/v1/authorizationServers*``: 600
- ``token``: ``/oauth2/v1/token``: 600
- ``other``: anything else: 600

Windows are aligned on multiples of ``window_seconds`` since the epoch, so every client sees the
same reset time, and ``X-Rate-Limit-Reset`` (whole epoch seconds, rounded up) is when the
bucket refills.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

APPS = "apps"
APP = "app"
GROUPS = "groups"
AUTHORIZATION_SERVERS = "authorizationServers"
TOKEN = "token"
OTHER = "other"

DEFAULT_LIMITS: dict[str, int] = {
    APPS: 100,
    APP: 500,
    GROUPS: 500,
    AUTHORIZATION_SERVERS: 600,
    TOKEN: 600,
    OTHER: 600,
}

_APP_BY_ID = re.compile(r"/api/v1/apps/[^/]+")


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")


def bucket_of(path: str) -> str:
    """The bucket a request path (no query) counts against."""
    path = path.rstrip("/") or "/"
    if _APP_BY_ID.fullmatch(path):
        return APP
    if _under(path, "/api/v1/apps"):
        return APPS
    if _under(path, "/api/v1/groups"):
        return GROUPS
    if _under(path, "/api/v1/authorizationServers"):
        return AUTHORIZATION_SERVERS
    if path == "/oauth2/v1/token":
        return TOKEN
    return OTHER


@dataclass(frozen=True)
class Verdict:
    """One request's standing in its bucket, and the headers that say so."""

    bucket: str
    limit: int
    remaining: int
    reset: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        """``X-Rate-Limit-Limit``, ``-Remaining`` and ``-Reset`` (epoch seconds)."""
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset),
        }


class RateLimiter:
    """Fixed windows per bucket; with ``enforce=False`` it only reports, never refuses."""

    def __init__(
        self,
        window_seconds: float = 60.0,
        limits: Mapping[str, int] | None = None,
        enforce: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if window_seconds <= 0:
            raise ValueError("window_seconds must be positive")
        self.window_seconds = window_seconds
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.enforce = enforce
        self.clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}  # bucket -> (window index, calls in it)

    def limit_of(self, bucket: str) -> int:
        """The bucket's limit per window."""
        return self.limits.get(bucket, self.limits[OTHER])

    def _window(self) -> tuple[int, int]:
        index = math.floor(self.clock() / self.window_seconds)
        return index, math.ceil((index + 1) * self.window_seconds)

    def hit(self, bucket: str) -> Verdict:
        """Count one call against ``bucket`` and say whether it may proceed."""
        with self._lock:
            index, reset = self._window()
            seen_index, used = self._windows.get(bucket, (index, 0))
            if seen_index != index:
                used = 0
            limit = self.limit_of(bucket)
            allowed = used < limit or not self.enforce
            used += 1
            self._windows[bucket] = (index, used)
            return Verdict(bucket, limit, max(0, limit - used), reset, allowed)

    def peek(self, bucket: str) -> Verdict:
        """The bucket's standing without counting a call."""
        with self._lock:
            index, reset = self._window()
            seen_index, used = self._windows.get(bucket, (index, 0))
            used = used if seen_index == index else 0
            limit = self.limit_of(bucket)
            return Verdict(bucket, limit, max(0, limit - used), reset, True)

    def wait_for_window_start(self) -> None:
        """Sleep until just after the next window begins (real clock only).

        Tests that must fill one window start here: begun anywhere else, their calls may
        straddle a reset, and how many land on each side depends on the machine's speed.
        """
        now = self.clock()
        next_start = (math.floor(now / self.window_seconds) + 1) * self.window_seconds
        time.sleep(next_start - now + 0.01)

    def reset(self) -> None:
        """Forget every window (all buckets full again)."""
        with self._lock:
            self._windows.clear()
