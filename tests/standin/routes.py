"""The route table: (method, path regex) to handler, with Okta's 404 and 405 answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from tests.standin import routes_apps, routes_authz, routes_groups
from tests.standin.errors import method_not_allowed, not_found
from tests.standin.messages import Reply, Route

Handler = Callable[..., Reply]


class Router:
    """Finds the handler of a request; regexes are matched against the whole path."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes = [(m, re.compile(p), h) for m, p, h in routes]

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, Any]]:
        """The handler and its path parameters; 404 for unknown paths, 405 for wrong methods."""
        path_known = False
        for route_method, regex, handler in self._routes:
            m = regex.fullmatch(path)
            if m is None:
                continue
            if route_method == method or (method == "HEAD" and route_method == "GET"):
                return handler, m.groupdict()
            path_known = True
        if path_known:
            raise method_not_allowed()
        raise not_found(path, "Path")


ROUTER = Router([*routes_apps.ROUTES, *routes_groups.ROUTES, *routes_authz.ROUTES])
