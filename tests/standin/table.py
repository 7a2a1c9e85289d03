"""An insertion-ordered mapping that pages by cursor without scanning from the start.

Okta lists in creation order and pages with an opaque ``after`` cursor; here the cursor is the
id of the last item of the previous page. Each key gets a growing sequence number, so finding
where a page starts is a bisect, not a scan: listing n items in pages costs O(n) overall.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, MutableMapping
from typing import Generic, TypeVar

V = TypeVar("V")


class UnknownCursor(KeyError):
    """The ``after`` cursor names no key this table has ever held."""


class Table(MutableMapping[str, V], Generic[V]):
    """Dict-like, ordered by first insertion; deleted keys stay valid as cursors."""

    def __init__(self) -> None:
        self._items: dict[str, V] = {}
        # Sequence number of every key ever inserted: a deleted key still works as a cursor.
        self._seq: dict[str, int] = {}
        self._order_seq: list[int] = []
        self._order_key: list[str] = []
        self._next = 0
        self._stale = 0

    def __getitem__(self, key: str) -> V:
        return self._items[key]

    def __setitem__(self, key: str, value: V) -> None:
        if key not in self._items:
            self._next += 1
            # A re-inserted key moves to the end; its old slot was counted stale on delete.
            self._seq[key] = self._next
            self._order_seq.append(self._next)
            self._order_key.append(key)
        self._items[key] = value

    def __delitem__(self, key: str) -> None:
        del self._items[key]
        self._stale += 1
        if self._stale > 64 and self._stale > len(self._items):
            self._compact()

    def __iter__(self) -> Iterator[str]:
        for seq, key in zip(self._order_seq, self._order_key, strict=True):
            if key in self._items and self._seq[key] == seq:
                yield key

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Table({dict(self.items())!r})"

    def page(
        self, after: str | None, limit: int, match: Callable[[V], bool] | None = None
    ) -> tuple[list[V], bool]:
        """Up to ``limit`` matching values after the key ``after``; and whether more match."""
        start = 0
        if after is not None:
            if after not in self._seq:
                raise UnknownCursor(after)
            start = bisect_right(self._order_seq, self._seq[after])
        out: list[V] = []
        for i in range(start, len(self._order_seq)):
            key = self._order_key[i]
            if key not in self._items or self._seq[key] != self._order_seq[i]:
                continue
            value = self._items[key]
            if match is not None and not match(value):
                continue
            if len(out) == limit:
                return out, True  # one more match exists: the caller sends a next link
            out.append(value)
        return out, False

    def _compact(self) -> None:
        live = [
            (s, k)
            for s, k in zip(self._order_seq, self._order_key, strict=True)
            if k in self._items and self._seq[k] == s
        ]
        self._order_seq = [s for s, _ in live]
        self._order_key = [k for _, k in live]
        self._stale = 0
