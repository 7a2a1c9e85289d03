"""No token, bearer token or private key ever shows in errors, reprs or logs."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from appspecs.okta import (
    ApiToken,
    OktaClient,
    OktaError,
    ServiceAppCredentials,
    credentials_from_env,
)
from tests.test_okta_fakes import (
    API_TOKEN,
    ORG,
    SERVER_NOW,
    make_client,
    okta_error,
    okta_response,
    rate_limited,
)

BEARER = "eyJraWQiOiJzZWNyZXQtYmVhcmVyLXRva2VuIn0.payload.signature"


def everything_about(error: BaseException) -> str:
    """str, repr and the whole formatted chain, as a CLI with --traceback would print it."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    cause = error.__cause__
    while cause is not None:
        parts += [str(cause), repr(cause)]
        cause = cause.__cause__
    return "\n".join(parts)


SCENARIOS: dict[str, Callable[[httpx.Request], httpx.Response]] = {
    "401": lambda r: okta_error(401, "E0000011", "Invalid token provided"),
    "403": lambda r: okta_error(403, "E0000006", "You do not have permission"),
    "404": lambda r: okta_error(404, "E0000007", "Not found: Resource not found: x"),
    "429": lambda r: rate_limited(reset=SERVER_NOW + 1),
    "503": lambda r: okta_response(503, content=b"unavailable"),
    "bad-json": lambda r: okta_response(200, content=b"{not json"),
    "redirect": lambda r: httpx.Response(302, headers={"Location": "https://elsewhere/"}),
}


def reset(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError("[Errno 104] Connection reset by peer")


SCENARIOS["connection-reset"] = reset


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_api_token_never_leaks_into_errors_or_logs(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with make_client(SCENARIOS[name], max_retries=2) as client:
        client_repr = repr(client)
        with pytest.raises(OktaError) as info:
            client.get("/api/v1/apps/0oa1")
    assert API_TOKEN not in everything_about(info.value)
    assert API_TOKEN not in client_repr
    assert API_TOKEN not in caplog.text
    # The debug log is there, with method, path and status only.
    assert "GET /api/v1/apps/0oa1" in caplog.text


def test_credential_reprs_are_masked(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    token = ApiToken(API_TOKEN)
    service = credentials_from_env({"OKTA_CLIENT_ID": "0oa8svc", "OKTA_PRIVATE_KEY": pem}, ORG)
    for creds in (token, service):
        with OktaClient(ORG, creds) as client:
            client_repr = repr(client)
        for text in (repr(creds), str(creds), repr([creds]), client_repr):
            assert API_TOKEN not in text
            assert "PRIVATE KEY" not in text and pem[40:80] not in text
    assert "***" in repr(token) and "0oa8svc" in repr(service)


def test_bearer_token_never_leaks(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/v1/token":
            return okta_response(
                200, {"token_type": "Bearer", "expires_in": 3600, "access_token": BEARER}
            )
        return okta_error(403, "E0000006", "You do not have permission")

    creds = ServiceAppCredentials(ORG, "0oa8svc", key)
    with OktaClient(ORG, creds, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(OktaError) as info:
            client.get("/api/v1/apps")
        client_repr = repr(client)
    assert client.stats.calls == {"token": 1, "apps": 1}  # the token really was used
    for text in (everything_about(info.value), client_repr, repr(creds), caplog.text):
        assert BEARER not in text
