"""Handlers under ``/api/v1/groups``."""

from __future__ import annotations

from tests.standin import filters
from tests.standin.errors import validation_failed
from tests.standin.messages import Reply, Request, Route
from tests.standin.objects import Json
from tests.standin.pages import PageSpec, link_header, paged, parse_limit
from tests.standin.state import OktaState
from tests.standin.table import Table

# The spec caps groups at 10000 a page; Okta's docs give 10000 as the default too.
GROUPS_PAGE = PageSpec(default=10000, maximum=10000)
# "Paging and searching are mutually exclusive... The default limit for a query is 300."
GROUPS_QUERY_PAGE = PageSpec(default=300, maximum=10000)
GROUP_APPS_PAGE = PageSpec(default=20, maximum=200)

_FILTER_ATTRS = {"id", "type", "lastUpdated", "lastMembershipUpdated"}
_SEARCH_TOP = {"id", "created", "lastUpdated", "lastMembershipUpdated", "type", "source.id"}


def _searchable(attr: str) -> bool:
    return attr in _SEARCH_TOP or attr.startswith("profile.")


def list_groups(state: OktaState, req: Request) -> Reply:
    """``GET /api/v1/groups`` with ``search`` (``eq``/``sw``/``co``...), ``filter``, ``q``."""
    if q := req.arg("q"):
        # A query is not paged at Okta: the first `limit` matches, and no next link.
        prefix = q.lower()
        limit = parse_limit(req.arg("limit"), GROUPS_QUERY_PAGE)
        items, _ = state.groups.page(
            None, limit, lambda g: str(g["profile"].get("name", "")).lower().startswith(prefix)
        )
        return Reply(200, items, {"Link": link_header(req.url, None)})
    preds = []
    if search := req.arg("search"):
        preds.append(filters.parse(search, _searchable, caseless=True))
    if flt := req.arg("filter"):
        preds.append(filters.parse(flt, _FILTER_ATTRS.__contains__))
    match = (lambda g: all(p(g) for p in preds)) if preds else None
    return paged(req, state.groups, GROUPS_PAGE, match)


def create_group(state: OktaState, req: Request) -> Reply:
    """``POST /api/v1/groups`` with ``{"profile": {"name": ..., "description": ...}}``."""
    profile = (req.json({}) or {}).get("profile") or {}
    name = profile.get("name")
    if not isinstance(name, str) or not name.strip():
        raise validation_failed("profile", "name: The field cannot be left blank.")
    return Reply(200, state.add_group(name, str(profile.get("description", ""))))


def get_group(state: OktaState, req: Request, group_id: str) -> Reply:
    """``GET /api/v1/groups/{groupId}``."""
    return Reply(200, state.group(group_id))


def list_group_apps(state: OktaState, req: Request, group_id: str) -> Reply:
    """``GET /api/v1/groups/{groupId}/apps``: the full apps assigned to the group."""
    state.group(group_id)
    table: Table[Json] = state.group_apps.setdefault(group_id, Table())
    return paged(req, table, GROUP_APPS_PAGE)


_GROUP = r"/api/v1/groups/(?P<group_id>[^/]+)"

ROUTES: list[Route] = [
    ("GET", r"/api/v1/groups", list_groups),
    ("POST", r"/api/v1/groups", create_group),
    ("GET", _GROUP, get_group),
    ("GET", _GROUP + r"/apps", list_group_apps),
]
