"""Who may call the stand-in: an ``SSWS`` API token, or a ``Bearer`` token from the org's token
endpoint (client credentials with a ``private_key_jwt`` assertion, as Okta service apps use).

A bearer token carries the scopes it was granted, and each API path needs one:
``okta.<resource>.read`` (or ``.manage``) for GET, ``okta.<resource>.manage`` for writes, where
resource is ``apps``, ``groups`` or ``authorizationServers``. An ``SSWS`` token may do anything.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from tests.standin.errors import OktaApiError, access_denied, invalid_token

KeyLike = RSAPrivateKey | RSAPublicKey | str | bytes | dict[str, Any]
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = 3600  # Okta refuses an assertion whose exp is over an hour away
_RESOURCES = ("apps", "groups", "authorizationServers")


def public_key(key: KeyLike) -> RSAPublicKey:
    """The public half of a key given as a cryptography key, a PEM string or a JWK dict."""
    if isinstance(key, dict):
        key = jwt.PyJWK(key).key
    if isinstance(key, str):
        key = key.encode()
    if isinstance(key, bytes):
        key = (
            load_pem_private_key(key, password=None)  # type: ignore[assignment]
            if b"PRIVATE KEY" in key
            else load_pem_public_key(key)
        )
    if isinstance(key, RSAPrivateKey):
        key = key.public_key()
    if not isinstance(key, RSAPublicKey):
        raise TypeError(f"need an RSA key, got {type(key).__name__}")
    return key


def required_scope(method: str, path: str) -> str | None:
    """The scope a bearer token needs for this call (``None``: any valid token will do)."""
    parts = path.split("/")
    if len(parts) < 4 or parts[1:3] != ["api", "v1"] or parts[3] not in _RESOURCES:
        return None
    verb = "read" if method in ("GET", "HEAD") else "manage"
    return f"okta.{parts[3]}.{verb}"


@dataclass(frozen=True)
class IssuedToken:
    """An access token the token endpoint handed out."""

    client_id: str
    scopes: frozenset[str]
    expires_at: float


class OAuthError(Exception):
    """A token-endpoint failure, answered with OAuth's ``{error, error_description}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.body = {"error": error, "error_description": description}


class Authority:
    """Checks ``Authorization`` headers and runs the client-credentials token endpoint."""

    def __init__(self, api_token: str, keys: Mapping[str, KeyLike] | None = None) -> None:
        self.api_token = api_token
        self.token_lifetime = 3600
        self._keys: dict[str, RSAPublicKey] = {}
        self._allowed_scopes: dict[str, frozenset[str]] = {}
        self._issued: dict[str, IssuedToken] = {}
        self._used_jti: set[str] = set()
        self._lock = threading.Lock()
        for client_id, key in (keys or {}).items():
            self.register_key(client_id, key)

    @property
    def issued(self) -> dict[str, IssuedToken]:
        """The access tokens handed out so far (a copy), by token."""
        with self._lock:
            return dict(self._issued)

    def register_key(
        self, client_id: str, key: KeyLike, scopes: Iterable[str] | None = None
    ) -> None:
        """Trust ``key`` for assertions from ``client_id``; ``scopes`` limits what it may ask."""
        with self._lock:
            self._keys[client_id] = public_key(key)
            if scopes is not None:
                self._allowed_scopes[client_id] = frozenset(scopes)

    def check(self, header: str | None, method: str, path: str) -> None:
        """Raise 401 E0000011 (no or bad token) or 403 E0000006 (token lacks the scope)."""
        scheme, _, value = (header or "").partition(" ")
        if scheme == "SSWS" and value and secrets.compare_digest(value, self.api_token):
            return
        if scheme != "Bearer" or not value:
            raise invalid_token()
        with self._lock:
            issued = self._issued.get(value)
        if issued is None or issued.expires_at <= time.time():
            err = invalid_token()
            err.headers["WWW-Authenticate"] = 'Bearer realm="IdP", error="invalid_token"'
            raise err
        need = required_scope(method, path)
        if need is None or need in issued.scopes:
            return
        if need.endswith(".read") and need.replace(".read", ".manage") in issued.scopes:
            return
        err = access_denied()
        err.headers["WWW-Authenticate"] = (
            f'Bearer realm="IdP", scope="{need}", error="insufficient_scope", '
            'error_description="The access token provided does not contain the required scopes."'
        )
        raise err

    def issue(
        self,
        form: Mapping[str, str],
        token_url: str,
        app_key: Callable[[str, str | None], RSAPublicKey | None],
    ) -> dict[str, Any]:
        """Run ``POST /oauth2/v1/token``; raises :class:`OAuthError` as Okta answers failures.

        ``app_key(client_id, kid)`` finds a key in an app's JWKS when none was registered.
        """
        if form.get("grant_type") != "client_credentials":
            raise OAuthError(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            )
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            raise OAuthError(401, "invalid_client", "Client authentication failed.")
        requested = form.get("scope", "").split()
        if not requested:
            raise OAuthError(400, "invalid_scope", "The authorization server requires a scope.")
        claims = self._verify(form["client_assertion"], form.get("client_id"), token_url, app_key)
        client_id = claims["iss"]
        allowed = self._allowed_scopes.get(client_id)
        bad = [s for s in requested if not s.startswith("okta.") or (allowed and s not in allowed)]
        if bad:
            raise OAuthError(
                400,
                "invalid_scope",
                "One or more scopes are not configured for the authorization server "
                f"resource: {' '.join(bad)}",
            )
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._issued[token] = IssuedToken(
                client_id, frozenset(requested), time.time() + self.token_lifetime
            )
        return {
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "access_token": token,
            "scope": " ".join(requested),
        }

    def _verify(
        self,
        assertion: str,
        form_client_id: str | None,
        token_url: str,
        app_key: Callable[[str, str | None], RSAPublicKey | None],
    ) -> dict[str, Any]:
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError as exc:
            raise OAuthError(
                401, "invalid_client", f"The client_assertion is malformed: {exc}"
            ) from exc
        client_id = unverified.get("iss")
        if not isinstance(client_id, str) or (form_client_id and form_client_id != client_id):
            raise OAuthError(401, "invalid_client", "Invalid value for 'client_id' parameter.")
        with self._lock:
            key = self._keys.get(client_id)
        key = key or app_key(client_id, header.get("kid"))
        if key is None:
            raise OAuthError(401, "invalid_client", "Invalid value for 'client_id' parameter.")
        try:
            claims: dict[str, Any] = jwt.decode(
                assertion,
                key,
                algorithms=["RS256"],
                audience=token_url,
                options={"require": ["exp", "iss", "sub", "aud"]},
                leeway=5,
            )
        except jwt.PyJWTError as exc:
            raise OAuthError(
                401,
                "invalid_client",
                f"The client_assertion signature or claims are invalid: {exc}",
            ) from exc
        if claims["sub"] != client_id:
            raise OAuthError(401, "invalid_client", "The 'sub' claim must equal the client id.")
        if claims["exp"] - time.time() > MAX_ASSERTION_LIFETIME:
            raise OAuthError(
                401,
                "invalid_client",
                "The client_assertion token has an expiration too far into the future.",
            )
        jti = claims.get("jti")
        if jti is not None:
            with self._lock:
                if jti in self._used_jti:
                    raise OAuthError(
                        401, "invalid_client", "The client_assertion token has already been used."
                    )
                self._used_jti.add(jti)
        return claims


def forbid(reason: str) -> OktaApiError:
    """403 E0000006 (read-only mode, deny-all switch); ``reason`` goes in errorCauses."""
    err = access_denied()
    err.causes = [reason]
    return err
