"""Page sizes per endpoint and the checks on a ``Link: rel="next"`` before following it."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import httpx

from appspecs.okta.errors import BadResponse


class Listing(NamedTuple):
    """One list endpoint: the page size to ask for, and the most objects a real org lists."""

    pattern: re.Pattern[str]
    # The largest `limit` it accepts, from Okta's management OpenAPI spec (2026.06): fewer
    # pages means fewer calls against the small `apps` bucket, which bounds an audit. None:
    # the endpoint has no paging; no `limit` is sent.
    limit: int | None
    # The most objects one listing of a real org holds, with room to spare: a listing that
    # goes on past them is a server that does not end, not a bigger org. Okta's largest orgs
    # hold a few thousand apps and some hundred thousand groups; an authorization server holds
    # tens of scopes, and here a policy per app. None: one page is what it sends.
    most: int | None


_LISTINGS: tuple[Listing, ...] = (
    # spec: maximum 200
    Listing(re.compile(r"/api/v1/apps"), 200, 50_000),
    # spec: minimum 20, maximum 200
    Listing(re.compile(r"/api/v1/apps/[^/]+/groups"), 200, 1_000_000),
    # spec: maximum 10000, but Okta recommends "a specific value other than the default or
    # maximum" because large pages time out; 1000 keeps an org of thousands to a few calls.
    Listing(re.compile(r"/api/v1/groups"), 1000, 1_000_000),
    # spec: default 20, no documented maximum; 200 is what Okta's other app lists accept.
    Listing(re.compile(r"/api/v1/groups/[^/]+/apps"), 200, 50_000),
    # spec: default 200, maximum 200
    Listing(re.compile(r"/api/v1/authorizationServers"), 200, 1_000),
    # spec: maximum 200
    Listing(re.compile(r"/api/v1/authorizationServers/[^/]+/scopes"), 200, 10_000),
    # spec: no paging parameters at all
    Listing(re.compile(r"/api/v1/authorizationServers/[^/]+/policies"), None, 50_000),
    Listing(re.compile(r"/api/v1/authorizationServers/[^/]+/policies/[^/]+/rules"), None, None),
    Listing(re.compile(r"/api/v1/authorizationServers/[^/]+/claims"), None, None),
    Listing(re.compile(r"/api/v1/apps/[^/]+/credentials/secrets"), None, None),
)
# A listing that is not paged, or not known: one page is what it sends; a few more pages are
# tolerated, never an endless run.
_UNPAGED_MAX_PAGES = 10
# Okta's page where no `limit` is sent
_DEFAULT_PAGE = 20


def _listing(path: str) -> Listing | None:
    bare = path.split("?", 1)[0].rstrip("/")
    return next((x for x in _LISTINGS if x.pattern.fullmatch(bare)), None)


def page_limit(path: str) -> int | None:
    """The `limit` to send when listing ``path``, or None to send none."""
    listing = _listing(path)
    return listing.limit if listing is not None else None


def page_cap(path: str, size: int | None) -> int:
    """How many pages a listing of ``path`` in pages of ``size`` may take before it counts as
    never ending: the pages the largest real org fills, and one more (a last, empty page)."""
    listing = _listing(path)
    if listing is None or listing.most is None:
        return _UNPAGED_MAX_PAGES
    return -(-listing.most // (size or _DEFAULT_PAGE)) + 1


def next_link(response: httpx.Response) -> str | None:
    """The URL of the ``rel="next"`` link, if any; ``rel`` may list several relation types
    (RFC 8288: ``rel="next last"``), and a page's next link must not be missed for that."""
    for link in response.links.values():
        url, rel = link.get("url"), link.get("rel", "")
        if url and "next" in rel.lower().split():
            return url
    return None


def same_origin(url: httpx.URL, org: httpx.URL) -> bool:
    """Scheme, host and port all equal: a next link elsewhere would take our token with it."""
    return (url.scheme, url.host, url.port) == (org.scheme, org.host, org.port)


class PageCursor:
    """Follows one listing's next links, refusing links off the org, cursors that loop, and
    listings that do not end: a page that adds nothing new yet links to another, or more pages
    than ``max_pages`` (see ``page_cap``). Each refusal is a BadResponse: a failed read."""

    def __init__(self, org: httpx.URL, max_pages: int = _UNPAGED_MAX_PAGES) -> None:
        self._org = org
        self._max_pages = max_pages
        self._pages = 0
        self._seen_urls: set[str] = set()
        self._seen_afters: set[str] = set()

    def visited(self, url: httpx.URL) -> None:
        """Record a page URL that was fetched."""
        self._pages += 1
        self._seen_urls.add(str(url))
        for after in parse_qs(urlsplit(str(url)).query).get("after", []):
            self._seen_afters.add(after)

    def next_url(self, response: httpx.Response, method: str, added: int) -> httpx.URL | None:
        """The next page's URL exactly as Okta gave it, or None on the last page. ``added``:
        how many objects not listed before the page just read held."""
        link = next_link(response)
        if link is None:
            return None
        # Okta sends absolute links; a relative one is resolved against the page that sent it.
        nxt = response.request.url.join(link)
        where = str(response.request.url.copy_with(query=None))

        def refuse(why: str) -> BadResponse:
            return BadResponse(why, method=method, url=where, status=response.status_code)

        if not same_origin(nxt, self._org):
            raise refuse(f"next link points to {nxt.scheme}://{nxt.host}, not the org")
        if nxt.path != response.request.url.path:
            # The next page of a listing is the same listing: another path would mix in
            # objects of another kind as if they were more of these.
            raise refuse(f"next link points to another listing ({nxt.path})")
        afters = parse_qs(urlsplit(str(nxt)).query).get("after", [])
        if str(nxt) in self._seen_urls or any(a in self._seen_afters for a in afters):
            raise refuse("paging cursor loops back to a page already read")
        if added == 0:
            # A new cursor each time and nothing new on the page: it would be followed for
            # ever, against a rate-limit bucket the whole org shares.
            raise refuse(
                f"listing does not end: page {self._pages} added nothing new, yet links to another"
            )
        if self._pages >= self._max_pages:
            raise refuse(
                f"listing does not end: still a next page after {self._pages} pages, more "
                "than the largest real org fills"
            )
        return nxt
