"""What a handler receives (:class:`Request`) and returns (:class:`Reply`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.standin.errors import OktaApiError


@dataclass
class Request:
    """One HTTP request, already read off the socket."""

    method: str
    path: str
    raw_query: str
    params: list[tuple[str, str]]
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    base: str

    def arg(self, name: str) -> str | None:
        """The last value of a query parameter, or ``None``."""
        value = None
        for key, val in self.params:
            if key == name:
                value = val
        return value

    @property
    def url(self) -> str:
        """The full URL as the client asked for it (the ``self`` link)."""
        return f"{self.base}{self.path}" + (f"?{self.raw_query}" if self.raw_query else "")

    def json(self, default: Any = None) -> Any:
        """The JSON body (``default`` when empty); 400 E0000003 when it is not JSON."""
        if not self.body.strip():
            return default
        try:
            return json.loads(self.body)
        except ValueError:
            raise OktaApiError(400, "E0000003", "The request body was not well-formed.") from None


@dataclass
class Reply:
    """A handler's answer: status, a JSON-able body (``None`` for no body) and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


# (method, path regex, handler): each routes_* module exports a list of these.
Route = tuple[str, str, Callable[..., Reply]]
