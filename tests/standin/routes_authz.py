"""Handlers under ``/api/v1/authorizationServers`` (read-only: tests seed them in Python)."""

from __future__ import annotations

from tests.standin.messages import Reply, Request, Route
from tests.standin.objects import Json
from tests.standin.pages import PageSpec, paged, unpaged
from tests.standin.state import OktaState
from tests.standin.table import Table

SERVERS_PAGE = PageSpec(default=200, maximum=200)
SCOPES_PAGE = PageSpec(default=200, maximum=200)


def list_servers(state: OktaState, req: Request) -> Reply:
    """``GET /api/v1/authorizationServers``; ``q`` matches a name or audience prefix."""
    match = None
    if q := req.arg("q"):
        prefix = q.lower()

        def match(srv: Json) -> bool:
            names = [srv.get("name", ""), *srv.get("audiences", [])]
            return any(str(n).lower().startswith(prefix) for n in names)

    return paged(req, state.auth_servers, SERVERS_PAGE, match)


def get_server(state: OktaState, req: Request, server_id: str) -> Reply:
    """``GET /api/v1/authorizationServers/{authServerId}``."""
    return Reply(200, state.auth_server(server_id))


def list_scopes(state: OktaState, req: Request, server_id: str) -> Reply:
    """``.../scopes``: all of them, unless the caller pages with ``limit`` (the spec allows it)."""
    state.auth_server(server_id)
    table: Table[Json] = state.scopes.setdefault(server_id, Table())
    match = None
    if q := req.arg("q"):
        prefix = q.lower()

        def match(scp: Json) -> bool:
            return str(scp.get("name", "")).lower().startswith(prefix)

    if req.arg("limit") is None and req.arg("after") is None:
        return unpaged(req, [s for s in table.values() if match is None or match(s)])
    return paged(req, table, SCOPES_PAGE, match)


def get_scope(state: OktaState, req: Request, server_id: str, scope_id: str) -> Reply:
    """``.../scopes/{scopeId}``."""
    return Reply(200, state.scope(server_id, scope_id))


def list_policies(state: OktaState, req: Request, server_id: str) -> Reply:
    """``.../policies``: never paged, as at Okta."""
    state.auth_server(server_id)
    return unpaged(req, list(state.policies.setdefault(server_id, Table()).values()))


def get_policy(state: OktaState, req: Request, server_id: str, policy_id: str) -> Reply:
    """``.../policies/{policyId}``."""
    return Reply(200, state.policy(server_id, policy_id))


def list_rules(state: OktaState, req: Request, server_id: str, policy_id: str) -> Reply:
    """``.../policies/{policyId}/rules``: never paged."""
    state.policy(server_id, policy_id)
    return unpaged(req, list(state.rules.setdefault(policy_id, Table()).values()))


def get_rule(state: OktaState, req: Request, server_id: str, policy_id: str, rule_id: str) -> Reply:
    """``.../policies/{policyId}/rules/{ruleId}``."""
    return Reply(200, state.rule(server_id, policy_id, rule_id))


_SRV = r"/api/v1/authorizationServers/(?P<server_id>[^/]+)"
_POL = _SRV + r"/policies/(?P<policy_id>[^/]+)"

ROUTES: list[Route] = [
    ("GET", r"/api/v1/authorizationServers", list_servers),
    ("GET", _SRV, get_server),
    ("GET", _SRV + r"/scopes", list_scopes),
    ("GET", _SRV + r"/scopes/(?P<scope_id>[^/]+)", get_scope),
    ("GET", _SRV + r"/policies", list_policies),
    ("GET", _POL, get_policy),
    ("GET", _POL + r"/rules", list_rules),
    ("GET", _POL + r"/rules/(?P<rule_id>[^/]+)", get_rule),
]
