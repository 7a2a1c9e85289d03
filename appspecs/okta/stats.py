"""Counters of what a client did: calls per bucket bound an audit, so they are reported."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

Interval = tuple[float, float]


def _covered(intervals: Iterable[Interval]) -> float:
    """How long at least one of the intervals lasts: concurrent waits overlap, and a wait of
    eight threads at once is one wait in time, not eight."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


class ClientStats:
    """Thread-safe counters; every HTTP attempt counts as a call, retries included."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.calls: dict[str, int] = {}
        self.retries = 0
        self.rate_limited = 0
        # when requests waited, as (start, end) on the clock: waits of concurrent requests
        # overlap, so the time spent waiting is their union, never more than the run took
        self._retry_waits: list[Interval] = []
        self._pacing_waits: list[Interval] = []

    def count_call(self, bucket: str) -> None:
        with self._lock:
            self.calls[bucket] = self.calls.get(bucket, 0) + 1

    def count_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def count_429(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def add_retry_wait(self, seconds: float) -> None:
        """A wait about to start (before a retry)."""
        now = self._clock()
        with self._lock:
            self._retry_waits.append((now, now + seconds))

    def add_pacing_wait(self, seconds: float) -> None:
        """A wait that just ended (pacing ahead of a bucket's reset)."""
        now = self._clock()
        with self._lock:
            self._pacing_waits.append((now - seconds, now))

    @property
    def retry_wait_seconds(self) -> float:
        with self._lock:
            return _covered(self._retry_waits)

    @property
    def pacing_wait_seconds(self) -> float:
        with self._lock:
            return _covered(self._pacing_waits)

    @property
    def total_calls(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    @property
    def wait_seconds(self) -> float:
        """The time during which some request waited, before a retry or pacing ahead of a
        bucket's reset (concurrent waits counted once)."""
        with self._lock:
            return _covered(self._retry_waits + self._pacing_waits)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``json.dumps(stats.to_json())``), buckets sorted by name."""
        with self._lock:
            retry, pacing = list(self._retry_waits), list(self._pacing_waits)
            return {
                "calls": dict(sorted(self.calls.items())),
                "total_calls": sum(self.calls.values()),
                "retries": self.retries,
                "rate_limited": self.rate_limited,
                "wait_seconds": round(_covered(retry + pacing), 3),
                "retry_wait_seconds": round(_covered(retry), 3),
                "pacing_wait_seconds": round(_covered(pacing), 3),
            }

    def __repr__(self) -> str:
        return f"ClientStats({self.to_json()!r})"
