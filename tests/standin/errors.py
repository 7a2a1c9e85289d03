"""Okta's error bodies (the spec's ``Error`` schema) and the exception the stand-in raises.

Every failure inside a handler is an :class:`OktaApiError`; the dispatcher turns it into a
response with Okta's body, so handlers never build error JSON by hand.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

_ALNUM = string.ascii_letters + string.digits

# Canonical (errorCode, errorSummary) per HTTP status, from the spec's error examples.
CANONICAL: dict[int, tuple[str, str]] = {
    400: ("E0000001", "Api validation failed: {0}"),
    401: ("E0000011", "Invalid token provided"),
    403: ("E0000006", "You do not have permission to perform the requested action"),
    404: ("E0000007", "Not found: {0}"),
    405: ("E0000022", "The endpoint does not support the provided HTTP method"),
    429: ("E0000047", "API call exceeded rate limit due to too many requests."),
    500: ("E0000009", "Internal Server Error"),
    503: ("E0000010", "Service is in read only mode"),
    504: ("E0000009", "Internal Server Error"),
}


def new_error_id() -> str:
    """An Okta-looking ``errorId`` (``oae`` + 22 characters), unique per response."""
    return "oae" + "".join(secrets.choice(_ALNUM) for _ in range(22))


def error_body(code: str, summary: str, causes: list[str] | None = None) -> dict[str, Any]:
    """The JSON body Okta sends with every error."""
    return {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": new_error_id(),
        "errorCauses": [{"errorSummary": cause} for cause in causes or []],
    }


class OktaApiError(Exception):
    """An error response: HTTP status plus Okta's code, summary and causes."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        summary: str | None = None,
        causes: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_code, default_summary = CANONICAL.get(status, ("E0000009", "Internal Server Error"))
        self.status = status
        self.code = code or default_code
        self.summary = summary or default_summary.replace(": {0}", "")
        self.causes = causes or []
        self.headers = headers or {}
        super().__init__(f"{status} {self.code}: {self.summary}")

    def body(self) -> dict[str, Any]:
        """The error as Okta's JSON body (a fresh ``errorId`` each call)."""
        return error_body(self.code, self.summary, self.causes)


def not_found(resource_id: str, type_name: str) -> OktaApiError:
    """404 E0000007 worded as Okta words it: ``Not found: Resource not found: <id> (<Type>)``."""
    return OktaApiError(404, summary=f"Not found: Resource not found: {resource_id} ({type_name})")


def validation_failed(what: str, *causes: str) -> OktaApiError:
    """400 E0000001 ``Api validation failed: <what>`` with optional causes."""
    return OktaApiError(400, summary=f"Api validation failed: {what}", causes=list(causes))


def invalid_search(detail: str) -> OktaApiError:
    """400 E0000031, Okta's answer to a ``filter``/``search`` it cannot parse."""
    return OktaApiError(400, "E0000031", "Invalid search criteria.", [detail])


def invalid_token() -> OktaApiError:
    """401 E0000011."""
    return OktaApiError(401)


def access_denied() -> OktaApiError:
    """403 E0000006."""
    return OktaApiError(403)


def method_not_allowed() -> OktaApiError:
    """405 E0000022 for a known path with a method it does not serve."""
    return OktaApiError(405)
