"""Page sizes per endpoint and the checks on a ``Link: rel="next"`` before following it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from appspecs.okta.errors import BadResponse

# The largest `limit` each list endpoint accepts, from Okta's management OpenAPI spec (2026.06).
# Fewer pages means fewer calls against the small `apps` bucket, which bounds an audit.
# None: the endpoint has no paging; no `limit` is sent (policies, rules, claims, secrets).
_PAGE_LIMITS: tuple[tuple[re.Pattern[str], int | None], ...] = (
    # spec: maximum 200
    (re.compile(r"/api/v1/apps"), 200),
    # spec: minimum 20, maximum 200
    (re.compile(r"/api/v1/apps/[^/]+/groups"), 200),
    # spec: maximum 10000, but Okta recommends "a specific value other than the default or
    # maximum" because large pages time out; 1000 keeps an org of thousands to a few calls.
    (re.compile(r"/api/v1/groups"), 1000),
    # spec: default 20, no documented maximum; 200 is what Okta's other app lists accept.
    (re.compile(r"/api/v1/groups/[^/]+/apps"), 200),
    # spec: default 200, maximum 200
    (re.compile(r"/api/v1/authorizationServers"), 200),
    # spec: maximum 200
    (re.compile(r"/api/v1/authorizationServers/[^/]+/scopes"), 200),
    # spec: no paging parameters at all
    (re.compile(r"/api/v1/authorizationServers/[^/]+/policies"), None),
    (re.compile(r"/api/v1/authorizationServers/[^/]+/policies/[^/]+/rules"), None),
    (re.compile(r"/api/v1/authorizationServers/[^/]+/claims"), None),
    (re.compile(r"/api/v1/apps/[^/]+/credentials/secrets"), None),
)


def page_limit(path: str) -> int | None:
    """The `limit` to send when listing ``path``, or None to send none."""
    bare = path.split("?", 1)[0].rstrip("/")
    for pattern, limit in _PAGE_LIMITS:
        if pattern.fullmatch(bare):
            return limit
    return None


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
    """Follows one listing's next links, refusing links off the org and cursors that loop."""

    def __init__(self, org: httpx.URL) -> None:
        self._org = org
        self._seen_urls: set[str] = set()
        self._seen_afters: set[str] = set()

    def visited(self, url: httpx.URL) -> None:
        """Record a page URL that was fetched."""
        self._seen_urls.add(str(url))
        for after in parse_qs(urlsplit(str(url)).query).get("after", []):
            self._seen_afters.add(after)

    def next_url(self, response: httpx.Response, method: str) -> httpx.URL | None:
        """The next page's URL exactly as Okta gave it, or None on the last page."""
        link = next_link(response)
        if link is None:
            return None
        # Okta sends absolute links; a relative one is resolved against the page that sent it.
        nxt = response.request.url.join(link)
        where = str(response.request.url.copy_with(query=None))
        if not same_origin(nxt, self._org):
            raise BadResponse(
                f"next link points to {nxt.scheme}://{nxt.host}, not the org",
                method=method,
                url=where,
                status=response.status_code,
            )
        if nxt.path != response.request.url.path:
            # The next page of a listing is the same listing: another path would mix in
            # objects of another kind as if they were more of these.
            raise BadResponse(
                f"next link points to another listing ({nxt.path})",
                method=method,
                url=where,
                status=response.status_code,
            )
        afters = parse_qs(urlsplit(str(nxt)).query).get("after", [])
        if str(nxt) in self._seen_urls or any(a in self._seen_afters for a in afters):
            raise BadResponse(
                "paging cursor loops back to a page already read",
                method=method,
                url=where,
                status=response.status_code,
            )
        return nxt
