"""A one-line progress display on stderr while the audit reads the org (only on a terminal)."""

from __future__ import annotations

import threading
from typing import TextIO


class ProgressLine:
    """``reading Okta: rules, assignments and secrets 120/1,060 calls``, redrawn in place.

    Driven by the client's ``on_response`` hook (one tick per request, from worker threads)
    and by the reader announcing each round with the calls it expects.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._label = "starting"
        self._done = 0
        self._expected = 0
        self._width = 0

    @classmethod
    def for_stream(cls, stream: TextIO) -> ProgressLine | None:
        """A display on ``stream`` if it is a terminal; None otherwise (CI logs, pipes)."""
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        return cls(stream) if tty else None

    def stage(self, label: str, calls: int) -> None:
        with self._lock:
            self._label = label
            self._expected += calls
            self._draw()

    def tick(self, path: str) -> None:
        # The path is not shown: ids in it mean nothing to the reader and vary too fast.
        with self._lock:
            self._done += 1
            self._draw()

    def clear(self) -> None:
        with self._lock:
            if self._width:
                self._stream.write("\r" + " " * self._width + "\r")
                self._stream.flush()
                self._width = 0

    def _draw(self) -> None:
        expected = max(self._expected, self._done)
        text = f"reading Okta: {self._label} {self._done:,}/{expected:,} calls"
        pad = " " * max(0, self._width - len(text))
        self._stream.write("\r" + text + pad)
        self._stream.flush()
        self._width = len(text)
