"""Counters of what a client did: calls per bucket bound an audit, so they are reported."""

from __future__ import annotations

import threading
from typing import Any


class ClientStats:
    """Thread-safe counters; every HTTP attempt counts as a call, retries included."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: dict[str, int] = {}
        self.retries = 0
        self.rate_limited = 0
        self.retry_wait_seconds = 0.0
        self.pacing_wait_seconds = 0.0

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
        with self._lock:
            self.retry_wait_seconds += seconds

    def add_pacing_wait(self, seconds: float) -> None:
        with self._lock:
            self.pacing_wait_seconds += seconds

    @property
    def total_calls(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    @property
    def wait_seconds(self) -> float:
        """All time spent waiting: before retries and pacing ahead of a bucket's reset."""
        with self._lock:
            return self.retry_wait_seconds + self.pacing_wait_seconds

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``json.dumps(stats.to_json())``), buckets sorted by name."""
        with self._lock:
            return {
                "calls": dict(sorted(self.calls.items())),
                "total_calls": sum(self.calls.values()),
                "retries": self.retries,
                "rate_limited": self.rate_limited,
                "wait_seconds": round(self.retry_wait_seconds + self.pacing_wait_seconds, 3),
                "retry_wait_seconds": round(self.retry_wait_seconds, 3),
                "pacing_wait_seconds": round(self.pacing_wait_seconds, 3),
            }

    def __repr__(self) -> str:
        return f"ClientStats({self.to_json()!r})"
