"""Credentials from the environment and the service app's private_key_jwt bearer flow."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from appspecs.okta import (
    ApiToken,
    AuthError,
    BadResponse,
    CredentialsError,
    OktaClient,
    ServiceAppCredentials,
    credentials_from_env,
    load_private_key,
)
from tests.test_okta_fakes import API_TOKEN, ORG, FakeTime, okta_error, okta_response

CLIENT_ID = "0oa8serviceAppClient"
TOKEN_URL = f"{ORG}/oauth2/v1/token"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "okta-service-app.pem"
    path.write_bytes(
        rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


# -- credentials_from_env ---------------------------------------------------------------------


def test_api_token_from_env_is_stripped() -> None:
    creds = credentials_from_env({"OKTA_API_TOKEN": f"  {API_TOKEN}\n"}, ORG)
    assert isinstance(creds, ApiToken)
    assert creds.authorization(lambda form: None) == f"SSWS {API_TOKEN}"


def test_no_credentials_names_the_variables() -> None:
    with pytest.raises(CredentialsError) as info:
        credentials_from_env({"HOME": "/root"}, ORG)
    text = str(info.value)
    for name in ("OKTA_API_TOKEN", "OKTA_CLIENT_ID", "OKTA_PRIVATE_KEY"):
        assert name in text


def test_both_kinds_of_credentials_are_refused() -> None:
    env = {"OKTA_API_TOKEN": API_TOKEN, "OKTA_CLIENT_ID": CLIENT_ID}
    with pytest.raises(CredentialsError, match="not both") as info:
        credentials_from_env(env, ORG)
    assert API_TOKEN not in str(info.value)


def test_a_client_id_without_a_key_names_the_missing_variable() -> None:
    with pytest.raises(CredentialsError, match="OKTA_PRIVATE_KEY is not set") as info:
        credentials_from_env({"OKTA_CLIENT_ID": CLIENT_ID}, ORG)
    assert CLIENT_ID not in str(info.value)


def test_an_unreadable_key_file_is_a_credentials_error_without_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "secret-location" / "key.pem"
    env = {"OKTA_CLIENT_ID": CLIENT_ID, "OKTA_PRIVATE_KEY": str(missing)}
    with pytest.raises(CredentialsError, match="OKTA_PRIVATE_KEY") as info:
        credentials_from_env(env, ORG)
    assert "secret-location" not in str(info.value)


def test_a_file_that_is_not_a_pem_key_is_a_credentials_error(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text("this is not a key\n")
    env = {"OKTA_CLIENT_ID": CLIENT_ID, "OKTA_PRIVATE_KEY": str(path)}
    with pytest.raises(CredentialsError, match="PEM"):
        credentials_from_env(env, ORG)


def test_a_non_rsa_key_is_refused(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "ec.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    env = {"OKTA_CLIENT_ID": CLIENT_ID, "OKTA_PRIVATE_KEY": str(path)}
    with pytest.raises(CredentialsError, match="RSA"):
        credentials_from_env(env, ORG)


def test_service_app_scopes_are_read_only_unless_write_is_asked(key_file: Path) -> None:
    env = {"OKTA_CLIENT_ID": CLIENT_ID, "OKTA_PRIVATE_KEY": str(key_file)}
    read = credentials_from_env(env, ORG)
    write = credentials_from_env({**env, "OKTA_PRIVATE_KEY_ID": "kid-1"}, ORG, write=True)
    assert isinstance(read, ServiceAppCredentials) and isinstance(write, ServiceAppCredentials)
    assert (read.client_id, read.key_id, write.key_id) == (CLIENT_ID, None, "kid-1")
    assert read.scopes == ("okta.apps.read", "okta.groups.read", "okta.authorizationServers.read")
    assert write.scopes == (*read.scopes, "okta.apps.manage")


def test_inline_pem_is_accepted(key_file: Path) -> None:
    env = {"OKTA_CLIENT_ID": CLIENT_ID, "OKTA_PRIVATE_KEY": key_file.read_text()}
    assert isinstance(credentials_from_env(env, ORG), ServiceAppCredentials)


def test_credentials_for_another_org_are_refused(key_file: Path) -> None:
    env = {"OKTA_CLIENT_ID": CLIENT_ID, "OKTA_PRIVATE_KEY": str(key_file)}
    creds = credentials_from_env(env, "https://other.okta.com")
    with pytest.raises(CredentialsError, match="another org"):
        OktaClient(ORG, creds)


# -- the bearer flow --------------------------------------------------------------------------


class FakeAuthServer:
    """Okta's token endpoint checking each client assertion, plus an API that wants Bearer."""

    def __init__(self, rsa_key: rsa.RSAPrivateKey, *, expires_in: int = 3600) -> None:
        self.public_key = rsa_key.public_key()
        self.expires_in = expires_in
        self.assertions: list[dict[str, Any]] = []
        self.kids: list[str | None] = []
        self.scopes: list[str] = []
        self.api_auth: list[str] = []
        self.issued = 0
        self.revoked: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/v1/token":
            return self.token(request)
        self.api_auth.append(request.headers.get("Authorization", ""))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not token.startswith("eyJ-issued-") or token in self.revoked:
            return okta_error(401, "E0000011", "Invalid token provided")
        return okta_response(200, [])

    def token(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert "Authorization" not in request.headers
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        assert form["grant_type"] == "client_credentials"
        assert (
            form["client_assertion_type"]
            == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        )
        # Verifies the signature, aud, iss and exp as Okta would.
        claims = jwt.decode(
            form["client_assertion"],
            self.public_key,
            algorithms=["RS256"],
            audience=TOKEN_URL,
            issuer=CLIENT_ID,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
        )
        self.assertions.append(claims)
        self.kids.append(jwt.get_unverified_header(form["client_assertion"]).get("kid"))
        self.scopes.append(form["scope"])
        self.issued += 1
        return okta_response(
            200,
            {
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "access_token": f"eyJ-issued-{self.issued}",
                "scope": form["scope"],
            },
        )


def service_client(
    key_file: Path, server: FakeAuthServer, ft: FakeTime, *, key_id: str | None = None
) -> OktaClient:
    # The token cache runs on the same fake clock the client sleeps on.
    creds = ServiceAppCredentials(
        ORG, CLIENT_ID, load_private_key(str(key_file)), key_id=key_id, clock=ft.clock
    )
    return OktaClient(
        ORG,
        creds,
        transport=httpx.MockTransport(server),
        sleep=ft.sleep,
        clock=ft.clock,
        rng=lambda: 0.5,
    )


def test_bearer_flow_signs_a_valid_assertion_and_caches_the_token(
    key_file: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    server = FakeAuthServer(rsa_key)
    ft = FakeTime()
    with service_client(key_file, server, ft, key_id="kid-2030") as client:
        for _ in range(3):
            client.list("/api/v1/apps")
    assert server.issued == 1
    assert server.api_auth == ["Bearer eyJ-issued-1"] * 3
    claims = server.assertions[0]
    assert claims["sub"] == CLIENT_ID
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert server.kids == ["kid-2030"]
    assert server.scopes == ["okta.apps.read okta.groups.read okta.authorizationServers.read"]
    assert client.stats.calls == {"apps": 3, "token": 1}


def test_the_token_is_refreshed_shortly_before_it_expires_with_a_new_jti(
    key_file: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    server = FakeAuthServer(rsa_key, expires_in=3600)
    ft = FakeTime()
    with service_client(key_file, server, ft) as client:
        client.list("/api/v1/apps")
        ft.now += 3600 - 61  # still more than the 60 s margin left
        client.list("/api/v1/apps")
        assert server.issued == 1
        ft.now += 2  # inside the margin: fetch a new one
        client.list("/api/v1/apps")
    assert server.issued == 2
    assert server.api_auth[-1] == "Bearer eyJ-issued-2"
    assert server.assertions[0]["jti"] != server.assertions[1]["jti"]
    assert server.kids == [None] * 2


def test_a_401_with_a_bearer_token_fetches_a_new_token_once(
    key_file: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    server = FakeAuthServer(rsa_key)
    ft = FakeTime()
    with service_client(key_file, server, ft) as client:
        client.list("/api/v1/apps")
        server.revoked.add("eyJ-issued-1")
        client.list("/api/v1/apps")
        assert server.issued == 2
        server.revoked.add("eyJ-issued-2")
        server.revoked.add("eyJ-issued-3")
        with pytest.raises(AuthError):
            client.list("/api/v1/apps")
    assert server.issued == 3  # one refetch per request, not a loop


def test_the_token_endpoint_refusing_the_assertion_is_an_auth_error(
    key_file: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/oauth2/v1/token"
        body = {
            "error": "invalid_client",
            "error_description": "The client_assertion signature is invalid.",
        }
        return okta_response(401, body)

    env = {"OKTA_CLIENT_ID": CLIENT_ID, "OKTA_PRIVATE_KEY": str(key_file)}
    creds = credentials_from_env(env, ORG)
    with (
        OktaClient(ORG, creds, transport=httpx.MockTransport(handler)) as client,
        pytest.raises(AuthError) as info,
    ):
        client.get("/api/v1/apps")
    assert info.value.error_code == "invalid_client"
    assert "signature is invalid" in str(info.value)
    assert client.stats.calls == {"token": 1}


def test_a_token_response_without_a_token_is_a_bad_response(key_file: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return okta_response(200, {"token_type": "Bearer", "access_token": "eyJ-no-expiry"})

    env = {"OKTA_CLIENT_ID": CLIENT_ID, "OKTA_PRIVATE_KEY": str(key_file)}
    creds = credentials_from_env(env, ORG)
    with (
        OktaClient(ORG, creds, transport=httpx.MockTransport(handler)) as client,
        pytest.raises(BadResponse) as info,
    ):
        client.get("/api/v1/apps")
    assert "eyJ-no-expiry" not in str(info.value)
