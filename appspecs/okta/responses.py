"""Turning a final HTTP response into parsed JSON or a typed error; no retry decisions here."""

from __future__ import annotations

import json
from typing import Any

import httpx

from appspecs.okta.errors import (
    AuthError,
    BadResponse,
    NotFound,
    OktaError,
    PermissionDenied,
    RequestRejected,
    ServerError,
)


def shown_url(url: httpx.URL) -> str:
    """The URL as errors show it: org, path and query (paging cursors help; no secrets there)."""
    return str(url)


def okta_fields(response: httpx.Response) -> dict[str, str | None]:
    """Okta's error fields from a body, if it has them; OAuth ``error`` bodies too."""
    fields: dict[str, str | None] = {"error_code": None, "error_summary": None, "error_id": None}
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return fields
    if not isinstance(body, dict):
        return fields

    def text(key: str) -> str | None:
        value = body.get(key)
        return value if isinstance(value, str) and value else None

    fields["error_code"] = text("errorCode") or text("error")
    summary = text("errorSummary") or text("error_description")
    causes = body.get("errorCauses")
    if isinstance(causes, list):
        details = [
            c["errorSummary"] for c in causes if isinstance(c, dict) and c.get("errorSummary")
        ]
        if details:
            # A 400's summary is "Api validation failed: x"; the causes say which field and why.
            summary = f"{summary or ''} ({'; '.join(str(d) for d in details)})".strip()
    fields["error_summary"] = summary
    fields["error_id"] = text("errorId")
    return fields


def status_error(response: httpx.Response, *, token_endpoint: bool = False) -> OktaError:
    """The typed error for a non-2xx status that is not (or no longer) retried."""
    status = response.status_code
    cls: type[OktaError]
    detail: str | None = None
    if token_endpoint and status in (400, 401):
        # The token endpoint answers a bad assertion or scope with 400/401 invalid_client etc.
        cls, detail = AuthError, "token endpoint refused the service app"
    elif status == 401:
        cls = AuthError
    elif status == 403:
        cls = PermissionDenied
    elif status == 404:
        cls = NotFound
    elif 400 <= status < 500:
        cls = RequestRejected
    elif 500 <= status < 600:
        cls = ServerError
    elif 300 <= status < 400:
        # Redirects are never followed: the Authorization header must not travel anywhere else.
        cls, detail = BadResponse, "redirect not followed"
    else:
        cls, detail = BadResponse, "unexpected status"
    return error_from(cls, response, detail)


def error_from(cls: type[OktaError], response: httpx.Response, detail: str | None) -> OktaError:
    """An error of ``cls`` about this response, with Okta's own error fields from its body."""
    fields = okta_fields(response)
    return cls(
        detail,
        method=response.request.method,
        url=shown_url(response.request.url),
        status=response.status_code,
        error_code=fields["error_code"],
        error_summary=fields["error_summary"],
        error_id=fields["error_id"],
    )


def parse_json(response: httpx.Response) -> Any:
    """The body as JSON, or ``BadResponse`` (never quoting the body: it may hold secrets)."""
    if not response.content.strip():
        raise bad_response(response, "empty body where JSON was expected")
    try:
        return json.loads(response.content)
    except UnicodeDecodeError as e:
        raise bad_response(response, "body is not UTF-8 JSON") from e
    except ValueError as e:
        raise bad_response(response, "body is not valid JSON") from e


_JSON_TYPES = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}


def bad_response(response: httpx.Response, detail: str) -> BadResponse:
    """A ``BadResponse`` about this response (method, URL and status filled in)."""
    return BadResponse(
        detail,
        method=response.request.method,
        url=shown_url(response.request.url),
        status=response.status_code,
    )


def json_type(value: Any) -> str:
    """JSON's name for a parsed value's type, for messages like "expected a list, got object"."""
    return _JSON_TYPES.get(type(value), "number")


def body_is_complete(response: httpx.Response) -> bool:
    """False when ``Content-Length`` promised more (identity-encoded) bytes than arrived."""
    declared = response.headers.get("content-length")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if declared is None or encoding not in ("", "identity"):
        return True
    try:
        return int(declared) == len(response.content)
    except ValueError:
        return False
