"""Paging as Okta does it: ``limit`` clamped to the operation's bounds, an ``after`` cursor,
and a ``Link`` header with ``rel="self"`` always and ``rel="next"`` only when more items exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from tests.standin.errors import validation_failed
from tests.standin.messages import Reply, Request
from tests.standin.objects import Json
from tests.standin.table import Table, UnknownCursor


@dataclass(frozen=True)
class PageSpec:
    """An operation's ``limit`` bounds (from the spec where it gives them)."""

    default: int
    maximum: int
    minimum: int = 1


def parse_limit(raw: str | None, spec: PageSpec) -> int:
    """The page size to use: out-of-range values are clamped, as Okta clamps them."""
    if raw is None or raw == "":
        return spec.default
    try:
        value = int(raw)
    except ValueError:
        raise validation_failed("limit", f"limit: {raw!r} is not a number.") from None
    if value < 1:
        return spec.default  # Okta treats -1 and 0 as "not given"
    return max(spec.minimum, min(value, spec.maximum))


def next_url(base: str, path: str, params: list[tuple[str, str]], after: str, limit: int) -> str:
    """The next page's URL: ``after`` and ``limit`` first, then the request's other parameters."""
    rest = [(k, v) for k, v in params if k not in ("after", "limit")]
    query = urlencode([("after", after), ("limit", str(limit)), *rest], quote_via=quote)
    return f"{base}{path}?{query}"


def link_header(self_url: str, next_link: str | None) -> str:
    """``Link`` with ``self`` and, when there is another page, ``next``."""
    links = [f'<{self_url}>; rel="self"']
    if next_link is not None:
        links.append(f'<{next_link}>; rel="next"')
    return ", ".join(links)


def paged(
    req: Request,
    table: Table[Json],
    spec: PageSpec,
    match: Callable[[Json], bool] | None = None,
) -> Reply:
    """A list reply for ``table``: one page after the request's cursor, with its ``Link``.

    The cursor is the ``id`` of the last item sent; an unknown cursor is a 400, as at Okta.
    """
    limit = parse_limit(req.arg("limit"), spec)
    try:
        items, more = table.page(req.arg("after"), limit, match)
    except UnknownCursor:
        raise validation_failed("after", "after: The cursor is not valid.") from None
    nxt = next_url(req.base, req.path, req.params, items[-1]["id"], limit) if more else None
    return Reply(200, items, {"Link": link_header(req.url, nxt)})


def unpaged(req: Request, items: list[Json]) -> Reply:
    """A list reply for an operation Okta does not page (only a ``self`` link)."""
    return Reply(200, items, {"Link": link_header(req.url, None)})
