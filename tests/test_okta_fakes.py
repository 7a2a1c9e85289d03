"""Shared fakes for the Okta client tests: Okta-shaped responses at the HTTP boundary.

No tests here: the other ``test_okta_*`` modules import these. Bodies and headers follow
Okta's management OpenAPI examples (errors, an OIDC app) and its rate-limit headers.
"""

from __future__ import annotations

import email.utils
import threading
from collections.abc import Callable
from typing import Any

import httpx

from appspecs.okta import ApiToken, OktaClient

ORG = "https://acme.okta.com"
# Looks like an SSWS token; the leak tests search for it everywhere.
API_TOKEN = "00QCjAl4MlV-WPXM-ABCDEFGHIJKLMNOPQRSTUVWXYZ12"
# 2030-01-01T00:00:00Z: far from the local clock, so a wait computed on it would be absurd.
SERVER_NOW = 1_893_456_000

Handler = Callable[[httpx.Request], httpx.Response]


def http_date(epoch: float) -> str:
    return email.utils.formatdate(epoch, usegmt=True)


def okta_response(
    status: int,
    body: Any = None,
    *,
    limit: int = 100,
    remaining: int = 99,
    reset: int = SERVER_NOW + 60,
    date: int = SERVER_NOW,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """A response as Okta sends it: JSON, ``Date`` and the three ``X-Rate-Limit-*`` headers."""
    all_headers = {
        "Content-Type": "application/json",
        "Date": http_date(date),
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(reset),
        "X-Okta-Request-Id": "reqAbCdEfGhIjKlMnOp",
    }
    all_headers.update(headers or {})
    if content is not None:
        return httpx.Response(status, headers=all_headers, content=content)
    if body is None:
        return httpx.Response(status, headers=all_headers)
    return httpx.Response(status, headers=all_headers, json=body)


def okta_error(
    status: int,
    code: str,
    summary: str,
    *,
    error_id: str = "oaeSampleErrIdQPivGUj",
    causes: list[str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    body = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": error_id,
        "errorCauses": [{"errorSummary": c} for c in causes or []],
    }
    return okta_response(status, body, **kwargs)


def rate_limited(*, reset: int, date: int = SERVER_NOW, limit: int = 100) -> httpx.Response:
    return okta_error(
        429,
        "E0000047",
        "API call exceeded rate limit due to too many requests.",
        limit=limit,
        remaining=0,
        reset=reset,
        date=date,
    )


def oidc_app(app_id: str, label: str = "CRM sync") -> dict[str, Any]:
    """An OIDC app as ``GET /api/v1/apps`` lists it (trimmed from Okta's example)."""
    return {
        "id": app_id,
        "name": "oidc_client",
        "label": label,
        "status": "ACTIVE",
        "signOnMode": "OPENID_CONNECT",
        "profile": {"label": label},
        "credentials": {
            "oauthClient": {
                "client_id": f"{app_id}client",
                "token_endpoint_auth_method": "client_secret_basic",
                "pkce_required": False,
            }
        },
        "settings": {
            "oauthClient": {
                "redirect_uris": ["https://crm.example.com/callback"],
                "post_logout_redirect_uris": [],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "application_type": "web",
                "consent_method": "REQUIRED",
            }
        },
        "_links": {"groups": {"href": f"{ORG}/api/v1/apps/{app_id}/groups"}},
    }


class FakeTime:
    """A monotonic clock that only moves when the client sleeps; records every sleep."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def make_client(
    handler: Handler, *, fake_time: FakeTime | None = None, **kwargs: Any
) -> OktaClient:
    """A client on a MockTransport with an API token, recorded sleeps and jitter fixed at 0.5."""
    ft = fake_time or FakeTime()
    options: dict[str, Any] = {"sleep": ft.sleep, "clock": ft.clock, "rng": lambda: 0.5}
    options.update(kwargs)
    return OktaClient(ORG, ApiToken(API_TOKEN), transport=httpx.MockTransport(handler), **options)
