"""Faults injected into the next N requests that match a path regex (and, optionally, a method).

    okta.faults.add(Fault(kind="status", status=503, path=r"^/api/v1/apps$", times=2))
    okta.faults.add(Fault(kind="latency", seconds=0.2))               # next request, any path
    okta.faults.add(Fault(kind="drop", path=r"/groups$", times=None))  # until cleared
    okta.faults.clear()

Kinds and their ``mode``:

``latency``
    Wait ``seconds`` before answering normally. Latency faults add up with each other and with
    the stand-in's global ``latency``, and combine with one other fault.
``status``
    Answer ``status`` (429, 500, 503, 504, or any other) with Okta's error body for it, instead
    of calling the handler. A 429 carries ``X-Rate-Limit-Remaining: 0`` and
    ``X-Rate-Limit-Reset`` ``reset_in`` seconds ahead (rounded up to a whole second).
``drop``
    Close the connection without sending anything.
``truncate``
    ``mode="length"`` (default): send a ``Content-Length`` larger than the body, then close.
    ``mode="json"``: send the first half of the JSON with a matching ``Content-Length``.
``malformed``
    ``mode="text"`` (default): 200 with an HTML body that is not JSON (still labelled JSON).
    ``mode="shape"``: 200 with JSON of the wrong shape: an object where a list is expected and
    a list where an object is expected.
``broken-link``
    The real response, but with a bad ``rel="next"`` link (added even on a last page):
    ``mode="cursor"`` (default) an unknown cursor, which the stand-in answers with 400;
    ``mode="host"`` the same path on another host (``http://okta.invalid``);
    ``mode="scheme"`` the same host and port with ``https``;
    ``mode="loop"`` a next link that is the request's own URL;
    ``mode="endless"`` the first page as it is, then empty pages, each with a next link
    carrying a new cursor (a listing that adds nothing new and never ends);
    ``mode="unending"`` the first page, then that page's objects again under new ids, each
    page with a next link carrying a new cursor (a listing that never ends and keeps adding).
    These two need ``times=None`` (or enough times) to reach the pages after the first.

``times`` is how many matching requests a fault affects (``None``: until cleared); ``hits``
counts those it has affected. When several non-latency faults match, the first added wins.
Faults that replace the answer (``status``, ``drop``) do not use up the rate-limit window.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["latency", "status", "drop", "truncate", "malformed", "broken-link"]

MODES: dict[str, tuple[str, ...]] = {
    "latency": ("",),
    "status": ("",),
    "drop": ("",),
    "truncate": ("length", "json"),
    "malformed": ("text", "shape"),
    "broken-link": ("cursor", "host", "scheme", "loop", "endless", "unending"),
}


@dataclass
class Fault:
    """One injected fault; see the module docstring for the kinds and modes."""

    kind: FaultKind
    path: str | None = None
    method: str | None = None
    times: int | None = 1
    seconds: float = 0.0
    status: int = 503
    reset_in: float = 1.0
    mode: str = ""
    hits: int = field(default=0, init=False)
    # the first page's body, for the listings that go on after it ("endless", "unending")
    first_page: bytes = field(default=b"", init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in MODES:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(MODES)}")
        self.mode = self.mode or MODES[self.kind][0]
        if self.mode not in MODES[self.kind]:
            raise ValueError(f"fault {self.kind!r} has modes {MODES[self.kind]}, not {self.mode!r}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for 'until cleared')")
        self._regex = re.compile(self.path) if self.path is not None else None

    def matches(self, method: str, path: str) -> bool:
        """Whether the fault applies to this request (path without the query string)."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._regex is None or self._regex.search(path) is not None

    @property
    def spent(self) -> bool:
        """Whether it has affected its ``times`` requests already."""
        return self.times is not None and self.hits >= self.times


class Faults:
    """The stand-in's active faults, consumed request by request (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Activate a fault; returns it so a test can read ``hits`` later."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter(list(self._faults))

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)

    def take(self, method: str, path: str) -> tuple[float, Fault | None]:
        """Consume the faults for one request: total extra latency and the fault that shapes
        the answer (or ``None``). Spent faults are removed."""
        delay = 0.0
        chosen: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if fault.spent or not fault.matches(method, path):
                    continue
                if fault.kind == "latency":
                    delay += fault.seconds
                    fault.hits += 1
                elif chosen is None:
                    chosen = fault
                    fault.hits += 1
            self._faults = [f for f in self._faults if not f.spent]
        return delay, chosen
